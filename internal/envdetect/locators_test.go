package envdetect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVenvKindsAndVersions(t *testing.T) {
	tr := newTree(t)
	base := tr.python("home/.pyenv/versions/3.12.1", "3.12.1")
	ws := tr.mkdir("ws")
	tr.venv("ws/plain/.venv", base, "3.12.1", "")
	tr.venv("ws/uvproj/.venv", base, "3.12", "uv = 0.5.1\nversion_info = 3.12\n")
	tr.write("ws/uvproj/.venv/pyvenv.cfg", "home = "+base+"/bin\nimplementation = CPython\nuv = 0.5.1\nversion_info = 3.12\ninclude-system-site-packages = false\n")
	tr.write("ws/venv-ve/pyvenv.cfg", "home = "+base+"/bin\nimplementation = CPython\nversion_info = 3.12.1.final.0\nvirtualenv = 20.26.0\ninclude-system-site-packages = true\n")
	tr.link(base+"/bin/python3.12", "ws/venv-ve/bin/python")
	tr.mkdir("ws/venv-ve/lib/python3.12/site-packages")
	// A 3.14 rc venv whose base is gone: the version comes from pyvenv.cfg, the env is broken.
	tr.venv("ws/rc", tr.p("gone"), "3.14.0rc1", "")
	envs := tr.scan(func() Host { h := tr.host(nil); h.Workspaces = []string{ws}; return h }())

	plain := mustEnv(t, envs, "ws/plain/.venv")
	expectKind(t, plain, KindVenv)
	if plain.PythonVersion != "3.12.1" || plain.Name != "plain/.venv" || plain.Broken {
		t.Errorf("plain: %+v", plain)
	}
	uv := mustEnv(t, envs, "ws/uvproj/.venv")
	expectKind(t, uv, KindVenv, "uv")
	// uv wrote only X.Y; the base's patchlevel.h gives the exact version.
	if uv.PythonVersion != "3.12.1" || uv.Venv.Creator != "uv" {
		t.Errorf("uv: version %q creator %q", uv.PythonVersion, uv.Venv.Creator)
	}
	ve := mustEnv(t, envs, "ws/venv-ve")
	expectKind(t, ve, KindVenv, "virtualenv")
	if ve.PythonVersion != "3.12.1" || !ve.Venv.IncludeSystemSitePackages {
		t.Errorf("virtualenv: %q system-site %v", ve.PythonVersion, ve.Venv.IncludeSystemSitePackages)
	}
	rc := mustEnv(t, envs, "ws/rc")
	if rc.PythonVersion != "3.14.0rc1" || !rc.Broken || !strings.Contains(rc.Error, "broken symlink") {
		t.Errorf("rc: version %q broken %v %q", rc.PythonVersion, rc.Broken, rc.Error)
	}
}

func TestVirtualenvVersionInfoOnly(t *testing.T) {
	cfg, err := ParsePyvenvCfg([]byte("home = /usr/bin\nversion_info = 3.12.1.final.0\nvirtualenv = 20.1\n"))
	if err != nil || normalizeVersion(cfg.Version()) != "3.12.1" {
		t.Fatalf("%v %q", err, cfg.Version())
	}
}

func TestSymlinkedInterpreterEnvsAreDistinct(t *testing.T) {
	tr := newTree(t)
	base := tr.python("opt/py", "3.11.7")
	tr.venv("home/.virtualenvs/a", base, "3.11.7", "")
	tr.venv("home/.virtualenvs/b", base, "3.11.7", "")
	envs := tr.scan(tr.host(nil))
	a, b := mustEnv(t, envs, "home/.virtualenvs/a"), mustEnv(t, envs, "home/.virtualenvs/b")
	expectKind(t, a, KindVenv, "virtualenvwrapper")
	if a.Python == b.Python || a.Prefix == b.Prefix {
		t.Errorf("two venvs of one Python must stay two envs: %s %s", a.Python, b.Python)
	}
}

