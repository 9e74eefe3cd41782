package nbext

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pyjson"
)

// zipOf writes a zip with the given entries; a negative size is a stream of that many zeros.
func zipOf(t *testing.T, path string, entries []struct {
	name  string
	data  string
	zeros int64
}) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if e.zeros > 0 {
			io.CopyN(w, zeroReader{}, e.zeros)
		} else {
			io.WriteString(w, e.data)
		}
	}
	zw.Close()
	f.Close()
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Issue 8, items 6 and 7: an entry over the limit is an error (never a truncated file), and
// a refused archive installs nothing, not even the entries before the bad one.
func TestArchiveLimitsAndNothingHalfInstalled(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "nbextensions")
	big := filepath.Join(dir, "big.zip")
	zipOf(t, big, []struct {
		name  string
		data  string
		zeros int64
	}{{"ok/main.js", "define([])", 0}, {"huge/blob.bin", "", fsx.MaxCopy + 1}})
	if _, err := Install(&fsx.Real{}, dst, big, InstallOptions{}); err == nil || !strings.Contains(err.Error(), "over the") || !strings.Contains(err.Error(), "nothing was installed") {
		t.Errorf("oversized entry: %v", err)
	}
	bad := filepath.Join(dir, "bad.zip")
	zipOf(t, bad, []struct {
		name  string
		data  string
		zeros int64
	}{{"first/main.js", "define([])", 0}, {"../escape.js", "x", 0}})
	if _, err := Install(&fsx.Real{}, dst, bad, InstallOptions{}); err == nil || !strings.Contains(err.Error(), "points outside") {
		t.Errorf("zip slip: %v", err)
	}
	for _, p := range []string{"ok/main.js", "first/main.js", "huge"} {
		if _, err := os.Stat(filepath.Join(dst, p)); !os.IsNotExist(err) {
			t.Errorf("%s was installed from a refused archive", p)
		}
	}
}

// Item 9: a symlink left in the nbextensions dir by an earlier --symlink install cannot carry
// an archive's entries out of it, once the writer is confined to the dir.
func TestArchiveThroughAPlantedSymlink(t *testing.T) {
	dir := t.TempDir()
	dst, outside := filepath.Join(dir, "env", "share", "jupyter", "nbextensions"), filepath.Join(dir, "outside")
	os.MkdirAll(dst, 0o755)
	os.MkdirAll(outside, 0o755)
	os.Symlink(outside, filepath.Join(dst, "out"))
	a := filepath.Join(dir, "a.zip")
	zipOf(t, a, []struct {
		name  string
		data  string
		zeros int64
	}{{"out/evil.js", "x", 0}})
	_, err := Install(&fsx.Real{Roots: fsx.NewRoots(dst)}, dst, a, InstallOptions{})
	if !errors.Is(err, fsx.ErrOutsideRoot) {
		t.Errorf("want ErrOutsideRoot, got %v", err)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("written outside the nbextensions dir: %v", ents)
	}
}

// Item 10: a link in the source tree that leaves it is refused, before anything is copied; a
// link to a dir inside the tree stays a link; a link to a file inside is copied as the file.
func TestInstallTreeWithSymlinks(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "myext")
	write(t, filepath.Join(src, "main.js"), "define([])")
	write(t, filepath.Join(src, "lib", "util.js"), "u")
	os.Symlink("lib", filepath.Join(src, "lib2"))
	os.Symlink("main.js", filepath.Join(src, "alias.js"))
	dst := filepath.Join(dir, "nbextensions")
	if _, err := Install(&fsx.Real{}, dst, src, InstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if l, err := os.Readlink(filepath.Join(dst, "myext", "lib2")); err != nil || l != "lib" {
		t.Errorf("a link to a dir inside: %q %v", l, err)
	}
	if st, err := os.Lstat(filepath.Join(dst, "myext", "alias.js")); err != nil || !st.Mode().IsRegular() {
		t.Errorf("a link to a file inside is copied as the file: %v %v", st, err)
	}
	passwd := filepath.Join(dir, "secret")
	write(t, passwd, "root:x:0:0")
	os.Symlink(passwd, filepath.Join(src, "passwd"))
	os.Symlink(dir, filepath.Join(src, "up"))
	dst2 := filepath.Join(dir, "nbextensions2")
	if _, err := Install(&fsx.Real{}, dst2, src, InstallOptions{}); err == nil || !strings.Contains(err.Error(), "outside the extension's source") {
		t.Errorf("a link out of the tree: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dst2, "myext")); !os.IsNotExist(err) {
		t.Error("a refused tree was half-installed")
	}
}

// Item 13: reads take regular files only, bounded, never blocking: a FIFO, a link to
// /dev/zero or an oversized notebook.json is an error naming the file, at once, and
// nothing is written.
func TestConfigThatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]func(p string) error{
		"fifo":      func(p string) error { return syscall.Mkfifo(p, 0o644) },
		"dev-zero":  func(p string) error { return os.Symlink("/dev/zero", p) },
		"oversized": func(p string) error { return os.WriteFile(p, make([]byte, fsx.MaxRead+1), 0o644) },
	}
	for name, plant := range cases {
		cfg := filepath.Join(dir, name, "nbconfig")
		os.MkdirAll(cfg, 0o755)
		file := filepath.Join(cfg, "notebook.json")
		if err := plant(file); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := SetState(&fsx.Real{}, cfg, "notebook", "foo/main", pyjson.BoolValue(true))
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), file) {
				t.Errorf("%s: want an error naming %s, got %v", name, file, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: blocked", name)
		}
		st, _ := os.Lstat(file)
		if name == "dev-zero" && st.Mode()&os.ModeSymlink == 0 || name == "fifo" && st.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("%s: the file was replaced", name)
		}
		if _, err := List(fsx.Disk{}, jupyter.Paths{Config: []jupyter.Entry{{Path: filepath.Dir(cfg)}}}); err == nil {
			t.Errorf("%s: list must say what is wrong, not skip it", name)
		}
	}
}

// FuzzInstallArchive feeds arbitrary bytes as a zip and as a tar.gz: no panic, nothing
// outside the nbextensions dir, and a refused archive installs nothing.
func FuzzInstallArchive(f *testing.F) {
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("ext/main.js")
	w.Write([]byte("define([])"))
	zw.Close()
	f.Add(zb.Bytes())
	f.Add([]byte("PK\x03\x04 not really a zip"))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"a.zip", "a.tar.gz", "a.tar"} {
			dir := t.TempDir()
			archive := filepath.Join(dir, name)
			os.WriteFile(archive, data, 0o644)
			dst := filepath.Join(dir, "env", "nbextensions")
			os.MkdirAll(dst, 0o755)
			_, err := Install(&fsx.Real{Roots: fsx.NewRoots(dst)}, dst, archive, InstallOptions{})
			_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, _ error) error {
				if p != dir && p != archive && !strings.HasPrefix(p, filepath.Join(dir, "env")) {
					t.Fatalf("%s: wrote %s outside the nbextensions dir", name, p)
				}
				return nil
			})
			if ents, _ := os.ReadDir(dst); err != nil && len(ents) > 0 {
				t.Fatalf("%s: refused (%v) but installed %d entries", name, err, len(ents))
			}
		}
	})
}
