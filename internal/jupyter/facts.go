package jupyter

import (
	"github.com/jdash-dev/jdash/internal/pyver"
)

// Facts are the Python and process facts that decide Jupyter's search paths. They are plain
// values so that every rule can be computed, and tested, for any OS and any jupyter_core
// version without running Python. FactsFor (in host.go) fills them from a real env.
type Facts struct {
	// OS is Go's GOOS naming: "linux", "darwin", "windows" (anything else behaves as linux).
	OS string
	// Prefix is sys.prefix exactly as Python computes it.
	Prefix string
	// IsVenv is sys.prefix != sys.base_prefix (a pyvenv.cfg env; conda envs are not venvs).
	IsVenv bool
	// SystemSitePackages is the venv's include-system-site-packages (true outside venvs).
	SystemSitePackages bool
	// UserSiteBlockedByIDs is site's uid != euid or gid != egid check.
	UserSiteBlockedByIDs bool
	// Env is the process environment Jupyter would be started with.
	Env map[string]string
	// Home is what ~ expands to (HOME, or the password database when HOME is unset).
	Home string
	// RealHome is Home with symlinks resolved (pathlib's resolve()).
	RealHome string
	// RealAppData is %APPDATA%\jupyter resolved (Windows data dir); empty elsewhere.
	RealAppData string
	// OwnsPrefix is jupyter_core's _do_i_own(sys.prefix).
	OwnsPrefix bool
	// CoreVersion is the installed jupyter_core; nil means the newest known rules.
	CoreVersion *pyver.Version
	// PythonVersion is "X.Y"; used for the macOS framework user base.
	PythonVersion string
	// MacFramework is sys._framework on macOS (python.org and Homebrew framework builds).
	MacFramework bool
	// SystemRoot is where the machine-wide dirs (/usr/local/share/jupyter, /etc/jupyter, ...)
	// are looked up: "" is the real root. Tests point it at a tree of their own, so that
	// nothing of the host's Jupyter is read.
	SystemRoot string
	// TempDir is where JUPYTER_NO_CONFIG's fresh directory is made (tempfile.gettempdir()).
	TempDir string
}

func (f Facts) getenv(k string) (string, bool) {
	v, ok := f.Env[k]
	return v, ok
}

// truthy is Python's os.environ.get(k) used as a condition: set and non-empty.
func (f Facts) truthy(k string) bool {
	return f.Env[k] != ""
}

// envset is jupyter_core's envset(): unset gives def; a set value is true unless it is one
// of no/n/false/off/0/0.0 (case-insensitive). So an empty value is true.
func (f Facts) envset(k string, def bool) bool {
	v, ok := f.getenv(k)
	if !ok {
		return def
	}
	switch lower(v) {
	case "no", "n", "false", "off", "0", "0.0":
		return false
	}
	return true
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
