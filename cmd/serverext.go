package cmd

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pkgindex"
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

// appFor maps --app to a server app; auto asks the env's package index (its sys.path).
func appFor(pkgs *pkgindex.Index, flag string) (serverext.App, error) {
	switch flag {
	case "notebook":
		return serverext.Notebook, nil
	case "server":
		return serverext.Server, nil
	case "auto":
		return serverext.AppFor(pkgs.Version("notebook"), pkgs.Version("jupyter_server")), nil
	}
	return "", flagErrorf("--app must be notebook, server or auto, not %q", flag)
}

type serverextOptions struct {
	Env, App string
	Verb     string // enable or disable
	Modules  []string
	JSON     bool
	DryRun   bool
	levels   levelFlags
}

// fromFlags reads the flags the serverext commands share (--env and --app are persistent).
func (o *serverextOptions) fromFlags(cmd *cobra.Command, args []string) {
	o.Env, o.Modules = envFlag(cmd), args
	o.App, _ = cmd.Flags().GetString("app")
}

// context resolves --env and --app.
func (o *serverextOptions) context(f *Factory) (*envContext, serverext.App, error) {
	ec, err := f.envContext(o.Env)
	if err != nil {
		return nil, "", err
	}
	app, err := appFor(ec.Packages, o.App)
	return ec, app, err
}

func newServerextListCmd(f *Factory, runF func(*serverextOptions) error) *cobra.Command {
	o := &serverextOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Each server extension's effective state, the file it comes from, and whether it imports",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.fromFlags(cmd, args)
			if runF != nil {
				return runF(o)
			}
			return serverextListRun(f, o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the documented JSON schema")
	return cmd
}

func serverextListRun(f *Factory, o *serverextOptions) error {
	ec, app, err := o.context(f)
	if err != nil {
		return err
	}
	l, err := serverext.List(f.FS, ec.Paths, app, ec.Packages.Module)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(f.IO.Out, l)
	}
	cs := f.IO.Colors()
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "MODULE\tSTATE\tIMPORTABLE\tFROM\n")
	for _, e := range l.Extensions {
		state := cs.Red("disabled")
		if e.Enabled {
			state = cs.Green("enabled")
		}
		imp := cs.Green("yes")
		if !e.Importable {
			imp = cs.Red("no")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s (%s)\n", e.Module, state, imp, e.Source, e.Rule)
	}
	tw.Flush()
	for _, p := range l.Opaque {
		fmt.Fprintf(f.IO.ErrOut, "note: %s may change these (a .py config file: jdash cannot evaluate it)\n", p)
	}
	return nil
}

func newServerextToggleCmd(f *Factory, verb string, runF func(*serverextOptions) error) *cobra.Command {
	o := &serverextOptions{Verb: verb}
	cmd := &cobra.Command{
		Use:   verb + " MODULE...",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " server extensions (default level: --sys-prefix)",
		Args:  minArgs(1, verb+" needs a MODULE (the importable name of the server extension)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.fromFlags(cmd, args)
			if runF != nil {
				return runF(o)
			}
			return serverextToggleRun(f, o)
		},
	}
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the diff, write nothing")
	o.levels.add(cmd, false)
	return cmd
}

func serverextToggleRun(f *Factory, o *serverextOptions) error {
	kind, _, err := o.levels.kind()
	if err != nil {
		return err
	}
	ec, app, err := o.context(f)
	if err != nil {
		return err
	}
	lvl, err := ec.Paths.Level(kind, "")
	if err != nil {
		return err
	}
	levelDir, err := lvl.ConfigDir()
	if err != nil {
		return &FlagError{err}
	}
	enable := o.Verb == "enable"
	if enable {
		for _, m := range o.Modules {
			if ec.Packages.Module(m) == "" {
				return fmt.Errorf("module %s is not installed in %s (not found in %s)", m, ec.Env.Prefix, strings.Join(ec.Packages.Dirs(), ", "))
			}
		}
	}
	_, err = f.writeInEnv(context.Background(), ec, "serverext "+o.Verb, o.DryRun, []string{levelDir}, func(w fsx.Writer) error {
		for _, m := range o.Modules {
			file, changed, err := serverext.Toggle(w, levelDir, app, m, enable)
			if err != nil {
				return err
			}
			if o.DryRun {
				continue
			}
			if changed {
				fmt.Fprintf(f.IO.ErrOut, "%sd %s in %s\n", o.Verb, m, file)
			} else {
				fmt.Fprintf(f.IO.ErrOut, "%s: already %sd in %s\n", m, o.Verb, file)
			}
		}
		return nil
	})
	return err
}
