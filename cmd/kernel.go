package cmd

import (
	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/kernels"
)

type kernelOptions struct {
	kernels.VerbOptions
	levels levelFlags
}

func newKernelCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kernel",
		Short: "List, add, remove and prune kernels across envs, without --user",
		Long: `Kernels across envs. "jdash kernel add B --env A" makes env B's Python a kernel of the Jupyter
in env A: a kernel.json at A's own level (--sys-prefix) that runs B's interpreter with B
activated (B's bin first on PATH; VIRTUAL_ENV, or CONDA_PREFIX and conda's variables). No
file is written under your home unless you ask for --user.

Names follow one rule: <kind>-<env name>-py<X.Y>, lower-cased, any other character made "-";
the display name is "Python X.Y (<env name>, <kind>)". --name and --display-name override.`,
		Args: cobra.ArbitraryArgs,
		RunE: groupRun,
	}
	addEnvFlag(cmd.PersistentFlags())
	cmd.AddCommand(newKernelListCmd(f, nil), newKernelAddCmd(f, nil), newKernelRemoveCmd(f, nil), newKernelPruneCmd(f, nil))
	return cmd
}

// kernelCmd is one kernel subcommand: argv to options, then runF (tests) or run.
func kernelCmd(f *Factory, o *kernelOptions, c *cobra.Command, runF, run func(*kernelOptions) error) *cobra.Command {
	c.RunE = func(cmd *cobra.Command, args []string) error {
		o.Deps, o.Env, o.Args = f.deps(cmd), envFlag(cmd), args
		var err error
		if o.Level, _, err = o.levels.kind(); err != nil {
			return err
		}
		if runF != nil {
			return runF(o)
		}
		return run(o)
	}
	return c
}

func newKernelListCmd(f *Factory, runF func(*kernelOptions) error) *cobra.Command {
	o := &kernelOptions{}
	cmd := kernelCmd(f, o, &cobra.Command{Use: "list", Short: "Every kernelspec the env's Jupyter sees: where from, what it shadows, the interpreter and its env", Args: cobra.NoArgs},
		runF, func(o *kernelOptions) error { return kernels.ListMain(&o.VerbOptions) })
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print JSON (schema in docs/json.md)")
	return cmd
}

func newKernelAddCmd(f *Factory, runF func(*kernelOptions) error) *cobra.Command {
	o := &kernelOptions{}
	cmd := kernelCmd(f, o, &cobra.Command{Use: "add ENV... | --all", Short: "Make other envs' Pythons kernels of this env's Jupyter (default level: --sys-prefix)"},
		runF, func(o *kernelOptions) error { return kernels.AddMain(&o.VerbOptions) })
	fl := cmd.Flags()
	fl.BoolVar(&o.All, "all", false, "every env that has ipykernel")
	fl.StringVar(&o.Name, "name", "", "the kernel's `NAME` (default: <kind>-<env name>-py<X.Y>)")
	fl.StringVar(&o.Display, "display-name", "", "what the kernel menu shows (default: Python X.Y (<env name>, <kind>))")
	fl.BoolVar(&o.Overwrite, "overwrite", false, "replace a kernel of that name")
	fl.BoolVar(&o.InstallIpykernel, "install-ipykernel", false, "install ipykernel into the ENV first, with its own pip")
	fl.BoolVar(&o.BreakSystem, "break-system-packages", false, "with --install-ipykernel: into an env the OS manages (PEP 668) anyway")
	addChangeFlags(cmd, o)
	o.levels.add(cmd, false)
	return cmd
}

func newKernelRemoveCmd(f *Factory, runF func(*kernelOptions) error) *cobra.Command {
	o := &kernelOptions{}
	cmd := kernelCmd(f, o, &cobra.Command{Use: "remove NAME...", Short: "Remove the kernelspecs these names mean in the env (journaled)"},
		runF, func(o *kernelOptions) error { return kernels.RemoveMain(&o.VerbOptions) })
	addChangeFlags(cmd, o)
	return cmd
}

func newKernelPruneCmd(f *Factory, runF func(*kernelOptions) error) *cobra.Command {
	o := &kernelOptions{}
	cmd := kernelCmd(f, o, &cobra.Command{Use: "prune", Short: "Remove kernelspecs whose interpreter is gone, or that jdash made for an env that is gone", Args: cobra.NoArgs},
		runF, func(o *kernelOptions) error { return kernels.PruneMain(&o.VerbOptions) })
	cmd.Flags().BoolVar(&o.All, "all", false, "in every env jdash envs finds")
	addChangeFlags(cmd, o)
	return cmd
}

// addChangeFlags are the flags of the kernel verbs that write.
func addChangeFlags(cmd *cobra.Command, o *kernelOptions) {
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the diff, write nothing")
	cmd.Flags().BoolVar(&o.Undo, "undo", false, "restore what the last run of this command changed")
	cmd.Flags().BoolVar(&o.Yes, "yes", false, "confirm changes outside the env (your home, the machine)")
}
