package doctor

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/nbext"
	"github.com/jdash-dev/jdash/internal/patch"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/ports"
	"github.com/jdash-dev/jdash/internal/serverext"
)

const (
	pfx   = "/envs/a"
	other = "/envs/b"
	home  = "/home/u"
)

// base is a clean classic env (notebook 6, ipykernel) with one other env on the machine.
func base() *Snapshot {
	p := jupyter.Resolve(jupyter.Facts{OS: "linux", Prefix: pfx, IsVenv: true, Home: home, RealHome: home, OwnsPrefix: true,
		Env: map[string]string{}, PythonVersion: "3.11"})
	op := jupyter.Resolve(jupyter.Facts{OS: "linux", Prefix: other, IsVenv: true, Home: home, RealHome: home, OwnsPrefix: true,
		Env: map[string]string{}, PythonVersion: "3.11"})
	return &Snapshot{
		Prefix: pfx, RealPrefix: pfx, Python: pfx + "/bin/python", PythonVersion: "3.11", IsVenv: true, Home: home,
		Paths: p, OwnsPrefix: true, Vars: map[string]string{}, VarLines: map[string][]Evidence{},
		Versions: map[string]string{"notebook": "6.5.7", "ipykernel": "6.29.5", "ipython": "8.31.0"},
		Apps:     []serverext.App{serverext.Notebook}, Classic: true,
		Modules: map[string]string{}, Values: map[string]Value{}, FrontendJS: map[string]bool{},
		Kernels: []Kernel{{Name: "python3", Dir: pfx + "/share/jupyter/kernels/python3", KernelsDir: pfx + "/share/jupyter/kernels",
			Level: "sys-prefix", Wins: true, Argv: []string{"python", "-m", "ipykernel_launcher"}, DisplayName: "Python 3 (ipykernel)",
			Bare: true, Exists: true, Executable: true, RunsIn: pfx}},
		Others: []OtherEnv{{Prefix: other, ConfigDirs: op.ConfigDirs(), DataDirs: op.DataDirs(), SysPrefix: op.Levels.SysPrefix, Classic: true, Server: true, Kernels: true,
			Modules: map[string]bool{}, JS: map[string]bool{}, Versions: map[string]string{}}},
	}
}

func userKernel(name string, argv0 string, runsIn string) Kernel {
	kd := home + "/.local/share/jupyter/kernels"
	return Kernel{Name: name, Dir: kd + "/" + name, KernelsDir: kd, Level: "user", Wins: true, Argv: []string{argv0, "-m", "ipykernel_launcher"},
		DisplayName: name, Exists: runsIn != "", Executable: runsIn != "", RunsIn: runsIn}
}

func userServerext(mod string, importable bool) serverext.Listing {
	return serverext.Listing{App: serverext.Notebook, Extensions: []serverext.Extension{{Module: mod, Enabled: true,
		Source: home + "/.jupyter/jupyter_notebook_config.json", Rule: "traitlets", Importable: importable}}}
}

func nbextDir(dir, require string, enabled, valid, effective bool) nbext.DirState {
	return nbext.DirState{ConfigDir: dir, Sections: []nbext.SectionState{{Section: "notebook", Entries: []nbext.Entry{
		{Require: require, Enabled: enabled, Valid: valid, Effective: effective}}}}}
}

