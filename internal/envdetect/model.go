// Package envdetect finds the Python environments on a machine and describes each one from
// files alone: no Python process is started. The JSON form of Env is part of jdash's stable
// output (docs/json-schema.md).
package envdetect

import "github.com/jdash-dev/jdash/internal/pkgindex"

// Kind is the primary kind of an environment.
type Kind string

const (
	KindVenv       Kind = "venv"       // a pyvenv.cfg env (venv, virtualenv 20+, uv, poetry, pipenv, hatch, ...)
	KindVirtualenv Kind = "virtualenv" // legacy virtualenv (< 20): activate scripts, no pyvenv.cfg
	KindConda      Kind = "conda"      // conda-meta/ (conda, mamba, micromamba; pixi is tagged)
	KindPyenv      Kind = "pyenv"      // a pyenv-installed interpreter
	KindUvPython   Kind = "uv-python"  // a uv-managed interpreter
	KindSystem     Kind = "system"     // the OS's interpreters (/usr, /usr/local)
	KindGlobal     Kind = "global"     // any other interpreter found on PATH
)

// Manager is the tool or install that owns an env.
type Manager struct {
	Name string `json:"name"`
	Path string `json:"path,omitempty"`
}

// VenvInfo holds what pyvenv.cfg says.
type VenvInfo struct {
	Home                      string `json:"home,omitempty"`
	HomeRelative              bool   `json:"home_relative,omitempty"`
	IncludeSystemSitePackages bool   `json:"include_system_site_packages"`
	Creator                   string `json:"creator,omitempty"`
	CreatorVersion            string `json:"creator_version,omitempty"`
	Prompt                    string `json:"prompt,omitempty"`
}

// Env is one Python environment.
type Env struct {
	Name          string            `json:"name"`
	Kind          Kind              `json:"kind"`
	Tags          []string          `json:"tags"`
	Prefix        string            `json:"prefix"`
	Python        string            `json:"python"`
	PythonVersion string            `json:"python_version"`
	VersionSource string            `json:"python_version_source,omitempty"`
	Active        bool              `json:"active"`
	Broken        bool              `json:"broken"`
	Error         string            `json:"error,omitempty"`
	Manager       *Manager          `json:"manager,omitempty"`
	Project       string            `json:"project,omitempty"`
	Venv          *VenvInfo         `json:"venv,omitempty"`
	SitePackages  []string          `json:"site_packages"`
	Packages      map[string]string `json:"packages"`
	FoundBy       []string          `json:"found_by"`

	realPrefix string
}

// HasTag reports whether t is among the env's tags.
func (e *Env) HasTag(t string) bool {
	for _, x := range e.Tags {
		if x == t {
			return true
		}
	}
	return false
}

func (e *Env) addTag(t string) {
	if !e.HasTag(t) {
		e.Tags = append(e.Tags, t)
	}
}

func (e *Env) fail(msg string) {
	e.Broken = true
	if e.Error == "" {
		e.Error = msg
	} else {
		e.Error += "; " + msg
	}
}

// JupyterPackages are the distributions whose versions every env reports.
var JupyterPackages = []string{
	"jupyter_core", "jupyter_client", "jupyter_server", "notebook", "nbclassic", "jupyterlab",
	"ipykernel", "ipywidgets", "jupyter_kernel_gateway", "jupyter_enterprise_gateway", "voila",
	"jupyter_contrib_nbextensions", "jupyter_contrib_core", "jupyter_nbextensions_configurator",
	"jupyter_dashboards", "jupyter_dashboards_bundlers", "tornado", "traitlets", "setuptools",
}

var jupyterByNorm = func() map[string]string {
	m := map[string]string{}
	for _, p := range JupyterPackages {
		m[pkgindex.NormalizeName(p)] = p
	}
	return m
}()
