package doctor

import (
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/serverext"
)

// Check is one row of the table: a pure function of the snapshot.
type Check struct {
	ID       string
	Group    string
	Severity Severity // the default; a check may report a finding lower or higher, as its rule says
	Ref      string   // the leak catalogue's row (supervisor-and-doctor.md §5) or the seed's check
	Title    string
	Deep     bool // needs --deep
	Run      func(*Snapshot) []Finding
}

// Checks is the table, in report order.
var Checks = []Check{
	{"kernel-python3-shadow", "kernels", Error, "L1", "a python3 kernelspec runs another interpreter than this env's", false, checkPython3Shadow},
	{"kernel-dangling", "kernels", Error, "L2", "a kernelspec starts an interpreter that is gone", false, checkDangling},
	{"kernel-system-user-env", "kernels", Warning, "L3", "a machine-wide kernelspec runs a user's env", false, checkSystemUserEnv},
	{"kernel-syssite-base", "kernels", Warning, "L13", "a system-site venv's kernelspec runs the base Python", false, checkSyssiteBase},
	{"kernel-duplicate", "kernels", Info, "L15", "several kernelspecs run one interpreter, or share a display name", false, checkDuplicateKernels},
	{"kernel-malformed", "kernels", Warning, "bad input", "a kernel.json Jupyter cannot read", false, checkMalformedKernels},
	{"kernel-quarantined", "kernels", Info, "fix", "kernelspecs doctor --fix quarantined", false, checkQuarantined},
	{"serverext-not-importable", "extensions", Error, "L5, I-2", "an enabled server extension is not importable in this env", false, checkServerextImportable},
	{"bundler-not-importable", "extensions", Error, "seed", "an enabled bundler is not importable in this env", false, checkBundlers},
	{"nbext-missing-js", "extensions", Error, "seed", "an enabled nbextension has no files in any nbextensions dir (404)", false, checkNbextJS},
	{"ext-shared-level", "extensions", Warning, "seed", "an extension enabled at --user or system level reaches every env", false, checkSharedLevel},
	{"ext-several-levels", "extensions", Warning, "L6", "the same extension is set at several levels", false, checkSeveralLevels},
	{"labext-user-shadow", "extensions", Error, "L7", "a user-level labextension shadows the env's own version", false, checkLabextShadow},
	{"frontend-ext-missing", "extensions", Warning, "L12", "a kernel's widget package has no frontend extension in this server env", false, checkFrontendMissing},
	{"lab-settings-split", "extensions", Warning, "L16", "Lab settings live in both the legacy and the platformdirs dir", false, checkLabSplit},
	{"jupyter-env-vars", "paths", Warning, "L9", "a Jupyter path variable is exported for every env", false, checkJupyterVars},
	{"prefer-env-conflict", "paths", Warning, "L8", "user and env dirs disagree, and the order decides", false, checkPreferEnv},
	{"jupyter-on-path", "paths", Warning, "L14", "a jupyter command of this env resolves to another env's on PATH", false, checkPathCommands},
	{"python-vars", "python", Error, "L10", "PYTHONPATH / PYTHONHOME leak into servers and kernels", false, checkPythonVars},
	{"user-site-shadow", "python", Error, "L4", "the user site shadows this env's packages", false, checkUserSite},
	{"ipython-profile", "python", Warning, "L11", "an IPython profile loads a module this env lacks in every kernel", false, checkIPython},
	{"compat-breakage", "compat", Error, "seed, patch rules", "installed versions that break on import (a jdash patch rule or a pin repairs them)", false, checkCompat},
	{"port-in-use", "runtime", Warning, "seed", "a configured port is already in use", false, checkPorts},
	{"runtime-stale", "runtime", Warning, "seed", "a server's runtime file outlived its process", false, checkStaleRuntime},
	{"secret-in-config", "runtime", Warning, "seed", "a token or password in shared config or in a file others can read", false, checkSecrets},
	{"open-ip-no-token", "runtime", Error, "seed", "the server listens beyond loopback with an empty token", false, checkOpenIP},
	{"file-unreadable", "files", Warning, "bad input", "a Jupyter file that cannot be read or parsed", false, checkProblems},
	{"deep-mismatch", "model", Error, "--deep", "the env's own Python disagrees with jdash's model", true, checkDeep},
}

