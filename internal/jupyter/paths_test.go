package jupyter

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/pyjson"
	"github.com/jdash-dev/jdash/internal/pyver"
)

const (
	H  = "/home/alice"
	VA = "/srv/venvA"
	VS = "/srv/venvS"
)

// The reference table (jupyter-paths.md §4), confirmed there against jupyter_core 5.9.1.
func sysFacts(env map[string]string) Facts {
	return Facts{OS: "linux", Prefix: "/usr", SystemSitePackages: true, Env: env, Home: H, RealHome: H, OwnsPrefix: false, TempDir: "/tmp"}
}

func venvFacts(prefix string, systemSite bool, env map[string]string) Facts {
	return Facts{OS: "linux", Prefix: prefix, IsVenv: true, SystemSitePackages: systemSite, Env: env, Home: H, RealHome: H, OwnsPrefix: true, TempDir: "/tmp"}
}

func TestResolveReferenceTable(t *testing.T) {
	sysConfig := []string{H + "/.jupyter", H + "/.local/etc/jupyter", "/usr/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"}
	sysData := []string{H + "/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"}
	vaConfig := []string{VA + "/etc/jupyter", H + "/.jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"}
	vaData := []string{VA + "/share/jupyter", H + "/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"}
	vaUserFirstConfig := []string{H + "/.jupyter", VA + "/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"}
	vaUserFirstData := []string{H + "/.local/share/jupyter", VA + "/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"}
	preferConfig := []string{"/usr/etc/jupyter", H + "/.jupyter", H + "/.local/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"}
	notOwner := venvFacts(VA, false, nil)
	notOwner.OwnsPrefix = false
	linkHome := sysFacts(map[string]string{})
	linkHome.Home, linkHome.RealHome = "/srv/linkhome", "/srv/realhome"

	cases := []struct {
		name         string
		f            Facts
		config, data []string
		runtime      string
	}{
		{"1 system python", sysFacts(nil), sysConfig, sysData, ""},
		{"2 plain venv", venvFacts(VA, false, nil), vaConfig, vaData, ""},
		{"3 venv prefer=0", venvFacts(VA, false, map[string]string{"JUPYTER_PREFER_ENV_PATH": "0"}), vaUserFirstConfig, vaUserFirstData, ""},
		{"4 venv prefer empty", venvFacts(VA, false, map[string]string{"JUPYTER_PREFER_ENV_PATH": ""}), vaConfig, vaData, ""},
		{"5 venv of another user", notOwner, vaUserFirstConfig, vaUserFirstData, ""},
		{"6 system-site venv", venvFacts(VS, true, nil),
			[]string{VS + "/etc/jupyter", H + "/.jupyter", H + "/.local/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"},
			[]string{VS + "/share/jupyter", H + "/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"}, ""},
		{"7 system prefer=1", sysFacts(map[string]string{"JUPYTER_PREFER_ENV_PATH": "1"}), preferConfig, sysData, ""},
		{"9 conda base-ish", sysFacts(map[string]string{"CONDA_PREFIX": "/usr"}), sysConfig, sysData, ""},
		{"10 dirs", sysFacts(map[string]string{"JUPYTER_CONFIG_DIR": "/cfg", "JUPYTER_DATA_DIR": "/data", "JUPYTER_RUNTIME_DIR": "/rt"}),
			[]string{"/cfg", H + "/.local/etc/jupyter", "/usr/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"},
			[]string{"/data", H + "/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"}, "/rt"},
		{"11 path vars", sysFacts(map[string]string{"JUPYTER_PATH": "/p1/:/p2", "JUPYTER_CONFIG_PATH": "/c1/:/c2"}),
			append([]string{"/c1", "/c2"}, sysConfig...), append([]string{"/p1", "/p2"}, sysData...), ""},
		{"12 no config", sysFacts(map[string]string{"JUPYTER_NO_CONFIG": "0", "JUPYTER_CONFIG_DIR": "/cfg", "JUPYTER_CONFIG_PATH": "/c"}),
			[]string{"/tmp/jupyter-clean-cfg-XXXXXXXX"}, sysData, ""},
		{"13 no user site", sysFacts(map[string]string{"PYTHONNOUSERSITE": "1"}),
			[]string{H + "/.jupyter", "/usr/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"}, sysData, ""},
		{"13b PYTHONNOUSERSITE=0 is unset to CPython", sysFacts(map[string]string{"PYTHONNOUSERSITE": "0"}), sysConfig, sysData, ""},
		{"13c PYTHONNOUSERSITE=no turns it off", sysFacts(map[string]string{"PYTHONNOUSERSITE": "no"}),
			[]string{H + "/.jupyter", "/usr/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"}, sysData, ""},
		{"14 user base", sysFacts(map[string]string{"PYTHONUSERBASE": "/ub"}),
			[]string{H + "/.jupyter", "/ub/etc/jupyter", "/usr/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"},
			[]string{H + "/.local/share/jupyter", "/ub/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"}, ""},
		{"15 xdg data home", sysFacts(map[string]string{"XDG_DATA_HOME": "/xdg"}), sysConfig,
			[]string{"/xdg/jupyter", H + "/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"}, "/xdg/jupyter/runtime"},
		{"16 platformdirs", sysFacts(map[string]string{"JUPYTER_PLATFORM_DIRS": "1"}),
			[]string{H + "/.config/jupyter", H + "/.local/etc/jupyter", "/usr/etc/jupyter", "/etc/xdg/jupyter"}, sysData, ""},
		{"17 platformdirs xdg", sysFacts(map[string]string{"JUPYTER_PLATFORM_DIRS": "1", "XDG_DATA_DIRS": "/d1:/d2", "XDG_CONFIG_DIRS": "/e1:/e2"}),
			[]string{H + "/.config/jupyter", H + "/.local/etc/jupyter", "/usr/etc/jupyter", "/e1/jupyter", "/e2/jupyter"},
			[]string{H + "/.local/share/jupyter", "/usr/share/jupyter", "/d1/jupyter", "/d2/jupyter"}, ""},
		{"18 overlapping vars", sysFacts(map[string]string{"JUPYTER_CONFIG_PATH": "/etc/jupyter", "JUPYTER_PATH": "/usr/share/jupyter"}),
			append([]string{"/etc/jupyter"}, sysConfig...),
			[]string{"/usr/share/jupyter", H + "/.local/share/jupyter", "/usr/local/share/jupyter"}, ""},
		{"19 dirs equal env", venvFacts(VA, false, map[string]string{"JUPYTER_CONFIG_DIR": VA + "/etc/jupyter", "JUPYTER_DATA_DIR": VA + "/share/jupyter"}),
			[]string{VA + "/etc/jupyter", VA + "/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"},
			[]string{VA + "/share/jupyter", VA + "/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"}, VA + "/share/jupyter/runtime"},
		{"20 symlinked home", linkHome,
			[]string{"/srv/realhome/.jupyter", "/srv/linkhome/.local/etc/jupyter", "/usr/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"},
			[]string{"/srv/realhome/.local/share/jupyter", "/srv/linkhome/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"}, "/srv/realhome/.local/share/jupyter/runtime"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Resolve(c.f)
			eq(t, "config", p.ConfigDirs(), c.config)
			eq(t, "data", p.DataDirs(), c.data)
			want := c.runtime
			if want == "" {
				want = H + "/.local/share/jupyter/runtime"
			}
			if p.Runtime.Path != want {
				t.Errorf("runtime = %q, want %q", p.Runtime.Path, want)
			}
		})
	}
}