func TestChecks(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Snapshot)
		want   []string // id:severity, in report order
	}{
		{"clean", func(*Snapshot) {}, nil},
		{"L1 user python3 wins over the env's", func(s *Snapshot) {
			s.Kernels[0].Wins = false
			s.Kernels = append([]Kernel{userKernel("python3", other+"/bin/python", other)}, s.Kernels...)
		}, []string{"kernel-python3-shadow:error", "prefer-env-conflict:warning"}},
		{"L1 bare python in a user spec runs the server's own: fine", func(s *Snapshot) {
			k := userKernel("python3", "python3", pfx)
			k.Bare = true
			s.Kernels = []Kernel{k}
		}, nil},
		{"L2 dangling", func(s *Snapshot) {
			s.Kernels = append(s.Kernels, userKernel("old", "/gone/bin/python", ""))
		}, []string{"kernel-dangling:error"}},
		{"L2 shadowed dangling spec is a warning", func(s *Snapshot) {
			k := userKernel("old", "/gone/bin/python", "")
			k.Wins = false
			s.Kernels = append(s.Kernels, k)
		}, []string{"kernel-dangling:warning"}},
		{"L3 system spec into a user env", func(s *Snapshot) {
			s.Kernels = append(s.Kernels, Kernel{Name: "py27", Dir: "/usr/local/share/jupyter/kernels/py27", KernelsDir: "/usr/local/share/jupyter/kernels",
				Level: "system", Wins: true, Argv: []string{home + "/anaconda/envs/py27/bin/python"}, Exists: true, Executable: true,
				RunsIn: home + "/anaconda/envs/py27", UserOwned: true})
		}, []string{"kernel-system-user-env:warning"}},
		{"L13 system-site venv spec runs the base", func(s *Snapshot) {
			s.SystemSite, s.BasePrefix = true, "/nonexistent-base"
			s.Kernels[0].Bare, s.Kernels[0].Argv[0], s.Kernels[0].RunsIn = false, "/nonexistent-base/bin/python3.11", "/nonexistent-base"
		}, []string{"kernel-python3-shadow:error", "kernel-syssite-base:warning"}},
		{"L15 same display name, different envs", func(s *Snapshot) {
			k := userKernel("b", other+"/bin/python", other)
			k.DisplayName = "Python 3 (ipykernel)"
			s.Kernels = append(s.Kernels, k)
		}, []string{"kernel-duplicate:warning"}},
		{"L15 two specs, one interpreter", func(s *Snapshot) {
			k := userKernel("b", "python", pfx)
			k.Bare = true
			s.Kernels = append(s.Kernels, k)
		}, []string{"kernel-duplicate:info"}},
		{"malformed kernel.json", func(s *Snapshot) {
			s.Kernels = append(s.Kernels, Kernel{Name: "bad", Dir: home + "/.local/share/jupyter/kernels/bad", KernelsDir: home + "/.local/share/jupyter/kernels",
				Level: "user", Wins: true, Err: "bad/kernel.json: invalid character"})
		}, []string{"kernel-malformed:warning"}},
		{"quarantined specs are listed", func(s *Snapshot) {
			s.Quarantine = []Evidence{{Path: home + "/.local/share/jupyter/jdash-quarantine/kernels/old", Level: "user"}}
		}, []string{"kernel-quarantined:info"}},
		{"L5/I-2 user-level server extension not importable", func(s *Snapshot) {
			s.ServerExts = []serverext.Listing{userServerext("nbextensions", false)}
		}, []string{"serverext-not-importable:error"}},
		{"seed: user-level server extension that works reaches every env", func(s *Snapshot) {
			s.ServerExts = []serverext.Listing{userServerext("jupyter_nbextensions_configurator", true)}
		}, []string{"ext-shared-level:warning"}},
		{"env-level server extension that works: fine", func(s *Snapshot) {
			l := userServerext("mod", true)
			l.Extensions[0].Source = pfx + "/etc/jupyter/jupyter_notebook_config.json"
			s.ServerExts = []serverext.Listing{l}
		}, nil},
		{"L6 same server extension at two levels", func(s *Snapshot) {
			l := userServerext("mod", true)
			l.Extensions[0].Also = []string{pfx + "/etc/jupyter/jupyter_notebook_config.json"}
			s.ServerExts = []serverext.Listing{l}
		}, []string{"ext-several-levels:warning", "ext-shared-level:warning"}},
		{"a .py file at user level sets extensions", func(s *Snapshot) {
			s.ExtLines = []Evidence{{Path: home + "/.jupyter/jupyter_notebook_config.py", Line: 3, Level: "user"}}
		}, []string{"serverext-not-importable:warning"}},
		{"bundler not importable", func(s *Snapshot) {
			s.Bundlers = []Bundler{{Name: "dashboards_server_upload", Module: "dashboards_bundlers.server_upload",
				Source: Evidence{Path: pfx + "/etc/jupyter/nbconfig/notebook.json", Level: "sys-prefix"}}}
		}, []string{"bundler-not-importable:error"}},
		{"nbextension without files", func(s *Snapshot) {
			s.NBExts = nbext.Listing{Dirs: []nbext.DirState{nbextDir(pfx+"/etc/jupyter/nbconfig", "gone/main", true, false, true)}}
		}, []string{"nbext-missing-js:error"}},
		{"nbextension without files on a server without a classic frontend: nothing reads it", func(s *Snapshot) {
			s.Classic = false
			s.NBExts = nbext.Listing{Dirs: []nbext.DirState{nbextDir(pfx+"/etc/jupyter/nbconfig", "gone/main", true, false, true)}}
		}, nil},
		{"configurator pages are served by its server extension", func(s *Snapshot) {
			l := userServerext("jupyter_nbextensions_configurator", true)
			l.Extensions[0].Source = pfx + "/etc/jupyter/jupyter_notebook_config.json"
			s.ServerExts = []serverext.Listing{l}
			s.NBExts = nbext.Listing{Dirs: []nbext.DirState{nbextDir(pfx+"/etc/jupyter/nbconfig", "nbextensions_configurator/tree_tab/main", true, false, true)}}
		}, nil},
		{"seed + L6: nbextension at user and env level", func(s *Snapshot) {
			s.NBExts = nbext.Listing{Dirs: []nbext.DirState{
				nbextDir(pfx+"/etc/jupyter/nbconfig", "toc2/main", true, true, true),
				nbextDir(home+"/.jupyter/nbconfig", "toc2/main", false, true, false)}}
		}, []string{"ext-several-levels:warning"}},
		{"UI: the configurator's option and a click saved at the user level", func(s *Snapshot) {
			s.UIConfig = []Evidence{{Path: home + "/.jupyter/nbconfig/common.json", Level: "user", Detail: "common: nbext_hide_incompat"}}
		}, []string{"ui-config-user:warning"}},
		{"Debian: a machine-wide widgets drop-in, the other env lacks the files", func(s *Snapshot) {
			sys := s.Paths.Levels.System.Config + "/nbconfig"
			s.NBExts = nbext.Listing{Dirs: []nbext.DirState{nbextDir(sys, "jupyter-js-widgets/extension", true, true, true)}}
			s.NBExts.Dirs[0].Sections[0].Entries[0].Source = sys + "/notebook.d/jupyter-js-widgets.json"
		}, []string{"ext-shared-level:warning"}},
		{"Debian: a machine-wide widgets drop-in, every env that reads it has the files", func(s *Snapshot) {
			sys := s.Paths.Levels.System.Config + "/nbconfig"
			s.NBExts = nbext.Listing{Dirs: []nbext.DirState{nbextDir(sys, "jupyter-js-widgets/extension", true, true, true)}}
			s.Others[0].JS["jupyter-js-widgets/extension"] = true
		}, nil},
		{"Debian: the env and the distribution's notebook.d drop-in both enable widgets", func(s *Snapshot) {
			s.NBExts = nbext.Listing{Dirs: []nbext.DirState{
				nbextDir(pfx+"/etc/jupyter/nbconfig", "jupyter-js-widgets/extension", true, true, true),
				nbextDir("/etc/jupyter/nbconfig", "jupyter-js-widgets/extension", true, true, false)}}
			s.NBExts.Dirs[1].Sections[0].Entries[0].Source = "/etc/jupyter/nbconfig/notebook.d/jupyter-js-widgets.json"
		}, nil},
		{"seed: nbextension enabled for the user", func(s *Snapshot) {
			s.NBExts = nbext.Listing{Dirs: []nbext.DirState{nbextDir(home+"/.jupyter/nbconfig", "toc2/main", true, true, true)}}
		}, []string{"ext-shared-level:warning"}},
		{"L7 user labextension shadows the env's", func(s *Snapshot) {
			s.LabExts = []LabExt{{Name: "@jupyter-widgets/jupyterlab-manager", Dir: home + "/.local/share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager", Data: home + "/.local/share/jupyter", Level: "user", Version: "3.0.0"},
				{Name: "@jupyter-widgets/jupyterlab-manager", Dir: pfx + "/share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager", Data: pfx + "/share/jupyter", Level: "sys-prefix", Version: "5.0.13"}}
		}, []string{"labext-user-shadow:error"}},
		{"the user's page config disables a labextension everywhere", func(s *Snapshot) {
			s.LabDisabled = []Evidence{{Path: home + "/.jupyter/labconfig/page_config.json", Level: "user", Detail: "@voila-dashboards/jupyterlab-preview"}}
		}, []string{"labext-user-disabled:warning"}},
		{"a labextension whose Python package is gone (a shadowed copy's is not checked)", func(s *Snapshot) {
			s.LabExts = []LabExt{{Name: "a", Dir: pfx + "/share/jupyter/labextensions/a", Data: pfx + "/share/jupyter", Level: "sys-prefix", Version: "1.0.0", Package: "a", PackageMissing: true},
				{Name: "b", Dir: pfx + "/share/jupyter/labextensions/b", Level: "sys-prefix", Package: "b"},
				{Name: "b", Dir: home + "/.local/share/jupyter/labextensions/b", Level: "user", Package: "b", PackageMissing: true}}
		}, []string{"labext-package-missing:warning"}},
		{"L12 the kernel's env has ipywidgets, the server has no frontend for it", func(s *Snapshot) {
			s.Kernels = append(s.Kernels, userKernel("b", other+"/bin/python", other))
			s.Others[0].Versions["ipywidgets"] = "8.1.5"
		}, []string{"frontend-ext-missing:warning"}},
		{"L12 satisfied by the nbextension", func(s *Snapshot) {
			s.Kernels = append(s.Kernels, userKernel("b", other+"/bin/python", other))
			s.Others[0].Versions["ipywidgets"] = "8.1.5"
			s.FrontendJS["jupyter-js-widgets/extension"] = true
		}, nil},
		{"L16 Lab settings in both places", func(s *Snapshot) {
			s.LabSplit = []string{home + "/.jupyter/lab/user-settings", home + "/.config/jupyter/lab/user-settings"}
		}, []string{"lab-settings-split:warning"}},
		{"L9 JUPYTER_PATH exported, IPYTHONDIR too", func(s *Snapshot) {
			s.Vars["JUPYTER_PATH"] = other + "/share/jupyter"
			s.Vars["IPYTHONDIR"] = home + "/ipy"
		}, []string{"jupyter-env-vars:warning", "jupyter-env-vars:info"}},
		{"L9 an empty variable is ignored, as Jupyter does", func(s *Snapshot) {
			s.Vars["JUPYTER_PATH"] = ""
		}, nil},
		{"L8 env-first forced on an env you do not own", func(s *Snapshot) {
			s.Vars["JUPYTER_PREFER_ENV_PATH"] = "1"
			s.OwnsPrefix = false
		}, []string{"prefer-env-conflict:warning"}},
		{"L14 jupyter-notebook from another env", func(s *Snapshot) {
			s.PathCmds = []PathCmd{{Name: "jupyter-notebook", Found: other + "/bin/jupyter-notebook", Own: pfx + "/bin/jupyter-notebook", Interp: other + "/bin/python"}}
		}, []string{"jupyter-on-path:warning"}},
		{"L10 PYTHONPATH: a package dir, another env, a plain dir", func(s *Snapshot) {
			s.PyPath = []PyPathEntry{{Path: "/src/pkg", Package: true}, {Path: other + "/lib/python3.11/site-packages", OtherEnv: other}, {Path: "/src"}}
			s.Vars["PYTHONHOME"] = "/opt/py"
		}, []string{"python-vars:error", "python-vars:error", "python-vars:error", "python-vars:info"}},
		{"L4 user site shadows Jupyter packages and others", func(s *Snapshot) {
			s.UserSite = UserSite{Enabled: true, Dir: home + "/.local/lib/python3.11/site-packages", EnvHas: map[string]string{"traitlets": "5.14.3"},
				Dists: []pkgindex.Dist{{Name: "traitlets", Version: "4.3.3"}, {Name: "requests", Version: "2.0.0"}}}
		}, []string{"user-site-shadow:error", "user-site-shadow:warning"}},
		{"L4 not when the user site is off (plain venv)", func(s *Snapshot) {
			s.UserSite = UserSite{Enabled: false, Dists: []pkgindex.Dist{{Name: "traitlets", Version: "4.3.3"}}}
		}, nil},
		{"L11 startup file imports a missing module", func(s *Snapshot) {
			s.IPython = []IPyRef{{Module: "sql", Kind: "extension", At: Evidence{Path: home + "/.ipython/profile_default/ipython_config.py", Line: 2}},
				{Module: "os", Kind: "import", At: Evidence{Path: home + "/.ipython/profile_default/startup/00.py", Line: 1}}}
			s.Modules["os"] = "/usr/lib/python3.11/os.py"
		}, []string{"ipython-profile:warning"}},
		{"compat: a rule needs a patch, a pin-only row", func(s *Snapshot) {
			s.Compat = []patch.Status{{Rule: patch.Rule{ID: "I-3", Title: "t"}, State: "needs-patch", Files: []patch.FileStatus{{Path: "/x.py", Hits: []patch.Hit{{Line: 3, Change: true}}}}},
				{Rule: patch.Rule{ID: "I-10", Title: "t"}, State: "pin-only", Pin: "python -m pip install 'x'"}}
		}, []string{"compat-breakage:error", "compat-breakage:error"}},
		{"port in use", func(s *Snapshot) {
			s.Ports = []PortUse{{Port: 8888, Taken: true, Holder: ports.Holder{PID: 42, Command: "python -m notebook"}}}
		}, []string{"port-in-use:warning"}},
		{"stale runtime files, one server", func(s *Snapshot) {
			s.Runtime = []RuntimeFile{{Path: "/rt/nbserver-7.json", PID: 7}, {Path: "/rt/nbserver-7-open.html", PID: 7}, {Path: "/rt/nbserver-8.json", PID: 8, Alive: true}}
		}, []string{"runtime-stale:warning"}},
		{"secrets: user level, and a world-readable file", func(s *Snapshot) {
			s.Secrets = []Secret{{Key: "NotebookApp.token", At: Evidence{Path: home + "/.jupyter/jupyter_notebook_config.json", Level: "user"}},
				{Key: "NotebookApp.password", At: Evidence{Path: pfx + "/etc/jupyter/jupyter_notebook_config.json", Level: "sys-prefix"}, OthersRead: true}}
		}, []string{"secret-in-config:error", "secret-in-config:warning"}},
		{"open ip with an empty token", func(s *Snapshot) {
			s.Values["ip"] = Value{Value: "0.0.0.0", Set: true}
			s.Values["token"] = Value{Value: "", Set: true}
		}, []string{"open-ip-no-token:error"}},
		{"open ip with a password is not open", func(s *Snapshot) {
			s.Values["ip"] = Value{Value: "0.0.0.0", Set: true}
			s.Values["token"] = Value{Value: "", Set: true}
			s.Values["password"] = Value{Value: "sha1:x", Set: true}
		}, nil},
		{"loopback with an empty token", func(s *Snapshot) {
			s.Values["ip"] = Value{Value: "::1", Set: true}
			s.Values["token"] = Value{Value: "", Set: true}
		}, nil},
		{"unreadable file", func(s *Snapshot) {
			s.Problems = []Evidence{{Path: home + "/.jupyter/jupyter_notebook_config.json", Level: "user", Detail: "invalid JSON"}}
		}, []string{"file-unreadable:warning"}},
		{"deep: the interpreter disagrees", func(s *Snapshot) {
			s.Deep = &Deep{JupyterPath: []string{"/elsewhere"}, ConfigPath: s.Paths.ConfigDirs(), RuntimeDir: s.Paths.Runtime.Path,
				UserSiteEnabled: s.Paths.UserSite, KernelsError: "no jupyter_client"}
		}, []string{"deep-mismatch:error"}},
		{"deep: the interpreter agrees", func(s *Snapshot) {
			s.Deep = &Deep{JupyterPath: s.Paths.DataDirs(), ConfigPath: s.Paths.ConfigDirs(), RuntimeDir: s.Paths.Runtime.Path,
				UserSiteEnabled: s.Paths.UserSite, Kernels: map[string]DeepKernel{"python3": {ResourceDir: pfx + "/share/jupyter/kernels/python3"}}}
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := base()
			c.mutate(s)
			fs, _ := Run(s, nil)
			var got []string
			for _, f := range fs {
				got = append(got, f.ID+":"+string(f.Severity))
				if f.Title == "" || f.Why == "" && f.ID != "kernel-quarantined" || len(f.Affects) == 0 {
					t.Errorf("%s: finding without title, why or affects: %+v", f.ID, f)
				}
			}
			want := slices.Clone(c.want)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("findings = %v, want %v\n%s", got, want, dump(fs))
			}
		})
	}
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s: %s\n    why: %s\n", f.Severity, f.ID, f.Title, f.Why)
	}
	return b.String()
}