// CheckByID finds a row.
func CheckByID(id string) (Check, bool) {
	for _, c := range Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// Run runs the selected checks (all when ids is empty; deep checks only with a deep answer)
// and returns their findings, sorted. A check that panics is itself a finding: one bad
// check never hides the others.
func Run(s *Snapshot, ids []string) (fs []Finding, ran int) {
	for _, c := range Checks {
		if len(ids) > 0 && !slices.Contains(ids, c.ID) {
			continue
		}
		if c.Deep && s.Deep == nil {
			continue
		}
		ran++
		fs = append(fs, runOne(c, s)...)
	}
	sortFindings(fs)
	return fs, ran
}

func runOne(c Check, s *Snapshot) (out []Finding) {
	defer func() {
		if r := recover(); r != nil {
			out = []Finding{{ID: c.ID, Group: c.Group, Severity: Error, Title: fmt.Sprintf("check %s crashed: %v", c.ID, r),
				Evidence: []Evidence{}, Affects: []string{s.Prefix}, Fix: Fix{Commands: []string{}}}}
		}
	}()
	for _, f := range c.Run(s) {
		f.ID, f.Group = c.ID, c.Group
		if f.Severity == "" {
			f.Severity = c.Severity
		}
		if f.Affects == nil {
			f.Affects = []string{s.Prefix}
		}
		if f.Evidence == nil {
			f.Evidence = []Evidence{}
		}
		if f.Fix.Commands == nil {
			f.Fix.Commands = []string{}
		}
		f.Fix.Auto = f.Action != nil
		out = append(out, f)
	}
	return out
}

// ---- kernels ----

func kernelEvidence(k Kernel) Evidence {
	d := strings.Join(k.Argv, " ")
	if len(d) > 160 {
		d = d[:160] + "…"
	}
	return Evidence{Path: filepath.Join(k.Dir, "kernel.json"), Level: k.Level, Detail: "argv: " + d}
}

func kernelWhy(s *Snapshot, k Kernel) string {
	for _, o := range s.Kernels {
		if o.Name == k.Name && o.Dir != k.Dir && !o.Native {
			return fmt.Sprintf("the first kernels dir holding %q wins: %s", k.Name, beats(s.Paths.Data, s.Paths, k.KernelsDir, o.KernelsDir))
		}
	}
	if k.Level == "home" {
		return "IPython's kernels dir (" + k.KernelsDir + ") is searched after every Jupyter data dir, by every env with IPython"
	}
	return onPath(s.Paths.Data, "data", k.KernelsDir)
}

func quarantine(k Kernel) *Action {
	return &Action{Kind: "quarantine", Path: k.Dir, Dest: filepath.Join(filepath.Dir(k.KernelsDir), "jdash-quarantine", "kernels", filepath.Base(k.Dir))}
}

func checkPython3Shadow(s *Snapshot) []Finding {
	for _, k := range s.Kernels {
		if k.Name != "python3" || !k.Wins || k.Native || k.Err != "" || k.RunsIn == "" || k.RunsIn == s.RealPrefix {
			continue
		}
		return []Finding{{
			Title:    fmt.Sprintf("\"Python 3\" in this env runs %s, not this env's Python", k.Argv[0]),
			Evidence: []Evidence{kernelEvidence(k), {Path: s.Python, Level: "python", Detail: "this env's interpreter"}},
			Why: kernelWhy(s, k) + "; jupyter_client adds the env's own python3 only when no python3 spec is found, so this one replaces it" +
				" and `import` of this env's packages fails in it",
			Affects: reach(s, k.KernelsDir, true),
			Fix: Fix{Commands: []string{"jdash doctor --fix --env " + s.Prefix,
				"jupyter kernelspec remove python3   # the " + k.Level + " copy at " + k.Dir,
				"python -m ipykernel install --user --name <env-name>   # register envs under their own names"}},
			Action: quarantine(k),
		}}
	}
	return nil
}

func checkDangling(s *Snapshot) []Finding {
	var out []Finding
	for _, k := range s.Kernels {
		if k.Err != "" || k.Native || k.Bare || !filepath.IsAbs(k.Argv[0]) || (k.Exists && k.Executable) {
			continue
		}
		what := "does not exist"
		if k.Exists {
			what = "is not executable"
		}
		sev := Error
		if !k.Wins {
			sev = Warning // shadowed: never started, but shown by `jupyter kernelspec list` of the envs where it wins
		}
		out = append(out, Finding{Severity: sev,
			Title:    fmt.Sprintf("kernel %q starts %s, which %s", k.Name, k.Argv[0], what),
			Evidence: []Evidence{kernelEvidence(k)},
			Why:      kernelWhy(s, k) + "; every notebook using this kernel fails to start it",
			Affects:  reach(s, k.KernelsDir, true),
			Fix:      Fix{Commands: []string{"jdash doctor --fix --env " + s.Prefix, "jupyter kernelspec remove " + k.Name}},
			Action:   quarantine(k),
		})
	}
	return out
}

func checkSystemUserEnv(s *Snapshot) []Finding {
	var out []Finding
	for _, k := range s.Kernels {
		if k.Level != "system" || k.Err != "" || k.Bare || !k.UserOwned || k.RunsIn == s.RealPrefix {
			continue
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("machine-wide kernel %q runs the user-owned env %s", k.Name, k.RunsIn),
			Evidence: []Evidence{kernelEvidence(k)},
			Why:      onPath(s.Paths.Data, "data", k.KernelsDir) + "; every env's server offers it and it silently runs another env",
			Affects:  reach(s, k.KernelsDir, true),
			Fix:      Fix{Commands: []string{"sudo jupyter kernelspec remove " + k.Name + "   # needs root: not done by --fix"}},
		})
	}
	return out
}

