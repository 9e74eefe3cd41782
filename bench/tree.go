package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// counts of generated envs by kind.
type counts map[string]int

func (c counts) total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

func (c counts) String() string {
	var parts []string
	for _, k := range []string{"venv", "uv", "virtualenv", "poetry", "pipx", "conda", "pixi", "pyenv", "workspace .venv"} {
		if c[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[k], k))
		}
	}
	return strings.Join(parts, ", ")
}

// packages every generated env carries in site-packages (a realistic Jupyter env has ~80).
var packages = func() []string {
	ps := []string{"jupyter_core-5.9.1", "jupyter_client-8.6.3", "notebook-7.2.2", "tornado-6.4.1", "traitlets-5.14.3", "ipykernel-6.29.5", "setuptools-75.1.0"}
	for i := 0; i < 73; i++ {
		ps = append(ps, fmt.Sprintf("dep%02d-1.%d.0", i, i))
	}
	return ps
}()

// generate writes a home with n envs of mixed kinds, in the proportions a heavy user has.
func generate(home string, n int) counts {
	c := counts{}
	base := filepath.Join(home, ".pyenv", "versions", "3.12.7")
	mkPython(base, "3.12.7")
	c["pyenv"]++
	kinds := []func(i int){
		func(i int) {
			mkVenv(filepath.Join(home, ".virtualenvs", fmt.Sprintf("venv%04d", i)), base, "version = 3.12.7\n")
			c["venv"]++
		},
		func(i int) {
			mkVenv(filepath.Join(home, ".venvs", fmt.Sprintf("uv%04d", i)), base, "uv = 0.5.1\nversion_info = 3.12\n")
			c["uv"]++
		},
		func(i int) {
			mkVenv(filepath.Join(home, "envs", fmt.Sprintf("ve%04d", i)), base, "virtualenv = 20.26.0\nversion_info = 3.12.7.final.0\n")
			c["virtualenv"]++
		},
		func(i int) {
			mkVenv(filepath.Join(home, ".cache", "pypoetry", "virtualenvs", fmt.Sprintf("app%04d-AbCd1234-py3.12", i)), base, "version = 3.12.7\n")
			c["poetry"]++
		},
		func(i int) {
			mkVenv(filepath.Join(home, ".local", "share", "pipx", "venvs", fmt.Sprintf("tool%04d", i)), base, "version = 3.12.7\n")
			c["pipx"]++
		},
		func(i int) {
			mkConda(filepath.Join(home, "miniforge3", "envs", fmt.Sprintf("c%04d", i)), false)
			c["conda"]++
		},
		func(i int) {
			mkConda(filepath.Join(home, "work", fmt.Sprintf("px%04d", i), ".pixi", "envs", "default"), true)
			c["pixi"]++
		},
		func(i int) {
			mkVenv(filepath.Join(home, "work", "team", fmt.Sprintf("p%04d", i), ".venv"), base, "version = 3.12.7\n")
			c["workspace .venv"]++
		},
	}
	mkConda(filepath.Join(home, "miniforge3"), false)
	must(os.MkdirAll(filepath.Join(home, "miniforge3", "condabin"), 0o755))
	c["conda"]++
	for i := 0; c.total() < n; i++ {
		kinds[i%len(kinds)](i)
	}
	return c
}

func mkPython(prefix, version string) {
	mm := version[:strings.LastIndex(version, ".")]
	write(filepath.Join(prefix, "bin", "python"+mm), "")
	must(os.Symlink("python"+mm, filepath.Join(prefix, "bin", "python3")))
	write(filepath.Join(prefix, "lib", "python"+mm, "os.py"), "")
	write(filepath.Join(prefix, "include", "python"+mm, "patchlevel.h"), `#define PY_VERSION "`+version+`"`+"\n")
	sitePackages(filepath.Join(prefix, "lib", "python"+mm, "site-packages"))
}

func mkVenv(prefix, base, cfg string) {
	write(filepath.Join(prefix, "pyvenv.cfg"), "home = "+base+"/bin\ninclude-system-site-packages = false\n"+cfg)
	must(os.MkdirAll(filepath.Join(prefix, "bin"), 0o755))
	must(os.Symlink(filepath.Join(base, "bin", "python3.12"), filepath.Join(prefix, "bin", "python")))
	must(os.Symlink("python", filepath.Join(prefix, "bin", "python3")))
	write(filepath.Join(prefix, "bin", "activate"), "")
	sitePackages(filepath.Join(prefix, "lib", "python3.12", "site-packages"))
}

func mkConda(prefix string, pixi bool) {
	meta := filepath.Join(prefix, "conda-meta")
	write(filepath.Join(meta, "history"), "==> 2024-05-08 12:20:05 <==\n# cmd: conda create\n+conda-forge/linux-64::python-3.12.7-h_cpython\n")
	write(filepath.Join(meta, "python-3.12.7-hc5c86c4_0_cpython.json"), `{"name":"python","files":[]}`)
	for _, p := range packages[:20] {
		write(filepath.Join(meta, p+"-py_0.json"), "{}")
	}
	if pixi {
		write(filepath.Join(meta, "pixi"), "")
	}
	write(filepath.Join(prefix, "bin", "python3.12"), "")
	must(os.Symlink("python3.12", filepath.Join(prefix, "bin", "python")))
	sitePackages(filepath.Join(prefix, "lib", "python3.12", "site-packages"))
}

func sitePackages(dir string) {
	for _, p := range packages {
		write(filepath.Join(dir, p+".dist-info", "METADATA"), "Name: x\n")
	}
}

func write(path, content string) {
	must(os.MkdirAll(filepath.Dir(path), 0o755))
	must(os.WriteFile(path, []byte(content), 0o644))
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
