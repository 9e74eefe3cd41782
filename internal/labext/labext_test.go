package labext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/fsx"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

const ext = `{"name": %q, "version": %q, "jupyterlab": {"_build": {"load": "static/remoteEntry.js"}}}`

func pkg(name, version string) string {
	return strings.Replace(strings.Replace(ext, "%q", `"`+name+`"`, 1), "%q", `"`+version+`"`, 1)
}

// The first copy of a name in the data path wins; top-level dirs, then @org/name dirs; a dir
// without package.json is no extension; a damaged package.json is a problem, not a crash.
func TestScan(t *testing.T) {
	root := t.TempDir()
	user, env := filepath.Join(root, "user"), filepath.Join(root, "env")
	write(t, filepath.Join(env, "b", "package.json"), pkg("b", "2.0.0"))
	write(t, filepath.Join(env, "b", "static", "remoteEntry.js"), "")
	write(t, filepath.Join(env, "@org", "a", "package.json"), pkg("@org/a", "1.0.0"))
	write(t, filepath.Join(env, "c", "README"), "")
	write(t, filepath.Join(env, ".hidden", "package.json"), pkg("hidden", "1"))
	write(t, filepath.Join(user, "b", "package.json"), pkg("b", "1.0.0"))
	write(t, filepath.Join(user, "bad", "package.json"), "{")
	exts, problems := Scan(fsx.Disk{}, []LabDir{{user, "user"}, {env, "sys-prefix"}})
	var got []string
	for _, e := range exts {
		got = append(got, e.Name+"@"+e.Version+"/"+e.Level)
	}
	if strings.Join(got, " ") != "b@1.0.0/user b@2.0.0/sys-prefix @org/a@1.0.0/sys-prefix" {
		t.Errorf("scan: %v", got)
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Path, "bad") {
		t.Errorf("problems: %v", problems)
	}
	if !exts[1].RemoteEntry || exts[0].RemoteEntry {
		t.Errorf("remote entries: %v %v", exts[0].RemoteEntry, exts[1].RemoteEntry)
	}
}

// The page config merges as JupyterLab's: app settings lowest, then the config path from its
// last dir to its first, each dir's page_config.d before page_config.json; null removes; a
// list sets true; the source of each key is its last writer.
func TestReadPageConfig(t *testing.T) {
	root := t.TempDir()
	app, sys, user := filepath.Join(root, "app"), filepath.Join(root, "sys", "labconfig"), filepath.Join(root, "user", "labconfig")
	write(t, filepath.Join(app, "page_config.json"), `{"disabledExtensions": ["a", "b"]}`)
	write(t, filepath.Join(sys, "page_config.d", "pkg.json"), `{"disabledExtensions": {"c": true}, "lockedExtensions": {"c": true}}`)
	write(t, filepath.Join(sys, "page_config.json"), `{"disabledExtensions": {"b": false}}`)
	write(t, filepath.Join(user, "page_config.json"), `{"disabledExtensions": {"a": null, "d": true}}`)
	pc, err := ReadPageConfig(fsx.Disk{}, []ConfigDir{{user, "user"}, {sys, "system"}}, app)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"b": "false system", "c": "true system", "d": "true user"}
	if len(pc.Disabled) != len(want) {
		t.Errorf("disabled: %v", pc.Disabled)
	}
	for k, v := range want {
		s := pc.Disabled[k]
		if got := map[bool]string{true: "true", false: "false"}[s.Value] + " " + s.Level; got != v {
			t.Errorf("%s: %s, want %s", k, got, v)
		}
	}
	if !pc.Locked["c"].Value || !strings.HasSuffix(pc.Locked["c"].File, "pkg.json") {
		t.Errorf("locked: %v", pc.Locked)
	}
	write(t, filepath.Join(user, "page_config.json"), `[1]`)
	if _, err := ReadPageConfig(fsx.Disk{}, []ConfigDir{{user, "user"}}, ""); err == nil || !strings.Contains(err.Error(), "page_config.json: not a JSON object") {
		t.Errorf("a page config that is no object: %v", err)
	}
}