// Case 8: the conda branch needs a non-base CONDA_DEFAULT_ENV and ownership (5.1.1+).
func TestPreferEnvConda(t *testing.T) {
	f := sysFacts(map[string]string{"CONDA_PREFIX": "/usr", "CONDA_DEFAULT_ENV": "myenv"})
	f.OwnsPrefix = true
	if p := Resolve(f); !p.PreferEnv || p.ConfigDirs()[0] != "/usr/etc/jupyter" {
		t.Fatalf("case 8: prefer=%v config=%v", p.PreferEnv, p.ConfigDirs())
	}
	f.Env["CONDA_DEFAULT_ENV"] = "base"
	if Resolve(f).PreferEnv {
		t.Fatal("conda base must not prefer env dirs")
	}
	// 5.0.0 had no base or ownership refinement.
	f.CoreVersion = core("5.0.0")
	f.OwnsPrefix = false
	if !Resolve(f).PreferEnv {
		t.Fatal("5.0.0: an active conda prefix prefers env dirs")
	}
}

func TestVersionRules(t *testing.T) {
	venv := venvFacts(VA, true, nil)
	for _, c := range []struct {
		version   string
		preferEnv bool
		userSite  bool
	}{
		{"4.6.3", false, false},
		{"4.7.0", false, false},
		{"4.9.0", false, true},
		{"4.12.0", false, true},
		{"5.0.0", true, true},
		{"5.0.0rc1", true, true},
		{"5.9.1", true, true},
	} {
		venv.CoreVersion = core(c.version)
		p := Resolve(venv)
		if p.PreferEnv != c.preferEnv {
			t.Errorf("%s: prefer env = %v, want %v (%s)", c.version, p.PreferEnv, c.preferEnv, p.PreferEnvWhy)
		}
		hasUserSite := false
		for _, e := range p.Config {
			hasUserSite = hasUserSite || e.Origin == OriginUserSite
		}
		if hasUserSite != c.userSite {
			t.Errorf("%s: user-site dirs = %v, want %v", c.version, hasUserSite, c.userSite)
		}
	}
	// 4.7 honours the variable; 4.6 ignores it.
	venv.Env = map[string]string{"JUPYTER_PREFER_ENV_PATH": "yes"}
	venv.CoreVersion = core("4.7.0")
	if !Resolve(venv).PreferEnv {
		t.Error("4.7.0 honours JUPYTER_PREFER_ENV_PATH")
	}
	venv.CoreVersion = core("4.6.3")
	if Resolve(venv).PreferEnv {
		t.Error("4.6.3 has no JUPYTER_PREFER_ENV_PATH")
	}
	// Before 5.8 the system dirs are appended without de-duplication.
	f := sysFacts(map[string]string{"JUPYTER_PATH": "/usr/share/jupyter"})
	f.CoreVersion = core("5.7.2")
	eq(t, "5.7 data", Resolve(f).DataDirs(), []string{"/usr/share/jupyter", H + "/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"})
}

