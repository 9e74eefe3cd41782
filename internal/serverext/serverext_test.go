package serverext

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
)

func write(t *testing.T, p, s string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// jupyter-paths.md §8.1 (confirmed there against notebook 6): a root file at a lower level
// beats a .d file at a higher level when no higher root file sets the dict; keys only in
// the JSON merge are added when the traitlets value lacks them.
func TestHybridPrecedence(t *testing.T) {
	dir := t.TempDir()
	prefix, home := filepath.Join(dir, "env"), filepath.Join(dir, "home")
	p := jupyter.Resolve(jupyter.Facts{OS: "linux", Prefix: prefix, IsVenv: true, OwnsPrefix: false, Home: home, RealHome: home, Env: map[string]string{}, SystemRoot: filepath.Join(t.TempDir(), "root")})
	envEtc, userCfg := filepath.Join(prefix, "etc", "jupyter"), filepath.Join(home, ".jupyter")
	write(t, filepath.Join(envEtc, "jupyter_notebook_config.json"), `{"NotebookApp": {"nbserver_extensions": {"a": true}}}`)
	write(t, filepath.Join(userCfg, "jupyter_notebook_config.d", "a.json"), `{"NotebookApp": {"nbserver_extensions": {"a": false}}}`)
	write(t, filepath.Join(envEtc, "jupyter_notebook_config.d", "b.json"), `{"NotebookApp": {"nbserver_extensions": {"b": true}}}`)
	write(t, filepath.Join(userCfg, "jupyter_notebook_config.py"), "c.NotebookApp.nbserver_extensions = {}\n")
	write(t, filepath.Join(prefix, "lib", "python3.11", "site-packages", "a", "__init__.py"), "")
	find := func(m string) string {
		if m == "a" {
			return "/site/a"
		}
		return ""
	}
	l, err := List(fsx.Disk{}, p, Notebook, find)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Extension{}
	for _, e := range l.Extensions {
		got[e.Module] = e
	}
	if a := got["a"]; !a.Enabled || a.Rule != "traitlets" || a.Source != filepath.Join(envEtc, "jupyter_notebook_config.json") || !a.Importable || len(a.Also) != 1 {
		t.Errorf("a: %+v", a)
	}
	if b := got["b"]; !b.Enabled || b.Rule != "json-merge" || b.Importable {
		t.Errorf("b: %+v", b)
	}
	if len(l.Opaque) != 1 {
		t.Errorf("opaque .py: %v", l.Opaque)
	}
}

func TestToggleWritesWhatTheCLIsWrite(t *testing.T) {
	dir := t.TempDir()
	w := &fsx.Real{}
	f, _, err := Toggle(w, dir, Server, "myext", true)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(f); string(b) != "{\n  \"ServerApp\": {\n    \"jpserver_extensions\": {\n      \"myext\": true\n    }\n  }\n}" ||
		f != filepath.Join(dir, "jupyter_server_config.d", "myext.json") {
		t.Errorf("%s:\n%s", f, b)
	}
	f, _, _ = Toggle(w, dir, Notebook, "json", true)
	if b, _ := os.ReadFile(f); string(b) != "{\n  \"NotebookApp\": {\n    \"nbserver_extensions\": {\n      \"json\": true\n    }\n  }\n}" {
		t.Errorf("%s:\n%s", f, b)
	}
	if _, changed, _ := Toggle(w, dir, Notebook, "json", true); changed {
		t.Error("a second enable must change nothing")
	}
}

func TestAppFor(t *testing.T) {
	for _, c := range []struct {
		nb, srv string
		want    App
	}{
		{"6.5.7", "", Notebook}, {"6.5.7", "1.24.0", Notebook}, {"7.0.0rc1", "2.0.0", Server},
		{"7.2.0", "2.14.0", Server}, {"", "2.14.0", Server}, {"", "", Notebook},
	} {
		if got := AppFor(c.nb, c.srv); got != c.want {
			t.Errorf("AppFor(%q, %q) = %s, want %s", c.nb, c.srv, got, c.want)
		}
	}
}
