// Package appdirs is the one home of the XDG base-directory rule (a variable counts only
// when it holds an absolute path; otherwise the default under HOME) and of jdash's own
// config, data and state dirs built on it.
package appdirs

import "path/filepath"

// The XDG base-dir variables and their defaults under HOME.
var defaults = map[string][]string{
	"XDG_CONFIG_HOME": {".config"},
	"XDG_DATA_HOME":   {".local", "share"},
	"XDG_STATE_HOME":  {".local", "state"},
	"XDG_CACHE_HOME":  {".cache"},
}

// Base is an XDG base dir (name is XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME or
// XDG_CACHE_HOME) for an environment and a home dir.
func Base(getenv func(string) string, home, name string) string {
	if v := getenv(name); filepath.IsAbs(v) {
		return v
	}
	return filepath.Join(append([]string{home}, defaults[name]...)...)
}

// Dirs are jdash's own dirs for one process environment.
type Dirs struct {
	Config string // $XDG_CONFIG_HOME/jdash: the user's jdash.yaml
	Data   string // $XDG_DATA_HOME/jdash: the envs jdash creates
	State  string // $XDG_STATE_HOME/jdash: the registry of envs, the stacks' state
}

// For is jdash's dirs under the environment env (HOME and the XDG variables).
func For(env map[string]string) Dirs {
	get := func(k string) string { return env[k] }
	home := env["HOME"]
	return Dirs{
		Config: filepath.Join(Base(get, home, "XDG_CONFIG_HOME"), "jdash"),
		Data:   filepath.Join(Base(get, home, "XDG_DATA_HOME"), "jdash"),
		State:  filepath.Join(Base(get, home, "XDG_STATE_HOME"), "jdash"),
	}
}

// ConfigFile is the user's jdash.yaml (read when no project file is found).
func (d Dirs) ConfigFile() string { return filepath.Join(d.Config, "jdash.yaml") }

// Registry is the file of the envs jdash set up, patched or created.
func (d Dirs) Registry() string { return filepath.Join(d.State, "envs.json") }

// EnvsDir is where `jdash env create` puts envs: $JDASH_ENVS_DIR, else Data/envs.
func (d Dirs) EnvsDir(env map[string]string) string {
	if v := env["JDASH_ENVS_DIR"]; v != "" {
		return v
	}
	return filepath.Join(d.Data, "envs")
}
