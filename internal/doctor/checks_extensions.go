package doctor

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/nbext"
	"github.com/jdash-dev/jdash/internal/serverext"
)

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
	reached := reachWhere(s, filepath.Dir(x.Source), false, readsServerExts)
	var also []string // the other user-level files that enable it (a .d file beside the root one)
	for _, a := range x.Also {
		if jupyter.LevelOf(s.Paths.Config, a) == "user" && strings.HasSuffix(a, ".json") {
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
			level := jupyter.LevelOf(s.Paths.Config, x.Source)
			ev := []Evidence{{Path: x.Source, Level: level, Detail: fmt.Sprintf("%s: %s enabled", appKey(l.App), x.Module)}}
			for _, a := range x.Also {
				ev = append(ev, Evidence{Path: a, Level: jupyter.LevelOf(s.Paths.Config, a), Detail: "also sets it"})
			}
			why := onPath(s.Paths.Config, "config", x.Source)
			affects := []string{s.Prefix}
			if shared(level) {
				why += "; every env's server loads the config files there"
				affects = nil
				for _, p := range reachWhere(s, filepath.Dir(x.Source), false, readsServerExts) {
					if p == s.Prefix || !otherEnv(s, p).Modules[x.Module] {
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
				Affects: reachWhere(s, filepath.Dir(line.Path), false, readsServerExts),
				Fix:     Fix{Commands: []string{fmt.Sprintf("edit %s line %d: move the extension to the env's --sys-prefix config", line.Path, line.Line)}}})
		}
	}
	return out
}

// otherEnv is the env of prefix among the others (the zero value when it is not one).
func otherEnv(s *Snapshot, prefix string) OtherEnv {
	for _, o := range s.Others {
		if o.Prefix == prefix {
			return o
		}
	}
	return OtherEnv{}
}

// machineFileNote is the advice against editing a machine-wide file: it serves every env
// (this one too) and is often a package's.
func machineFileNote(level, file string) string {
	return fmt.Sprintf("not: jupyter nbextension disable --%s ...: %s belongs to the machine (often to a package) and serves every env, this one too", cliLevel(level), file)
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
			Affects: reachWhere(s, filepath.Dir(filepath.Dir(b.Source.Path)), false, readsNBConfig),
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
				file := entryFile(d, sec, e)
				level := jupyter.LevelOf(s.Paths.Config, d.ConfigDir)
				var act *Action
				if level == "user" { // as a --user server extension: to the envs that have its files, else dropped
					reached := reachWhere(s, filepath.Dir(d.ConfigDir), false, readsNBConfig)
					act = &Action{Kind: "move-nbext", Path: file, Section: sec.Section, Require: e.Require, Value: e.Value,
						Targets: moveTargets(s, reached, func(o OtherEnv) bool { return o.JS[e.Require] }, false)}
				}
				out = append(out, Finding{Action: act,
					Title:    fmt.Sprintf("nbextension %s is enabled (%s) but %s.js is in no nbextensions dir: the browser gets a 404", e.Require, sec.Section, e.Require),
					Evidence: []Evidence{{Path: file, Level: level, Detail: "load_extensions." + e.Require + " = true"}},
					Why:      onPath(s.Paths.Config, "config", d.ConfigDir) + "; the nbextensions dirs searched are " + strings.Join(nbextDirs(s), ", "),
					Affects:  reachWhere(s, filepath.Dir(d.ConfigDir), false, func(o OtherEnv) bool { return o.Classic && !o.JS[e.Require] }),
					Fix:      Fix{Commands: nbextMissingFix(s, act, level, file, e.Require)},
				})
			}
		}
	}
	return out
}