func checkSyssiteBase(s *Snapshot) []Finding {
	if !s.IsVenv || !s.SystemSite || s.BasePrefix == "" {
		return nil
	}
	base := resolve(s.BasePrefix)
	var out []Finding
	for _, k := range s.Kernels {
		if k.Level != "sys-prefix" || k.Err != "" || k.RunsIn != base {
			continue
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("kernel %q of this venv runs the base Python %s", k.Name, k.Argv[0]),
			Evidence: []Evidence{kernelEvidence(k), {Path: filepath.Join(s.Prefix, "pyvenv.cfg"), Level: "sys-prefix", Detail: "include-system-site-packages = true"}},
			Why:      "ipykernel imported from the base's site-packages wrote the base interpreter's path; the kernel does not see this venv's packages",
			Fix:      Fix{Commands: []string{s.Python + " -m pip install ipykernel", s.Python + " -m ipykernel install --sys-prefix"}},
			Action:   quarantine(k),
		})
	}
	return out
}

func checkDuplicateKernels(s *Snapshot) []Finding {
	byInterp := map[string][]Kernel{}
	byName := map[string][]Kernel{}
	var order []string
	for _, k := range s.Kernels {
		if !k.Wins || k.Err != "" || k.RunsIn == "" {
			continue
		}
		key := k.RunsIn
		if !k.Bare {
			key = resolve(k.Argv[0])
		}
		if _, ok := byInterp[key]; !ok {
			order = append(order, key)
		}
		byInterp[key] = append(byInterp[key], k)
		if k.DisplayName != "" {
			byName[k.DisplayName] = append(byName[k.DisplayName], k)
		}
	}
	var out []Finding
	for _, key := range order {
		ks := byInterp[key]
		if len(ks) < 2 {
			continue
		}
		var ev []Evidence
		var names []string
		for _, k := range ks {
			if !k.Native {
				ev = append(ev, kernelEvidence(k))
			}
			names = append(names, k.Name)
		}
		out = append(out, Finding{Severity: Info,
			Title:    fmt.Sprintf("kernels %s all run %s", strings.Join(names, ", "), key),
			Evidence: ev, Why: "jupyter_client lists every spec; nothing de-duplicates by interpreter",
			Fix: Fix{Commands: []string{"jupyter kernelspec remove <duplicate>"}}})
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		ks := byName[n]
		interps := map[string]bool{}
		var ev []Evidence
		for _, k := range ks {
			interps[k.RunsIn] = true
			if !k.Native {
				ev = append(ev, kernelEvidence(k))
			}
		}
		if len(interps) < 2 {
			continue
		}
		out = append(out, Finding{Severity: Warning,
			Title:    fmt.Sprintf("%d kernels are shown as %q but run different envs", len(ks), n),
			Evidence: ev, Why: "the notebook's kernel menu shows display names only: the wrong env is easy to pick",
			Fix: Fix{Commands: []string{"give each env's kernelspec its own display_name (python -m ipykernel install --name X --display-name 'Python (X)')"}}})
	}
	return out
}

func checkMalformedKernels(s *Snapshot) []Finding {
	var out []Finding
	for _, k := range s.Kernels {
		if k.Err == "" {
			continue
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("kernel %q: kernel.json cannot be read", k.Name),
			Evidence: []Evidence{{Path: filepath.Join(k.Dir, "kernel.json"), Level: k.Level, Detail: k.Err}},
			Why:      kernelWhy(s, k) + "; jupyter_client logs an error and the kernel is missing from the list",
			Affects:  reach(s, k.KernelsDir, true),
			Fix:      Fix{Commands: []string{"jdash doctor --fix --env " + s.Prefix, "fix or remove " + k.Dir}},
			Action:   quarantine(k),
		})
	}
	return out
}

func checkQuarantined(s *Snapshot) []Finding {
	if len(s.Quarantine) == 0 {
		return nil
	}
	return []Finding{{Severity: Info,
		Title:    fmt.Sprintf("%d kernelspecs are in quarantine (moved, not deleted)", len(s.Quarantine)),
		Evidence: s.Quarantine,
		Why:      "doctor --fix moved them out of the kernel path; Jupyter no longer sees them",
		Fix:      Fix{Commands: []string{"jdash doctor --undo --env " + s.Prefix + "   # restores the last fix", "or move a dir back into its kernels dir"}},
	}}
}

