package labext

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
)

// LabDir is one labextensions dir of the data path, with its level.
type LabDir struct {
	Path  string `json:"path"`
	Level string `json:"level"`
}

// Dirs are the labextensions dirs of a data path (jupyter_path("labextensions")), in order.
func Dirs(p jupyter.Paths) []LabDir {
	var out []LabDir
	for _, e := range p.Data {
		out = append(out, LabDir{filepath.Join(e.Path, "labextensions"), jupyter.LevelOf(p.Data, e.Path)})
	}
	return out
}

// Entry is an extension as the env's JupyterLab and Notebook 7 see it.
type Entry struct {
	Ext
	Enabled bool `json:"enabled"`
	// DisabledBy is the page config that disables it (its file and level), or the extension
	// whose package.json disables it.
	DisabledBy *Setting `json:"disabled_by,omitempty"`
	Locked     *Setting `json:"locked_by,omitempty"`
	// Valid: a prebuilt extension JupyterLab loads (package.json has jupyterlab._build).
	Valid bool `json:"valid"`
	// Compatible: the core's singleton packages satisfy its dependencies (nil: unknown);
	// Incompatible names the ones that do not.
	Compatible   *bool    `json:"compatible"`
	Incompatible []string `json:"incompatible,omitempty"`
	// PackageInstalled: the Python package of install.json is installed in the env (nil: no
	// install.json, or not a Python package).
	PackageInstalled *bool `json:"package_installed,omitempty"`
	// Shadows are later copies of the same name, which JupyterLab does not load.
	Shadows []Ext `json:"shadows,omitempty"`
}

// Listing is every extension of an env, and its page config.
type Listing struct {
	Lab      string    `json:"jupyterlab"` // JupyterLab's version ("" when the env has none)
	AppDir   string    `json:"app_dir"`
	Dirs     []LabDir  `json:"dirs"`
	Entries  []Entry   `json:"extensions"`
	Disabled []Named   `json:"disabled"` // every disabled name or pattern that matches something here
	Problems []Problem `json:"problems"`
	// Core are the extensions built into JupyterLab (core data's extensions and mimeExtensions).
	Core []string `json:"-"`
	page PageConfig
}

// Named is a disabled (or locked) name with where that comes from.
type Named struct {
	Name string `json:"name"`
	Setting
	AllPlugins bool `json:"all_plugins"` // the name is a whole extension, not one plugin
}

// List is what `jupyter labextension list` shows of an env, read from files.
func List(fsys fsx.FS, ec *envctx.Env, environ map[string]string) (*Listing, error) {
	l := &Listing{Dirs: Dirs(ec.Paths), Entries: []Entry{}, Disabled: []Named{}, Problems: []Problem{}}
	l.AppDir = AppDir(ec, environ)
	core := coreData(fsys, ec, l.AppDir)
	l.Lab, l.Core = core.JupyterLab.Version, core.extensions()
	if l.Lab == "" {
		l.Lab = ec.Packages.Version("jupyterlab")
	}
	page, err := ReadPageConfig(fsys, ConfigDirs(ec.Paths), filepath.Join(l.AppDir, "settings"))
	if err != nil {
		return nil, err
	}
	l.page = page
	exts, problems := Scan(fsys, l.Dirs)
	l.Problems = append(l.Problems, problems...)
	byName := map[string]int{}
	for _, e := range exts {
		if i, ok := byName[e.Name]; ok {
			l.Entries[i].Shadows = append(l.Entries[i].Shadows, e)
			continue
		}
		byName[e.Name] = len(l.Entries)
		l.Entries = append(l.Entries, Entry{Ext: e, Valid: e.Build != nil})
	}
	disabled := l.effectiveDisabled()
	for i := range l.Entries {
		en := &l.Entries[i]
		en.DisabledBy = match(en.Name, disabled)
		en.Enabled = en.DisabledBy == nil
		if s, ok := page.Locked[en.Name]; ok && s.Value {
			en.Locked = &s
		}
		if ok, known := core.check(en.Dependencies, &en.Incompatible); known {
			en.Compatible = &ok
		}
		if en.Install != nil && en.Install.PackageManager == "python" && en.Install.PackageName != "" {
			ok := ec.Packages.Version(en.Install.PackageName) != ""
			en.PackageInstalled = &ok
		}
	}
	all := append(slices.Clone(l.Core), slices.Collect(maps.Keys(byName))...)
	for name, s := range disabled {
		ext, _, _ := cut(name)
		if slices.Contains(all, ext) {
			l.Disabled = append(l.Disabled, Named{Name: name, Setting: s, AllPlugins: slices.Contains(all, name)})
		}
	}
	sort.Slice(l.Disabled, func(i, j int) bool { return l.Disabled[i].Name < l.Disabled[j].Name })
	return l, nil
}

