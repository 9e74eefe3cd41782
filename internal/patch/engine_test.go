package patch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pkgindex"
)

// fixtureEnv makes a site-packages with notebook 7, nbclassic and jupyter_server records and
// a jupyter_dashboards_bundlers package whose server_upload.py imports notebook.utils.
func fixtureEnv(t *testing.T) (*Env, string) {
	t.Helper()
	prefix := t.TempDir()
	sp := filepath.Join(prefix, "lib", "python3.11", "site-packages")
	for _, d := range []string{"notebook-7.2.0", "nbclassic-1.1.0", "jupyter_server-2.14.0", "jupyter_dashboards_bundlers-0.9.1"} {
		os.MkdirAll(filepath.Join(sp, d+".dist-info"), 0o755)
	}
	src := "import os\nfrom notebook.utils import url_path_join\n\nprint(url_path_join)\n"
	file := filepath.Join(sp, "dashboards_bundlers", "server_upload.py")
	os.MkdirAll(filepath.Join(sp, "dashboards_bundlers", "__pycache__"), 0o755)
	os.WriteFile(file, []byte(src), 0o644)
	os.WriteFile(filepath.Join(sp, "dashboards_bundlers", "__pycache__", "server_upload.cpython-311.pyc"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(sp, "jupyter_dashboards_bundlers-0.9.1.dist-info", "RECORD"),
		[]byte("dashboards_bundlers/server_upload.py,sha256=x,10\ndashboards_bundlers/__pycache__/server_upload.cpython-311.pyc,,\n"), 0o644)
	return &Env{Prefix: prefix, Packages: pkgindex.New([]string{sp}), PythonVersion: "3.11.7"}, file
}

func plan(t *testing.T, e *Env) []Status {
	t.Helper()
	rules, _ := Rules()
	st, err := Plan(e, rules, "python")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func stateOf(sts []Status, id string) string {
	for _, s := range sts {
		if s.Rule.ID == id {
			return s.State
		}
	}
	return ""
}

func TestApplyRevertRoundTrip(t *testing.T) {
	e, file := fixtureEnv(t)
	orig, _ := os.ReadFile(file)
	sts := plan(t, e)
	if stateOf(sts, "I-5") != "needs-patch" {
		t.Fatalf("I-5: %s", stateOf(sts, "I-5"))
	}
	res, err := Apply(&fsx.Real{}, e, sts)
	if err != nil || len(res) != 1 {
		t.Fatalf("%v %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(file), "__pycache__", "server_upload.cpython-311.pyc")); !os.IsNotExist(err) {
		t.Error("stale __pycache__ entry must be removed")
	}
	if stateOf(plan(t, e), "I-5") != "applied" {
		t.Error("second plan: not applied")
	}
	if res, _ := Apply(&fsx.Real{}, e, plan(t, e)); len(res) != 0 {
		t.Errorf("second apply changed %v", res)
	}
	rules, _ := Rules()
	if _, err := Revert(&fsx.Real{}, e, nil, rules); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(file); string(got) != string(orig) {
		t.Errorf("revert is not exact:\n%s", got)
	}
}

func TestRevertLeavesChangedFilesAlone(t *testing.T) {
	e, file := fixtureEnv(t)
	Apply(&fsx.Real{}, e, plan(t, e))
	os.WriteFile(file, []byte("# upgraded package\n"), 0o644)
	rules, _ := Rules()
	res, err := Revert(&fsx.Real{}, e, nil, rules)
	if err != nil || len(res) != 1 || res[0].Action != "left-alone" {
		t.Fatalf("%+v %v", res, err)
	}
	if got, _ := os.ReadFile(file); string(got) != "# upgraded package\n" {
		t.Error("a changed file must be left alone")
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	rules, _ := Rules()
	// a target that is not UTF-8
	e, file := fixtureEnv(t)
	os.WriteFile(file, []byte("from notebook.utils import url_path_join\n# caf\xe9\n"), 0o644)
	if _, err := Apply(&fsx.Real{}, e, plan(t, e)); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		// Plan already reports the problem; Apply must not write either
		if got, _ := os.ReadFile(file); !strings.Contains(string(got), "\xe9") || strings.Contains(string(got), "jdash") {
			t.Errorf("non-UTF-8 file was changed: %v", err)
		}
	}
	// a read-only target
	e, file = fixtureEnv(t)
	os.Chmod(file, 0o444)
	if _, err := Apply(&fsx.Real{}, e, plan(t, e)); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-only: %v", err)
	}
	if _, err := os.Stat(statePath(e.Prefix)); !os.IsNotExist(err) {
		t.Error("no state may be written on bad input")
	}
	// a missing backup, and a state edited by hand
	e, file = fixtureEnv(t)
	Apply(&fsx.Real{}, e, plan(t, e))
	st, _ := LoadState(e.Prefix)
	os.Remove(backupPath(e.Prefix, st.Files[file].Original))
	if _, err := Revert(&fsx.Real{}, e, nil, rules); err == nil || !strings.Contains(err.Error(), "backup") {
		t.Errorf("missing backup: %v", err)
	}
	if got, _ := os.ReadFile(file); !strings.Contains(string(got), "jdash I-5") {
		t.Error("nothing may be reverted when a backup is missing")
	}
	os.WriteFile(statePath(e.Prefix), []byte(`{"files": {"x": {"rules": []}}}`), 0o644)
	if _, err := Revert(&fsx.Real{}, e, nil, rules); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("hand-edited state: %v", err)
	}
	os.WriteFile(statePath(e.Prefix), []byte(`{"files": `), 0o644)
	if _, err := Apply(&fsx.Real{}, e, plan(t, e)); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("truncated state: %v", err)
	}
}