func TestRelativeHome(t *testing.T) {
	tr := newTree(t)
	tr.python("home/envs/base", "3.11.2")
	tr.write("home/envs/rel/pyvenv.cfg", "home = ../base/bin\nversion = 3.11.2\n")
	tr.link("../../base/bin/python3.11", "home/envs/rel/bin/python")
	envs := tr.scan(tr.host(nil))
	e := mustEnv(t, envs, "home/envs/rel")
	if !e.Venv.HomeRelative || e.Broken {
		t.Errorf("relative home: %+v broken=%v %s", e.Venv, e.Broken, e.Error)
	}
}

func TestFreeThreadedInterpreter(t *testing.T) {
	tr := newTree(t)
	tr.write("home/envs/ft/bin/python3.13t", "")
	tr.write("home/envs/ft/pyvenv.cfg", "home = /nowhere\nversion = 3.13.1\n")
	tr.mkdir("home/envs/ft/lib/python3.13t/site-packages")
	tr.dist(tr.p("home/envs/ft"), "3.13t", "jupyter_core", "5.7.2")
	envs := tr.scan(tr.host(nil))
	e := mustEnv(t, envs, "home/envs/ft")
	if !strings.HasSuffix(e.Python, "bin/python3.13t") {
		t.Errorf("interpreter %q", e.Python)
	}
	if e.Packages["jupyter_core"] != "5.7.2" {
		t.Errorf("packages %v (site %v)", e.Packages, e.SitePackages)
	}
}

func TestCondaInstallsEnvsAndNames(t *testing.T) {
	tr := newTree(t)
	tr.conda("home/miniforge3", "3.12.4", "conda-24.1.0-py312_0")
	tr.mkdir("home/miniforge3/condabin")
	tr.write("home/miniforge3/bin/conda", "")
	// python-dateutil installed after python: names must not be confused.
	tr.conda("home/miniforge3/envs/ds", "3.11.9", "python-dateutil-2.9.0-pyhd8ed1ab_0", "jupyter_core-5.7.2-py311_0", "notebook-6.5.7-pyha770c72_0", "python_abi-3.11-4_cp311")
	tr.write("home/miniforge3/envs/ds/conda-meta/history", "==> 2024 <==\n+conda-forge/linux-64::python-3.11.9-h\n+conda-forge/noarch::python-dateutil-2.9.0-pyhd8ed1ab_0\n")
	tr.conda("home/miniforge3/envs/nopy", "")
	tr.conda("home/miniforge3/envs/ft", "3.13.1")
	tr.write("home/miniforge3/envs/ft/conda-meta/python-3.13.1-h_cp313t.json", "{}")
	_ = os.Remove(tr.p("home/miniforge3/envs/ft/conda-meta/python-3.13.1-hab00c5b_0_cpython.json"))
	envs := tr.scan(tr.host(nil))

	base := mustEnv(t, envs, "home/miniforge3")
	expectKind(t, base, KindConda, "base")
	if base.Name != "base" || base.Manager == nil || base.Manager.Name != "conda" {
		t.Errorf("base: name %q manager %+v", base.Name, base.Manager)
	}
	ds := mustEnv(t, envs, "home/miniforge3/envs/ds")
	if ds.Name != "ds" || ds.PythonVersion != "3.11.9" || ds.Packages["jupyter_core"] != "5.7.2" || ds.Packages["notebook"] != "6.5.7" {
		t.Errorf("ds: %q %q %v", ds.Name, ds.PythonVersion, ds.Packages)
	}
	if ds.Manager == nil || ds.Manager.Path != tr.p("home/miniforge3") {
		t.Errorf("ds manager %+v", ds.Manager)
	}
	nopy := mustEnv(t, envs, "home/miniforge3/envs/nopy")
	if !nopy.Broken || !strings.Contains(nopy.Error, "no Python") {
		t.Errorf("conda env without python must be listed broken: %+v", nopy)
	}
	ft := mustEnv(t, envs, "home/miniforge3/envs/ft")
	expectKind(t, ft, KindConda, "free-threaded")
}