// ---- extensions ----

func serverextCommands(app serverext.App, level, module, prefix string) []string {
	jup := "jupyter server extension"
	if app == serverext.Notebook {
		jup = "jupyter serverextension"
	}
	return []string{
		fmt.Sprintf("jdash serverext disable --%s --env %s %s", level, prefix, module),
		fmt.Sprintf("%s disable --%s %s", jup, level, module),
	}
}

func cliLevel(level string) string {
	switch level {
	case "user", "system", "sys-prefix":
		return level
	}
	return "user"
}

// moveTargets are the env-level config dirs of the envs where module works: the envs that
// need the enable when it leaves the shared level.
func moveTargets(s *Snapshot, reached []string, works func(OtherEnv) bool, selfWorks bool) []string {
	var out []string
	if selfWorks {
		out = append(out, s.Paths.Levels.SysPrefix.Config)
	}
	for _, o := range s.Others {
		if slices.Contains(reached, o.Prefix) && works(o) {
			out = append(out, o.SysPrefix.Config)
		}
	}
	return out
}

func serverextAction(s *Snapshot, app serverext.App, x serverext.Extension, level string) *Action {
	if level != "user" || !strings.HasSuffix(x.Source, ".json") {
		return nil // system level needs root; .py files are never edited
	}
	reached := reach(s, filepath.Dir(x.Source), false)
	var also []string // the other user-level files that enable it (a .d file beside the root one)
	for _, a := range x.Also {
		if levelOf(s.Paths.Config, a) == "user" && strings.HasSuffix(a, ".json") {
			also = append(also, a)
		}
	}
	return &Action{Kind: "move-serverext", Path: x.Source, Paths: also, App: app, Module: x.Module,
		Targets: moveTargets(s, reached, func(o OtherEnv) bool { return o.Modules[x.Module] }, x.Importable)}
}

func checkServerextImportable(s *Snapshot) []Finding {
	var out []Finding
	for _, l := range s.ServerExts {
		for _, x := range l.Extensions {
			if !x.Enabled || x.Importable {
				continue
			}
			level := levelOf(s.Paths.Config, x.Source)
			ev := []Evidence{{Path: x.Source, Level: level, Detail: fmt.Sprintf("%s: %s enabled", appKey(l.App), x.Module)}}
			for _, a := range x.Also {
				ev = append(ev, Evidence{Path: a, Level: levelOf(s.Paths.Config, a), Detail: "also sets it"})
			}
			why := onPath(s.Paths.Config, "config", x.Source)
			affects := []string{s.Prefix}
			if shared(level) {
				why += "; every env's server loads the config files there"
				affects = nil
				for _, p := range reach(s, filepath.Dir(x.Source), false) {
					if p == s.Prefix || !otherHas(s, p, x.Module) {
						affects = append(affects, p)
					}
				}
			}
			out = append(out, Finding{
				Title:    fmt.Sprintf("server extension %s is enabled at %s level but not importable here: the server logs \"Error loading server extension %s\"", x.Module, level, x.Module),
				Evidence: ev, Why: why, Affects: affects,
				Fix:    Fix{Commands: append([]string{"jdash doctor --fix --env " + s.Prefix}, serverextCommands(l.App, cliLevel(level), x.Module, s.Prefix)...)},
				Action: serverextAction(s, l.App, x, level),
			})
		}
	}
	for _, line := range s.ExtLines {
		if shared(line.Level) {
			out = append(out, Finding{Severity: Warning,
				Title:    "a Python config file at " + line.Level + " level sets the server extension list for every env",
				Evidence: []Evidence{line}, Why: onPath(s.Paths.Config, "config", line.Path) + "; jdash does not evaluate or edit .py config",
				Affects: reach(s, filepath.Dir(line.Path), false),
				Fix:     Fix{Commands: []string{fmt.Sprintf("edit %s line %d: move the extension to the env's --sys-prefix config", line.Path, line.Line)}}})
		}
	}
	return out
}

func otherHas(s *Snapshot, prefix, module string) bool {
	for _, o := range s.Others {
		if o.Prefix == prefix {
			return o.Modules[module]
		}
	}
	return false
}

func appKey(a serverext.App) string {
	if a == serverext.Notebook {
		return "NotebookApp.nbserver_extensions"
	}
	return "ServerApp.jpserver_extensions"
}

func checkBundlers(s *Snapshot) []Finding {
	var out []Finding
	for _, b := range s.Bundlers {
		if b.Module == "" || s.Modules[b.Module] != "" {
			continue
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("bundler %s (module %s) is enabled but not importable here: its File > Download/Deploy menu item fails", b.Name, b.Module),
			Evidence: []Evidence{b.Source}, Why: onPath(s.Paths.Config, "config", b.Source.Path),
			Affects: reach(s, filepath.Dir(filepath.Dir(b.Source.Path)), false),
			Fix:     Fix{Commands: []string{fmt.Sprintf("jupyter bundlerextension disable --%s --py %s", cliLevel(b.Source.Level), b.Module)}}})
	}
	return out
}

