package cmd

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/nbext"
	"github.com/jdash-dev/jdash/internal/pyjson"
)

type nbextOptions struct {
	Env     string
	Args    []string
	Verb    string // enable or disable
	JSON    bool
	DryRun  bool
	Section string
	Py      bool
	Name    string // uninstall --name
	levels  levelFlags
	install nbext.InstallOptions
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

func envFlag(cmd *cobra.Command) string {
	v, _ := cmd.Flags().GetString("env")
	return v
}

// addEnvFlag is the --env flag every env command takes.
func addEnvFlag(fs *pflag.FlagSet) {
	fs.StringP("env", "e", "", "the `ENV`: a prefix path or a name from jdash envs (default: the active env)")
}

// levelAndEnv resolves the write level, then the env (flags first: a usage error costs no scan).
func (o *nbextOptions) levelAndEnv(f *Factory) (jupyter.Level, *envContext, error) {
	kind, path, err := o.levels.kind()
	if err != nil {
		return jupyter.Level{}, nil, err
	}
	ec, err := f.envContext(o.Env)
	if err != nil {
		return jupyter.Level{}, nil, err
	}
	lvl, err := ec.Paths.Level(kind, path)
	return lvl, ec, err
}

func newNbextListCmd(f *Factory, runF func(*nbextOptions) error) *cobra.Command {
	o := &nbextOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show every enabled and disabled nbextension, by config dir and section",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Env = envFlag(cmd)
			if runF != nil {
				return runF(o)
			}
			return nbextListRun(f, o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the documented JSON schema")
	return cmd
}

func nbextListRun(f *Factory, o *nbextOptions) error {
	ec, err := f.envContext(o.Env)
	if err != nil {
		return err
	}
	l, err := nbext.List(f.FS, ec.Paths)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(f.IO.Out, l)
	}
	cs := f.IO.Colors()
	w := f.IO.Out
	fmt.Fprintln(w, "Known nbextensions:")
	for _, d := range l.Dirs {
		fmt.Fprintf(w, "  config dir: %s\n", d.ConfigDir)
		for _, s := range d.Sections {
			fmt.Fprintf(w, "    %s section\n", s.Section)
			for _, e := range s.Entries {
				state := cs.Red("disabled")
				if e.Enabled {
					state = cs.Green("enabled ")
				}
				note := ""
				switch {
				case e.ShadowedBy != "":
					note = cs.Dim("  (overridden by " + e.ShadowedBy + ")")
				case e.Enabled && !e.Valid:
					note = cs.Red("  (no " + e.Require + ".js in any nbextensions dir)")
				}
				fmt.Fprintf(w, "      %s %s%s\n", e.Require, state, note)
			}
		}
	}
	for _, s := range l.JSShadows {
		fmt.Fprintf(w, "shadowed: %s is served from %s; also in %v\n", s.Require, s.Served, s.Hidden)
	}
	return nil
}

func newNbextToggleCmd(f *Factory, verb string, runF func(*nbextOptions) error) *cobra.Command {
	o := &nbextOptions{Verb: verb}
	cmd := &cobra.Command{
		Use:   verb + " REQUIRE...",
		Short: map[string]string{"enable": "Enable nbextensions (by require path, or --py MODULE)", "disable": "Disable nbextensions"}[verb],
		Args:  minArgs(1, verb+" needs a require path such as myext/main (or --py MODULE)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Env, o.Args = envFlag(cmd), args
			if runF != nil {
				return runF(o)
			}
			return nbextToggleRun(f, o)
		},
	}
	cmd.Flags().StringVar(&o.Section, "section", "notebook", "the frontend section: common, notebook, tree, edit or terminal")
	cmd.Flags().BoolVar(&o.Py, "py", false, "the arguments are Python modules: toggle every nbextension they declare")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the diff, write nothing")
	o.levels.add(cmd, false)
	return cmd
}

func minArgs(n int, msg string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return flagErrorf("%s", msg)
		}
		return nil
	}
}

type toggle struct{ section, require string }

func nbextToggleRun(f *Factory, o *nbextOptions) error {
	verb, args := o.Verb, o.Args
	if !nbext.ValidSection(o.Section) {
		return flagErrorf("--section must be one of common, notebook, tree, edit, terminal")
	}
	lvl, ec, err := o.levelAndEnv(f)
	if err != nil {
		return err
	}
	dir, err := lvl.NBConfig()
	if err != nil {
		return &FlagError{err}
	}
	var items []toggle
	for _, a := range args {
		if !o.Py {
			items = append(items, toggle{o.Section, a})
			continue
		}
		_, paths, err := f.python(ec).ModuleNBExtensions(context.Background(), a)
		if err != nil {
			return err
		}
		for _, p := range paths {
			items = append(items, toggle{p.Section, p.Require})
		}
	}
	state := pyjson.BoolValue(verb == "enable")
	_, err = f.writeInEnv(context.Background(), ec, "nbext "+verb, o.DryRun, []string{dir}, func(w fsx.Writer) error {
		for _, it := range items {
			changed, err := nbext.SetState(w, dir, it.section, it.require, state)
			if err != nil {
				return err
			}
			if !o.DryRun {
				reportToggle(f, verb, it, dir, changed, ec)
			}
		}
		return nil
	})
	return err
}

