package doctor

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

var pathVars = []string{"JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_NO_CONFIG"}

var minorVars = []string{"JUPYTER_RUNTIME_DIR", "JUPYTERLAB_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR", "JUPYTER_PLATFORM_DIRS"}

func allEnvs(s *Snapshot) []string {
	out := []string{s.Prefix}
	for _, o := range s.Others {
		out = append(out, o.Prefix)
	}
	return out
}

func varEvidence(s *Snapshot, k string) []Evidence {
	d := s.Vars[k]
	if len(d) > 200 {
		d = d[:200] + "…"
	}
	ev := []Evidence{{Level: "environment", EnvVar: k, Detail: d}}
	return append(ev, s.VarLines[k]...)
}

func checkJupyterVars(s *Snapshot) []Finding {
	var out []Finding
	for _, k := range append(slices.Clone(pathVars), minorVars...) {
		v, ok := s.Vars[k]
		if !ok || v == "" {
			continue
		}
		sev := Warning
		if slices.Contains(minorVars, k) {
			sev = Info
		}
		why := k + " is read by every env's Jupyter"
		switch k {
		case "JUPYTER_PATH":
			why += ": its dirs come first on the data path, before this env's own (kernels, nbextensions, labextensions)"
		case "JUPYTER_CONFIG_PATH":
			why += ": its dirs come first on the config path, before this env's own"
		case "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR":
			why += ": it replaces the user dir, so --user installs and config land in one dir shared by all envs"
		case "JUPYTER_NO_CONFIG":
			why += ": Jupyter reads no config at all (no env-level extensions load)"
		}
		for _, o := range s.Others {
			for _, part := range filepath.SplitList(v) {
				if part != "" && strings.HasPrefix(part, o.Prefix+string(filepath.Separator)) {
					why += "; it points into another env, " + o.Prefix
					sev = Warning
				}
			}
		}
		cmd := "unset " + k + "   # and remove it from your shell profile"
		if lines := s.VarLines[k]; len(lines) > 0 {
			cmd = fmt.Sprintf("remove the line %d of %s, then: unset %s", lines[0].Line, lines[0].Path, k)
		}
		out = append(out, Finding{Severity: sev, Title: k + " is set in the environment", Evidence: varEvidence(s, k), Why: why,
			Affects: allEnvs(s), Fix: Fix{Commands: []string{cmd, "jdash up gives its children explicit values"}}})
	}
	return out
}

func checkPreferEnv(s *Snapshot) []Finding {
	var out []Finding
	if v, ok := s.Vars["JUPYTER_PREFER_ENV_PATH"]; ok && s.Paths.PreferEnv && !s.OwnsPrefix {
		out = append(out, Finding{
			Title:    "JUPYTER_PREFER_ENV_PATH puts this env's dirs first, but you do not own the env",
			Evidence: varEvidence(s, "JUPYTER_PREFER_ENV_PATH"), Why: order(s.Paths) + " (" + v + "); on a shared or read-only env, your --user installs stop taking effect",
			Fix: Fix{Commands: []string{"JUPYTER_PREFER_ENV_PATH=0 for shared envs"}}})
	}
	user := map[string]Kernel{}
	for _, k := range s.Kernels {
		if k.Err == "" && (k.Level == "user" || k.Level == "user-site") {
			if _, ok := user[k.Name]; !ok {
				user[k.Name] = k
			}
		}
	}
	for _, k := range s.Kernels {
		u, ok := user[k.Name]
		if k.Level != "sys-prefix" || k.Err != "" || !ok || (u.RunsIn == k.RunsIn && strings.Join(u.Argv, " ") == strings.Join(k.Argv, " ")) {
			continue
		}
		win, lose := u, k
		if k.Wins {
			win, lose = k, u
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("kernel %q is defined for the user and for this env; the %s one wins", k.Name, win.Level),
			Evidence: []Evidence{kernelEvidence(win), kernelEvidence(lose)},
			Why:      beats(s.Paths.Data, s.Paths, win.KernelsDir, lose.KernelsDir) + "; with jupyter_core 5 the order depends on whether the env is detected as a venv/conda env",
			Fix:      Fix{Commands: []string{"rename one (python -m ipykernel install --name ...) or remove the user copy: jupyter kernelspec remove " + k.Name}}})
	}
	return out
}

