package cmd

import (
	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/labext"
)

type labextOptions struct {
	labext.VerbOptions
	levels levelFlags
}

func newLabextCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "labext",
		Short: "List, enable and disable JupyterLab 4 and Notebook 7 extensions per env",
		Long: `JupyterLab's and Notebook 7's prebuilt extensions, read natively: every labextensions dir
of the env's data path (the first copy of a name wins), enabled or disabled by
labconfig/page_config.json at each config level. enable and disable write the env's own
level (--sys-prefix) unless asked, byte for byte as "jupyter labextension enable|disable
--level" writes it, journaled (--undo).`,
		Args: cobra.ArbitraryArgs,
		RunE: groupRun,
	}
	addEnvFlag(cmd.PersistentFlags())
	cmd.AddCommand(newLabextListCmd(f, nil), newLabextToggleCmd(f, "enable", nil), newLabextToggleCmd(f, "disable", nil))
	return cmd
}

// labextCmd is one labext subcommand: argv to options, then runF (tests) or run.
func labextCmd(f *Factory, o *labextOptions, c *cobra.Command, runF, run func(*labextOptions) error) *cobra.Command {
	c.RunE = func(cmd *cobra.Command, args []string) error {
		o.Deps, o.Env, o.Args = f.deps(cmd), envFlag(cmd), args
		if runF != nil {
			return runF(o)
		}
		return run(o)
	}
	return c
}

func newLabextListCmd(f *Factory, runF func(*labextOptions) error) *cobra.Command {
	o := &labextOptions{}
	cmd := labextCmd(f, o, &cobra.Command{Use: "list", Short: "Every prebuilt extension the env's JupyterLab and Notebook 7 see: version, level, package, enabled or disabled by which file", Args: cobra.NoArgs},
		runF, func(o *labextOptions) error { return labext.ListMain(&o.VerbOptions) })
	cmd.Flags().BoolVar(&o.JSON, "json", false, "machine-readable output (schema in docs/json.md)")
	return cmd
}

func newLabextToggleCmd(f *Factory, verb string, runF func(*labextOptions) error) *cobra.Command {
	o := &labextOptions{}
	cmd := labextCmd(f, o, &cobra.Command{
		Use:   verb + " NAME... | --undo",
		Short: map[string]string{"enable": "Enable extensions (or plugins, name:plugin) at one level", "disable": "Disable extensions (or plugins, name:plugin) at one level"}[verb],
		Args:  cobra.ArbitraryArgs,
	}, runF, func(o *labextOptions) error {
		var err error
		if o.Level, _, err = o.levels.kind(); err != nil {
			return err
		}
		if o.Undo {
			return labext.UndoMain(&o.VerbOptions, verb)
		}
		return labext.ToggleMain(&o.VerbOptions, verb == "enable")
	})
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the diff, write nothing")
	cmd.Flags().BoolVar(&o.Force, "force", false, "a name no labextensions dir has (an extension installed later)")
	cmd.Flags().BoolVar(&o.Undo, "undo", false, "restore the files the last "+verb+" changed")
	addYesFlag(cmd, &o.Yes)
	o.levels.add(cmd, false)
	return cmd
}
