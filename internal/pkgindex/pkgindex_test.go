package pkgindex

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{"Jupyter_Core": "jupyter-core", "a..b__c": "a-b-c", "_x_": "x", "zope.interface": "zope-interface"} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// The first site dir holding a distribution wins (import order); within one dir a leftover
// older record loses to the newer one, compared as PEP 440 versions, not as text.
func TestIndexImportOrderAndVersions(t *testing.T) {
	dir := t.TempDir()
	user, env, base := filepath.Join(dir, "user"), filepath.Join(dir, "env"), filepath.Join(dir, "base")
	write(t, filepath.Join(user, "notebook-6.5.7.dist-info", "METADATA"), "Name: notebook\nVersion: 6.5.7\n")
	write(t, filepath.Join(env, "notebook-7.0.0.dist-info", "METADATA"), "")
	write(t, filepath.Join(env, "jupyter_core-5.10.0.dist-info", "METADATA"), "")
	write(t, filepath.Join(env, "jupyter_core-5.9.1.dist-info", "METADATA"), "")
	write(t, filepath.Join(env, "Odd.Name-1.0.egg-info", "PKG-INFO"), "")
	write(t, filepath.Join(env, "noversion.dist-info", "METADATA"), "Metadata-Version: 2.1\nName: NoVersion\nVersion: 2.0rc1\n")
	write(t, filepath.Join(base, "traitlets-5.14.3.dist-info", "METADATA"), "")
	ix := New([]string{user, env, filepath.Join(dir, "missing"), base})
	for name, want := range map[string]string{"notebook": "6.5.7", "jupyter-core": "5.10.0", "odd_name": "1.0", "noversion": "2.0rc1", "traitlets": "5.14.3", "absent": ""} {
		if got := ix.Version(name); got != want {
			t.Errorf("Version(%s) = %q, want %q", name, got, want)
		}
	}
	if d, _ := ix.Dist("notebook"); d.Site != user {
		t.Errorf("notebook from %s", d.Site)
	}
	if n := len(ix.All()); n != 5 {
		t.Errorf("All: %d", n)
	}
}

func TestPythonFilesAndModule(t *testing.T) {
	sp := t.TempDir()
	write(t, filepath.Join(sp, "pkg-1.0.dist-info", "RECORD"), "pkg/__init__.py,sha256=x,1\n\"pkg/a,b.py\",,\npkg/tests/t.py,,\n../../bin/tool.py,,\n/abs/x.py,,\npkg/data.json,,\n")
	write(t, filepath.Join(sp, "pkg", "__init__.py"), "")
	write(t, filepath.Join(sp, "old-1.0.egg-info", "top_level.txt"), "old\n../escape\n")
	write(t, filepath.Join(sp, "old", "m.py"), "")
	write(t, filepath.Join(sp, "single.py"), "")
	write(t, filepath.Join(sp, "ext.cpython-311-x86_64-linux-gnu.so"), "")
	ix := New([]string{sp})
	got, err := ix.PythonFiles("pkg")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(sp, "pkg", "__init__.py"), filepath.Join(sp, "pkg", "a,b.py")}; !slices.Equal(got, want) {
		t.Errorf("RECORD files %v", got)
	}
	if got, _ := ix.PythonFiles("old"); !slices.Equal(got, []string{filepath.Join(sp, "old", "m.py")}) {
		t.Errorf("top_level files %v", got)
	}
	for mod, want := range map[string]string{"pkg": filepath.Join(sp, "pkg"), "single": filepath.Join(sp, "single.py"), "ext": filepath.Join(sp, "ext.cpython-311-x86_64-linux-gnu.so"), "nothere": "", "pkg.missing": ""} {
		if got := ix.Module(mod); got != want {
			t.Errorf("Module(%s) = %q, want %q", mod, got, want)
		}
	}
}

// Distribution layouts: Debian's dist-packages (apt's and pip's), Fedora's lib64.
func TestPrefixSiteDirs(t *testing.T) {
	deb := t.TempDir()
	for _, d := range []string{"lib/python3/dist-packages", "local/lib/python3.11/dist-packages", "lib/python3.11/site-packages"} {
		os.MkdirAll(filepath.Join(deb, d), 0o755)
	}
	want := []string{filepath.Join(deb, "lib/python3.11/site-packages"), filepath.Join(deb, "local/lib/python3.11/dist-packages"), filepath.Join(deb, "lib/python3/dist-packages")}
	if got := PrefixSiteDirs(deb, "3.11", "linux"); !slices.Equal(got, want) {
		t.Errorf("debian: %v", got)
	}
	fed := t.TempDir()
	os.MkdirAll(filepath.Join(fed, "lib64/python3.12/site-packages"), 0o755)
	os.MkdirAll(filepath.Join(fed, "lib/python3.12/site-packages"), 0o755)
	if got := PrefixSiteDirs(fed, "3.12", "linux"); len(got) != 2 || got[0] != filepath.Join(fed, "lib64/python3.12/site-packages") {
		t.Errorf("fedora: %v", got)
	}
	linked := t.TempDir()
	os.MkdirAll(filepath.Join(linked, "lib/python3.12/site-packages"), 0o755)
	os.Symlink("lib", filepath.Join(linked, "lib64"))
	if got := PrefixSiteDirs(linked, "3.12", "linux"); len(got) != 1 || got[0] != filepath.Join(linked, "lib/python3.12/site-packages") {
		t.Errorf("a venv's lib64 -> lib: %v", got)
	}
	if got := PrefixSiteDirs(linked, "", "linux"); got != nil {
		t.Errorf("no Python version: %v", got)
	}
}