// Every check in the table is exercised above, and every id is unique and grouped.
func TestTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Checks {
		if seen[c.ID] || !slices.Contains(Groups, c.Group) || c.Run == nil || c.Title == "" {
			t.Errorf("bad row %+v", c)
		}
		seen[c.ID] = true
	}
}

func TestWhyNamesThePrecedence(t *testing.T) {
	s := base()
	s.Kernels[0].Wins = false
	s.Kernels = append([]Kernel{userKernel("python3", other+"/bin/python", other)}, s.Kernels...)
	// a user-first env: jupyter_core 4 (no env detection)
	fs, _ := Run(s, []string{"kernel-python3-shadow"})
	if len(fs) != 1 {
		t.Fatalf("got %d findings", len(fs))
	}
	// base() resolves with the newest rules: a venv owned by the user puts env dirs first, so
	// the env's python3 would win; here the user one was planted as the winner, and the why
	// must say which dir is searched before which.
	if !strings.Contains(fs[0].Why, "kernels") || !strings.Contains(fs[0].Why, "searched before") {
		t.Errorf("why = %q", fs[0].Why)
	}
	if fs[0].Action == nil || fs[0].Action.Kind != "quarantine" || filepath.Base(filepath.Dir(fs[0].Action.Dest)) != "kernels" {
		t.Errorf("action = %+v", fs[0].Action)
	}
	if !slices.Contains(fs[0].Affects, other) {
		t.Errorf("affects = %v, want both envs", fs[0].Affects)
	}
	// an env with no kernel manager (no jupyter_client) never reads kernelspecs
	s.Others[0].Kernels = false
	if fs, _ := Run(s, []string{"kernel-python3-shadow"}); slices.Contains(fs[0].Affects, other) {
		t.Errorf("affects = %v: %s starts no kernels", fs[0].Affects, other)
	}
}