func TestCondaBaseFoundFromRegisteredChild(t *testing.T) {
	tr := newTree(t)
	tr.conda("data/mc3", "3.12.1")
	tr.mkdir("data/mc3/condabin")
	tr.conda("data/mc3/envs/child", "3.11.0")
	tr.write("home/.conda/environments.txt", tr.p("data/mc3/envs/child")+"\n\n"+tr.p("data/mc3/envs/child")+"\n/does/not/exist\n")
	envs := tr.scan(tr.host(nil))
	mustEnv(t, envs, "data/mc3/envs/child")
	base := mustEnv(t, envs, "data/mc3")
	if base.Name != "base" {
		t.Errorf("base name %q", base.Name)
	}
}

func TestCondarcEnvsDirsAndEnvVars(t *testing.T) {
	tr := newTree(t)
	tr.conda("store/a/one", "3.10.4")
	tr.conda("store/b/two", "3.10.4")
	tr.conda("store/c/three", "3.10.4")
	tr.conda("store/d/four", "3.10.4")
	tr.conda("store/e/five", "3.10.4")
	tr.write("xdg/conda/.condarc", "envs_dirs:\n  - "+tr.p("store/a")+"\n")
	tr.write("etc/conda/condarc.d/site.yml", "envs_path: ["+tr.p("store/b")+"]\n")
	tr.write("home/.condarc", "envs_dirs:\n  - ~/../store/c\n")
	tr.write("home/.mambarc", "envs_dirs: [$STORE/d]\n")
	tr.write("etc/conda/.condarc", ": not yaml : [\n")
	h := tr.host(map[string]string{"XDG_CONFIG_HOME": tr.p("xdg"), "STORE": tr.p("store"), "CONDA_ENVS_PATH": tr.p("store/e")})
	res := Scan(h)
	found := map[string]*Env{}
	for _, e := range res.Envs {
		found[filepath.Base(e.Prefix)] = e
	}
	for _, n := range []string{"one", "two", "three", "four", "five"} {
		if e := found[n]; e == nil || e.Name != n {
			t.Errorf("env %s not found or misnamed: %+v", n, e)
		}
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "etc/conda/.condarc") {
		t.Errorf("broken condarc should be one warning naming the file: %v", res.Warnings)
	}
}

func TestMicromambaRoots(t *testing.T) {
	tr := newTree(t)
	tr.conda("home/.local/share/mamba/envs/mm2", "3.12.0")
	tr.mkdir("home/.local/share/mamba/conda-meta")
	tr.conda("mroot/envs/viaVar", "3.12.0")
	tr.mkdir("mroot/conda-meta")
	envs := tr.scan(tr.host(map[string]string{"MAMBA_ROOT_PREFIX": tr.p("mroot")}))
	mustEnv(t, envs, "home/.local/share/mamba/envs/mm2")
	e := mustEnv(t, envs, "mroot/envs/viaVar")
	if e.Manager == nil || e.Manager.Name != "micromamba" && e.Manager.Name != "conda" {
		t.Errorf("manager %+v", e.Manager)
	}
}

func TestSymlinkedEnvsDir(t *testing.T) {
	tr := newTree(t)
	base := tr.python("opt/py", "3.11.7")
	tr.venv("data/real/x", base, "3.11.7", "")
	tr.link(tr.p("data/real"), "home/envs")
	tr.link(tr.p("data/real/x"), "home/.venvs/x-link")
	envs := tr.scan(tr.host(nil))
	// One env reached through two links is listed once, under the first path found.
	e := mustEnv(t, envs, "home/.venvs/x-link")
	if _, dup := envs["home/envs/x"]; dup {
		t.Error("one env reached through two links must be listed once")
	}
	if len(e.FoundBy) != 1 || e.Kind != KindVenv {
		t.Errorf("found_by %v kind %s", e.FoundBy, e.Kind)
	}
}

