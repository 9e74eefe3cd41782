// Package labext is JupyterLab 4's and Notebook 7's prebuilt ("federated") extensions of an
// env, natively: the extensions under every data dir's labextensions/ (the first copy of a
// name wins, as jupyterlab_server's get_federated_extensions finds them), whether each is
// enabled, disabled or locked by which labconfig/page_config.json at which level (and by which
// other extension), and the enable and disable that write page_config.json at one level as
// `jupyter labextension enable|disable --level` does, byte for byte.
package labext

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// Ext is one prebuilt extension found in a labextensions dir.
type Ext struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Dir     string `json:"dir"`               // its dir: <data dir>/labextensions/<name>
	DataDir string `json:"labextensions_dir"` // the labextensions dir it is in
	Level   string `json:"level"`
	// Install is its install.json: the Python package that put it there.
	Install *Install `json:"install,omitempty"`
	// Build is what JupyterLab loads (package.json's jupyterlab._build); nil: not a valid
	// prebuilt extension, which JupyterLab skips.
	Build *Build `json:"-"`
	// RemoteEntry: the file _build.load names is there.
	RemoteEntry bool `json:"remote_entry"`
	// DisablesOthers are the extensions and plugins it disables (jupyterlab.disabledExtensions).
	DisablesOthers []string          `json:"-"`
	Dependencies   map[string]string `json:"-"`
}

// Install is an extension's install.json.
type Install struct {
	PackageManager string `json:"package_manager"`
	PackageName    string `json:"package_name"`
	Uninstall      string `json:"uninstall_instructions,omitempty"`
}

// Build is package.json's jupyterlab._build.
type Build struct {
	Load          string `json:"load"`
	Extension     string `json:"extension,omitempty"`
	MimeExtension string `json:"mimeExtension,omitempty"`
	Style         string `json:"style,omitempty"`
}

// Problem is a file the scan could not read or parse (the extension is then absent, as
// JupyterLab would fail on it).
type Problem struct {
	Path string `json:"path"`
	Err  string `json:"error"`
}

// Scan finds the extensions of labextensions dirs, in the data path's order: top-level
// dirs, then @org/name dirs (the two globs of jupyterlab_server, each sorted here), each
// with a package.json. A name found again later is returned too: the first one wins.
func Scan(fsys fsx.FS, dirs []LabDir) ([]Ext, []Problem) {
	var out []Ext
	var problems []Problem
	for _, d := range dirs {
		names, err := fsys.ReadDirNames(d.Path)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				problems = append(problems, Problem{d.Path, err.Error()})
			}
			continue
		}
		var plain, scoped []string
		for _, n := range names {
			switch {
			case strings.HasPrefix(n, "."):
			case strings.HasPrefix(n, "@"):
				subs, _ := fsys.ReadDirNames(filepath.Join(d.Path, n))
				for _, s := range subs {
					if !strings.HasPrefix(s, ".") {
						scoped = append(scoped, n+"/"+s)
					}
				}
			default:
				plain = append(plain, n)
			}
		}
		for _, n := range append(plain, scoped...) {
			dir := filepath.Join(d.Path, filepath.FromSlash(n))
			e, err := read(fsys, dir)
			if err != nil {
				problems = append(problems, Problem{filepath.Join(dir, "package.json"), err.Error()})
				continue
			}
			if e == nil {
				continue
			}
			e.DataDir, e.Level = d.Path, d.Level
			out = append(out, *e)
		}
	}
	return out, problems
}

// read is the extension in dir (nil when it has no package.json).
func read(fsys fsx.FS, dir string) (*Ext, error) {
	pj := filepath.Join(dir, "package.json")
	if ok, isDir, err := fsys.Exists(pj); err != nil || !ok || isDir {
		return nil, err
	}
	data, err := fsys.ReadFile(pj)
	if err != nil {
		return nil, err
	}
	var pkg struct {
		Name         string            `json:"name"`
		Version      string            `json:"version"`
		Dependencies map[string]string `json:"dependencies"`
		JupyterLab   struct {
			Build    *Build   `json:"_build"`
			Disabled []string `json:"disabledExtensions"`
		} `json:"jupyterlab"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return nil, fmt.Errorf("not the package.json of an extension: %v", err)
	}
	if pkg.Name == "" {
		return nil, fmt.Errorf("no name")
	}
	e := &Ext{Name: pkg.Name, Version: pkg.Version, Dir: dir, Build: pkg.JupyterLab.Build, DisablesOthers: pkg.JupyterLab.Disabled, Dependencies: pkg.Dependencies}
	if e.Build != nil && e.Build.Load != "" {
		ok, isDir, _ := fsys.Exists(filepath.Join(dir, filepath.FromSlash(e.Build.Load)))
		e.RemoteEntry = ok && !isDir
	}
	ij := filepath.Join(dir, "install.json")
	if ok, isDir, _ := fsys.Exists(ij); ok && !isDir {
		if data, err := fsys.ReadFile(ij); err == nil {
			var in struct{ PackageManager, PackageName, UninstallInstructions string }
			if json.Unmarshal(data, &in) == nil {
				e.Install = &Install{PackageManager: in.PackageManager, PackageName: in.PackageName, Uninstall: in.UninstallInstructions}
			}
		}
	}
	return e, nil
}