func nbextMissingFix(s *Snapshot, act *Action, level, file, require string) []string {
	cmds := []string{fmt.Sprintf("jdash nbext disable --%s --env %s %s", cliLevel(level), s.Prefix, require),
		"or install its files: jdash nbext install --sys-prefix --py <package>"}
	if level == "system" { // the machine's file serves other envs (and is often a package's)
		cmds = []string{fmt.Sprintf("jdash nbext disable --sys-prefix --env %s %s   # this env's level overrides the machine's", s.Prefix, require),
			cmds[1], machineFileNote(level, file)}
	}
	if act != nil {
		cmds = append([]string{"jdash doctor --fix --env " + s.Prefix + "   # moves it to --sys-prefix of the envs that have its files, or drops it"}, cmds...)
	}
	return cmds
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
			level := jupyter.LevelOf(s.Paths.Config, x.Source)
			if !x.Enabled || !x.Importable || !shared(level) {
				continue
			}
			reached := reachWhere(s, filepath.Dir(x.Source), false, readsServerExts)
			act := serverextAction(s, l.App, x, level)
			cmds := serverextCommands(l.App, cliLevel(level), x.Module, s.Prefix)
			if act != nil {
				cmds = append([]string{"jdash doctor --fix --env " + s.Prefix + "   # moves it to --sys-prefix of the envs that have it"}, cmds...)
			} else if level == "system" {
				cmds = []string{cmds[0] + "   # a machine-wide file, often a package's: editing it changes every env"}
			}
			out = append(out, Finding{
				Title:    fmt.Sprintf("server extension %s is enabled at %s level: it reaches %d envs", x.Module, level, len(reached)),
				Evidence: []Evidence{{Path: x.Source, Level: level, Detail: appKey(l.App) + ": " + x.Module + " enabled"}},
				Why:      onPath(s.Paths.Config, "config", x.Source) + "; every env whose server reads it loads the extension, and those without the package log an error",
				Affects:  reached,
				Fix:      Fix{Commands: cmds},
				Action:   act,
			})
		}
	}
	for _, d := range s.NBExts.Dirs {
		level := jupyter.LevelOf(s.Paths.Config, d.ConfigDir)
		if !shared(level) {
			continue
		}
		for _, sec := range d.Sections {
			for _, e := range sec.Entries {
				if !e.Effective || !e.Enabled || !e.Valid {
					continue
				}
				file := entryFile(d, sec, e)
				reached := reachWhere(s, filepath.Dir(d.ConfigDir), false, readsNBConfig)
				if level == "user" {
					act := &Action{Kind: "move-nbext", Path: file, Section: sec.Section, Require: e.Require, Value: e.Value,
						Targets: moveTargets(s, reached, func(o OtherEnv) bool { return o.JS[e.Require] }, true)}
					out = append(out, Finding{
						Title:    fmt.Sprintf("nbextension %s is enabled at user level: it reaches %d envs", e.Require, len(reached)),
						Evidence: []Evidence{{Path: file, Level: level, Detail: "load_extensions." + e.Require + " = true"}},
						Why:      onPath(s.Paths.Config, "config", d.ConfigDir) + "; every env's notebook loads it, and those without its files get a 404",
						Affects:  reached,
						Fix: Fix{Commands: []string{"jdash doctor --fix --env " + s.Prefix + "   # moves it to --sys-prefix of the envs that have its files",
							fmt.Sprintf("jupyter nbextension disable --user --section %s %s", sec.Section, e.Require)}},
						Action: act,
					})
					continue
				}
				// A machine-wide enable (a distribution's widgets drop-in) matters only where a
				// classic frontend lacks the files: those envs get a 404. It is undone per env,
				// never by editing the file the package manager owns.
				var broken []string
				for _, p := range reached {
					if p != s.Prefix && !otherEnv(s, p).JS[e.Require] {
						broken = append(broken, p)
					}
				}
				if len(broken) == 0 {
					continue
				}
				var cmds []string
				for _, p := range broken {
					cmds = append(cmds, fmt.Sprintf("jdash nbext disable --sys-prefix --env %s --section %s %s   # that env's level overrides the machine's", p, sec.Section, e.Require))
				}
				cmds = append(cmds, machineFileNote(level, file))
				out = append(out, Finding{
					Title:    fmt.Sprintf("nbextension %s is enabled at %s level, and %d envs that read it lack its files", e.Require, level, len(broken)),
					Evidence: []Evidence{{Path: file, Level: level, Detail: "load_extensions." + e.Require + " = true"}},
					Why:      onPath(s.Paths.Config, "config", d.ConfigDir) + "; every env's classic notebook loads it, and those without its files get a 404",
					Affects:  broken,
					Fix:      Fix{Commands: cmds},
				})
			}
		}
	}
	return out
}

