package jupyter

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/pyjson"
)

// FuzzConfigDirUpdate feeds arbitrary bytes as a section's root file and a .d default, then
// updates the section as `nbext enable` does: no panic; an error names a file; a success
// gives JSON that parses and holds the update.
func FuzzConfigDirUpdate(f *testing.F) {
	f.Add([]byte(`{"load_extensions": {"a/main": true}}`), []byte(`{"load_extensions": {"b/main": false}}`))
	f.Add([]byte(`{"load_extensions": ["a/main"]}`), []byte(`{}`))
	f.Add([]byte("{\"x\": \"\xff\"}"), []byte(`{"load_extensions": null}`))
	f.Add([]byte(`{"a": "\ud800"}`), []byte(``))
	f.Add([]byte(`[1, 2]`), []byte(`{"load_extensions": {"x": {"y": 1}}}`))
	f.Fuzz(func(t *testing.T, root, dflt []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "notebook.json"), root, 0o644)
		os.MkdirAll(filepath.Join(dir, "notebook.d"), 0o755)
		os.WriteFile(filepath.Join(dir, "notebook.d", "pkg.json"), dflt, 0o644)
		le := pyjson.NewObj()
		le.Set("foo/main", pyjson.BoolValue(true))
		upd := pyjson.NewObj()
		upd.Set("load_extensions", pyjson.ObjValue(le))
		out, _, err := ConfigDir{Dir: dir}.Update("notebook", upd)
		if err != nil {
			if !strings.Contains(err.Error(), dir) {
				t.Fatalf("the error names no file: %v", err)
			}
			return
		}
		v, perr := pyjson.Parse(out)
		if perr != nil || v.Kind != pyjson.Object {
			t.Fatalf("wrote what does not parse: %v\n%s", perr, out)
		}
	})
}