// servedBy are nbextension requires a server extension serves itself (the configurator's
// own pages are handled by its server extension, not the nbextensions dirs).
var servedBy = map[string]string{"nbextensions_configurator/": "jupyter_nbextensions_configurator"}

func served(s *Snapshot, require string) bool {
	for prefix, mod := range servedBy {
		if strings.HasPrefix(require, prefix) {
			for _, l := range s.ServerExts {
				for _, x := range l.Extensions {
					if x.Module == mod && x.Enabled && x.Importable {
						return true
					}
				}
			}
		}
	}
	return false
}

func checkNbextJS(s *Snapshot) []Finding {
	if !s.Classic {
		return nil // no classic frontend reads nbconfig here
	}
	var out []Finding
	for _, d := range s.NBExts.Dirs {
		for _, sec := range d.Sections {
			for _, e := range sec.Entries {
				if !e.Effective || !e.Enabled || e.Valid || served(s, e.Require) {
					continue
				}
				file := filepath.Join(d.ConfigDir, sec.Section+".json")
				level := levelOf(s.Paths.Config, d.ConfigDir)
				out = append(out, Finding{
					Title:    fmt.Sprintf("nbextension %s is enabled (%s) but %s.js is in no nbextensions dir: the browser gets a 404", e.Require, sec.Section, e.Require),
					Evidence: []Evidence{{Path: file, Level: level, Detail: "load_extensions." + e.Require + " = true"}},
					Why:      onPath(s.Paths.Config, "config", d.ConfigDir) + "; the nbextensions dirs searched are " + strings.Join(nbextDirs(s), ", "),
					Affects:  reach(s, filepath.Dir(d.ConfigDir), false),
					Fix: Fix{Commands: []string{fmt.Sprintf("jdash nbext disable --%s --env %s %s", cliLevel(level), s.Prefix, e.Require),
						"or install its files: jdash nbext install --sys-prefix --py <package>"}},
				})
			}
		}
	}
	return out
}

func nbextDirs(s *Snapshot) []string {
	var out []string
	for _, d := range s.Paths.DataDirs() {
		out = append(out, filepath.Join(d, "nbextensions"))
	}
	return out
}

func checkSharedLevel(s *Snapshot) []Finding {
	var out []Finding
	for _, l := range s.ServerExts {
		for _, x := range l.Extensions {
			level := levelOf(s.Paths.Config, x.Source)
			if !x.Enabled || !x.Importable || !shared(level) {
				continue
			}
			reached := reach(s, filepath.Dir(x.Source), false)
			out = append(out, Finding{
				Title:    fmt.Sprintf("server extension %s is enabled at %s level: it reaches %d envs", x.Module, level, len(reached)),
				Evidence: []Evidence{{Path: x.Source, Level: level, Detail: appKey(l.App) + ": " + x.Module + " enabled"}},
				Why:      onPath(s.Paths.Config, "config", x.Source) + "; every env whose server reads it loads the extension, and those without the package log an error",
				Affects:  reached,
				Fix: Fix{Commands: append([]string{"jdash doctor --fix --env " + s.Prefix + "   # moves it to --sys-prefix of the envs that have it"},
					serverextCommands(l.App, cliLevel(level), x.Module, s.Prefix)...)},
				Action: serverextAction(s, l.App, x, level),
			})
		}
	}
	for _, d := range s.NBExts.Dirs {
		level := levelOf(s.Paths.Config, d.ConfigDir)
		if !shared(level) {
			continue
		}
		for _, sec := range d.Sections {
			for _, e := range sec.Entries {
				if !e.Effective || !e.Enabled || !e.Valid {
					continue
				}
				file := filepath.Join(d.ConfigDir, sec.Section+".json")
				reached := reach(s, filepath.Dir(d.ConfigDir), false)
				var act *Action
				if level == "user" {
					act = &Action{Kind: "move-nbext", Path: file, Section: sec.Section, Require: e.Require, Value: e.Value,
						Targets: moveTargets(s, reached, func(o OtherEnv) bool { return o.JS[e.Require] }, true)}
				}
				out = append(out, Finding{
					Title:    fmt.Sprintf("nbextension %s is enabled at %s level: it reaches %d envs", e.Require, level, len(reached)),
					Evidence: []Evidence{{Path: file, Level: level, Detail: "load_extensions." + e.Require + " = true"}},
					Why:      onPath(s.Paths.Config, "config", d.ConfigDir) + "; every env's notebook loads it, and those without its files get a 404",
					Affects:  reached,
					Fix: Fix{Commands: []string{"jdash doctor --fix --env " + s.Prefix + "   # moves it to --sys-prefix of the envs that have its files",
						fmt.Sprintf("jupyter nbextension disable --%s --section %s %s", cliLevel(level), sec.Section, e.Require)}},
					Action: act,
				})
			}
		}
	}
	return out
}

