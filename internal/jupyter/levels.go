package jupyter

import (
	"fmt"
	"path/filepath"
	"strings"
)

// LevelKind names a write level of the Jupyter CLIs.
type LevelKind string

const (
	User      LevelKind = "user"             // --user: ~/.jupyter, ~/.local/share/jupyter
	SysPrefix LevelKind = "sys-prefix"       // --sys-prefix: <prefix>/{etc,share}/jupyter
	System    LevelKind = "system"           // --system: the machine-wide dirs
	Prefix    LevelKind = "prefix"           // --prefix P: P/share/jupyter (install only)
	ExtDir    LevelKind = "nbextensions-dir" // --nbextensions DIR (install only)
)

// Level is one place install/enable commands write to. It knows all of its dirs; nothing
// derives one from another by trimming paths.
type Level struct {
	Kind   LevelKind `json:"kind"`
	Config string    `json:"config"` // the config dir ("" for the install-only levels)
	Data   string    `json:"data"`   // the data dir ("" for --nbextensions)
	// ext is the nbextensions dir when it is given directly (--nbextensions).
	ext string
}

// Levels are the three write levels of an env: --user, --sys-prefix, --system.
type Levels struct {
	User      Level `json:"user"`
	SysPrefix Level `json:"sys_prefix"`
	System    Level `json:"system"`
}

// HasConfig reports a level with config dirs (not --prefix or --nbextensions).
func (l Level) HasConfig() bool { return l.Config != "" }

// NBConfig is <config>/nbconfig, where nbextensions are enabled.
func (l Level) NBConfig() (string, error) {
	if !l.HasConfig() {
		return "", fmt.Errorf("--%s applies to install and uninstall only", l.Kind)
	}
	return filepath.Join(l.Config, "nbconfig"), nil
}

// ConfigDir is the config dir, where server extensions are enabled.
func (l Level) ConfigDir() (string, error) {
	if !l.HasConfig() {
		return "", fmt.Errorf("--%s applies to install and uninstall only", l.Kind)
	}
	return l.Config, nil
}

// NBExtensions is the nbextensions dir that install writes to.
func (l Level) NBExtensions() string {
	if l.ext != "" {
		return l.ext
	}
	return filepath.Join(l.Data, "nbextensions")
}

// Level returns one of the env's levels, or an install-only level for --prefix P (path is
// P) and --nbextensions DIR (path is DIR).
func (p Paths) Level(kind LevelKind, path string) (Level, error) {
	switch kind {
	case User:
		return p.Levels.User, nil
	case SysPrefix:
		return p.Levels.SysPrefix, nil
	case System:
		return p.Levels.System, nil
	case Prefix:
		return Level{Kind: Prefix, Data: filepath.Join(path, "share", "jupyter")}, nil
	case ExtDir:
		return Level{Kind: ExtDir, ext: path}, nil
	}
	return Level{}, fmt.Errorf("unknown level %q", kind)
}

// LevelOf names the level of a dir on the config or data path.
func LevelOf(entries []Entry, dir string) string {
	for _, e := range entries {
		if e.Path == dir || strings.HasPrefix(dir, e.Path+string(filepath.Separator)) {
			switch e.Origin {
			case OriginUser:
				return "user"
			case OriginUserSite:
				return "user-site"
			case OriginEnv:
				return "sys-prefix"
			case OriginSystem:
				return "system"
			case OriginVar:
				if strings.Contains(e.Why, "JUPYTER_CONFIG_PATH") {
					return "JUPYTER_CONFIG_PATH"
				}
				return "JUPYTER_PATH"
			case OriginNoConfig:
				return "no-config"
			}
		}
	}
	return "other"
}

// Reaches is, for a level every env reads (--user, --system), the warning a write there must
// have confirmed; "" for the env's own levels. Every verb that writes asks the same question.
func (l Level) Reaches() string {
	switch l.Kind {
	case User:
		return "--user writes under your home (" + l.Config + ", " + l.Data + "): every env on this machine will see it"
	case System:
		return "--system writes the machine-wide dirs (" + l.Config + ", " + l.Data + "): every env on this machine will see it"
	}
	return ""
}
