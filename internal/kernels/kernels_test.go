package kernels

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/fsx"

	"github.com/jdash-dev/jdash/internal/envdetect"
)

func TestNameRule(t *testing.T) {
	for _, c := range []struct {
		env  envdetect.Env
		want string
	}{
		{envdetect.Env{Kind: "venv", Name: "gateway", PythonVersion: "3.11.7"}, "venv-gateway-py3.11"},
		{envdetect.Env{Kind: "venv", Name: "proj/.venv", PythonVersion: "3.12.1"}, "venv-proj-.venv-py3.12"},
		{envdetect.Env{Kind: "conda", Name: "My Env:dev", PythonVersion: "3.10.4"}, "conda-my-env-dev-py3.10"},
		{envdetect.Env{Kind: "system", Name: "system"}, "system-system"},
	} {
		got := Name(&c.env)
		if got != c.want || CheckName(got) != nil {
			t.Errorf("%+v: %q, want %q", c.env, got, c.want)
		}
	}
	for _, bad := range []string{"", "a b", "a/b", "ü"} {
		if CheckName(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Only literal exports are applied; a script that does anything else is reported.
func TestExports(t *testing.T) {
	env := map[string]string{}
	if !exports([]byte("# c\nexport A=1\nexport B=\"two words\"\nexport C='x$y'\n"), env) || env["A"] != "1" || env["B"] != "two words" || env["C"] != "x$y" {
		t.Errorf("literal exports: %v", env)
	}
	for _, s := range []string{"export A=$HOME\n", "export A=`id`\n", "source x.sh\n", "export A=1; rm -rf /\n"} {
		env := map[string]string{}
		if exports([]byte(s), env) {
			t.Errorf("%q taken as literal exports: %v", s, env)
		}
	}
}

// FuzzExports: any activation script is read without a panic, and only literal exports of
// valid names are taken.
func FuzzExports(f *testing.F) {
	f.Add([]byte("export A=1\nexport B=\"x y\"\n"))
	f.Add([]byte("if true; then export A=$B; fi\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		env := map[string]string{}
		exports(data, env)
		for k, v := range env {
			if !nameRe.MatchString(k) || strings.ContainsAny(v, "`\n") {
				t.Fatalf("took %q=%q", k, v)
			}
		}
	})
}

// FuzzKernelJSON: any kernel.json is a spec or an error naming the file, never a panic.
func FuzzKernelJSON(f *testing.F) {
	f.Add([]byte(`{"argv": ["python", "-m", "ipykernel_launcher"], "display_name": "x", "metadata": {"jdash": {"env": "/e"}}}`))
	f.Add([]byte(`[1, 2`))
	f.Add([]byte(`{"argv": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "kernel.json"), data, 0o644)
		s := read(fsx.Disk{}, dir)
		if s.Error == "" && len(s.Argv) == 0 {
			t.Fatal("a spec without argv was taken")
		}
		if s.Error != "" && !strings.Contains(s.Error, "kernel.json") {
			t.Fatalf("the error names no file: %s", s.Error)
		}
	})
}
