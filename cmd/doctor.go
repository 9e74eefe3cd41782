package cmd

import (
	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/doctor"
)

type doctorOptions struct{ doctor.Options }

func newDoctorCmd(f *Factory, runF func(*doctorOptions) error) *cobra.Command {
	o := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor [--env ENV | --all [ENV...]]",
		Short: "Find the Jupyter config that leaks between envs, say why it wins, fix it reversibly",
		Long: `Diagnose what reaches an env from outside it: kernelspecs that run another interpreter,
extensions enabled for the user or the machine, exported Jupyter and Python variables, the user
site, IPython profiles, known version breakages, stale runtime files, exposed servers.

Every finding shows its evidence (file, level, line or variable), why it wins (the precedence of
"jdash paths --explain"), the envs it reaches and the fix. No Python is started without --deep,
and nothing is written without --fix. --fix changes files through jdash's journal (kernelspecs
are quarantined, never deleted); --undo restores the exact bytes. Changes outside the env
(HOME, other envs) need --yes or a confirmation on a terminal.

Exit codes: 0 no errors (warnings allowed), 3 errors (or warnings with --strict), 1 doctor could
not inspect, 2 usage.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Deps, o.Env, o.Names = f.deps(cmd), envFlag(cmd), args
			if err := o.Validate(cmd.Flags().Changed("env")); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return doctorRun(o)
		},
	}
	addEnvFlag(cmd.Flags())
	fl := cmd.Flags()
	fl.BoolVar(&o.All, "all", false, "every env jdash envs finds (or the ENVs named): one table, each shared leak once")
	fl.BoolVar(&o.JSON, "json", false, "print the findings as JSON (schema in docs/json.md)")
	fl.BoolVar(&o.Strict, "strict", false, "exit 3 on warnings too")
	fl.BoolVar(&o.Deep, "deep", false, "also run the env's Python once and compare its answers with jdash's model")
	fl.StringArrayVar(&o.Checks, "check", nil, "run only this check `ID` (repeatable; see --list-checks)")
	fl.BoolVar(&o.ListChecks, "list-checks", false, "list the checks and exit")
	fl.BoolVar(&o.Fix, "fix", false, "apply the automatic fixes (journaled; --dry-run shows the diffs)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "with --fix or --undo: show what would change, change nothing")
	fl.BoolVar(&o.Undo, "undo", false, "restore every file the last doctor --fix changed")
	fl.BoolVar(&o.Yes, "yes", false, "confirm changes outside the env (HOME, other envs) for --fix and --undo")
	return cmd
}

func doctorRun(o *doctorOptions) error { return doctor.Main(&o.Options) }
