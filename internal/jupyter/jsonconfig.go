package jupyter

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pyjson"
)

// ConfigDir is Jupyter's BaseJSONConfigManager for one directory (notebook 6.5
// config_manager.py; jupyter_server's is the same): a section is <dir>/<section>.json plus
// defaults in <dir>/<section>.d/*.json, merged with recursive_update, the root file last.
type ConfigDir struct {
	Dir string
	// FS reads the files: the disk (nil), or a writer's view (a dry run sees its own changes).
	FS fsx.FS
}

// File is the section's root file.
func (c ConfigDir) File(section string) string { return filepath.Join(c.Dir, section+".json") }

func (c ConfigDir) fs() fsx.FS {
	if c.FS == nil {
		return fsx.Disk{}
	}
	return c.FS
}

// Paths are the files Get reads, in order: sorted .d/*.json (no dotfiles, as Python's glob),
// then the root file.
// A dir that exists but cannot be read is an error naming it, not an empty dir.
func (c ConfigDir) Paths(section string, includeRoot bool) ([]string, error) {
	var out []string
	d := filepath.Join(c.Dir, section+".d")
	names, err := c.fs().ReadDirNames(d)
	switch {
	case err == nil:
		for _, n := range names { // sorted
			if strings.HasSuffix(n, ".json") && !strings.HasPrefix(n, ".") {
				out = append(out, filepath.Join(d, n))
			}
		}
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
		return nil, err
	}
	if includeRoot {
		out = append(out, c.File(section))
	}
	return out, nil
}

// MalformedError is a config file that is not valid JSON (or not a JSON object).
type MalformedError struct {
	Path string
	Err  error
}

func (e *MalformedError) Error() string { return fmt.Sprintf("%s: %v", e.Path, e.Err) }
func (e *MalformedError) Unwrap() error { return e.Err }

// Get returns the merged section. A file that is not valid JSON is an error naming it.
func (c ConfigDir) Get(section string, includeRoot bool) (*pyjson.Obj, error) {
	data, _, err := c.get(section, includeRoot, "")
	return data, err
}

// GetSources is Get (root file included), and which file holds the winning value of each
// key of the object under key: the last file that sets it, a .d drop-in or the root file.
func (c ConfigDir) GetSources(section, key string) (*pyjson.Obj, map[string]string, error) {
	return c.get(section, true, key)
}

func (c ConfigDir) get(section string, includeRoot bool, key string) (*pyjson.Obj, map[string]string, error) {
	data := pyjson.NewObj()
	var sources map[string]string
	if key != "" {
		sources = map[string]string{}
	}
	paths, err := c.Paths(section, includeRoot)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range paths {
		obj, err := c.ReadObj(p)
		if err != nil {
			return nil, nil, err
		}
		if obj == nil {
			continue
		}
		if v := obj.Get(key); key != "" && v != nil && v.Kind == pyjson.Object {
			for _, k := range v.Obj.Keys() {
				sources[k] = p
			}
		}
		if err := RecursiveUpdate(data, obj); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return data, sources, nil
}

// ReadObj reads one JSON object file; a missing file (or a dir) is nil, nil; one that
// cannot be read (permission, a FIFO or device, over the size limit) is an error naming it;
// one that is not a JSON object is a MalformedError naming it.
func (c ConfigDir) ReadObj(path string) (*pyjson.Obj, error) {
	ok, dir, err := c.fs().Exists(path)
	if err != nil {
		return nil, err
	}
	if !ok || dir {
		return nil, nil
	}
	raw, err := c.fs().ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseObj(path, raw)
}

// ParseObj parses a config file's bytes as a JSON object; anything else is a MalformedError
// naming path.
func ParseObj(path string, raw []byte) (*pyjson.Obj, error) {
	v, err := pyjson.Parse(raw)
	if err != nil {
		return nil, &MalformedError{path, err}
	}
	if v.Kind != pyjson.Object {
		return nil, &MalformedError{path, errors.New("not a JSON object")}
	}
	return v.Obj, nil
}

// Content is what Set would write: the data minus the .d defaults, json.dumps(indent=2),
// no trailing newline.
func (c ConfigDir) Content(section string, data *pyjson.Obj) ([]byte, error) {
	data = data.Clone()
	defaults, err := c.Get(section, false)
	if err != nil {
		return nil, err
	}
	RemoveDefaults(data, defaults)
	return pyjson.Dumps(pyjson.ObjValue(data), 2), nil
}

// Update is BaseJSONConfigManager.update: get (defaults and root), recursive_update with
// newData, then the bytes set() would write.
func (c ConfigDir) Update(section string, newData *pyjson.Obj) ([]byte, *pyjson.Obj, error) {
	data, err := c.Get(section, true)
	if err != nil {
		return nil, nil, err
	}
	if err := RecursiveUpdate(data, newData); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", c.File(section), err)
	}
	out, err := c.Content(section, data)
	return out, data, err
}