func checkSeveralLevels(s *Snapshot) []Finding {
	var out []Finding
	for _, l := range s.ServerExts {
		for _, x := range l.Extensions {
			if len(x.Also) == 0 {
				continue
			}
			var others []string
			for _, a := range x.Also {
				if filepath.Dir(a) != filepath.Dir(x.Source) && filepath.Dir(filepath.Dir(a)) != filepath.Dir(x.Source) {
					others = append(others, a)
				}
			}
			if len(others) == 0 {
				continue
			}
			ev := []Evidence{{Path: x.Source, Level: levelOf(s.Paths.Config, x.Source), Detail: fmt.Sprintf("wins: %s = %v", x.Module, x.Enabled)}}
			cmds := []string{}
			for _, a := range others {
				lv := levelOf(s.Paths.Config, a)
				ev = append(ev, Evidence{Path: a, Level: lv, Detail: "also sets " + x.Module})
				cmds = append(cmds, serverextCommands(l.App, cliLevel(lv), x.Module, s.Prefix)[0])
			}
			out = append(out, Finding{
				Title:    fmt.Sprintf("server extension %s is set at %d levels; %s wins", x.Module, len(others)+1, levelOf(s.Paths.Config, x.Source)),
				Evidence: ev, Why: beats(s.Paths.Config, s.Paths, x.Source, others[0]) + " (" + x.Rule + "); disabling it at one level leaves the others",
				Fix: Fix{Commands: cmds}})
		}
	}
	type at struct {
		dir   string
		value bool
	}
	sets := map[string][]at{}
	var keys []string
	for _, d := range s.NBExts.Dirs {
		for _, sec := range d.Sections {
			for _, e := range sec.Entries {
				k := sec.Section + "\x00" + e.Require
				if _, ok := sets[k]; !ok {
					keys = append(keys, k)
				}
				sets[k] = append(sets[k], at{d.ConfigDir, e.Enabled})
			}
		}
	}
	for _, k := range keys {
		list := sets[k]
		if len(list) < 2 {
			continue
		}
		section, require, _ := strings.Cut(k, "\x00")
		var ev []Evidence
		var cmds []string
		for i, a := range list {
			lv := levelOf(s.Paths.Config, a.dir)
			d := fmt.Sprintf("also sets %s = %v", require, a.value)
			if i == 0 {
				d = fmt.Sprintf("wins: %s = %v", require, a.value)
			}
			ev = append(ev, Evidence{Path: filepath.Join(a.dir, section+".json"), Level: lv, Detail: d})
			if i > 0 {
				cmds = append(cmds, fmt.Sprintf("jupyter nbextension disable --%s --section %s %s", cliLevel(lv), section, require))
			}
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("nbextension %s (%s) is set at %d levels; %s wins", require, section, len(list), levelOf(s.Paths.Config, list[0].dir)),
			Evidence: ev, Why: beats(s.Paths.Config, s.Paths, list[0].dir, list[1].dir), Fix: Fix{Commands: cmds}})
	}
	return out
}

func checkLabextShadow(s *Snapshot) []Finding {
	var out []Finding
	first := map[string]LabExt{}
	for _, l := range s.LabExts {
		w, ok := first[l.Name]
		if !ok {
			first[l.Name] = l
			continue
		}
		if l.Level != "sys-prefix" || w.Level == "sys-prefix" || w.Version == l.Version {
			continue
		}
		out = append(out, Finding{
			Title: fmt.Sprintf("labextension %s %s (%s) shadows this env's %s", l.Name, w.Version, w.Level, l.Version),
			Evidence: []Evidence{{Path: w.Dir, Level: w.Level, Detail: "version " + w.Version + " (served)"},
				{Path: l.Dir, Level: l.Level, Detail: "version " + l.Version + " (hidden)"}},
			Why:     beats(s.Paths.Data, s.Paths, w.Dir, l.Dir) + "; the frontend gets the old copy (\"is not registered as a widget module\")",
			Affects: reach(s, filepath.Dir(filepath.Dir(w.Dir)), true),
			Fix:     Fix{Commands: []string{"remove the stale copy " + w.Dir, "or set JUPYTER_PREFER_ENV_PATH=1 for this env"}},
		})
	}
	return out
}

