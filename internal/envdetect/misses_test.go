package envdetect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// extractTree lays a txtar fixture out under root; its "links" file lists symlinks.
func extractTree(t *testing.T, file, root string) {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ar.Files {
		if f.Name == "links" {
			for _, l := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
				link, target, _ := strings.Cut(l, " -> ")
				p := filepath.Join(root, link)
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.Symlink(target, p); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		p := filepath.Join(root, f.Name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, f.Data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMisses covers what another widely used env locator's fixtures find and jdash missed.
func TestMisses(t *testing.T) {
	tr := newTree(t)
	extractTree(t, "testdata/misses.txtar", tr.root)
	h := tr.host(nil)
	h.Workspaces = []string{tr.p("home/proj")}
	envs := tr.scan(h)

	ds := mustEnv(t, envs, "home/.pyenv/versions/anaconda3-2024.02/envs/ds")
	if ds.Name != "ds" || ds.Manager == nil || ds.Manager.Name != "conda" || ds.PythonVersion != "3.12.1" {
		t.Errorf("conda env of a pyenv Anaconda: %+v manager %+v", ds, ds.Manager)
	}
	if base := mustEnv(t, envs, "home/.pyenv/versions/anaconda3-2024.02"); base.Name != "base" {
		t.Errorf("pyenv Anaconda base: %+v", base)
	}
	if e := mustEnv(t, envs, "home/.pyenv/versions/pypy3.9-7.3.15"); e.PythonVersion != "3.9.18" || e.VersionSource != "patchlevel.h" {
		t.Errorf("pyenv PyPy: %q from %q", e.PythonVersion, e.VersionSource)
	}
	if e := mustEnv(t, envs, "home/.pyenv/versions/pypy3.8-7.3.11"); e.PythonVersion != "3.8.16" {
		t.Errorf("flat include/patchlevel.h: %q from %q", e.PythonVersion, e.VersionSource)
	}
	// PIPENV_CUSTOM_VENV_NAME: no hash in the name; the project dir was deleted since
	gone := mustEnv(t, envs, "home/.local/share/virtualenvs/gone-custom")
	if !gone.HasTag("pipenv") || gone.Project != "/nonexistent/projects/gone" {
		t.Errorf("pipenv env of a deleted project: tags %v project %q", gone.Tags, gone.Project)
	}
	hatch := mustEnv(t, envs, "home/proj/.hatch/default")
	if !hatch.HasTag("hatch") || hatch.Project != tr.p("home/proj") || hatch.Manager == nil || hatch.Manager.Name != "hatch" {
		t.Errorf("in-project hatch env: tags %v project %q", hatch.Tags, hatch.Project)
	}
	pixi := mustEnv(t, envs, "home/.pixi/envs/ripgrep")
	if !pixi.HasTag("pixi-global") || pixi.Project != "" || pixi.Name != "ripgrep" {
		t.Errorf("pixi global env: name %q tags %v project %q", pixi.Name, pixi.Tags, pixi.Project)
	}
	for _, rel := range []string{"home/micromamba/envs/tools", "home/.local/share/mamba/envs/data"} {
		e := mustEnv(t, envs, rel)
		if e.Manager == nil || e.Manager.Name != "micromamba" || e.Name != filepath.Base(rel) {
			t.Errorf("%s: name %q manager %+v", rel, e.Name, e.Manager)
		}
	}
	if e := mustEnv(t, envs, "home/miniforge3"); e.Manager != nil {
		t.Errorf("a conda base with no conda binary has no manager, got %+v", e.Manager)
	}

	// MAMBA_ROOT_PREFIX names a root with no base env: its envs are listed all the same.
	tr2 := newTree(t)
	extractTree(t, "testdata/misses.txtar", tr2.root)
	root := tr2.p("home/.local/share/mamba")
	moved := tr2.p("elsewhere/mamba")
	os.MkdirAll(filepath.Dir(moved), 0o755)
	if err := os.Rename(root, moved); err != nil {
		t.Fatal(err)
	}
	envs = tr2.scan(tr2.host(map[string]string{"MAMBA_ROOT_PREFIX": moved}))
	if e := mustEnv(t, envs, "elsewhere/mamba/envs/data"); e.Manager == nil || e.Manager.Name != "micromamba" {
		t.Errorf("MAMBA_ROOT_PREFIX env: manager %+v", e.Manager)
	}
}

// Versions are compared as versions, never as text: a prefix with include/python3.9 and
// include/python3.12 is 3.12, and pyenv's versions are listed 3.6.15 before 3.13.0.
func TestVersionsAreNotStrings(t *testing.T) {
	tr := newTree(t)
	tr.python("home/.pyenv/versions/3.13.0", "3.13.0")
	tr.python("home/.pyenv/versions/3.6.15", "3.6.15")
	tr.python("home/.pyenv/versions/3.9.18", "3.9.18")
	both := tr.python("home/.pyenv/versions/both", "3.9.18")
	tr.write("home/.pyenv/versions/both/include/python3.12/patchlevel.h", "#define PY_VERSION \"3.12.4\"\n")
	if v, _ := versionFromHeaders(both); v != "3.12.4" {
		t.Errorf("two include dirs: %q", v)
	}
	res := Scan(tr.host(nil))
	var order []string
	for _, e := range res.Envs {
		if e.Kind == KindPyenv {
			order = append(order, e.PythonVersion)
		}
	}
	if got := strings.Join(order, " "); got != "3.6.15 3.9.18 3.12.4 3.13.0" {
		t.Errorf("pyenv order: %s", got)
	}
}

// Issue 8, item 17: real settings after 1.8 MB of padding make a pyvenv.cfg CPython refuses
// ("cannot read file larger than 32KB"): the env is broken, whatever the file says.
func TestOversizedPyvenvCfgIsBroken(t *testing.T) {
	tr := newTree(t)
	base := tr.python("home/.pyenv/versions/3.12.1", "3.12.1")
	v := tr.venv("ws/padded", base, "3.12.1", "")
	tr.write("ws/padded/pyvenv.cfg", strings.Repeat("# padding\n", 180000)+"home = "+base+"/bin\nversion = 3.12.1\n")
	e, err := Describe(tr.host(nil), v)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Broken || !strings.Contains(e.Error, "larger than 32 KiB") {
		t.Errorf("broken %v: %q", e.Broken, e.Error)
	}
}