// checkPathCommands reports `jupyter` itself, and the subcommands that an earlier PATH
// entry takes over, one finding per PATH dir (one cause), listing the subcommands in it.
func checkPathCommands(s *Snapshot) []Finding {
	var out []Finding
	byDir := map[string][]PathCmd{}
	var dirs []string
	for _, c := range s.PathCmds {
		if c.Name == "jupyter" {
			out = append(out, Finding{Title: "`jupyter` on PATH is " + c.Found + ", not this active env's",
				Evidence: []Evidence{{Path: c.Found, Level: "environment", EnvVar: "PATH", Detail: "interpreter: " + c.Interp}, {Path: c.Own, Level: "sys-prefix", Detail: "this env's own copy"}},
				Why:      "PATH finds another env's jupyter before this env's bin dir",
				Fix:      Fix{Commands: []string{s.Python + " -m jupyter   # start it through this env's Python (jdash up does)", "or put " + filepath.Dir(c.Own) + " first on PATH"}}})
			continue
		}
		d := filepath.Dir(c.Found)
		if _, ok := byDir[d]; !ok {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], c)
	}
	for _, d := range dirs {
		cmds := byDir[d]
		var subs []string
		var ev []Evidence
		for _, c := range cmds {
			sub := strings.TrimPrefix(c.Name, "jupyter-")
			subs = append(subs, sub)
			ev = append(ev, Evidence{Path: c.Found, Level: "environment", EnvVar: "PATH", Detail: "interpreter: " + c.Interp + "; this env's own: " + c.Own})
		}
		title := fmt.Sprintf("`jupyter %s` from this env runs %s", subs[0], cmds[0].Found)
		if len(cmds) > 1 {
			title = fmt.Sprintf("%d `jupyter` subcommands from this env run %s's copies: %s", len(cmds), d, strings.Join(subs, ", "))
		}
		out = append(out, Finding{Title: title, Evidence: ev,
			Why: d + " comes before this env's scripts dir on PATH, and jupyter_core looks subcommands up on PATH with the env's own scripts dir appended last, so the earlier copy wins",
			Fix: Fix{Commands: []string{fmt.Sprintf("%s -m %s   # start it through this env's Python (jdash up does)", s.Python, moduleFor(cmds[0].Name)),
				"or activate the env (put " + filepath.Dir(cmds[0].Own) + " first on PATH)"}}})
	}
	return out
}

func moduleFor(script string) string {
	switch script {
	case "jupyter":
		return "jupyter"
	case "jupyter-notebook":
		return "notebook"
	case "jupyter-lab":
		return "jupyterlab"
	case "jupyter-server":
		return "jupyter_server"
	case "jupyter-nbclassic":
		return "nbclassic"
	}
	return "jupyter " + strings.TrimPrefix(script, "jupyter-")
}

// ---- python ----