// disable and enable at a level write what JupyterLab 4's toggle_extension writes; a lock at
// a higher level stops them; a higher level that still decides it is reported.
func TestToggle(t *testing.T) {
	root := t.TempDir()
	user, env, sys := ConfigDir{filepath.Join(root, "user"), "user"}, ConfigDir{filepath.Join(root, "env"), "sys-prefix"}, ConfigDir{filepath.Join(root, "sys"), "system"}
	all := []ConfigDir{user, env, sys}
	lv := Levels{All: all, At: env, Higher: []ConfigDir{sys}}
	w := &fsx.Real{Roots: fsx.NewRoots(root)}
	read := func(d ConfigDir) string {
		b, _ := os.ReadFile(filepath.Join(d.Path, "page_config.json"))
		return string(b)
	}
	out, err := Toggle(w, lv, "@org/a", true)
	if err != nil || !out.Changed || read(env) != "{\n  \"disabledExtensions\": {\n    \"@org/a\": true\n  }\n}" {
		t.Fatalf("disable: %+v %v %q", out, err, read(env))
	}
	if out, _ := Toggle(w, lv, "@org/a", true); !out.Already {
		t.Errorf("a second disable: %+v", out)
	}
	if out, _ := Toggle(w, lv, "@org/a", false); !out.Changed || read(env) != "{\n  \"disabledExtensions\": {\n    \"@org/a\": false\n  }\n}" {
		t.Errorf("enable writes false, as JupyterLab does: %+v %q", out, read(env))
	}
	// the user's page config wins over the env's
	write(t, filepath.Join(user.Path, "page_config.json"), `{"disabledExtensions": {"b": true}}`)
	if out, _ := Toggle(w, lv, "b", false); out.StillBy == nil || out.StillBy.Level != "user" {
		t.Errorf("enable at the env under a user-level disable: %+v", out)
	}
	write(t, filepath.Join(sys.Path, "page_config.json"), `{"lockedExtensions": {"c": true}}`)
	before := read(env)
	if out, _ := Toggle(w, lv, "c", true); out.LockedBy == nil || read(env) != before {
		t.Errorf("a lock at the system level: %+v", out)
	}
	write(t, filepath.Join(env.Path, "page_config.json"), `{"disabledExtensions": ["x"]}`)
	if _, err := Toggle(w, Levels{All: all, At: env}, "y", true); err == nil || !strings.Contains(err.Error(), "is a list") {
		t.Errorf("a list form: %v", err)
	}
}

// JupyterLab 4.1+ copies the env level's disabledExtensions into lockedExtensions before its
// first toggle there (its migration from 4.0), once.
func TestToggleMigratesLocks(t *testing.T) {
	root := t.TempDir()
	env := ConfigDir{filepath.Join(root, "env"), "sys-prefix"}
	write(t, filepath.Join(env.Path, "page_config.json"), `{"disabledExtensions": {"a": true}}`)
	lv := Levels{All: []ConfigDir{env}, At: env, Migrate: true}
	w := &fsx.Real{Roots: fsx.NewRoots(root)}
	if _, err := Toggle(w, lv, "b", true); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(env.Path, "page_config.json"))
	if want := "{\n  \"disabledExtensions\": {\n    \"a\": true,\n    \"b\": true\n  },\n  \"lockedExtensions\": {\n    \"a\": true\n  }\n}"; string(b) != want {
		t.Errorf("got %q\nwant %q", b, want)
	}
}

func TestCompatible(t *testing.T) {
	for _, c := range []struct {
		core, ext string
		ok, known bool
	}{
		{"~4.6.6", "^4.0.0", true, true},
		{"^4.6.6", "^3.1.0", false, true},
		{"^4.6.6", "^4.0.0-beta.1", true, true},
		{"~4.6.6", ">=4.0.0 <4.5.0", false, true},
		{"^4.6.6", "^3.0.0 || ^4.0.0", true, true},
		{"^4.6.6", "*", true, true},
		{"~0.17.1", "^0.17.0", true, true},
		{"^6.2.0", "^5.0.0", false, true},
		{"^4.6.6", "file:../x", true, false},
	} {
		if ok, known := compatible(c.core, c.ext); ok != c.ok || known != c.known {
			t.Errorf("%s vs %s: %v %v", c.core, c.ext, ok, known)
		}
	}
}

// JupyterLab's _is_disabled: an exact name, or a pattern matching at the start.
func TestMatch(t *testing.T) {
	d := map[string]Setting{"@jupyterlab/.*-extension": {Value: true, Level: "user"}, "b": {Value: true}}
	if match("@jupyterlab/foo-extension", d) == nil || match("b", d) == nil || match("c", d) != nil || match("x@jupyterlab/foo-extension", d) != nil {
		t.Error("match")
	}
}

// The ranges come from extensions' package.json: no input may panic the reader.
func FuzzCompatible(f *testing.F) {
	f.Add("~4.6.6", "^4.0.0")
	f.Add("1.x || >=2.5.0 || 5.0.0 - 7.2.3", "<=1.2")
	f.Fuzz(func(t *testing.T, a, b string) { compatible(a, b) })
}