// entryFile is the file that holds an nbextension's value in a config dir: the root
// <section>.json or a package's drop-in in <section>.d/.
func entryFile(d nbext.DirState, sec nbext.SectionState, e nbext.Entry) string {
	if e.Source != "" {
		return e.Source
	}
	return filepath.Join(d.ConfigDir, sec.Section+".json")
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
			ev := []Evidence{{Path: x.Source, Level: jupyter.LevelOf(s.Paths.Config, x.Source), Detail: fmt.Sprintf("wins: %s = %v", x.Module, x.Enabled)}}
			cmds := []string{}
			for _, a := range others {
				lv := jupyter.LevelOf(s.Paths.Config, a)
				ev = append(ev, Evidence{Path: a, Level: lv, Detail: "also sets " + x.Module})
				cmds = append(cmds, serverextCommands(l.App, cliLevel(lv), x.Module, s.Prefix)[0])
			}
			out = append(out, Finding{
				Title:    fmt.Sprintf("server extension %s is set at %d levels; %s wins", x.Module, len(others)+1, jupyter.LevelOf(s.Paths.Config, x.Source)),
				Evidence: ev, Why: beats(s.Paths.Config, s.Paths, x.Source, others[0]) + " (" + x.Rule + "); disabling it at one level leaves the others",
				Fix: Fix{Commands: cmds}})
		}
	}
	type at struct {
		dir, file string
		value     bool
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
				sets[k] = append(sets[k], at{d.ConfigDir, entryFile(d, sec, e), e.Enabled})
			}
		}
	}
	for _, k := range keys {
		list := sets[k]
		if len(list) < 2 || !slices.ContainsFunc(list, func(a at) bool { return a.value != list[0].value }) {
			continue // one level, or every level agrees: nothing to untangle
		}
		section, require, _ := strings.Cut(k, "\x00")
		var ev []Evidence
		var cmds []string
		for i, a := range list {
			lv := jupyter.LevelOf(s.Paths.Config, a.dir)
			d := fmt.Sprintf("also sets %s = %v", require, a.value)
			if i == 0 {
				d = fmt.Sprintf("wins: %s = %v", require, a.value)
			}
			ev = append(ev, Evidence{Path: a.file, Level: lv, Detail: d})
			if i > 0 {
				cmds = append(cmds, fmt.Sprintf("jupyter nbextension disable --%s --section %s %s", cliLevel(lv), section, require))
			}
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("nbextension %s (%s) is set at %d levels; %s wins", require, section, len(list), jupyter.LevelOf(s.Paths.Config, list[0].dir)),
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
			Affects: reach(s, w.Data, true),
			Fix:     Fix{Commands: []string{"remove the stale copy " + w.Dir, "or set JUPYTER_PREFER_ENV_PATH=1 for this env"}},
		})
	}
	return out
}

// checkLabextUserDisabled reports what the user's labconfig/page_config.json disables: it
// wins over every env's own page config, so the extension is off in every env's JupyterLab
// and Notebook 7, even where the env enables it.
func checkLabextUserDisabled(s *Snapshot) []Finding {
	var out []Finding
	for _, d := range s.LabDisabled {
		out = append(out, Finding{
			Title:    fmt.Sprintf("the user's page config disables %s in every env", d.Detail),
			Evidence: []Evidence{{Path: d.Path, Level: "user", Detail: `"disabledExtensions": {"` + d.Detail + `": true}`}},
			Why:      "JupyterLab merges the page config of every config dir, the user's over the env's: an env's own enable cannot win against it",
			Affects:  reach(s, filepath.Dir(filepath.Dir(d.Path)), false),
			Fix: Fix{Commands: []string{
				"jdash labext disable " + d.Detail + " --env ENV   # in each env that wants it off, then:",
				"jdash labext enable " + d.Detail + " --user --yes   # or remove the key from " + d.Path}},
		})
	}
	return out
}