func checkFrontendMissing(s *Snapshot) []Finding {
	if len(s.Apps) == 0 {
		return nil
	}
	labs := map[string]bool{}
	for _, l := range s.LabExts {
		labs[l.Name] = true
	}
	var out []Finding
	for _, k := range s.Kernels {
		if !k.Wins || k.Err != "" || k.RunsIn == "" {
			continue
		}
		versions := map[string]string{}
		if k.RunsIn == s.RealPrefix {
			for pkg := range widgetPackages {
				versions[pkg] = s.Versions[pkg]
			}
		}
		for _, o := range s.Others {
			if resolve(o.Prefix) == k.RunsIn {
				versions = o.Versions
			}
		}
		pkgs := make([]string, 0, len(versions))
		for p, v := range versions {
			if v != "" {
				pkgs = append(pkgs, p)
			}
		}
		slices.Sort(pkgs)
		for _, pkg := range pkgs {
			ext := widgetPackages[pkg]
			if labs[ext[0]] || s.FrontendJS[ext[1]] {
				continue
			}
			ev := []Evidence{{Path: k.RunsIn, Level: "env", Detail: pkg + " " + versions[pkg]}}
			if !k.Native {
				ev = append([]Evidence{kernelEvidence(k)}, ev...)
			}
			out = append(out, Finding{
				Title:    fmt.Sprintf("kernel %q has %s but this server env has neither its labextension %s nor its nbextension %s", k.Name, pkg, ext[0], ext[1]),
				Evidence: ev, Why: "frontend extensions are served by the server's env; copies in the kernel's env are invisible (\"Error displaying widget: model not found\")",
				Fix: Fix{Commands: []string{fmt.Sprintf("%s -m pip install %s   # in the server env", s.Python, pkg)}}})
		}
	}
	return out
}

func checkLabSplit(s *Snapshot) []Finding {
	if len(s.LabSplit) == 0 {
		return nil
	}
	return []Finding{{
		Title:    "JupyterLab settings exist in both the legacy and the platformdirs config dir",
		Evidence: []Evidence{{Path: s.LabSplit[0], Level: "user"}, {Path: s.LabSplit[1], Level: "user", EnvVar: "JUPYTER_PLATFORM_DIRS"}},
		Why:      "JUPYTER_PLATFORM_DIRS decides which one Lab reads; envs started with and without it see different settings",
		Affects:  reach(s, s.Paths.Levels.User.Config, false),
		Fix:      Fix{Commands: []string{"keep one: merge the settings, then set JUPYTER_PLATFORM_DIRS explicitly (or per project JUPYTERLAB_SETTINGS_DIR)"}},
	}}
}

// ---- paths ----

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

func checkPathCommands(s *Snapshot) []Finding {
	var out []Finding
	for _, c := range s.PathCmds {
		sub := strings.TrimPrefix(strings.TrimPrefix(c.Name, "jupyter"), "-")
		title := fmt.Sprintf("`jupyter %s` from this env runs %s", sub, c.Found)
		why := "jupyter_core looks subcommands up on PATH and appends the env's own scripts dir last, so an earlier PATH entry wins"
		if c.Name == "jupyter" {
			title = "`jupyter` on PATH is " + c.Found + ", not this active env's"
			why = "PATH finds another env's jupyter before this env's bin dir"
		}
		ev := []Evidence{{Path: c.Found, Level: "environment", EnvVar: "PATH", Detail: "interpreter: " + c.Interp}, {Path: c.Own, Level: "sys-prefix", Detail: "this env's own copy"}}
		out = append(out, Finding{Title: title, Evidence: ev, Why: why,
			Fix: Fix{Commands: []string{fmt.Sprintf("%s -m %s   # start it through this env's Python (jdash up does)", s.Python, moduleFor(c.Name)),
				"or put " + filepath.Dir(c.Own) + " first on PATH"}}})
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

func checkCompat(s *Snapshot) []Finding {
	var out []Finding
	for _, st := range s.Compat {
		var ev []Evidence
		for _, f := range st.Files {
			for _, h := range f.Hits {
				if h.Change {
					ev = append(ev, Evidence{Path: f.Path, Level: "sys-prefix", Line: h.Line, Detail: st.Rule.ID})
				}
			}
		}
		if len(ev) == 0 {
			ev = append(ev, Evidence{Path: s.Prefix, Level: "sys-prefix", Detail: strings.Join(st.Why.Reasons, "; ")})
		}
		cmds := []string{}
		if st.State == "needs-patch" {
			cmds = append(cmds, "jdash patch --env "+s.Prefix+"   # rule "+st.Rule.ID)
		}
		if st.Pin != "" {
			cmds = append(cmds, st.Pin)
		}
		out = append(out, Finding{Title: st.Rule.ID + ": " + st.Rule.Title, Evidence: ev,
			Why: "installed: " + strings.Join(st.Why.Reasons, "; ") + " (" + st.Rule.Link + ")", Fix: Fix{Commands: cmds}})
	}
	return out
}

// ---- runtime ----

func checkPorts(s *Snapshot) []Finding {
	var out []Finding
	for _, p := range s.Ports {
		if !p.Taken {
			continue
		}
		who := "another process"
		if p.Holder.PID > 0 {
			who = fmt.Sprintf("PID %d (%s)", p.Holder.PID, p.Holder.Command)
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("port %d, configured for this env's server, is held by %s", p.Port, who),
			Evidence: []Evidence{p.At},
			Why:      "a server started now moves to another port (port_retries defaults to 50) or fails with port_retries=0",
			Fix:      Fix{Commands: []string{"stop that process, or choose another port: jdash setup --port N --env " + s.Prefix}}})
	}
	return out
}

func checkStaleRuntime(s *Snapshot) []Finding {
	byPID := map[int][]RuntimeFile{}
	var pids []int
	for _, r := range s.Runtime {
		if r.Alive {
			continue
		}
		if _, ok := byPID[r.PID]; !ok {
			pids = append(pids, r.PID)
		}
		byPID[r.PID] = append(byPID[r.PID], r)
	}
	slices.Sort(pids)
	var out []Finding
	for _, pid := range pids {
		var ev []Evidence
		var paths []string
		for _, r := range byPID[pid] {
			ev = append(ev, Evidence{Path: r.Path, Level: "runtime", Detail: fmt.Sprintf("PID %d is not running", pid)})
			paths = append(paths, r.Path)
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("a server (PID %d) left its runtime files behind", pid),
			Evidence: ev, Why: "`jupyter notebook list` and tools that find running servers read these files and report a server that is gone",
			Affects: reach(s, filepath.Dir(s.Paths.Runtime.Path), true),
			Fix:     Fix{Commands: []string{"jdash doctor --fix --env " + s.Prefix, "rm " + strings.Join(paths, " ")}},
			Action:  &Action{Kind: "remove", Paths: paths}})
	}
	return out
}

