package cmd

import (
	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/run"
)

type envsOptions struct {
	run.Deps
	JSON bool
	Ref  string // envs show ENV
}

func newEnvsCmd(f *Factory, runF func(*envsOptions) error) *cobra.Command {
	o := &envsOptions{}
	cmd := &cobra.Command{
		Use:   "envs",
		Short: "List every Python environment on this machine",
		Long: `List every Python environment found from files alone (no Python is started): the active
env, interpreters on PATH, system Pythons, conda/mamba/micromamba, pyenv, virtualenvwrapper,
pipenv, poetry, hatch, pixi, uv, pipx, and --workspace dirs searched recursively.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Deps = f.deps(cmd)
			if runF != nil {
				return runF(o)
			}
			return envsRun(o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the documented JSON schema")
	cmd.Flags().StringSlice("workspace", nil, "also search `DIR` recursively for project envs (repeatable)")
	cmd.Flags().Int("workspace-depth", envdetect.DefaultWorkspaceDepth, "how deep --workspace dirs are searched")
	cmd.AddCommand(newEnvsShowCmd(f, runF))
	return cmd
}

func envsRun(o *envsOptions) error { return o.Envs.List(o.IO, o.JSON) }

func newEnvsShowCmd(f *Factory, runF func(*envsOptions) error) *cobra.Command {
	o := &envsOptions{}
	show := &cobra.Command{
		Use:   "show ENV",
		Short: "Print one environment in full",
		Args:  exactArgs(1, "show needs one ENV: a prefix path or a name from `jdash envs`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Deps, o.Ref = f.deps(cmd), args[0]
			if runF != nil {
				return runF(o)
			}
			return envsShowRun(o)
		},
	}
	show.Flags().BoolVar(&o.JSON, "json", false, "print the env as JSON")
	show.Flags().StringSlice("workspace", nil, "also search `DIR` for envs when resolving a name")
	return show
}

func envsShowRun(o *envsOptions) error { return o.Envs.Show(o.IO, o.Ref, o.JSON) }
