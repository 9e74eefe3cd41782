package setup

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/profile"
)

func TestNbconvertConfigAsContribWritesIt(t *testing.T) {
	dir := t.TempDir()
	// An existing user key stays; contrib's keys are appended once, even on a second run.
	os.WriteFile(filepath.Join(dir, "jupyter_nbconvert_config.json"), []byte(`{"Exporter": {"preprocessors": ["mine.P"]}}`), 0o644)
	for i := 0; i < 2; i++ {
		if err := nbconvertConfig(&fsx.Real{}, dir, "/site/jupyter_contrib_nbextensions/templates"); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(filepath.Join(dir, "jupyter_nbconvert_config.json"))
	want := `{
  "Exporter": {
    "preprocessors": [
      "mine.P",
      "jupyter_contrib_nbextensions.nbconvert_support.CodeFoldingPreprocessor",
      "jupyter_contrib_nbextensions.nbconvert_support.PyMarkdownPreprocessor"
    ],
    "extra_template_paths": [
      ".",
      "/site/jupyter_contrib_nbextensions/templates"
    ]
  },
  "version": 1
}`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestStackConfigNeverWritesATokenAndIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "env")
	p := jupyter.Resolve(jupyter.Facts{OS: "linux", Prefix: prefix, IsVenv: true, OwnsPrefix: true, Home: dir, RealHome: dir, Env: map[string]string{}, SystemRoot: filepath.Join(t.TempDir(), "root")})
	prof, _ := profile.Get("classic")
	o := Options{Profile: &profile.Profile{Name: "t", App: prof.App, Steps: []string{"stack-config"}}, Level: p.Levels.SysPrefix,
		Env: &envdetect.Env{Prefix: prefix}, Paths: p, Stack: Stack{IP: "127.0.0.1", Port: 8899, GatewayURL: "http://127.0.0.1:8889"}, Log: io.Discard}
	w := &fsx.Real{}
	if err := Run(context.Background(), w, o); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(prefix, "etc", "jupyter", "jupyter_notebook_config.json"))
	want := `{
  "NotebookApp": {
    "ip": "127.0.0.1",
    "port": 8899,
    "port_retries": 0,
    "open_browser": false
  },
  "GatewayClient": {
    "url": "http://127.0.0.1:8889"
  }
}`
	if string(got) != want {
		t.Errorf("got\n%s", got)
	}
	w2 := &fsx.Real{}
	Run(context.Background(), w2, o)
	if len(w2.Changes()) != 0 {
		t.Errorf("second run changed %d files", len(w2.Changes()))
	}
	o.Profile.Steps = []string{"nope"}
	if err := Run(context.Background(), w2, o); err == nil {
		t.Error("unknown step")
	}
}

func TestCheckStack(t *testing.T) {
	for _, c := range []struct {
		ip   string
		port int
		gw   string
		bad  string
	}{
		{"127.0.0.1", 8888, "", ""},
		{"localhost", 8888, "http://127.0.0.1:8889", ""},
		{"::1", 1, "https://gw.example.org/base", ""},
		{"127.0.0.1", 99999999, "", "a port is 1 to 65535"},
		{"127.0.0.1", 0, "", "a port is 1 to 65535"},
		{"not an ip", 8888, "", "not an IP address or a host name"},
		{"127.0.0.1", 8888, "ftp://x", "an http:// or https:// URL"},
		{"127.0.0.1", 8888, "http://user:PASS@host:8889/?token=T", "carries credentials"},
		{"127.0.0.1", 8888, "http://host:8889/?token=T", "carries credentials"},
	} {
		err := CheckStack(c.ip, c.port, c.gw)
		switch {
		case c.bad == "" && err != nil:
			t.Errorf("%+v: %v", c, err)
		case c.bad != "" && (err == nil || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("%+v: want %q, got %v", c, c.bad, err)
		case err != nil && (strings.Contains(err.Error(), "PASS") || strings.Contains(err.Error(), "=T")):
			t.Errorf("the error repeats the secret: %v", err)
		}
	}
}