func checkSecrets(s *Snapshot) []Finding {
	var out []Finding
	for _, sec := range s.Secrets {
		sev, why := Warning, "a credential in "+sec.At.Level+"-level config applies to every env's server and sits in a shared file"
		if sec.OthersRead {
			sev, why = Error, "the file is readable by other users: anyone on this machine can read the credential"
		}
		cmds := []string{"give the token to the server through JUPYTER_TOKEN or a 0600 file (jdash up does), and remove " + sec.Key + " from " + sec.At.Path}
		if sec.OthersRead {
			cmds = append([]string{"chmod 600 " + sec.At.Path}, cmds...)
		}
		out = append(out, Finding{Severity: sev, Title: sec.Key + " is set in " + sec.At.Path, Evidence: []Evidence{sec.At}, Why: why,
			Affects: reach(s, filepath.Dir(sec.At.Path), false), Fix: Fix{Commands: cmds}})
	}
	return out
}

func checkOpenIP(s *Snapshot) []Finding {
	ip, tok := s.Values["ip"], s.Values["token"]
	if !ip.Set || isLoopback(ip.Value) || !tok.Set || tok.Value != "" {
		return nil
	}
	if pw := s.Values["password"]; pw.Set && pw.Value != "" {
		return nil
	}
	return []Finding{{
		Title:    fmt.Sprintf("the server listens on %q with an empty token and no password: anyone who can reach it runs code as you", ip.Value),
		Evidence: []Evidence{ip.At, tok.At},
		Why:      onPath(s.Paths.Config, "config", ip.At.Path),
		Fix:      Fix{Commands: []string{"set ip to 127.0.0.1, or remove the empty token (Jupyter then generates one)"}},
	}}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// ---- files, model ----

func checkProblems(s *Snapshot) []Finding {
	var out []Finding
	for _, p := range s.Problems {
		out = append(out, Finding{Title: "cannot read " + p.Path, Evidence: []Evidence{p},
			Why: "Jupyter fails or skips this file too; doctor went on without it", Fix: Fix{Commands: []string{"fix or remove " + p.Path}}})
	}
	return out
}

func checkDeep(s *Snapshot) []Finding {
	var out []Finding
	for _, d := range s.Deep.Diffs(s) {
		out = append(out, Finding{Title: "jdash's model and " + s.Python + " disagree on " + d.What,
			Evidence: []Evidence{{Path: s.Python, Level: "python", Detail: "python: " + d.Python}, {Level: "native", Detail: "jdash: " + d.Native}},
			Why:      "doctor --deep ran the env's interpreter once and compared its answers with jdash's native model",
			Fix:      Fix{Commands: []string{"report this to jdash with: jdash doctor --deep --json --env " + s.Prefix}}})
	}
	return out
}

func normalize(n string) string {
	return strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(n))
}

func resolve(p string) string { return fsx.ResolveExisting(p) }
