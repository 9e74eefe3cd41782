package envdetect

import (
	"path/filepath"

	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/pyver"
)

// readPackages fills SitePackages (the prefix's own site dirs, distribution layouts
// included) and the Jupyter-relevant versions from the package index. Conda records already
// read from conda-meta are kept unless site-packages has a newer record (a pip install over
// a conda package).
func readPackages(e *Env, h Host) {
	mm := majorMinor(e.PythonVersion)
	if mm == "" && h.OS != "windows" {
		mm, _ = versionFromLibDirs(e.Prefix) // the newest stdlib dir says which Python
	}
	if sp := pkgindex.PrefixSiteDirs(e.Prefix, mm, h.OS); sp != nil {
		e.SitePackages = sp
	}
	ix := pkgindex.NewOnly(e.SitePackages, func(n string) bool { _, ok := jupyterByNorm[n]; return ok })
	for _, p := range JupyterPackages {
		v := ix.Version(p)
		if v == "" {
			continue
		}
		if old := e.Packages[p]; old == "" || pyver.CompareStrings(v, old) > 0 {
			e.Packages[p] = v
		}
	}
}

// BasePrefix is the prefix of the interpreter a venv was made from (from pyvenv.cfg home,
// else the bin/python link), or "" when neither says.
func (e *Env) BasePrefix() string {
	if e.Venv != nil && e.Venv.Home != "" && !e.Venv.HomeRelative {
		home := filepath.Clean(e.Venv.Home)
		if filepath.Base(home) == "bin" || filepath.Base(home) == "Scripts" {
			return filepath.Dir(home)
		}
		return home // old virtualenv wrote the prefix itself
	}
	if e.Python != "" {
		if t, err := filepath.EvalSymlinks(e.Python); err == nil && filepath.Base(filepath.Dir(t)) == "bin" {
			return filepath.Dir(filepath.Dir(t))
		}
	}
	return ""
}
