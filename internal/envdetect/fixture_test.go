package envdetect

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// tree builds fixture machines under a temp dir: a home, fake system dirs, fake interpreters.
type tree struct {
	t    *testing.T
	root string
}

func newTree(t *testing.T) *tree {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("fixture trees use POSIX layouts")
	}
	return &tree{t: t, root: t.TempDir()}
}

func (tr *tree) p(rel string) string { return filepath.Join(tr.root, rel) }

func (tr *tree) write(rel, content string) string {
	tr.t.Helper()
	p := tr.p(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	return p
}

func (tr *tree) mkdir(rel string) string {
	tr.t.Helper()
	if err := os.MkdirAll(tr.p(rel), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	return tr.p(rel)
}

func (tr *tree) link(target, rel string) {
	tr.t.Helper()
	_ = os.MkdirAll(filepath.Dir(tr.p(rel)), 0o755)
	if err := os.Symlink(target, tr.p(rel)); err != nil {
		tr.t.Fatal(err)
	}
}

// python makes a base install: bin/pythonX.Y (+python3 link), stdlib dir, patchlevel.h.
func (tr *tree) python(rel, version string) string {
	mm := majorMinor(version)
	tr.write(rel+"/bin/python"+mm, "#!/bin/sh\n")
	tr.link("python"+mm, rel+"/bin/python3")
	tr.write(rel+"/lib/python"+mm+"/os.py", "")
	tr.mkdir(rel + "/lib/python" + mm + "/site-packages")
	tr.write(rel+"/include/python"+mm+"/patchlevel.h", "#define PY_MAJOR_VERSION 3\n#define PY_VERSION      \""+version+"\"\n")
	return tr.p(rel)
}

// venv makes a pyvenv.cfg env whose bin/python links to base's interpreter.
func (tr *tree) venv(rel, base, version, extraCfg string) string {
	mm := majorMinor(version)
	cfg := "home = " + base + "/bin\ninclude-system-site-packages = false\nversion = " + version + "\n" + extraCfg
	tr.write(rel+"/pyvenv.cfg", cfg)
	tr.link(base+"/bin/python"+mm, rel+"/bin/python")
	tr.link("python", rel+"/bin/python3")
	tr.mkdir(rel + "/lib/python" + mm + "/site-packages")
	return tr.p(rel)
}

// dist adds a dist-info record to the env's site-packages.
func (tr *tree) dist(prefix, mm, name, version string) {
	tr.write(strings.TrimPrefix(prefix, tr.root+"/")+"/lib/python"+mm+"/site-packages/"+name+"-"+version+".dist-info/METADATA",
		"Metadata-Version: 2.1\nName: "+name+"\nVersion: "+version+"\n\nbody\n")
}

// conda makes a conda env with history and package records.
func (tr *tree) conda(rel, pyVersion string, pkgs ...string) string {
	tr.write(rel+"/conda-meta/history", "==> 2024-05-08 12:20:05 <==\n# cmd: /x/bin/conda create -n y\n+conda-forge/linux-64::python-"+pyVersion+"-h_cpython\n")
	if pyVersion != "" {
		tr.write(rel+"/conda-meta/python-"+pyVersion+"-hab00c5b_0_cpython.json", `{"name":"python"}`)
		mm := majorMinor(pyVersion)
		tr.write(rel+"/bin/python"+mm, "")
		tr.link("python"+mm, rel+"/bin/python")
		tr.mkdir(rel + "/lib/python" + mm + "/site-packages")
	}
	for _, p := range pkgs {
		tr.write(rel+"/conda-meta/"+p+".json", "{}")
	}
	return tr.p(rel)
}

// host is an isolated machine rooted in the tree.
func (tr *tree) host(env map[string]string) Host {
	if env == nil {
		env = map[string]string{}
	}
	home := tr.mkdir("home")
	env["HOME"] = home
	if _, ok := env["PATH"]; !ok {
		env["PATH"] = tr.p("usr/bin")
	}
	return Host{
		OS: "linux", Env: env, Home: home,
		SystemBinDirs:  []string{tr.p("usr/bin")},
		SystemPrefixes: []string{tr.p("usr")},
		SystemRoots:    []string{tr.p("opt")},
		CondarcDirs:    []string{tr.p("etc/conda")},
		MaxDepth:       DefaultWorkspaceDepth,
	}
}

func (tr *tree) scan(h Host) map[string]*Env {
	tr.t.Helper()
	res := Scan(h)
	m := map[string]*Env{}
	for _, e := range res.Envs {
		rel := strings.TrimPrefix(e.Prefix, tr.root+"/")
		if _, dup := m[rel]; dup {
			tr.t.Errorf("env %s listed twice", rel)
		}
		m[rel] = e
	}
	return m
}

func mustEnv(t *testing.T, envs map[string]*Env, rel string) *Env {
	t.Helper()
	e, ok := envs[rel]
	if !ok {
		var got []string
		for k := range envs {
			got = append(got, k)
		}
		t.Fatalf("env %s not found; found %v", rel, got)
	}
	return e
}

func expectKind(t *testing.T, e *Env, kind Kind, tags ...string) {
	t.Helper()
	if e.Kind != kind {
		t.Errorf("%s: kind %s, want %s", e.Prefix, e.Kind, kind)
	}
	for _, tag := range tags {
		if !e.HasTag(tag) {
			t.Errorf("%s: tags %v lack %s", e.Prefix, e.Tags, tag)
		}
	}
}
