package cmd

import (
	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/run"
)

type pathsOptions struct {
	run.Deps
	Env     string
	JSON    bool
	Explain bool
}

func newPathsCmd(f *Factory, runF func(*pathsOptions) error) *cobra.Command {
	o := &pathsOptions{}
	cmd := &cobra.Command{
		Use:   "paths",
		Short: "Show the Jupyter config, data and runtime dirs an env sees",
		Long: `Show the directories Jupyter searches inside ENV, in priority order, computed from files with
the rules of the jupyter_core version installed in that env.

--json prints exactly what "python -m jupyter --paths --json" prints in that env under the same
environment variables. Without --json the layout is that of "jupyter --paths". --explain says
why each entry is there and which rule put env dirs before or after user dirs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Deps, o.Env = f.deps(cmd), envFlag(cmd)
			if runF != nil {
				return runF(o)
			}
			return pathsRun(o)
		},
	}
	addEnvFlag(cmd.Flags())
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print jupyter --paths --json's bytes (with --explain: the documented explain schema)")
	cmd.Flags().BoolVar(&o.Explain, "explain", false, "say why each dir is on the path")
	return cmd
}

func pathsRun(o *pathsOptions) error { return o.Envs.Paths(o.IO, o.Env, o.JSON, o.Explain) }