func TestPixiProjectAndGlobal(t *testing.T) {
	tr := newTree(t)
	tr.conda("ws/proj/.pixi/envs/default", "3.12.2")
	tr.write("ws/proj/.pixi/envs/default/conda-meta/pixi", "")
	tr.conda("home/.pixi/envs/jupyter", "3.12.2")
	tr.write("home/.pixi/envs/jupyter/conda-meta/pixi", "")
	h := tr.host(nil)
	h.Workspaces = []string{tr.p("ws")}
	envs := tr.scan(h)
	e := mustEnv(t, envs, "ws/proj/.pixi/envs/default")
	expectKind(t, e, KindConda, "pixi")
	if e.Name != "proj:default" || e.Project != tr.p("ws/proj") || e.Manager.Name != "pixi" {
		t.Errorf("pixi: %q %q %+v", e.Name, e.Project, e.Manager)
	}
	expectKind(t, mustEnv(t, envs, "home/.pixi/envs/jupyter"), KindConda, "pixi")
}

func TestPyenvVersionsShimsAndVirtualenvs(t *testing.T) {
	tr := newTree(t)
	tr.python("home/.pyenv/versions/3.11.7", "3.11.7")
	tr.python("home/.pyenv/versions/3.13-dev", "3.13.0a1")
	_ = os.Remove(tr.p("home/.pyenv/versions/3.13-dev/include/python3.13/patchlevel.h"))
	tr.venv("home/.pyenv/versions/3.11.7/envs/tools", tr.p("home/.pyenv/versions/3.11.7"), "3.11.7", "")
	tr.link(tr.p("home/.pyenv/versions/3.11.7/envs/tools"), "home/.pyenv/versions/tools")
	tr.write("home/.pyenv/shims/python", "#!/bin/sh\nexec pyenv exec python\n")
	tr.conda("home/.pyenv/versions/miniforge3-24.3", "3.12.3")
	tr.mkdir("home/.pyenv/versions/miniforge3-24.3/condabin")
	h := tr.host(map[string]string{"PATH": tr.p("home/.pyenv/shims")})
	envs := tr.scan(h)
	expectKind(t, mustEnv(t, envs, "home/.pyenv/versions/3.11.7"), KindPyenv)
	dev := mustEnv(t, envs, "home/.pyenv/versions/3.13-dev")
	if dev.PythonVersion != "3.13-dev" && dev.PythonVersion != "3.13" {
		t.Errorf("dev version %q (%s)", dev.PythonVersion, dev.VersionSource)
	}
	tools := mustEnv(t, envs, "home/.pyenv/versions/tools")
	expectKind(t, tools, KindVenv, "pyenv-virtualenv")
	expectKind(t, mustEnv(t, envs, "home/.pyenv/versions/miniforge3-24.3"), KindConda, "base")
	for p, e := range envs {
		if strings.Contains(p, "shims") || strings.Contains(e.Python, "shims") {
			t.Errorf("shim taken as an env: %s", p)
		}
	}
}

