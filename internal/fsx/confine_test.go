package fsx

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A link planted inside the root (a previous `nbext install --symlink --destination out`)
// cannot carry a write out of it; the link itself can still be replaced or removed.
func TestWritesStayInsideTheirRoots(t *testing.T) {
	dir := t.TempDir()
	root, outside := filepath.Join(dir, "env", "share", "jupyter", "nbextensions"), filepath.Join(dir, "outside")
	os.MkdirAll(root, 0o755)
	os.MkdirAll(outside, 0o755)
	os.Symlink(outside, filepath.Join(root, "out"))
	for _, w := range []Writer{&Real{Roots: NewRoots(root)}, &DryRun{files: map[string]*Change{}, dirs: map[string]bool{}, removedDirs: map[string]bool{}, Roots: NewRoots(root)}} {
		if _, err := w.WriteFile(filepath.Join(root, "out", "evil.js"), []byte("x"), 0o644); !errors.Is(err, ErrOutsideRoot) {
			t.Errorf("%T: write through a link: %v", w, err)
		}
		if err := w.MkdirAll(filepath.Join(root, "out", "sub"), 0o755); !errors.Is(err, ErrOutsideRoot) {
			t.Errorf("%T: mkdir through a link: %v", w, err)
		}
		if _, err := w.WriteFile(filepath.Join(root, "..", "..", "etc", "x.json"), []byte("x"), 0o644); !errors.Is(err, ErrOutsideRoot) {
			t.Errorf("%T: .. out of the root: %v", w, err)
		}
		if _, err := w.WriteFile(filepath.Join(root, "ok", "main.js"), []byte("x"), 0o644); err != nil {
			t.Errorf("%T: a write inside: %v", w, err)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("written outside: %v", entries)
	}
	if _, err := (&Real{Roots: NewRoots(root)}).Remove(filepath.Join(root, "out")); err != nil {
		t.Errorf("removing the link itself: %v", err)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Error("removing the link removed its target")
	}
}