func TestWindowsAndMac(t *testing.T) {
	win := Facts{OS: "windows", Prefix: `C:\envs\a`, IsVenv: true, OwnsPrefix: true, Home: `C:\Users\al`, RealHome: `C:\Users\al`,
		Env: map[string]string{"APPDATA": `C:\Users\al\AppData\Roaming`, "PROGRAMDATA": `C:\ProgramData`}, RealAppData: `C:\Users\al\AppData\Roaming\jupyter`}
	p := Resolve(win)
	eq(t, "win config", p.ConfigDirs(), []string{`C:\envs\a\etc\jupyter`, `C:\Users\al\.jupyter`})
	eq(t, "win data", p.DataDirs(), []string{`C:\envs\a\share\jupyter`, `C:\Users\al\AppData\Roaming\jupyter`})
	if p.Levels.System.Config != p.Levels.SysPrefix.Config || p.Levels.System.Data != p.Levels.SysPrefix.Data {
		t.Errorf("windows: --system and --sys-prefix are one dir, got %+v", p.Levels)
	}
	win.Env["JUPYTER_USE_PROGRAMDATA"] = "1"
	p = Resolve(win)
	eq(t, "win programdata config", p.ConfigDirs(), []string{`C:\envs\a\etc\jupyter`, `C:\Users\al\.jupyter`, `C:\ProgramData\jupyter`})
	eq(t, "win programdata data", p.DataDirs(), []string{`C:\envs\a\share\jupyter`, `C:\Users\al\AppData\Roaming\jupyter`, `C:\ProgramData\jupyter`})
	win.CoreVersion = core("5.7.0")
	delete(win.Env, "JUPYTER_USE_PROGRAMDATA")
	eq(t, "win 5.7 config", Resolve(win).ConfigDirs(), []string{`C:\envs\a\etc\jupyter`, `C:\Users\al\.jupyter`, `C:\ProgramData\jupyter`})

	mac := Facts{OS: "darwin", Prefix: "/Library/Frameworks/Python.framework/Versions/3.12", MacFramework: true, PythonVersion: "3.12",
		SystemSitePackages: true, Home: "/Users/al", RealHome: "/Users/al"}
	p = Resolve(mac)
	eq(t, "mac config", p.ConfigDirs(), []string{"/Users/al/.jupyter", "/Users/al/Library/Python/3.12/etc/jupyter",
		"/Library/Frameworks/Python.framework/Versions/3.12/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"})
	eq(t, "mac data", p.DataDirs(), []string{"/Users/al/Library/Jupyter", "/Users/al/Library/Python/3.12/share/jupyter",
		"/Library/Frameworks/Python.framework/Versions/3.12/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"})
	mac.Env = map[string]string{"JUPYTER_PLATFORM_DIRS": "1"}
	mac.Prefix = "/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12"
	p = Resolve(mac)
	if got := p.ConfigDirs()[0]; got != "/Users/al/Library/Application Support/jupyter" {
		t.Errorf("mac platformdirs homebrew config dir = %q", got)
	}
}

func TestJSONBytes(t *testing.T) {
	got := string(PathsJSON(Resolve(sysFacts(nil))))
	want := `{"runtime": ["/home/alice/.local/share/jupyter/runtime"], "config": ["/home/alice/.jupyter", "/home/alice/.local/etc/jupyter", "/usr/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"], "data": ["/home/alice/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"]}` + "\n"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	var b bytes.Buffer
	pyjson.WriteString(&b, "a\"\\\x7f\u00e9\U0001F600\x01/<\xff")
	if b.String() != `"a\"\\\u007f\u00e9\ud83d\ude00\u0001/<\udcff"` {
		t.Fatalf("py string: %s", b.String())
	}
	if !strings.HasPrefix(string(PathsText(Resolve(sysFacts(nil)))), "config:\n    /home/alice/.jupyter\n") {
		t.Fatal("text layout")
	}
}

func TestPyPathHelpers(t *testing.T) {
	fl := posixFlavour
	for _, c := range [][2]string{
		{fl.join("/a/", "b"), "/a/b"}, {fl.join("/a", "/b"), "/b"}, {fl.join("", "b"), "b"},
		{fl.pathStr("/a//b/./c/"), "/a/b/c"}, {fl.pathStr("//a"), "//a"}, {fl.pathStr("///a"), "/a"},
		{fl.expandUser("~/.local", "/h/"), "/h/.local"}, {fl.expandUser("~", ""), "/"}, {fl.rstripSep("/p1//"), "/p1"},
		{ntFlavour.pathStr(`C:/x\y`, "share", "jupyter"), `C:\x\y\share\jupyter`},
	} {
		if c[0] != c[1] {
			t.Errorf("got %q want %q", c[0], c[1])
		}
	}
}

func eq(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func core(v string) *pyver.Version { pv := pyver.MustParse(v); return &pv }
