package doctor

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

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
			Affects: reachWhere(s, k.KernelsDir, true, readsKernels),
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
		if k.Err != "" || k.Native || k.Bare || !filepath.IsAbs(k.Argv[0]) || (k.Exists && k.Executable) || k.JdashEnvGone {
			continue // a kernel jdash made for an env that is gone: kernel-jdash-env-gone
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
			Affects:  reachWhere(s, k.KernelsDir, true, readsKernels),
			Fix:      Fix{Commands: []string{"jdash doctor --fix --env " + s.Prefix, "jdash kernel prune --env " + s.Prefix}},
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
			Affects:  reachWhere(s, k.KernelsDir, true, readsKernels),
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
			Fix: Fix{Commands: []string{"jdash kernel remove <duplicate> --env " + s.Prefix}}})
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

func checkNoIpykernel(s *Snapshot) []Finding {
	var out []Finding
	for _, k := range s.Kernels {
		if !k.Wins || k.Err != "" || k.Native || !k.Exists || !k.EnvKnown || k.Ipykernel != "" {
			continue
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("kernel %q runs %s, which has no ipykernel: it dies as it starts", k.Name, k.RunsIn),
			Evidence: []Evidence{kernelEvidence(k)},
			Why:      kernelWhy(s, k) + "; the interpreter is there, but `-m ipykernel_launcher` is not importable in its env",
			Affects:  reachWhere(s, k.KernelsDir, true, readsKernels),
			Fix: Fix{Commands: []string{"jdash kernel add " + k.RunsIn + " --install-ipykernel --overwrite --name " + k.Name + " --env " + s.Prefix,
				"jdash kernel remove " + k.Name + " --env " + s.Prefix}},
		})
	}
	return out
}

func checkJdashEnvGone(s *Snapshot) []Finding {
	var out []Finding
	for _, k := range s.Kernels {
		if !k.JdashEnvGone || k.Err != "" {
			continue
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("kernel %q was made by jdash for %s, which is gone", k.Name, k.JdashEnv),
			Evidence: []Evidence{kernelEvidence(k), {Path: k.JdashEnv, Level: "env", Detail: "no longer exists"}},
			Why:      kernelWhy(s, k) + "; every notebook using this kernel fails to start it",
			Affects:  reachWhere(s, k.KernelsDir, true, readsKernels),
			Fix:      Fix{Commands: []string{"jdash kernel prune --env " + s.Prefix}},
			Action:   quarantine(k),
		})
	}
	return out
}

func checkUserReplaceable(s *Snapshot) []Finding {
	var out []Finding
	for _, k := range s.Kernels {
		if k.Level != "user" || !k.Wins || k.Err != "" || k.Native || k.Bare || k.Name == "python3" || !k.EnvKnown ||
			k.Ipykernel == "" || k.RunsIn == s.RealPrefix || k.JdashEnv != "" {
			continue
		}
		out = append(out, Finding{Severity: Info,
			Title:    fmt.Sprintf("kernel %q (env %s) is registered for the user: every env on this machine offers it", k.Name, k.RunsIn),
			Evidence: []Evidence{kernelEvidence(k)},
			Why:      onPath(s.Paths.Data, "data", k.KernelsDir) + "; `ipykernel install --user` writes there, and it goes stale when the env goes",
			Affects:  reachWhere(s, k.KernelsDir, true, readsKernels),
			Fix: Fix{Commands: []string{"jdash kernel add " + k.RunsIn + " --env " + s.Prefix + "   # at this env's level",
				"jdash kernel remove " + k.Name + " --env " + s.Prefix + " --yes"}},
		})
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
			Affects:  reachWhere(s, k.KernelsDir, true, readsKernels),
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