func TestManagersByPlace(t *testing.T) {
	tr := newTree(t)
	base := tr.python("opt/py", "3.12.1")
	tr.venv("home/.cache/pypoetry/virtualenvs/app-AbCd1234-py3.12", base, "3.12.1", "virtualenv = 20.0\n")
	tr.venv("home/.local/share/virtualenvs/web-Xy12_-zQ", base, "3.12.1", "")
	tr.write("projects/web/Pipfile", "")
	tr.write("home/.local/share/virtualenvs/web-Xy12_-zQ/.project", tr.p("projects/web"))
	tr.venv("home/.local/share/hatch/env/virtual/proj/k3yZ/default", base, "3.12.1", "")
	tr.venv("home/.local/share/pipx/venvs/jupyterlab", base, "3.12.1", "")
	tr.venv("home/.local/share/uv/tools/ruff", base, "3.12.1", "uv = 0.5\n")
	tr.write("home/.local/share/uv/tools/ruff/uv-receipt.toml", "")
	tr.python("home/.local/share/uv/python/cpython-3.12.7-linux-x86_64-gnu", "3.12.7")
	tr.link(tr.p("home/.local/share/uv/python/cpython-3.12.7-linux-x86_64-gnu"), "home/.local/share/uv/python/cpython-3.12-linux-x86_64-gnu")
	tr.venv("ws/poet/.venv", base, "3.12.1", "")
	tr.write("ws/poet/pyproject.toml", "[tool.poetry]\nname='x'\n")
	tr.venv("ws/deep/a/b/.venv", base, "3.12.1", "")
	tr.venv("ws/node_modules/x/.venv", base, "3.12.1", "")
	h := tr.host(nil)
	h.Workspaces = []string{tr.p("ws")}
	envs := tr.scan(h)
	check := func(rel, tag, manager string) {
		t.Helper()
		e := mustEnv(t, envs, rel)
		expectKind(t, e, KindVenv, tag)
		if e.Manager == nil || e.Manager.Name != manager {
			t.Errorf("%s: manager %+v, want %s", rel, e.Manager, manager)
		}
	}
	check("home/.cache/pypoetry/virtualenvs/app-AbCd1234-py3.12", "poetry", "poetry")
	check("home/.local/share/virtualenvs/web-Xy12_-zQ", "pipenv", "pipenv")
	check("home/.local/share/hatch/env/virtual/proj/k3yZ/default", "hatch", "hatch")
	check("home/.local/share/pipx/venvs/jupyterlab", "pipx", "pipx")
	check("home/.local/share/uv/tools/ruff", "uv-tool", "uv")
	check("ws/poet/.venv", "poetry", "poetry")
	if p := mustEnv(t, envs, "home/.local/share/virtualenvs/web-Xy12_-zQ").Project; p != tr.p("projects/web") {
		t.Errorf("pipenv project %q", p)
	}
	uvpy := mustEnv(t, envs, "home/.local/share/uv/python/cpython-3.12.7-linux-x86_64-gnu")
	expectKind(t, uvpy, KindUvPython)
	if _, dup := envs["home/.local/share/uv/python/cpython-3.12-linux-x86_64-gnu"]; dup {
		t.Error("uv minor-version link dirs are not envs of their own")
	}
	mustEnv(t, envs, "ws/deep/a/b/.venv")
	if _, ok := envs["ws/node_modules/x/.venv"]; ok {
		t.Error("node_modules is not searched")
	}
}

func TestSystemPathAndActive(t *testing.T) {
	tr := newTree(t)
	sys := tr.python("usr", "3.11.2")
	tr.write("usr/lib/python3/dist-packages/notebook-6.4.12.egg-info", "Metadata-Version: 1.2\nName: notebook\nVersion: 6.4.12\n")
	tr.dist(sys, "3.11", "jupyter_core", "4.12.0")
	other := tr.python("opt/python3.12", "3.12.0")
	v := tr.venv("home/proj/.venv", other, "3.12.0", "")
	tr.write("home/proj/.venv/bin/activate", "")
	h := tr.host(map[string]string{"PATH": tr.p("opt/python3.12/bin") + ":" + tr.p("usr/bin"), "VIRTUAL_ENV": v})
	envs := tr.scan(h)
	s := mustEnv(t, envs, "usr")
	expectKind(t, s, KindSystem)
	if s.PythonVersion != "3.11.2" || s.Packages["notebook"] != "6.4.12" || s.Packages["jupyter_core"] != "4.12.0" {
		t.Errorf("system: %q %v", s.PythonVersion, s.Packages)
	}
	expectKind(t, mustEnv(t, envs, "opt/python3.12"), KindGlobal)
	act := mustEnv(t, envs, "home/proj/.venv")
	if !act.Active || act.FoundBy[0] != SrcActive {
		t.Errorf("active venv: active=%v found_by=%v", act.Active, act.FoundBy)
	}
}