func TestSharedFindingsMergeAcrossEnvs(t *testing.T) {
	a, b := base(), base()
	a.ServerExts = []serverext.Listing{userServerext("nbextensions", false)}
	b.ServerExts = a.ServerExts
	b.Prefix = other
	fa, n := Run(a, nil)
	fb, _ := Run(b, nil)
	r := Merge([]EnvRow{{Env: pfx}, {Env: other}}, [][]Finding{fa, fb}, n)
	if len(r.Findings) != 1 || r.Summary.Errors != 1 {
		t.Fatalf("merged = %s", dump(r.Findings))
	}
	if !slices.Contains(r.Findings[0].Affects, pfx) || !slices.Contains(r.Findings[0].Affects, other) {
		t.Errorf("affects = %v", r.Findings[0].Affects)
	}
}

// On a distribution machine the evidence names the drop-in that holds the value, and the
// advice overrides per env instead of editing the package's file; nothing claims --fix.
func TestMachineWideEnableAdvice(t *testing.T) {
	s := base()
	sys := s.Paths.Levels.System.Config + "/nbconfig"
	dropIn := sys + "/notebook.d/jupyter-js-widgets.json"
	s.NBExts = nbext.Listing{Dirs: []nbext.DirState{nbextDir(sys, "jupyter-js-widgets/extension", true, true, true)}}
	s.NBExts.Dirs[0].Sections[0].Entries[0].Source = dropIn
	fs, _ := Run(s, []string{"ext-shared-level"})
	if len(fs) != 1 {
		t.Fatalf("findings: %+v", fs)
	}
	f := fs[0]
	if f.Evidence[0].Path != dropIn || f.Action != nil || !slices.Equal(f.Affects, []string{other}) {
		t.Errorf("evidence %v, action %v, affects %v", f.Evidence, f.Action, f.Affects)
	}
	all := strings.Join(f.Fix.Commands, "\n")
	if strings.Contains(all, "doctor --fix") || !strings.Contains(all, "jdash nbext disable --sys-prefix --env "+other) || !strings.Contains(all, "not: jupyter nbextension disable --system") {
		t.Errorf("fix:\n%s", all)
	}
}
