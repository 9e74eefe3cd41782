package integration

import (
	"bytes"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// scenario is one process environment under which jdash and Jupyter must agree.
type scenario struct {
	name string
	// env builds the variables on top of the base (HOME, PATH, TMPDIR) for one prefix.
	env func(s *sandbox, prefix string) map[string]string
	// prefix optionally replaces the prefix both tools are given (e.g. a symlink to it).
	prefix func(s *sandbox, prefix string) string
}

type sandbox struct {
	root, home, tmp string
}

func scenarios() []scenario {
	none := func(*sandbox, string) map[string]string { return nil }
	vars := func(kv ...string) func(*sandbox, string) map[string]string {
		return func(s *sandbox, prefix string) map[string]string {
			m := map[string]string{}
			for i := 0; i < len(kv); i += 2 {
				r := strings.NewReplacer("$ROOT", s.root, "$PREFIX", prefix, "$HOME", s.home)
				m[kv[i]] = r.Replace(kv[i+1])
			}
			return m
		}
	}
	return []scenario{
		{name: "plain", env: none},
		{name: "prefer-env-0", env: vars("JUPYTER_PREFER_ENV_PATH", "0")},
		{name: "prefer-env-empty", env: vars("JUPYTER_PREFER_ENV_PATH", "")},
		{name: "prefer-env-1", env: vars("JUPYTER_PREFER_ENV_PATH", "1")},
		{name: "prefer-env-off-upper", env: vars("JUPYTER_PREFER_ENV_PATH", "OFF")},
		{name: "dirs", env: vars("JUPYTER_CONFIG_DIR", "$ROOT/cfg/", "JUPYTER_DATA_DIR", "$ROOT/data", "JUPYTER_RUNTIME_DIR", "$ROOT/rt")},
		{name: "relative-data-dir", env: vars("JUPYTER_DATA_DIR", "rel/data")},
		{name: "path-vars", env: vars("JUPYTER_PATH", "$ROOT/p1/::$ROOT/p2//", "JUPYTER_CONFIG_PATH", "$ROOT/c1/:$ROOT/c2")},
		{name: "no-config-0", env: vars("JUPYTER_NO_CONFIG", "0", "JUPYTER_CONFIG_DIR", "$ROOT/cfg", "JUPYTER_CONFIG_PATH", "$ROOT/c1")},
		{name: "no-user-site", env: vars("PYTHONNOUSERSITE", "1")},
		{name: "user-base", env: vars("PYTHONUSERBASE", "$ROOT/ub")},
		{name: "xdg-data-home", env: vars("XDG_DATA_HOME", "$ROOT/xdg/")},
		{name: "platform-dirs", env: vars("JUPYTER_PLATFORM_DIRS", "1")},
		{name: "platform-dirs-xdg", env: vars("JUPYTER_PLATFORM_DIRS", "true", "XDG_DATA_DIRS", "$ROOT/d1:relative:$ROOT/d2",
			"XDG_CONFIG_DIRS", "$ROOT/e1:$ROOT/e2", "XDG_CONFIG_HOME", "$ROOT/xc", "XDG_DATA_HOME", "$ROOT/xd")},
		{name: "platform-dirs-0", env: vars("JUPYTER_PLATFORM_DIRS", "0")},
		{name: "conda-active", env: vars("CONDA_PREFIX", "$PREFIX", "CONDA_DEFAULT_ENV", "myenv")},
		{name: "conda-prefix-only", env: vars("CONDA_PREFIX", "$PREFIX")},
		{name: "conda-base", env: vars("CONDA_PREFIX", "$PREFIX", "CONDA_DEFAULT_ENV", "base")},
		{name: "conda-prefix-of-prefix", env: vars("CONDA_PREFIX", "$ROOT", "CONDA_DEFAULT_ENV", "x")},
		{name: "overlapping-system", env: vars("JUPYTER_CONFIG_PATH", "/etc/jupyter", "JUPYTER_PATH", "/usr/share/jupyter")},
		{name: "dirs-equal-env", env: vars("JUPYTER_CONFIG_DIR", "$PREFIX/etc/jupyter", "JUPYTER_DATA_DIR", "$PREFIX/share/jupyter")},
		{name: "symlinked-home", env: func(s *sandbox, _ string) map[string]string {
			link := filepath.Join(s.root, "linkhome")
			_ = os.Symlink(s.home, link)
			return map[string]string{"HOME": link}
		}},
		{name: "non-ascii-home", env: func(s *sandbox, _ string) map[string]string {
			h := filepath.Join(s.root, "hôme ü")
			_ = os.MkdirAll(h, 0o755)
			return map[string]string{"HOME": h}
		}},
		{name: "symlinked-prefix", env: none, prefix: func(s *sandbox, prefix string) string {
			link := filepath.Join(s.root, "envlink")
			_ = os.Symlink(prefix, link)
			return link
		}},
		{name: "not-owner", env: none, prefix: notMine},
		{name: "not-owner-prefer-1", env: vars("JUPYTER_PREFER_ENV_PATH", "1"), prefix: notMine},
		{name: "not-owner-conda-active", env: vars("CONDA_PREFIX", "$PREFIX", "CONDA_DEFAULT_ENV", "myenv"), prefix: notMine},
	}
}

func TestPathsParity(t *testing.T) {
	integration(t)
	count := 0
	for _, name := range TestEnvNames {
		prefix := requireEnv(t, name)
		for _, sc := range scenarios() {
			sc := sc
			t.Run(name+"/"+sc.name, func(t *testing.T) { compareScenario(t, prefix, sc) })
			count++
		}
	}
	t.Logf("%d env x scenario comparisons", count)
}

// compareScenario runs the env's own jupyter and jdash under one scenario: the same bytes,
// and no warning from jdash (a missing jupyter_core would make it fall back to the newest rules).
func compareScenario(t *testing.T, prefix string, sc scenario) {
	s := newSandbox(t)
	p := prefix
	if sc.prefix != nil {
		p = sc.prefix(s, prefix)
	}
	env := map[string]string{"HOME": s.home, "PATH": "/usr/bin:/bin", "TMPDIR": s.tmp, "LC_ALL": "C.UTF-8"}
	for k, v := range sc.env(s, p) {
		env[k] = v
	}
	want := run(t, env, s.root, filepath.Join(p, "bin", "python"), "-m", "jupyter", "--paths", "--json")
	c := exec.Command(jdashBin, "paths", "--env", p, "--json")
	c.Dir = s.root
	for k, v := range env {
		c.Env = append(c.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	c.Stderr = &stderr
	got, err := c.Output()
	if err != nil || strings.Contains(stderr.String(), "not installed") {
		t.Fatalf("jdash paths: %v\n%s", err, stderr.String())
	}
	if !bytes.Equal(got, want) && !(sc.name == "no-config-0" && noConfigMatch(got, want, s.tmp)) {
		t.Fatalf("jdash paths --json differs from jupyter --paths --json\n env:   %v\n jdash: %s\n jupyter: %s", env, got, want)
	}
}

// JUPYTER_NO_CONFIG makes Jupyter create a random temp dir; jdash prints the pattern.
func noConfigMatch(got, want []byte, tmp string) bool {
	re := regexp.MustCompile(regexp.QuoteMeta(tmp) + `/jupyter-clean-cfg-[A-Za-z0-9_]{8}`)
	return bytes.Equal(re.ReplaceAll(got, []byte("X")), re.ReplaceAll(want, []byte("X")))
}

func newSandbox(t *testing.T) *sandbox {
	root := t.TempDir()
	_ = os.Chmod(root, 0o755)
	s := &sandbox{root: root, home: filepath.Join(root, "home"), tmp: filepath.Join(root, "tmp")}
	for _, d := range []string{s.home, s.tmp} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			t.Fatal(err)
		}
		_ = os.Chmod(d, 0o777)
	}
	return s
}

func run(t *testing.T, env map[string]string, dir string, argv ...string) []byte {
	t.Helper()
	c := exec.Command(argv[0], argv[1:]...)
	c.Dir = dir
	for k, v := range env {
		c.Env = append(c.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, stderr.String())
	}
	return out
}

// notMine is the env seen through a dir owned by another user: every top-level entry is a
// symlink into the real env, so Python's sys.prefix is this dir, and its owner is not us.
// Jupyter 5.1.1+ then stops preferring the env dirs.
func notMine(s *sandbox, prefix string) string {
	dir := filepath.Join(s.root, "notmine")
	_ = os.MkdirAll(dir, 0o755)
	ents, _ := os.ReadDir(prefix)
	for _, e := range ents {
		_ = os.Symlink(filepath.Join(prefix, e.Name()), filepath.Join(dir, e.Name()))
	}
	uid := os.Geteuid() + 1
	if u, err := user.Lookup("nobody"); err == nil {
		uid, _ = strconv.Atoi(u.Uid)
	}
	if err := os.Lchown(dir, uid, -1); err != nil {
		panic("not-owner scenario needs to chown (run as root): " + err.Error())
	}
	return dir
}

// A venv made with --system-site-packages over Debian's own Python sees the jupyter_core apt
// installed in /usr/lib/python3/dist-packages: jdash must read it there (the package index
// knows distribution layouts) and print what the venv's own jupyter prints, under every
// scenario. scripts/debian-jupyter.sh installs python3-jupyter-core; elsewhere this skips.
func TestPathsParityDistributionPython(t *testing.T) {
	integration(t)
	const debPython = "/usr/bin/python3"
	if err := exec.Command(debPython, "-I", "-c", "import jupyter_core, sys; sys.exit(not jupyter_core.__file__.startswith('/usr/lib/python3/dist-packages/'))").Run(); err != nil {
		t.Skip("no Debian python3-jupyter-core (scripts/debian-jupyter.sh installs it on Debian and Ubuntu)")
	}
	venv := filepath.Join(t.TempDir(), "debvenv")
	if out, err := exec.Command(debPython, "-m", "venv", "--system-site-packages", "--without-pip", venv).CombinedOutput(); err != nil {
		t.Fatalf("venv: %v\n%s", err, out)
	}
	_ = os.Chmod(filepath.Dir(venv), 0o755)
	count := 0
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) { compareScenario(t, venv, sc) })
		count++
	}
	t.Logf("%d scenarios on a system-site venv over Debian's Python with apt's jupyter_core", count)
}