func reportToggle(f *Factory, verb string, it toggle, dir string, changed bool, ec *envContext) {
	cs := f.IO.Colors()
	if !changed {
		fmt.Fprintf(f.IO.ErrOut, "%s %s: already %sd in %s\n", it.section, it.require, verb, dir)
	} else {
		fmt.Fprintf(f.IO.ErrOut, "%sd %s %s in %s\n", verb, it.section, it.require, filepath.Join(dir, it.section+".json"))
	}
	if verb == "enable" && len(nbext.FindJS(fsx.Disk{}, ec.Paths, it.require)) == 0 {
		fmt.Fprintf(f.IO.ErrOut, "  %s %s.js is in no nbextensions dir of this env\n", cs.Red("warning:"), it.require)
	}
}

func newNbextInstallCmd(f *Factory, runF func(*nbextOptions) error) *cobra.Command {
	o := &nbextOptions{}
	cmd := &cobra.Command{
		Use:   "install PATH... | --py MODULE...",
		Short: "Install nbextension files (copy only when newer; dirs merged; zip/tar unpacked)",
		Args:  minArgs(1, "install needs a PATH (a file, dir or archive) or --py MODULE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Env, o.Args = envFlag(cmd), args
			if runF != nil {
				return runF(o)
			}
			return nbextInstallRun(f, o)
		},
	}
	cmd.Flags().BoolVar(&o.Py, "py", false, "the arguments are Python modules: install what _jupyter_nbextension_paths() declares")
	cmd.Flags().BoolVarP(&o.install.Symlink, "symlink", "s", false, "symlink instead of copying")
	cmd.Flags().BoolVar(&o.install.Overwrite, "overwrite", false, "remove what is installed under that name first")
	cmd.Flags().StringVar(&o.install.Destination, "destination", "", "install under this `NAME`")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the diff, write nothing")
	o.levels.add(cmd, true)
	return cmd
}

func nbextInstallRun(f *Factory, o *nbextOptions) error {
	args := o.Args
	lvl, ec, err := o.levelAndEnv(f)
	if err != nil {
		return err
	}
	target := lvl.NBExtensions()
	type job struct {
		src  string
		opts nbext.InstallOptions
	}
	var jobs []job
	for _, a := range args {
		if !o.Py {
			jobs = append(jobs, job{a, o.install})
			continue
		}
		dir, paths, err := f.python(ec).ModuleNBExtensions(context.Background(), a)
		if err != nil {
			return err
		}
		for _, p := range paths {
			opts := o.install
			opts.Destination = p.Dest
			j := job{filepath.Join(dir, p.Src), opts}
			if !slices.Contains(jobs, j) { // two requires of one module often share src and dest
				jobs = append(jobs, j)
			}
		}
	}
	_, err = f.writeInEnv(context.Background(), ec, "nbext install", o.DryRun, []string{target}, func(w fsx.Writer) error {
		for _, j := range jobs {
			dest, err := nbext.Install(w, target, j.src, j.opts)
			if err != nil {
				return err
			}
			if !o.DryRun {
				fmt.Fprintf(f.IO.ErrOut, "installed %s -> %s\n", j.src, dest)
			}
		}
		return nil
	})
	return err
}

func newNbextUninstallCmd(f *Factory, runF func(*nbextOptions) error) *cobra.Command {
	o := &nbextOptions{}
	cmd := &cobra.Command{
		Use:   "uninstall REQUIRE",
		Short: "Remove an nbextension's files and its config entries at one level",
		Long: `Remove the files of the nbextension that REQUIRE (e.g. foo/main) belongs to, i.e. the dir
or file named by its first component under the level's nbextensions dir (--name overrides),
and clear REQUIRE from every section's config at that level, as
"jupyter nbextension uninstall --require" does.`,
		Args: exactArgs(1, "uninstall needs a REQUIRE path such as foo/main"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Env, o.Args = envFlag(cmd), args
			if runF != nil {
				return runF(o)
			}
			return nbextUninstallRun(f, o)
		},
	}
	cmd.Flags().StringVar(&o.Name, "name", "", "the installed dir or file to remove (default: REQUIRE's first component)")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the diff, write nothing")
	o.levels.add(cmd, true)
	return cmd
}

func nbextUninstallRun(f *Factory, o *nbextOptions) error {
	lvl, ec, err := o.levelAndEnv(f)
	if err != nil {
		return err
	}
	require, name := o.Args[0], o.Name
	if name == "" {
		name = strings.SplitN(require, "/", 2)[0]
		if !strings.Contains(require, "/") {
			name += ".js"
		}
	}
	changes, err := f.writeInEnv(context.Background(), ec, "nbext uninstall", o.DryRun, []string{lvl.NBExtensions(), lvl.Config}, func(w fsx.Writer) error {
		if _, err := nbext.UninstallFiles(w, []string{lvl.NBExtensions()}, name); err != nil {
			return err
		}
		dir, err := lvl.NBConfig()
		if err != nil {
			return nil // --prefix/--nbextensions: files only
		}
		for _, s := range nbext.Sections {
			if _, err := nbext.SetState(w, dir, s, require, pyjson.NullValue()); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && !o.DryRun {
		reportChanges(f, changes)
	}
	return err
}
