package engine

import (
	"fmt"
	"io"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/profile"
	"github.com/jdash-dev/jdash/internal/setup"
)

// printKernels says where each service's python3 kernel runs.
func printKernels(w io.Writer, procs []ProcInfo) {
	for _, p := range procs {
		if p.Kernels != "" {
			fmt.Fprintf(w, "%s: python3 kernels run in %s\n", p.Name, p.Kernels)
		}
	}
}

// warnKernels names the notebooks whose kernels run in an env that lacks what the notebook's
// profile (setup's remembered choice) installs for its kernels (the widgets' Python side),
// with the command that puts it there.
func warnKernels(d Deps, pl *compose.Plan, facts map[string]compose.EnvFacts) {
	for _, p := range pl.Procs {
		kin, ok := facts[p.KernelsIn]
		if !compose.KindOf(p.Kind).IsNotebook() || !ok {
			continue
		}
		c, _ := setup.LoadChoices(d.FS, p.Env)
		if c == nil {
			continue
		}
		prof, err := profile.Get(c.Profile)
		if err != nil {
			continue
		}
		needs, _ := prof.KernelNeeds(facts[p.Env].PythonVersion)
		for _, r := range needs {
			if have := kin.Versions[pkgindex.NormalizeName(r.Name)]; !r.Satisfied(have) {
				if have == "" {
					have = "none"
				}
				w := fmt.Sprintf("service %s: its kernels run in %s, which lacks %s (has %s) that the %s profile installs for the notebook's kernels; fix: %s -m pip install '%s'",
					p.Name, p.KernelsWhere(), r, have, prof.Name, kin.Python, r)
				if kin.Prefix != p.Env {
					w += fmt.Sprintf(", or give the notebook's env ipykernel (%s -m pip install ipykernel) so that the gateway runs its kernels there", facts[p.Env].Python)
				}
				fmt.Fprintf(d.IO.ErrOut, "warning: %s\n", w)
			}
		}
	}
}
