package cmd

import (
	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/compose/engine"
)

type deployOptions struct {
	stackDeps
	engine.DeployOptions
	Stack string // read by the root's config lookup
}

func newDeployCmd(f *Factory, runF func(*deployOptions) error) *cobra.Command {
	o := &deployOptions{}
	cmd := &cobra.Command{
		Use:   "deploy NOTEBOOK... [--name N] [--with FILE] [--open] | --list | --delete NAME",
		Short: "Publish notebooks to the dashboards service of this dir's running stack, and print their links",
		Long: `Publish notebooks to the dashboards service of the stack of this dir (--stack DIR: of another
dir; --config: of a jdash.yaml), as File -> Deploy as -> Dashboard does: the upload token comes
from the stack's state and is never printed. --with sends files the notebook reads (paths in
its dir) as the bundlers' zip. --open opens the links in your browser ($BROWSER, else the
desktop's).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.stackDeps, o.Notebooks = f.stackDeps(cmd), args
			if runF != nil {
				return runF(o)
			}
			return deployRun(o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Name, "name", "", "the dashboard's `NAME` (default: the notebook's file name without .ipynb)")
	fl.StringSliceVar(&o.With, "with", nil, "a `FILE` the notebook reads, sent with it (repeatable)")
	fl.BoolVar(&o.List, "list", false, "list the deployed dashboards and their links")
	fl.StringVar(&o.Delete, "delete", "", "delete the dashboard `NAME`")
	fl.BoolVar(&o.JSON, "json", false, "print JSON")
	fl.BoolVar(&o.Open, "open", false, "open the links in your browser")
	fl.StringVar(&o.Stack, "stack", "", "the stack of `DIR` (default: of this dir)")
	return cmd
}

func deployRun(o *deployOptions) error {
	n := 0
	for _, b := range []bool{len(o.Notebooks) > 0, o.List, o.Delete != ""} {
		if b {
			n++
		}
	}
	if n != 1 {
		return flagErrorf("give notebooks to deploy, or --list, or --delete NAME")
	}
	p, err := o.project()
	if err != nil {
		return err
	}
	return engine.Deploy(o.Deps, p, o.DeployOptions)
}
