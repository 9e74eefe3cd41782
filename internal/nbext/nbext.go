// Package nbext does natively what notebook 6's `jupyter nbextension` does (list, install,
// enable, disable, uninstall) against the paths an env sees, with the same on-disk result,
// so that it works when the Python side is broken. Writes go through fsx.
package nbext

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pyjson"
)

// Sections are notebook 6's NBCONFIG_SECTIONS, in its order.
var Sections = []string{"common", "notebook", "tree", "edit", "terminal"}

// ValidSection reports whether s is a frontend section.
func ValidSection(s string) bool {
	for _, x := range Sections {
		if x == s {
			return true
		}
	}
	return false
}

// Entry is one require in one section of one config dir.
type Entry struct {
	Require string        `json:"require"`
	Value   *pyjson.Value `json:"-"`
	Enabled bool          `json:"enabled"`
	// Valid: the require's .js exists in some nbextensions dir (checked for enabled ones).
	Valid bool `json:"valid"`
	// JS is the file that would be served (the first nbextensions dir that has it).
	JS string `json:"js,omitempty"`
	// Effective: this dir's value is the one the frontend gets (the first config dir that
	// sets the require wins).
	Effective bool `json:"effective"`
	// ShadowedBy is the config dir whose value wins over this one.
	ShadowedBy string `json:"shadowed_by,omitempty"`
	// Source is the file that holds this dir's value: <section>.json or a drop-in of
	// <section>.d/ (a package's default, such as a distribution's widgets enable).
	Source string `json:"source"`
}

// SectionState is one section's load_extensions in one config dir.
type SectionState struct {
	Section string  `json:"section"`
	Entries []Entry `json:"entries"`
}

// DirState is one config dir (<dir>/nbconfig) in search order.
type DirState struct {
	ConfigDir string         `json:"config_dir"`
	Sections  []SectionState `json:"sections"`
}

// Listing is what `jupyter nbextension list` shows, plus which value wins.
type Listing struct {
	Dirs []DirState `json:"config_dirs"`
	// JSShadows lists .js files present in several nbextensions dirs: the first one is served.
	JSShadows []Shadow `json:"js_shadows"`
}

// Shadow is a require whose .js exists in more than one nbextensions dir.
type Shadow struct {
	Require string   `json:"require"`
	Served  string   `json:"served"`
	Hidden  []string `json:"hidden"`
}

// DataDirs are the nbextensions dirs validation looks in (jupyter_path('nbextensions')).
func DataDirs(p jupyter.Paths) []string {
	var out []string
	for _, d := range p.DataDirs() {
		out = append(out, filepath.Join(d, "nbextensions"))
	}
	return out
}

// FindJS returns every nbextensions dir file for require, in search order.
func FindJS(fsys fsx.FS, p jupyter.Paths, require string) []string {
	var out []string
	for _, d := range DataDirs(p) {
		js := filepath.Join(append([]string{d}, strings.Split(require, "/")...)...) + ".js"
		if ok, dir, _ := fsys.Exists(js); ok && !dir {
			out = append(out, js)
		}
	}
	return out
}

// List reads every config dir on the env's config path (each with its .d defaults), like
// `jupyter nbextension list`, and marks the winning value of each require per section.
func List(fsys fsx.FS, p jupyter.Paths) (Listing, error) {
	var l Listing
	winner := map[string]string{} // section\x00require -> config dir
	shadowSeen := map[string]bool{}
	for _, cd := range p.ConfigDirs() {
		dir := filepath.Join(cd, "nbconfig")
		ds := DirState{ConfigDir: dir}
		for _, sec := range Sections {
			data, srcs, err := jupyter.ConfigDir{Dir: dir, FS: fsys}.GetSources(sec, "load_extensions")
			if err != nil {
				return l, err
			}
			le := data.Get("load_extensions")
			if le == nil {
				continue
			}
			ss := SectionState{Section: sec, Entries: []Entry{}}
			if le.Kind == pyjson.Object {
				for _, req := range le.Obj.Keys() {
					v := le.Obj.Get(req)
					e := Entry{Require: req, Value: v, Enabled: jupyter.Truthy(v), Source: srcs[req]}
					key := sec + "\x00" + req
					if w, ok := winner[key]; ok {
						e.ShadowedBy = w
					} else {
						winner[key] = dir
						e.Effective = true
					}
					js := FindJS(fsys, p, req)
					if len(js) > 0 {
						e.Valid, e.JS = true, js[0]
						if len(js) > 1 && !shadowSeen[req] {
							shadowSeen[req] = true
							l.JSShadows = append(l.JSShadows, Shadow{Require: req, Served: js[0], Hidden: js[1:]})
						}
					}
					ss.Entries = append(ss.Entries, e)
				}
			}
			ds.Sections = append(ds.Sections, ss)
		}
		if len(ds.Sections) > 0 {
			l.Dirs = append(l.Dirs, ds)
		}
	}
	if l.Dirs == nil {
		l.Dirs = []DirState{}
	}
	if l.JSShadows == nil {
		l.JSShadows = []Shadow{}
	}
	return l, nil
}

// SetState writes {"load_extensions": {require: value}} into the section at configDir the
// way notebook's BaseJSONConfigManager.update does (value null removes the key). It
// returns whether the file changed.
func SetState(w fsx.Writer, configDir, section, require string, value *pyjson.Value) (bool, error) {
	if !ValidSection(section) {
		return false, fmt.Errorf("unknown section %q: use one of %s", section, strings.Join(Sections, ", "))
	}
	le := pyjson.NewObj()
	le.Set(require, value)
	upd := pyjson.NewObj()
	upd.Set("load_extensions", pyjson.ObjValue(le))
	return jupyter.ConfigDir{Dir: configDir, FS: w}.WriteUpdate(w, section, upd)
}