func TestCurrentDirProjectEnv(t *testing.T) {
	tr := newTree(t)
	base := tr.python("opt/py", "3.11.7")
	tr.venv("proj/.venv", base, "3.11.7", "")
	tr.write("proj/env/not-an-env.txt", "")
	h := tr.host(nil)
	h.Cwd = tr.p("proj")
	envs := tr.scan(h)
	if e := mustEnv(t, envs, "proj/.venv"); e.FoundBy[0] != SrcCwd {
		t.Errorf("found_by %v", e.FoundBy)
	}
	if _, ok := envs["proj/env"]; ok {
		t.Error("a dir named env that is not an env must not be listed")
	}
}

func TestLegacyVirtualenv(t *testing.T) {
	tr := newTree(t)
	tr.write("home/.virtualenvs/old/bin/activate", "")
	tr.write("home/.virtualenvs/old/bin/python", "")
	tr.mkdir("home/.virtualenvs/old/lib/python2.7/site-packages")
	envs := tr.scan(tr.host(nil))
	e := mustEnv(t, envs, "home/.virtualenvs/old")
	expectKind(t, e, KindVirtualenv, "virtualenvwrapper")
	if e.PythonVersion != "2.7" {
		t.Errorf("version %q", e.PythonVersion)
	}
}

func TestFindResolvesEnvRefs(t *testing.T) {
	tr := newTree(t)
	base := tr.python("opt/py", "3.11.7")
	tr.venv("home/.virtualenvs/analysis", base, "3.11.7", "")
	tr.venv("home/.virtualenvs/analytics", base, "3.11.7", "")
	tr.venv("home/envs/twin", base, "3.11.7", "")
	tr.venv("home/.venvs/twin", base, "3.11.7", "")
	h := tr.host(map[string]string{"PATH": tr.p("opt/py/bin")})
	scan := func() Result { return Scan(h) }
	if e, err := Find(h, "analysis", scan); err != nil || e.Name != "analysis" {
		t.Fatalf("by name: %v %v", e, err)
	}
	if e, err := Find(h, tr.p("home/envs/twin"), scan); err != nil || e.Prefix != tr.p("home/envs/twin") {
		t.Fatalf("by path: %v %v", e, err)
	}
	_, err := Find(h, "analysys", scan)
	nf, ok := err.(*NotFoundError)
	if !ok || len(nf.Closest) == 0 || nf.Closest[0] != "analysis" {
		t.Fatalf("unknown name: %v", err)
	}
	if _, err := Find(h, "twin", scan); err == nil || !strings.Contains(err.Error(), "2 environments") {
		t.Fatalf("ambiguous name: %v", err)
	}
	if e, err := Find(h, "", scan); err != nil || e.Prefix != tr.p("opt/py") {
		t.Fatalf("default = first python on PATH: %v %v", e, err)
	}
	h.Env["VIRTUAL_ENV"] = tr.p("home/.venvs/twin")
	if e, err := Find(h, "", scan); err != nil || !e.Active {
		t.Fatalf("default = active env: %v %v", e, err)
	}
	if _, err := Find(h, tr.p("opt"), scan); err == nil || !strings.Contains(err.Error(), "not a Python environment") {
		t.Fatalf("non-env path: %v", err)
	}
}

func TestNameHelpers(t *testing.T) {
	for n, want := range map[string]bool{"python": true, "python3": true, "python3.13t": true, "python3.12": true, "python3.": false, "python2.7": false, "python3-config": false, "python3.12-config": false} {
		if isPythonExeName(n) != want {
			t.Errorf("isPythonExeName(%q) != %v", n, want)
		}
	}
	for n, want := range map[string]string{"python3.13t": "3.13", "pypy3.10": "3.10", "python3": "", "pythonx.y": "", "python3.12": "3.12"} {
		if mm, _, _ := parseLibPythonDir(n); mm != want {
			t.Errorf("parseLibPythonDir(%q) = %q, want %q", n, mm, want)
		}
	}
}
