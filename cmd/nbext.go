package cmd

import (
	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/nbext"
)

type nbextOptions struct {
	nbext.VerbOptions
	Verb   string // enable or disable
	levels levelFlags
}

func newNbextCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "nbext",
		Short: "List, install, enable, disable and uninstall classic notebook extensions",
		Long: `The classic notebook's nbextensions (notebook 6, nbclassic), done natively with the same
on-disk result as "jupyter nbextension": config in <level>/nbconfig/<section>.json, files in
<level>/nbextensions. Writes default to the env's own level (--sys-prefix).`,
		Args: cobra.ArbitraryArgs,
		RunE: groupRun,
	}
	addEnvFlag(cmd.PersistentFlags())
	cmd.AddCommand(newNbextListCmd(f, nil), newNbextToggleCmd(f, "enable", nil), newNbextToggleCmd(f, "disable", nil),
		newNbextInstallCmd(f, nil), newNbextUninstallCmd(f, nil))
	return cmd
}

// verb is the domain's options, the level checked first (a usage error costs no scan).
func (o *nbextOptions) verb() (*nbext.VerbOptions, error) {
	var err error
	o.Level, o.LevelPath, err = o.levels.kind()
	return &o.VerbOptions, err
}

// nbextCmd is one nbext subcommand: argv to options, then runF (tests) or run.
func nbextCmd(f *Factory, o *nbextOptions, c *cobra.Command, runF, run func(*nbextOptions) error) *cobra.Command {
	c.RunE = func(cmd *cobra.Command, args []string) error {
		o.Deps, o.Env, o.Args = f.deps(cmd), envFlag(cmd), args
		if runF != nil {
			return runF(o)
		}
		return run(o)
	}
	return c
}

func newNbextListCmd(f *Factory, runF func(*nbextOptions) error) *cobra.Command {
	o := &nbextOptions{}
	cmd := nbextCmd(f, o, &cobra.Command{Use: "list", Short: "Show every enabled and disabled nbextension, by config dir and section", Args: cobra.NoArgs}, runF, nbextListRun)
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the documented JSON schema")
	return cmd
}

func nbextListRun(o *nbextOptions) error {
	v, _ := o.verb() // list writes nothing: no level to check
	return nbext.ListMain(v)
}

func newNbextToggleCmd(f *Factory, verb string, runF func(*nbextOptions) error) *cobra.Command {
	o := &nbextOptions{Verb: verb}
	cmd := nbextCmd(f, o, &cobra.Command{
		Use:   verb + " REQUIRE...",
		Short: map[string]string{"enable": "Enable nbextensions (by require path, or --py MODULE)", "disable": "Disable nbextensions"}[verb],
		Args:  minArgs(1, verb+" needs a require path such as myext/main (or --py MODULE)"),
	}, runF, nbextToggleRun)
	cmd.Flags().StringVar(&o.Section, "section", "notebook", "the frontend section: common, notebook, tree, edit or terminal")
	cmd.Flags().BoolVar(&o.Py, "py", false, "the arguments are Python modules: toggle every nbextension they declare")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the diff, write nothing")
	addYesFlag(cmd, &o.Yes)
	o.levels.add(cmd, false)
	return cmd
}

func nbextToggleRun(o *nbextOptions) error {
	v, err := o.verb()
	if err != nil {
		return err
	}
	return nbext.ToggleMain(v, o.Verb == "enable")
}

func newNbextInstallCmd(f *Factory, runF func(*nbextOptions) error) *cobra.Command {
	o := &nbextOptions{}
	cmd := nbextCmd(f, o, &cobra.Command{
		Use:   "install PATH... | --py MODULE...",
		Short: "Install nbextension files (copy only when newer; dirs merged; zip/tar unpacked)",
		Args:  minArgs(1, "install needs a PATH (a file, dir or archive) or --py MODULE"),
	}, runF, nbextInstallRun)
	cmd.Flags().BoolVar(&o.Py, "py", false, "the arguments are Python modules: install what _jupyter_nbextension_paths() declares")
	cmd.Flags().BoolVarP(&o.Install.Symlink, "symlink", "s", false, "symlink instead of copying")
	cmd.Flags().BoolVar(&o.Install.Overwrite, "overwrite", false, "remove what is installed under that name first")
	cmd.Flags().StringVar(&o.Install.Destination, "destination", "", "install under this `NAME`")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the diff (copied files counted), write nothing")
	cmd.Flags().BoolVar(&o.Diff, "diff", false, "with --dry-run: the diff of every copied file too")
	addYesFlag(cmd, &o.Yes)
	o.levels.add(cmd, true)
	return cmd
}

func nbextInstallRun(o *nbextOptions) error {
	if o.Diff && !o.DryRun {
		return flagErrorf("--diff goes with --dry-run")
	}
	v, err := o.verb()
	if err != nil {
		return err
	}
	return nbext.InstallMain(v)
}

func newNbextUninstallCmd(f *Factory, runF func(*nbextOptions) error) *cobra.Command {
	o := &nbextOptions{}
	cmd := nbextCmd(f, o, &cobra.Command{
		Use:   "uninstall REQUIRE | --py MODULE...",
		Short: "Remove an nbextension's files and its config entries at one level",
		Long: `Remove the files of the nbextension that REQUIRE (e.g. foo/main) belongs to, i.e. the dir
or file named by its first component under the level's nbextensions dir (--name overrides),
and clear REQUIRE from every section's config at that level, as
"jupyter nbextension uninstall --require" does. With --py, every nbextension the modules
declare (_jupyter_nbextension_paths(): its dest and require), as "jupyter nbextension
uninstall --py" does.`,
		Args: minArgs(1, "uninstall needs a REQUIRE path such as foo/main (or --py MODULE)"),
	}, runF, nbextUninstallRun)
	cmd.Flags().BoolVar(&o.Py, "py", false, "the arguments are Python modules: uninstall every nbextension they declare")
	cmd.Flags().StringVar(&o.Name, "name", "", "the installed dir or file to remove (default: REQUIRE's first component)")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the diff, write nothing")
	addYesFlag(cmd, &o.Yes)
	o.levels.add(cmd, true)
	return cmd
}

func nbextUninstallRun(o *nbextOptions) error {
	if !o.Py && len(o.Args) != 1 {
		return flagErrorf("uninstall takes one REQUIRE path (or --py MODULE...), not %d arguments", len(o.Args))
	}
	if o.Py && o.Name != "" {
		return flagErrorf("--name and --py: a module names its own dirs")
	}
	v, err := o.verb()
	if err != nil {
		return err
	}
	return nbext.UninstallMain(v)
}
