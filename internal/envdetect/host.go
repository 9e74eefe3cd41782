package envdetect

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/jdash-dev/jdash/internal/appdirs"
)

// Host is the machine as envdetect sees it: the process environment, the home directory and
// the machine-wide places to probe. Tests point every field into a temporary tree.
type Host struct {
	OS   string            // GOOS naming
	Env  map[string]string // process environment
	Home string

	// SystemBinDirs are the OS interpreter dirs (/usr/bin, /usr/local/bin, /bin, ...).
	SystemBinDirs []string
	// SystemPrefixes are the prefixes of the OS's own interpreters (/usr, /usr/local).
	SystemPrefixes []string
	// SystemRoots are machine-wide dirs that may hold conda installs (/opt, /usr/local, ...).
	SystemRoots []string
	// CondarcDirs are the machine-wide condarc dirs (/etc/conda, /var/lib/conda).
	CondarcDirs []string
	// ExtraEnvDirs are dirs whose children are envs (jdash's own env dir, configured dirs).
	ExtraEnvDirs []string
	// KnownEnvs are prefixes jdash set up, patched or created (its registry).
	KnownEnvs []string

	// Cwd is probed for a project env (.venv, venv, .conda, env, .pixi/envs/*).
	Cwd string

	// Workspaces are searched recursively to MaxDepth levels for project envs.
	Workspaces []string
	MaxDepth   int
}

// DefaultWorkspaceDepth bounds the recursive workspace search.
const DefaultWorkspaceDepth = 4

// NewHost describes the running machine from its environment.
func NewHost(goos string, env map[string]string) Host {
	h := Host{OS: goos, Env: env, Home: env["HOME"], MaxDepth: DefaultWorkspaceDepth}
	h.Cwd, _ = os.Getwd()
	if h.Home == "" {
		h.Home, _ = os.UserHomeDir()
	}
	if goos != "windows" {
		h.SystemBinDirs = []string{"/usr/bin", "/usr/local/bin", "/bin", "/opt/homebrew/bin", "/home/linuxbrew/.linuxbrew/bin"}
		h.SystemPrefixes = []string{"/usr", "/usr/local", "/"}
		h.SystemRoots = []string{"/opt", "/usr/local", "/usr/share", "/usr", "/opt/homebrew", "/home/linuxbrew/.linuxbrew"}
		h.CondarcDirs = []string{"/etc/conda", "/var/lib/conda"}
	}
	return h
}

// UnderRoot looks for the machine-wide Pythons (system bin dirs and prefixes, install roots,
// conda's system condarc dirs) under root instead of / (an image or a chroot, or a test).
func (h Host) UnderRoot(root string) Host {
	rebase := func(dirs []string) []string {
		out := make([]string, len(dirs))
		for i, d := range dirs {
			out[i] = filepath.Join(root, d)
		}
		return out
	}
	h.SystemBinDirs, h.SystemPrefixes = rebase(h.SystemBinDirs), rebase(h.SystemPrefixes)
	h.SystemRoots, h.CondarcDirs = rebase(h.SystemRoots), rebase(h.CondarcDirs)
	return h
}

// EnvFromOS returns os.Environ as a map.
func EnvFromOS() map[string]string {
	m := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

func (h Host) getenv(k string) string { return h.Env[k] }

// home joins parts under the home directory.
func (h Host) home(parts ...string) string {
	return filepath.Join(append([]string{h.Home}, parts...)...)
}

// expand expands a leading ~ and $VAR / ${VAR} references against the host environment.
func (h Host) expand(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		p = h.Home + p[1:]
	}
	return os.Expand(p, func(k string) string { return h.Env[k] })
}

func (h Host) xdgData() string   { return appdirs.Base(h.getenv, h.Home, "XDG_DATA_HOME") }
func (h Host) xdgConfig() string { return appdirs.Base(h.getenv, h.Home, "XDG_CONFIG_HOME") }
func (h Host) xdgCache() string  { return appdirs.Base(h.getenv, h.Home, "XDG_CACHE_HOME") }

func (h Host) pathList(k string) []string {
	var out []string
	for _, p := range filepath.SplitList(h.getenv(k)) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
