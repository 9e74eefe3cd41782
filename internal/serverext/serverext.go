// Package serverext lists and toggles Jupyter server extensions natively: notebook 6's
// NotebookApp.nbserver_extensions (jupyter_notebook_config.json, which nbclassic also loads
// through notebook_shim) and jupyter_server 2's ServerApp.jpserver_extensions
// (jupyter_server_config.d/<name>.json).
package serverext

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pyjson"
)

// App is the server whose extension list is meant.
type App string

const (
	Notebook App = "notebook" // NotebookApp.nbserver_extensions
	Server   App = "server"   // ServerApp.jpserver_extensions
)

func (a App) section() string {
	if a == Notebook {
		return "jupyter_notebook_config"
	}
	return "jupyter_server_config"
}

func (a App) keys() (string, string) {
	if a == Notebook {
		return "NotebookApp", "nbserver_extensions"
	}
	return "ServerApp", "jpserver_extensions"
}

// Extension is one module's effective state and where it comes from.
type Extension struct {
	Module  string `json:"module"`
	Enabled bool   `json:"enabled"`
	// Source is the file whose value wins.
	Source string `json:"source"`
	// Rule says which of the two mechanisms decided: "traitlets" (a root config file that
	// sets the whole dict; the highest-priority one wins wholesale) or "json-merge" (the
	// per-key merge of every config dir's json and .d files, first dir wins, used only for
	// modules the traitlets value does not name).
	Rule string `json:"rule"`
	// Importable: the module was found in the env's site-packages (no Python started).
	Importable bool   `json:"importable"`
	Location   string `json:"location,omitempty"`
	// Also lists the other files that set this module, lower in priority.
	Also []string `json:"also,omitempty"`
}

// Listing is every configured server extension of one app.
type Listing struct {
	App        App         `json:"app"`
	Extensions []Extension `json:"extensions"`
	// Opaque are .py config files that may change the list: jdash cannot evaluate them.
	Opaque []string `json:"opaque_py_files"`
}

// AppFor is the app whose extension list an env uses (--app auto): notebook 6's when the
// classic notebook is installed, jupyter_server's when notebook 7 (or only jupyter_server)
// is, notebook's when neither is.
func AppFor(notebookVersion, serverVersion string) App {
	if notebookVersion != "" && !jupyter.IsNotebook7(notebookVersion) {
		return Notebook
	}
	if serverVersion != "" {
		return Server
	}
	return Notebook
}

// dictIn returns <App>.<key> of a config object, if it is a dict.
func dictIn(o *pyjson.Obj, app App) *pyjson.Obj {
	cls, key := app.keys()
	c := o.Get(cls)
	if c == nil || c.Kind != pyjson.Object {
		return nil
	}
	d := c.Obj.Get(key)
	if d == nil || d.Kind != pyjson.Object {
		return nil
	}
	return d.Obj
}

// List computes the effective server extensions of app for the env's config path, with
// Jupyter's hybrid precedence (jupyter-paths.md §8.1): the traitlets value, then per-key
// additions from the JSON config managers.
func List(fsys fsx.FS, p jupyter.Paths, app App, find func(module string) string) (Listing, error) {
	l := Listing{App: app, Extensions: []Extension{}, Opaque: []string{}}
	dirs := p.ConfigDirs()
	// 1. traitlets: app config beats jupyter_config; within each, the first dir wins wholesale.
	var trait *pyjson.Obj
	var traitSrc string
	for _, base := range []string{app.section(), "jupyter_config"} {
		for _, d := range dirs {
			f := filepath.Join(d, base+".json")
			obj, err := readObj(fsys, f)
			if err != nil {
				return l, err
			}
			if obj != nil && trait == nil {
				if m := dictIn(obj, app); m != nil {
					trait, traitSrc = m, f
				}
			}
			if py := filepath.Join(d, base+".py"); fileMentions(fsys, py, "_extensions") {
				if !slices.Contains(l.Opaque, py) {
					l.Opaque = append(l.Opaque, py)
				}
			}
		}
		if trait != nil {
			break
		}
	}
	seen := map[string]int{}
	add := func(mod string, v *pyjson.Value, src, rule string) {
		if i, ok := seen[mod]; ok {
			if src != l.Extensions[i].Source { // a root file is read by both mechanisms
				if !slices.Contains(l.Extensions[i].Also, src) {
					l.Extensions[i].Also = append(l.Extensions[i].Also, src)
				}
			}
			return
		}
		e := Extension{Module: mod, Enabled: jupyter.Truthy(v), Source: src, Rule: rule}
		if loc := find(mod); loc != "" {
			e.Importable, e.Location = true, loc
		}
		seen[mod] = len(l.Extensions)
		l.Extensions = append(l.Extensions, e)
	}
	if trait != nil {
		for _, k := range trait.Keys() {
			add(k, trait.Get(k), traitSrc, "traitlets")
		}
	}
	// 2. the JSON config managers: every dir's root and .d files, first dir wins per key.
	for _, d := range dirs {
		// Within a dir the root file is merged last and the .d files in sorted order, so the
		// root wins, then the last .d file: walk them in reverse, first seen wins.
		files, err := jupyter.ConfigDir{Dir: d, FS: fsys}.Paths(app.section(), true)
		if err != nil {
			return l, err
		}
		for i := len(files) - 1; i >= 0; i-- {
			f := files[i]
			obj, err := readObj(fsys, f)
			if err != nil {
				return l, err
			}
			if obj == nil {
				continue
			}
			if m := dictIn(obj, app); m != nil {
				for _, k := range m.Keys() {
					add(k, m.Get(k), f, "json-merge")
				}
			}
		}
	}
	return l, nil
}

// readObj reads one config file; jupyter_server skips empty files, and so does the listing.
func readObj(fsys fsx.FS, path string) (*pyjson.Obj, error) {
	ok, dir, err := fsys.Exists(path)
	if err != nil || !ok || dir {
		return nil, err // missing (or a dir): not a config file
	}
	data, err := fsys.ReadFile(path)
	if err != nil || len(data) == 0 {
		return nil, err // unreadable is an error; empty is skipped, as jupyter_server does
	}
	return jupyter.ParseObj(path, data)
}

func fileMentions(fsys fsx.FS, path, s string) bool {
	data, err := fsys.ReadFile(path)
	return err == nil && strings.Contains(string(data), s)
}

// Toggle enables or disables module at the config dir of a level, writing exactly what the
// app's own CLI writes: notebook 6 updates <dir>/jupyter_notebook_config.json; jupyter_server
// writes <dir>/jupyter_server_config.d/<module>.json.
func Toggle(w fsx.Writer, levelDir string, app App, module string, enable bool) (string, bool, error) {
	cls, key := app.keys()
	inner := pyjson.NewObj()
	inner.Set(module, pyjson.BoolValue(enable))
	mid := pyjson.NewObj()
	mid.Set(key, pyjson.ObjValue(inner))
	upd := pyjson.NewObj()
	upd.Set(cls, pyjson.ObjValue(mid))
	cd := jupyter.ConfigDir{Dir: levelDir, FS: w}
	section := app.section()
	if app == Server {
		cd = jupyter.ConfigDir{Dir: filepath.Join(levelDir, "jupyter_server_config.d"), FS: w}
		section = module
	}
	changed, err := cd.WriteUpdate(w, section, upd)
	return cd.File(section), changed, err
}
