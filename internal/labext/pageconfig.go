package labext

import (
	"path/filepath"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pyjson"
)

// Section is the page config's section in a labconfig dir: labconfig/page_config.json (and
// page_config.d/*.json), read by jupyterlab_server's ConfigManager(config_dir_name="labconfig").
const Section = "page_config"

// Setting is one key of disabledExtensions or lockedExtensions, and where its winning value
// comes from.
type Setting struct {
	Value bool   `json:"value"`
	File  string `json:"file"`
	Level string `json:"level"`
}

// PageConfig is the page config's extension keys, merged as JupyterLab merges them: the app
// settings dir's page_config.json lowest, then every labconfig dir from the last on the config
// path to the first (the user's wins over the env's), each dir's page_config.d/*.json then
// page_config.json. A key set to null is removed; a list (the form of jupyterlab_server < 2.10)
// sets each name to true.
type PageConfig struct {
	Disabled map[string]Setting
	Locked   map[string]Setting
}

// ConfigDir is one labconfig dir with its level.
type ConfigDir struct {
	Path  string // <config dir>/labconfig
	Level string
}

// ConfigDirs are the labconfig dirs of a config path, first (highest priority) first.
func ConfigDirs(p jupyter.Paths) []ConfigDir {
	var out []ConfigDir
	for _, e := range p.Config {
		out = append(out, ConfigDir{filepath.Join(e.Path, "labconfig"), jupyter.LevelOf(p.Config, e.Path)})
	}
	return out
}

// ReadPageConfig merges the page config of dirs (first = highest priority) over the app
// settings dir's (appSettings, "" for none). A file that is not a JSON object is an error
// naming it.
func ReadPageConfig(fsys fsx.FS, dirs []ConfigDir, appSettings string) (PageConfig, error) {
	pc := PageConfig{Disabled: map[string]Setting{}, Locked: map[string]Setting{}}
	if appSettings != "" {
		for _, name := range []string{"page_config.json"} { // page_config.json5 is not read by jdash
			path := filepath.Join(appSettings, name)
			obj, err := jupyter.ConfigDir{Dir: appSettings, FS: fsys}.ReadObj(path)
			if err != nil {
				return pc, err
			}
			if obj != nil {
				pc.apply(obj, path, "app")
				break
			}
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		cd := jupyter.ConfigDir{Dir: dirs[i].Path, FS: fsys}
		paths, err := cd.Paths(Section, true)
		if err != nil {
			return pc, err
		}
		for _, p := range paths {
			obj, err := cd.ReadObj(p)
			if err != nil {
				return pc, err
			}
			if obj != nil {
				pc.apply(obj, p, dirs[i].Level)
			}
		}
	}
	return pc, nil
}

func (pc PageConfig) apply(obj *pyjson.Obj, file, level string) {
	for key, into := range map[string]map[string]Setting{"disabledExtensions": pc.Disabled, "lockedExtensions": pc.Locked} {
		v := obj.Get(key)
		switch {
		case v == nil:
		case v.Kind == pyjson.Object:
			for _, k := range v.Obj.Keys() {
				switch x := v.Obj.Get(k); x.Kind {
				case pyjson.Null:
					delete(into, k)
				default:
					into[k] = Setting{Value: jupyter.Truthy(x), File: file, Level: level}
				}
			}
		case v.Kind == pyjson.Array:
			for _, x := range v.Arr {
				if x.Kind == pyjson.String {
					into[x.Str] = Setting{Value: true, File: file, Level: level}
				}
			}
		}
	}
}