// checkLabextPackage reports a prebuilt extension this env's Lab loads whose Python package
// (its install.json) is not installed here: a leftover of an uninstalled package, or an
// extension of another env's package, whose server or kernel side this env lacks.
func checkLabextPackage(s *Snapshot) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for _, l := range s.LabExts {
		if seen[l.Name] {
			continue // a shadowed copy: not loaded
		}
		seen[l.Name] = true
		if !l.PackageMissing {
			continue
		}
		fix := s.Python + " -m pip install " + l.Package
		if l.Level != "sys-prefix" {
			fix += "   # or remove " + l.Dir + " if no env needs it"
		} else {
			fix += "   # or remove the leftover " + l.Dir
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("labextension %s %s is loaded, but its Python package %s is not installed in this env", l.Name, l.Version, l.Package),
			Evidence: []Evidence{{Path: filepath.Join(l.Dir, "install.json"), Level: l.Level, Detail: "packageName " + l.Package}},
			Why:      "the frontend part loads from " + l.Dir + "; what the package runs in the server or the kernel is missing here",
			Affects:  reach(s, l.Data, true),
			Fix:      Fix{Commands: []string{fix}},
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
		if v, ok := s.KernelEnvs[k.RunsIn]; ok {
			versions = v
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
			// each frontend the env serves needs its own: JupyterLab and Notebook 7 the
			// labextension, the classic notebook the nbextension (a machine-wide copy of one
			// does nothing for the other)
			lab := s.Versions["jupyterlab"] != "" || jupyter.IsNotebook7(s.Versions["notebook"])
			var lacks []string
			if lab && !labs[ext[0]] {
				lacks = append(lacks, "its labextension "+ext[0]+" (JupyterLab, Notebook 7)")
			}
			if s.Classic && !s.FrontendJS[ext[1]] {
				lacks = append(lacks, "its nbextension "+ext[1]+" (classic notebook)")
			}
			if len(lacks) == 0 {
				continue
			}
			ev := []Evidence{{Path: k.RunsIn, Level: "env", Detail: pkg + " " + versions[pkg]}}
			if !k.Native {
				ev = append([]Evidence{kernelEvidence(k)}, ev...)
			}
			out = append(out, Finding{
				Title:    fmt.Sprintf("kernel %q has %s but this server env lacks %s", k.Name, pkg, strings.Join(lacks, " and ")),
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

// checkUIConfig reports frontend settings in the user's nbconfig: what a notebook's UI saved
// there (Jupyter's default ConfigManager writes every PATCH /api/config/<section>, the
// Nbextensions tab's options included, into ~/.jupyter/nbconfig), read by every env's
// frontend. load_extensions is left to the extension checks.
func checkUIConfig(s *Snapshot) []Finding {
	var out []Finding
	for _, u := range s.UIConfig {
		reached := reachWhere(s, filepath.Dir(filepath.Dir(u.Path)), false, readsNBConfig)
		out = append(out, Finding{
			Title:    fmt.Sprintf("frontend settings saved from a notebook's UI are in the user's nbconfig (%s): they reach %d envs", u.Detail, len(reached)),
			Evidence: []Evidence{u},
			Why:      "a server whose ConfigManager writes to the user config dir (Jupyter's default) saved them; every env's classic frontend reads " + filepath.Dir(u.Path),
			Affects:  reached,
			Fix: Fix{Commands: []string{
				"jdash setup --env " + s.Prefix + "   # from now on this env's UI saves into " + filepath.Join(s.Paths.Levels.SysPrefix.Config, "nbconfig"),
				"move the keys into " + filepath.Join(s.Paths.Levels.SysPrefix.Config, "nbconfig", filepath.Base(u.Path)) + " of the envs that want them, then remove them from " + u.Path}},
		})
	}
	return out
}
