package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/compose/engine"
)

// FuzzCheckFile: any jdash.yaml is accepted or refused with file:line, never a panic.
func FuzzCheckFile(f *testing.F) {
	f.Add([]byte("workspace: [/a, /b]\nworkspace_depth: 3\n"))
	f.Add([]byte("workspce: 1\n"))
	f.Add([]byte("workspace_depth: deep\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("system_root: relative\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := checkFile("jdash.yaml", data)
		if err != nil && !strings.Contains(err.Error(), "jdash.yaml") {
			t.Fatalf("the error names no file: %v", err)
		}
	})
}

// --config names the one file read: its settings and its stack, whatever the working dir.
func TestConfigFileIsTheStack(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte("services:\n  a: {env: /x, kind: classic, port: 9001}\n"), 0o644)
	file := filepath.Join(other, "other.yaml")
	os.WriteFile(file, []byte("workspace_depth: 2\nservices:\n  b: {env: /y, kind: voila, port: 9002}\n"), 0o644)
	env := map[string]string{"HOME": t.TempDir()}
	c, err := Load(Options{File: file, Cwd: dir, Environ: env})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Stack()
	if err != nil || st == nil || len(st.Services) != 1 || st.Services[0].Name != "b" || c.Project != other || c.Settings.WorkspaceDepth != 2 {
		t.Fatalf("stack %+v err %v project %s settings %+v", st, err, c.Project, c.Settings)
	}
	// without --config, the project's own file from a subdir
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	c, err = Load(Options{Cwd: sub, Environ: env})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := c.Stack(); st == nil || st.Services[0].Name != "a" || c.Project != dir {
		t.Fatalf("from a subdir: %+v %s", st, c.Project)
	}
}

// An empty or service-less stack file is a usage error naming the file; the user's settings
// file is never a stack.
func TestServiceLessStackFile(t *testing.T) {
	home := t.TempDir()
	for _, body := range []string{"", "workspace_depth: 2\n"} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(body), 0o644)
		c, err := Load(Options{Cwd: dir, Environ: map[string]string{"HOME": home}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Stack(); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "jdash.yaml")) || !strings.Contains(err.Error(), "no services") {
			t.Errorf("%q: %v", body, err)
		}
	}
	os.MkdirAll(filepath.Join(home, ".config", "jdash"), 0o755)
	os.WriteFile(filepath.Join(home, ".config", "jdash", "jdash.yaml"), []byte("workspace_depth: 4\n"), 0o644)
	c, err := Load(Options{Cwd: t.TempDir(), Environ: map[string]string{"HOME": home}})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Stack(); st != nil || err != nil || c.Settings.WorkspaceDepth != 4 {
		t.Errorf("user settings file: %v %v %+v", st, err, c.Settings)
	}
}

// ps, logs and down find the stack from any dir below its project, as git does.
func TestFindWalksUp(t *testing.T) {
	home, proj := t.TempDir(), t.TempDir()
	sub := filepath.Join(proj, "a", "b")
	os.MkdirAll(sub, 0o755)
	if got := Find(sub, home); got != sub {
		t.Errorf("nothing above: %s", got)
	}
	d := engine.StoreFor(home, proj) // a zero-config stack that ran in proj
	d.Make()
	d.SetHolder(os.Getpid())
	if got := Find(sub, home); got != proj {
		t.Errorf("a stack that ran above: %s", got)
	}
	os.WriteFile(filepath.Join(proj, "a", "jdash.yaml"), []byte("services: {}\n"), 0o644)
	if got := Find(sub, home); got != filepath.Join(proj, "a") {
		t.Errorf("the nearest jdash.yaml: %s", got)
	}
}
