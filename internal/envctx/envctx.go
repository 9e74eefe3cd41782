// Package envctx resolves an ENV argument to an env with what jdash knows of it from files:
// the Jupyter facts and paths it sees and its installed packages. One Resolver per run: the
// machine is scanned once, whatever the verb asks.
package envctx

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/jdash-dev/jdash/internal/appdirs"
	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/pyrun"
	"github.com/jdash-dev/jdash/internal/registry"
	"github.com/jdash-dev/jdash/internal/runner"
)

// Settings are jdash's settings that change where envs are found and what they see (the keys
// workspace, env_dirs, workspace_depth and system_root).
type Settings struct {
	Workspaces     []string
	EnvDirs        []string
	WorkspaceDepth int
	// SystemRoot moves the machine-wide dirs under another root, to inspect an image or a
	// chroot, and so that CLI tests never read the host's Jupyter.
	SystemRoot string
}

// Env is an env with the Jupyter paths it sees and its installed packages.
type Env struct {
	Env      *envdetect.Env
	Facts    jupyter.Facts
	Paths    jupyter.Paths
	Packages *pkgindex.Index
}

// Resolver finds envs for one run.
type Resolver struct {
	Environ  map[string]string // the process environment
	GOOS     string
	Settings Settings
	Runner   *runner.Runner // starts the envs' interpreters

	scanOnce sync.Once
	scan     envdetect.Result
}

// Dirs are jdash's own dirs under this environment.
func (r *Resolver) Dirs() appdirs.Dirs { return appdirs.For(r.Environ) }

// Host is the machine description for envdetect, with configured workspaces and env dirs.
func (r *Resolver) Host() envdetect.Host {
	h := envdetect.NewHost(r.GOOS, r.Environ)
	if r.Settings.SystemRoot != "" {
		h = h.UnderRoot(r.Settings.SystemRoot)
	}
	h.Workspaces = r.Settings.Workspaces
	h.ExtraEnvDirs = append(append([]string(nil), r.Settings.EnvDirs...), r.Dirs().EnvsDir(r.Environ))
	h.KnownEnvs, _ = registry.Load(r.Dirs().Registry()) // an unreadable registry only loses names
	if d := r.Settings.WorkspaceDepth; d > 0 {
		h.MaxDepth = d
	}
	return h
}

// Scan runs the machine scan once per run.
func (r *Resolver) Scan() envdetect.Result {
	r.scanOnce.Do(func() { r.scan = envdetect.Scan(r.Host()) })
	return r.scan
}

// Names are the names of the envs the scan finds (what --env takes), sorted, each once.
func (r *Resolver) Names() []string {
	var out []string
	for _, e := range r.Scan().Envs {
		if e.Name != "" && !slices.Contains(out, e.Name) {
			out = append(out, e.Name)
		}
	}
	slices.Sort(out)
	return out
}

// Find resolves an ENV argument (see envdetect.Find).
func (r *Resolver) Find(ref string) (*envdetect.Env, error) {
	return envdetect.Find(r.Host(), ref, r.Scan)
}

// Facts are the Jupyter facts of an env under this process's environment; found is false
// when the env has no jupyter_core (the newest rules are then used).
func (r *Resolver) Facts(e *envdetect.Env) (facts jupyter.Facts, pkgs *pkgindex.Index, found bool) {
	facts, pkgs, found = jupyter.FactsFor(e, r.Environ)
	facts.SystemRoot = r.Settings.SystemRoot
	return facts, pkgs, found
}

// Describe is an env found by the scan, with its facts, paths and packages.
func (r *Resolver) Describe(e *envdetect.Env) *Env {
	facts, pkgs, _ := r.Facts(e)
	return &Env{Env: e, Facts: facts, Paths: jupyter.Resolve(facts), Packages: pkgs}
}

// Resolve finds the env ref names ("" is the active env) and describes it.
func (r *Resolver) Resolve(ref string) (*Env, error) {
	e, err := r.Find(ref)
	if err != nil {
		return nil, err
	}
	return r.Describe(e), nil
}

// Python is the env's interpreter, started through the run's runner.
func (r *Resolver) Python(ec *Env) pyrun.Interpreter {
	return pyrun.Interpreter{Path: ec.Env.Python, Runner: r.Runner}
}

// Remember adds an env jdash changed to its registry, so that it can be named from anywhere;
// a failure only costs the name, and is returned as a warning's text.
func (r *Resolver) Remember(prefix string) error {
	if err := registry.Add(r.Dirs().Registry(), prefix); err != nil {
		return fmt.Errorf("remembering %s: %w", prefix, err)
	}
	return nil
}

// RememberUse is Remember, and records prefix as the env jdash set up or created last in the
// current dir (by is the command, as shown), for jdash up's default stack.
func (r *Resolver) RememberUse(prefix, by string) error {
	dir, err := os.Getwd()
	if err == nil {
		err = registry.Used(r.Dirs().Registry(), registry.Use{Env: prefix, By: by, At: time.Now().UTC(), Dir: dir})
	}
	if err != nil {
		return fmt.Errorf("remembering %s: %w", prefix, err)
	}
	return nil
}

// LastUsed is the env jdash set up or created last in dir or the nearest dir above it.
func (r *Resolver) LastUsed(dir string) (registry.Use, bool) {
	return registry.LastIn(r.Dirs().Registry(), dir)
}

// Versions are the env's installed distributions by normalized name.
func (ec *Env) Versions() map[string]string {
	v := map[string]string{}
	for _, d := range ec.Packages.All() {
		v[pkgindex.NormalizeName(d.Name)] = d.Version
	}
	return v
}