func checkPythonVars(s *Snapshot) []Finding {
	var out []Finding
	for _, e := range s.PyPath {
		sev, why := Info, "PYTHONPATH reaches every Python started from this shell"
		switch {
		case e.Package:
			sev, why = Error, "the entry is itself a package dir (it has __init__.py): its modules shadow the standard library and installed packages by name"
		case e.OtherEnv != "":
			sev, why = Error, "the entry is inside another env, "+e.OtherEnv+": servers and kernels import that env's packages"
		case e.OtherPython != "":
			sev, why = Error, "the entry is a site dir of Python "+e.OtherPython+", not this env's "+s.PythonVersion
		}
		out = append(out, Finding{Severity: sev, Title: "PYTHONPATH holds " + e.Path,
			Evidence: append([]Evidence{{Path: e.Path, Level: "environment", EnvVar: "PYTHONPATH"}}, s.VarLines["PYTHONPATH"]...),
			Why:      why, Affects: allEnvs(s),
			Fix: Fix{Commands: []string{"unset PYTHONPATH   # and remove it from your shell profile; jdash's children never inherit it"}}})
	}
	if v, ok := s.Vars["PYTHONHOME"]; ok && v != "" && resolve(v) != s.RealPrefix {
		out = append(out, Finding{Title: "PYTHONHOME is set to " + v, Evidence: varEvidence(s, "PYTHONHOME"),
			Why: "PYTHONHOME replaces every env's standard library location: \"Could not find platform independent libraries\"", Affects: allEnvs(s),
			Fix: Fix{Commands: []string{"unset PYTHONHOME"}}})
	}
	if _, ok := s.Vars["PYTHONEXECUTABLE"]; ok {
		out = append(out, Finding{Severity: Warning, Title: "PYTHONEXECUTABLE is set", Evidence: varEvidence(s, "PYTHONEXECUTABLE"),
			Why: "kernels inherit it and report another interpreter as sys.executable", Affects: allEnvs(s),
			Fix: Fix{Commands: []string{"unset PYTHONEXECUTABLE"}}})
	}
	for _, k := range []string{"PYTHONSTARTUP", "PYTHONUSERBASE"} {
		if v, ok := s.Vars[k]; ok && v != "" {
			out = append(out, Finding{Severity: Info, Title: k + " is set", Evidence: varEvidence(s, k),
				Why: k + " changes every env's Python (PYTHONUSERBASE moves the user site; PYTHONSTARTUP runs in interactive Pythons)", Affects: allEnvs(s),
				Fix: Fix{Commands: []string{"unset " + k + " if it is not meant for every env"}}})
		}
	}
	return out
}

func checkUserSite(s *Snapshot) []Finding {
	if !s.UserSite.Enabled || len(s.UserSite.Dists) == 0 {
		return nil
	}
	var core, other []Evidence
	for _, d := range s.UserSite.Dists {
		n := normalize(d.Name)
		detail := d.Name + " " + d.Version
		if v := s.UserSite.EnvHas[n]; v != "" {
			detail += " (this env has " + v + ")"
		}
		ev := Evidence{Path: d.Info, Level: "user-site", Detail: detail}
		if slices.Contains(jupyterPackages, n) {
			core = append(core, ev)
		} else {
			other = append(other, ev)
		}
	}
	why := "Python's user site is on this env's sys.path (" + s.UserSite.Why + ") and, for these packages, it is the copy Python imports"
	if !s.IsVenv {
		why = "outside a venv the user site comes before the env's site-packages (" + s.UserSite.Why + ")"
	}
	fix := Fix{Commands: []string{"PYTHONNOUSERSITE=1 for Jupyter in this env (jdash up sets it)", "python -m pip uninstall <package>   # run with the user's pip: pip uninstall --user is not a flag; use: python -m pip freeze --user"}}
	var out []Finding
	if len(core) > 0 {
		out = append(out, Finding{Severity: Error, Title: fmt.Sprintf("%d Jupyter packages are imported from the user site %s", len(core), s.UserSite.Dir),
			Evidence: core, Why: why, Fix: fix})
	}
	if len(other) > 0 {
		out = append(out, Finding{Severity: Warning, Title: fmt.Sprintf("%d packages are imported from the user site %s", len(other), s.UserSite.Dir),
			Evidence: other, Why: why, Fix: fix})
	}
	return out
}

func checkIPython(s *Snapshot) []Finding {
	if s.Versions["ipykernel"] == "" {
		return nil
	}
	var out []Finding
	seen := map[string]bool{}
	for _, r := range s.IPython {
		if s.Modules[r.Module] != "" || seen[r.Module+r.At.Path] {
			continue
		}
		seen[r.Module+r.At.Path] = true
		what := "imports"
		if r.Kind == "extension" {
			what = "loads the extension"
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("%s %s %s, which this env does not have", filepath.Base(r.At.Path), what, r.Module),
			Evidence: []Evidence{r.At},
			Why:      "IPython profiles (IPYTHONDIR, default ~/.ipython) are per user: every env's kernel runs them (\"Error in loading extension\" / \"Unknown error in handling startup files\")",
			Affects:  allEnvs(s),
			Fix:      Fix{Commands: []string{"guard the import (try/except ImportError), or install " + r.Module + " here, or give kernels their own IPYTHONDIR"}}})
	}
	return out
}

// ---- compat ----