// WriteUpdate is BaseJSONConfigManager.update: the section updated with newData and written
// back through w, as Jupyter writes it (skipped when the bytes would not change).
func (c ConfigDir) WriteUpdate(w fsx.Writer, section string, newData *pyjson.Obj) (changed bool, err error) {
	content, _, err := c.Update(section, newData)
	if err != nil {
		return false, err
	}
	return w.WriteFile(c.File(section), content, 0o644)
}

// RecursiveUpdate is notebook's recursive_update: dicts merge key by key (a new key goes
// last), null deletes, emptied sub-dicts are pruned, anything else replaces. Where a dict
// would merge into something that is not one (`"load_extensions": ["a/main"]`), Python
// raises a TypeError; so does this (a *ShapeError), and nothing is rewritten.
func RecursiveUpdate(target, update *pyjson.Obj) error {
	return recursiveUpdate(target, update, "")
}

// ShapeError is a config value that is not the object Jupyter needs there.
type ShapeError struct {
	Key  string // dotted, e.g. "load_extensions"
	Kind string // what it is instead
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("%s is %s, not an object: Jupyter's config manager fails on it too; fix it by hand (jdash does not rewrite what it cannot merge)", e.Key, e.Kind)
}

func recursiveUpdate(target, update *pyjson.Obj, at string) error {
	for _, k := range update.Keys() {
		v := update.Get(k)
		switch v.Kind {
		case pyjson.Object:
			cur := target.Get(k)
			switch {
			case cur == nil:
				cur = pyjson.ObjValue(pyjson.NewObj())
				target.Set(k, cur)
			case cur.Kind != pyjson.Object:
				return &ShapeError{Key: at + k, Kind: kindName(cur.Kind)}
			}
			if err := recursiveUpdate(cur.Obj, v.Obj, at+k+"."); err != nil {
				return err
			}
			if cur.Obj.Len() == 0 {
				target.Delete(k)
			}
		case pyjson.Null:
			target.Delete(k)
		default:
			target.Set(k, v.Clone())
		}
	}
	return nil
}

func kindName(k pyjson.Kind) string {
	switch k {
	case pyjson.Array:
		return "a list"
	case pyjson.String:
		return "a string"
	case pyjson.Null:
		return "null"
	case pyjson.Bool:
		return "a boolean"
	}
	return "a number"
}

// RemoveDefaults is notebook's remove_defaults: drop what equals the .d defaults.
func RemoveDefaults(data, defaults *pyjson.Obj) {
	for _, k := range data.Keys() {
		d := defaults.Get(k)
		if d == nil {
			continue
		}
		v := data.Get(k)
		if v.Kind == pyjson.Object {
			if d.Kind == pyjson.Object {
				RemoveDefaults(v.Obj, d.Obj)
			}
			if v.Obj.Len() == 0 {
				data.Delete(k)
			}
		} else if pyjson.Equal(v, d) {
			data.Delete(k)
		}
	}
}

// Truthy is Python's truth value of a decoded JSON value.
func Truthy(v *pyjson.Value) bool {
	if v == nil {
		return false
	}
	switch v.Kind {
	case pyjson.Bool:
		return v.Bool
	case pyjson.Int:
		return strings.TrimLeft(v.Int, "-0") != ""
	case pyjson.Float:
		return v.Float != 0
	case pyjson.String:
		return v.Str != ""
	case pyjson.Array:
		return len(v.Arr) > 0
	case pyjson.Object:
		return v.Obj.Len() > 0
	}
	return false
}
