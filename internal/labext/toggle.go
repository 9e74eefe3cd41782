package labext

import (
	"fmt"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pyjson"
)

// Toggle is JupyterLab 4's toggle_extension: disable (or enable) name at the level whose
// labconfig dir is at, unless a higher level locks it. Whether it is disabled now is read from
// every level's page config (not the app settings): disabling what is already disabled, or
// enabling what is not, writes nothing. Otherwise disabledExtensions[name] is set to true (or
// false) in the level's page_config.json, written as jupyter_server's config manager writes
// it. It returns what it did, for the report.
func Toggle(w fsx.Writer, lv Levels, name string, disable bool) (Outcome, error) {
	cd := jupyter.ConfigDir{Dir: lv.At.Path, FS: w}
	migrated := false
	if lv.Migrate {
		var err error
		if migrated, err = migrateLocks(w, cd); err != nil {
			return Outcome{}, err
		}
	}
	out, err := toggle(w, lv, cd, name, disable)
	out.Migrated = migrated
	return out, err
}

func toggle(w fsx.Writer, lv Levels, cd jupyter.ConfigDir, name string, disable bool) (Outcome, error) {
	all, higher := lv.All, lv.Higher
	locked, err := ReadPageConfig(w, higher, "")
	if err != nil {
		return Outcome{}, err
	}
	if s, ok := locked.Locked[name]; ok && s.Value {
		return Outcome{LockedBy: &s}, nil
	}
	complete, err := ReadPageConfig(w, all, "")
	if err != nil {
		return Outcome{}, err
	}
	cur, isSet := complete.Disabled[name]
	isDisabled := isSet && cur.Value
	if disable == isDisabled {
		return Outcome{Already: true}, nil
	}
	if err := listForm(cd); err != nil {
		return Outcome{}, err
	}
	d := pyjson.NewObj()
	d.Set(name, pyjson.BoolValue(disable))
	upd := pyjson.NewObj()
	upd.Set("disabledExtensions", pyjson.ObjValue(d))
	changed, err := cd.WriteUpdate(w, Section, upd)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Changed: changed, File: cd.File(Section)}
	// a higher level may still decide it (the user's page config wins over the env's)
	after, err := ReadPageConfig(w, all, "")
	if err == nil {
		if s := after.Disabled[name]; (s.Value != disable) && s.File != out.File {
			out.StillBy = &s
		}
	}
	return out, nil
}

// Levels are where a toggle reads and writes: every labconfig dir (first wins), the one it
// writes, those that can lock against it, and whether JupyterLab's lock migration applies.
type Levels struct {
	All    []ConfigDir
	At     ConfigDir
	Higher []ConfigDir
	// Migrate is JupyterLab 4.1+'s migration from 4.0, which every labextension command runs
	// on the env's level first: a page config with disabledExtensions and no lockedExtensions
	// gets lockedExtensions, a copy of them (so that the UI's plugin manager keeps them off).
	Migrate bool
}

// migrateLocks is _maybe_mirror_disabled_in_locked at the level cd; it reports whether it
// wrote.
func migrateLocks(w fsx.Writer, cd jupyter.ConfigDir) (bool, error) {
	data, err := cd.Get(Section, true)
	if err != nil || data.Get("lockedExtensions") != nil {
		return false, err
	}
	disabled := data.Get("disabledExtensions")
	locked := pyjson.NewObj()
	switch {
	case disabled == nil:
	case disabled.Kind == pyjson.Object:
		locked = disabled.Obj.Clone()
	case disabled.Kind == pyjson.Array:
		for _, x := range disabled.Arr {
			if x.Kind == pyjson.String {
				locked.Set(x.Str, pyjson.BoolValue(true))
			}
		}
	}
	if locked.Len() == 0 {
		return false, nil
	}
	data.Set("lockedExtensions", pyjson.ObjValue(locked))
	content, err := cd.Content(Section, data)
	if err != nil {
		return false, err
	}
	return w.WriteFile(cd.File(Section), content, 0o644)
}

// Outcome is what a toggle did.
type Outcome struct {
	Changed  bool
	File     string
	Already  bool     // nothing to do: it already is so
	LockedBy *Setting // a higher level locks it: not toggled
	StillBy  *Setting // a higher level still decides it the other way
	// Migrated: the level's disabledExtensions were copied into lockedExtensions first.
	Migrated bool
}

// listForm refuses a level whose disabledExtensions is the older list form: JupyterLab's
// toggle fails on it too, and rewriting it would change what it means.
func listForm(cd jupyter.ConfigDir) error {
	obj, err := cd.ReadObj(cd.File(Section))
	if err != nil || obj == nil {
		return err
	}
	if v := obj.Get("disabledExtensions"); v != nil && v.Kind != pyjson.Object {
		return &jupyter.MalformedError{Path: cd.File(Section), Err: fmt.Errorf("disabledExtensions is a list (jupyterlab_server < 2.10's form): JupyterLab cannot toggle in it either; make it an object of name: true by hand")}
	}
	return nil
}
