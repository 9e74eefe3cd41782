package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/serverext"
)

func newServerextCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serverext",
		Short: "List, enable and disable server extensions (notebook 6 and jupyter_server 2)",
		Long: `Server extensions, done natively. --app notebook edits NotebookApp.nbserver_extensions in
<level>/jupyter_notebook_config.json (notebook 6; nbclassic loads it too); --app server writes
ServerApp.jpserver_extensions to <level>/jupyter_server_config.d/<module>.json (jupyter_server 2).
The default app is notebook when the env has notebook < 7, else server.`,
		Args: cobra.ArbitraryArgs,
		RunE: groupRun,
	}
	addEnvFlag(cmd.PersistentFlags())
	cmd.PersistentFlags().String("app", "auto", "notebook, server or auto")
	cmd.AddCommand(newServerextListCmd(f, nil), newServerextToggleCmd(f, "enable", nil), newServerextToggleCmd(f, "disable", nil))
	return cmd
}

type serverextOptions struct {
	serverext.VerbOptions
	Verb   string // enable or disable
	levels levelFlags
}

// serverextCmd is one serverext subcommand: argv (--env and --app are persistent) to
// options, then runF (tests) or run.
func serverextCmd(f *Factory, o *serverextOptions, c *cobra.Command, runF, run func(*serverextOptions) error) *cobra.Command {
	c.RunE = func(cmd *cobra.Command, args []string) error {
		o.Deps, o.Env, o.Modules = f.deps(cmd), envFlag(cmd), args
		o.App, _ = cmd.Flags().GetString("app")
		if runF != nil {
			return runF(o)
		}
		return run(o)
	}
	return c
}

func newServerextListCmd(f *Factory, runF func(*serverextOptions) error) *cobra.Command {
	o := &serverextOptions{}
	cmd := serverextCmd(f, o, &cobra.Command{Use: "list", Short: "Each server extension's effective state, the file it comes from, and whether it imports", Args: cobra.NoArgs},
		runF, serverextListRun)
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the documented JSON schema")
	return cmd
}

func serverextListRun(o *serverextOptions) error { return serverext.ListMain(&o.VerbOptions) }

func newServerextToggleCmd(f *Factory, verb string, runF func(*serverextOptions) error) *cobra.Command {
	o := &serverextOptions{Verb: verb}
	cmd := serverextCmd(f, o, &cobra.Command{
		Use:   verb + " MODULE...",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " server extensions (default level: --sys-prefix)",
		Args:  minArgs(1, verb+" needs a MODULE (the importable name of the server extension)"),
	}, runF, serverextToggleRun)
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the diff, write nothing")
	addYesFlag(cmd, &o.Yes)
	o.levels.add(cmd, false)
	return cmd
}

func serverextToggleRun(o *serverextOptions) error {
	var err error
	if o.Level, _, err = o.levels.kind(); err != nil {
		return err
	}
	return serverext.ToggleMain(&o.VerbOptions, o.Verb == "enable")
}
