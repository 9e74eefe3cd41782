package nbext

import (
	"archive/tar"
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pyjson"
)

func write(t *testing.T, p, s string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestInstallCopiesOnlyWhenNewerAndMergesDirs(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src", "ext"), filepath.Join(dir, "nbextensions")
	write(t, filepath.Join(src, "main.js"), "v1")
	write(t, filepath.Join(src, "sub", "a.js"), "a")
	if _, err := Install(&fsx.Real{}, dst, src, InstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(dst, "ext", "main.js")) != "v1" {
		t.Fatal("not copied")
	}
	// A stale file in the destination stays (dirs are merged); an unchanged source is not
	// copied again; a newer one is.
	write(t, filepath.Join(dst, "ext", "stale.js"), "old")
	w := &fsx.Real{}
	Install(w, dst, src, InstallOptions{})
	if len(w.Changes()) != 0 {
		t.Errorf("unchanged sources were copied again: %v", w.Changes())
	}
	write(t, filepath.Join(src, "main.js"), "v2")
	later := time.Now().Add(2 * time.Second)
	os.Chtimes(filepath.Join(src, "main.js"), later, later)
	Install(&fsx.Real{}, dst, src, InstallOptions{})
	if read(t, filepath.Join(dst, "ext", "main.js")) != "v2" {
		t.Error("a newer source must be copied")
	}
	if _, err := os.Stat(filepath.Join(dst, "ext", "stale.js")); err != nil {
		t.Error("merge must keep stale files")
	}
	st, _ := os.Stat(filepath.Join(dst, "ext", "main.js"))
	if !st.ModTime().Equal(later) {
		t.Errorf("mtime not kept (copy2): %v", st.ModTime())
	}
	// --overwrite purges first.
	Install(&fsx.Real{}, dst, src, InstallOptions{Overwrite: true})
	if _, err := os.Stat(filepath.Join(dst, "ext", "stale.js")); !os.IsNotExist(err) {
		t.Error("overwrite must purge")
	}
	// a single file with a destination name, and a symlink
	Install(&fsx.Real{}, dst, filepath.Join(src, "main.js"), InstallOptions{Destination: "renamed.js"})
	if read(t, filepath.Join(dst, "renamed.js")) != "v2" {
		t.Error("destination")
	}
	Install(&fsx.Real{}, dst, src, InstallOptions{Symlink: true, Destination: "linked"})
	if l, err := os.Readlink(filepath.Join(dst, "linked")); err != nil || l != src {
		t.Errorf("symlink: %q %v", l, err)
	}
}

func TestInstallArchives(t *testing.T) {
	dir := t.TempDir()
	zp := filepath.Join(dir, "ext.zip")
	zf, _ := os.Create(zp)
	zw := zip.NewWriter(zf)
	fw, _ := zw.Create("zext/main.js")
	fw.Write([]byte("zip"))
	zw.Close()
	zf.Close()
	tp := filepath.Join(dir, "ext.tar")
	tf, _ := os.Create(tp)
	tw := tar.NewWriter(tf)
	tw.WriteHeader(&tar.Header{Name: "text/main.js", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg})
	tw.Write([]byte("tar"))
	tw.Close()
	tf.Close()
	dst := filepath.Join(dir, "nbextensions")
	for _, a := range []string{zp, tp} {
		if _, err := Install(&fsx.Real{}, dst, a, InstallOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if read(t, filepath.Join(dst, "zext", "main.js")) != "zip" || read(t, filepath.Join(dst, "text", "main.js")) != "tar" {
		t.Error("archives not unpacked")
	}
	if _, err := Install(&fsx.Real{}, dst, zp, InstallOptions{Destination: "x"}); err == nil {
		t.Error("a destination for an archive must be refused")
	}
	// an entry escaping the nbextensions dir is refused
	evil := filepath.Join(dir, "evil.zip")
	ef, _ := os.Create(evil)
	ew := zip.NewWriter(ef)
	w2, _ := ew.Create("../../escape.js")
	w2.Write([]byte("x"))
	ew.Close()
	ef.Close()
	if _, err := Install(&fsx.Real{}, dst, evil, InstallOptions{}); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("zip slip: %v", err)
	}
	if _, err := Install(&fsx.Real{}, dst, filepath.Join(dir, "missing"), InstallOptions{}); err == nil {
		t.Error("a missing source must be an error")
	}
}

func TestSetStateAndList(t *testing.T) {
	dir := t.TempDir()
	prefix, home := filepath.Join(dir, "env"), filepath.Join(dir, "home")
	p := jupyter.Resolve(jupyter.Facts{OS: "linux", Prefix: prefix, IsVenv: true, OwnsPrefix: true, Home: home, RealHome: home, Env: map[string]string{}, SystemRoot: filepath.Join(t.TempDir(), "root")})
	envCfg := filepath.Join(prefix, "etc", "jupyter", "nbconfig")
	userCfg := filepath.Join(home, ".jupyter", "nbconfig")
	write(t, filepath.Join(envCfg, "notebook.d", "pkg.json"), `{"load_extensions": {"pkg/main": true}}`)
	write(t, filepath.Join(prefix, "share", "jupyter", "nbextensions", "a", "main.js"), "")
	write(t, filepath.Join(home, ".local", "share", "jupyter", "nbextensions", "a", "main.js"), "")
	w := &fsx.Real{}
	SetState(w, envCfg, "notebook", "a/main", pyjson.BoolValue(true))
	SetState(w, userCfg, "notebook", "a/main", pyjson.BoolValue(false))
	SetState(w, envCfg, "notebook", "pkg/main", pyjson.BoolValue(false))
	// As notebook's config manager does: the .d defaults are read first, so pkg/main keeps
	// the position it has there.
	if got := read(t, filepath.Join(envCfg, "notebook.json")); got != "{\n  \"load_extensions\": {\n    \"pkg/main\": false,\n    \"a/main\": true\n  }\n}" {
		t.Errorf("notebook.json:\n%s", got)
	}
	SetState(w, envCfg, "notebook", "pkg/main", pyjson.BoolValue(true)) // back to the .d default: dropped
	if got := read(t, filepath.Join(envCfg, "notebook.json")); got != "{\n  \"load_extensions\": {\n    \"a/main\": true\n  }\n}" {
		t.Errorf("after re-enabling a default:\n%s", got)
	}
	if _, err := SetState(w, envCfg, "nowhere", "a/main", pyjson.BoolValue(true)); err == nil {
		t.Error("unknown section")
	}
	l, err := List(fsx.Disk{}, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Dirs) != 2 || l.Dirs[0].ConfigDir != envCfg {
		t.Fatalf("dirs: %+v", l.Dirs)
	}
	var envA, userA Entry
	for _, e := range l.Dirs[0].Sections[0].Entries {
		if e.Require == "a/main" {
			envA = e
		}
	}
	userA = l.Dirs[1].Sections[0].Entries[0]
	if !envA.Effective || !envA.Valid || userA.Effective || userA.ShadowedBy != envCfg {
		t.Errorf("env entry %+v, user entry %+v", envA, userA)
	}
	if len(l.JSShadows) != 1 || l.JSShadows[0].Require != "a/main" {
		t.Errorf("js shadows %+v", l.JSShadows)
	}
	// malformed JSON: the error names the file and position
	write(t, filepath.Join(envCfg, "tree.json"), "{\n  \"x\": ,\n}")
	if _, err := List(fsx.Disk{}, p); err == nil || !strings.Contains(err.Error(), "tree.json: Expecting value: line 2 column 8") {
		t.Errorf("malformed: %v", err)
	}
}

// What Jupyter's config manager cannot merge, jdash refuses too, naming the file and key;
// what it cannot represent (invalid UTF-8, a lone surrogate) is never rewritten.
func TestRefusesWhatJupyterRefuses(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"list":      `{"load_extensions": ["a/main"]}`,
		"string":    `{"load_extensions": "a/main"}`,
		"utf8":      "{\"load_extensions\": {\"caf\xe9/main\": true}}",
		"surrogate": `{"load_extensions": {"x\ud800/main": true}}`,
	} {
		cfg := filepath.Join(dir, name, "nbconfig")
		write(t, filepath.Join(cfg, "notebook.json"), content)
		_, err := SetState(&fsx.Real{}, cfg, "notebook", "foo/main", pyjson.BoolValue(true))
		if err == nil || !strings.Contains(err.Error(), filepath.Join(cfg, "notebook.json")) {
			t.Errorf("%s: want an error naming the file, got %v", name, err)
		}
		if got := read(t, filepath.Join(cfg, "notebook.json")); got != content {
			t.Errorf("%s: the file was rewritten: %q", name, got)
		}
	}
}