// effectiveDisabled is get_page_config's disabledExtensions: the page config's true keys, and
// what the extensions disable (unless the config disables that extension itself), the page
// config winning.
func (l *Listing) effectiveDisabled() map[string]Setting {
	out := map[string]Setting{}
	for _, e := range l.Entries {
		if s, ok := l.page.Disabled[e.Name]; (ok && s.Value) || e.Build == nil {
			continue
		}
		for _, d := range e.DisablesOthers {
			out[d] = Setting{Value: true, File: filepath.Join(e.Dir, "package.json"), Level: "extension " + e.Name}
		}
	}
	for k, s := range l.page.Disabled {
		if s.Value {
			out[k] = s
		} else {
			delete(out, k)
		}
	}
	return out
}

// match is JupyterLab's _is_disabled: a key equal to the name, or a regular expression that
// matches at its start.
func match(name string, disabled map[string]Setting) *Setting {
	if s, ok := disabled[name]; ok {
		return &s
	}
	for _, k := range slices.Sorted(maps.Keys(disabled)) {
		if re, err := regexp.Compile(`^(?:` + k + `)`); err == nil && re.MatchString(name) {
			s := disabled[k]
			return &s
		}
	}
	return nil
}

// AppDir is JupyterLab's app dir: $JUPYTERLAB_DIR, else <prefix>/share/jupyter/lab.
func AppDir(ec *envctx.Env, environ map[string]string) string {
	if d := environ["JUPYTERLAB_DIR"]; d != "" {
		return fsx.ResolveExisting(d)
	}
	return filepath.Join(ec.Env.Prefix, "share", "jupyter", "lab")
}

// core is JupyterLab's core data: jupyterlab/staging/package.json of the installed package
// (else the app dir's static/package.json).
type core struct {
	JupyterLab struct {
		Version        string          `json:"version"`
		Singletons     []string        `json:"singletonPackages"`
		Extensions     json.RawMessage `json:"extensions"`
		MimeExtensions json.RawMessage `json:"mimeExtensions"`
	} `json:"jupyterlab"`
	Resolutions map[string]string `json:"resolutions"`
}

func coreData(fsys fsx.FS, ec *envctx.Env, appDir string) core {
	var c core
	var files []string
	if loc := ec.Packages.Module("jupyterlab"); loc != "" {
		files = append(files, filepath.Join(loc, "staging", "package.json"))
	}
	files = append(files, filepath.Join(appDir, "static", "package.json"))
	for _, f := range files {
		if data, err := fsys.ReadFile(f); err == nil && json.Unmarshal(data, &c) == nil && c.JupyterLab.Version != "" {
			return c
		}
		c = core{}
	}
	return c
}

func (c core) extensions() []string {
	var out []string
	for _, raw := range []json.RawMessage{c.JupyterLab.Extensions, c.JupyterLab.MimeExtensions} {
		var m map[string]any
		if json.Unmarshal(raw, &m) == nil {
			out = append(out, slices.Collect(maps.Keys(m))...)
		}
	}
	slices.Sort(out)
	return out
}

// check is _validate_compatibility: every singleton package the extension depends on must
// overlap the core's version of it. known is false without core data.
func (c core) check(deps map[string]string, bad *[]string) (ok, known bool) {
	if len(c.Resolutions) == 0 {
		return true, false
	}
	ok = true
	for _, name := range slices.Sorted(maps.Keys(deps)) {
		coreRange, single := c.Resolutions[name]
		if !single || !slices.Contains(c.JupyterLab.Singletons, name) {
			continue
		}
		if fits, k := compatible(coreRange, deps[name]); k && !fits {
			ok = false
			*bad = append(*bad, name+" "+deps[name]+" (JupyterLab has "+coreRange+")")
		}
	}
	return ok, true
}

// cut splits "ext:plugin" (a plugin id) into the extension and the plugin.
func cut(name string) (ext, plugin string, isPlugin bool) { return strings.Cut(name, ":") }
