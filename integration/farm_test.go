package integration

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// farm makes a private, writable copy of a test env cheaply: every top-level entry is a
// symlink into the real env except etc/ and share/, which are copied. Python run as
// <farm>/bin/python has sys.prefix = <farm> (pyvenv.cfg is found next to bin/), so every
// sys-prefix write lands in the farm and the shared test env is never changed.
func farm(t *testing.T, name string) string {
	t.Helper()
	src := requireEnv(t, name)
	dst := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		s, d := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		switch e.Name() {
		case "etc", "share":
			if err := copyTree(s, d); err != nil {
				t.Fatal(err)
			}
		case ".jdash", ".jdash-stamp":
		default:
			if err := os.Symlink(s, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dst
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if d.Type()&fs.ModeSymlink != 0 {
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, target)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		st, _ := in.Stat()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, st.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		return os.Chtimes(target, st.ModTime(), st.ModTime())
	})
}

// treeFiles maps every file under dir (relative path) to its bytes.
func treeFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		b, _ := os.ReadFile(p)
		out[rel] = string(b)
		return nil
	})
	return out
}
