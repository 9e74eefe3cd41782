package nbext

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pyjson"
	"github.com/jdash-dev/jdash/internal/run"
	"github.com/jdash-dev/jdash/internal/txn"
	"github.com/jdash-dev/jdash/internal/ui"
)

// VerbOptions are one `jdash nbext` run: the arguments and the run's dependencies.
type VerbOptions struct {
	run.Deps
	Env       string
	Args      []string // require paths, archive or dir paths, or modules with Py
	Py        bool     // the arguments are Python modules
	Diff      bool     // a dry run shows every copied file's diff
	Section   string   // enable/disable: the frontend section
	Name      string   // uninstall: the installed dir or file to remove
	JSON      bool
	DryRun    bool
	Level     jupyter.LevelKind
	LevelPath string // --prefix or --nbextensions
	Install   InstallOptions
	Yes       bool // confirm a write every env sees (--user, --system)
}

// levelAndEnv resolves the env and its write level, and has a write every env sees
// confirmed.
func (o *VerbOptions) levelAndEnv() (jupyter.Level, *envctx.Env, error) {
	ec, err := o.Envs.Resolve(o.Env)
	if err != nil {
		return jupyter.Level{}, nil, err
	}
	lvl, err := ec.Paths.Level(o.Level, o.LevelPath)
	if w := lvl.Reaches(); err == nil && w != "" && !o.DryRun {
		err = o.IO.Confirm(o.Yes, w, "--"+string(lvl.Kind))
	}
	return lvl, ec, err
}

func (o *VerbOptions) change(ec *envctx.Env, command string, roots ...string) txn.Change {
	return txn.Change{Prefix: ec.Env.Prefix, Command: command, DryRun: o.DryRun, FullDiff: o.Diff, Roots: roots}
}

// ListMain is `jdash nbext list`.
func ListMain(o *VerbOptions) error {
	ec, err := o.Envs.Resolve(o.Env)
	if err != nil {
		return err
	}
	l, err := List(o.FS, ec.Paths)
	if err != nil {
		return err
	}
	if o.JSON {
		return ui.WriteJSON(o.IO.Out, l)
	}
	cs := o.IO.Colors()
	w := o.IO.Out
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

type toggle struct{ section, require string }

// ToggleMain is `jdash nbext enable` (enable true) and `jdash nbext disable`.
func ToggleMain(o *VerbOptions, enable bool) error {
	verb := map[bool]string{true: "enable", false: "disable"}[enable]
	if !ValidSection(o.Section) {
		return clierr.Usagef("--section must be one of common, notebook, tree, edit, terminal")
	}
	lvl, ec, err := o.levelAndEnv()
	if err != nil {
		return err
	}
	dir, err := lvl.NBConfig()
	if err != nil {
		return &clierr.UsageError{Err: err}
	}
	var items []toggle
	for _, a := range o.Args {
		if !o.Py {
			items = append(items, toggle{o.Section, a})
			continue
		}
		_, paths, err := o.Envs.Python(ec).ModuleNBExtensions(context.Background(), a)
		if err != nil {
			return err
		}
		for _, p := range paths {
			items = append(items, toggle{p.Section, p.Require})
		}
	}
	state := pyjson.BoolValue(enable)
	_, err = o.Tx.Write(context.Background(), o.change(ec, "nbext "+verb, dir), func(w fsx.Writer) error {
		for _, it := range items {
			changed, err := SetState(w, dir, it.section, it.require, state)
			if err != nil {
				return err
			}
			if !o.DryRun {
				o.reportToggle(verb, it, dir, changed, ec)
			}
		}
		return nil
	})
	return err
}

func (o *VerbOptions) reportToggle(verb string, it toggle, dir string, changed bool, ec *envctx.Env) {
	if !changed {
		fmt.Fprintf(o.IO.ErrOut, "%s %s: already %sd in %s\n", it.section, it.require, verb, dir)
	} else {
		fmt.Fprintf(o.IO.ErrOut, "%sd %s %s in %s\n", verb, it.section, it.require, filepath.Join(dir, it.section+".json"))
	}
	if verb == "enable" && len(FindJS(fsx.Disk{}, ec.Paths, it.require)) == 0 {
		fmt.Fprintf(o.IO.ErrOut, "  %s %s.js is in no nbextensions dir of this env\n", o.IO.Colors().Red("warning:"), it.require)
	}
}

// InstallMain is `jdash nbext install`.
func InstallMain(o *VerbOptions) error {
	lvl, ec, err := o.levelAndEnv()
	if err != nil {
		return err
	}
	target := lvl.NBExtensions()
	type job struct {
		src  string
		opts InstallOptions
	}
	var jobs []job
	for _, a := range o.Args {
		if !o.Py {
			jobs = append(jobs, job{a, o.Install})
			continue
		}
		dir, paths, err := o.Envs.Python(ec).ModuleNBExtensions(context.Background(), a)
		if err != nil {
			return err
		}
		for _, p := range paths {
			opts := o.Install
			opts.Destination = p.Dest
			j := job{filepath.Join(dir, p.Src), opts}
			if !slices.Contains(jobs, j) { // two requires of one module often share src and dest
				jobs = append(jobs, j)
			}
		}
	}
	_, err = o.Tx.Write(context.Background(), o.change(ec, "nbext install", target), func(w fsx.Writer) error {
		for _, j := range jobs {
			dest, err := Install(w, target, j.src, j.opts)
			if err != nil {
				return err
			}
			if !o.DryRun {
				fmt.Fprintf(o.IO.ErrOut, "installed %s -> %s\n", j.src, dest)
			}
		}
		return nil
	})
	return err
}

// UninstallMain is `jdash nbext uninstall REQUIRE`: the files of the nbextension REQUIRE
// belongs to (its first component, or Name) and REQUIRE's entries in every section, at one
// level, as "jupyter nbextension uninstall --require" does; with Py, every nbextension the
// modules declare (their dest and require), as "jupyter nbextension uninstall --py" does.
func UninstallMain(o *VerbOptions) error {
	lvl, ec, err := o.levelAndEnv()
	if err != nil {
		return err
	}
	type job struct{ name, require string } // files to remove, config entry to clear
	var jobs []job
	if o.Py {
		for _, m := range o.Args {
			_, paths, err := o.Envs.Python(ec).ModuleNBExtensions(context.Background(), m)
			if err != nil {
				return err
			}
			for _, p := range paths {
				if j := (job{p.Dest, p.Require}); !slices.Contains(jobs, j) {
					jobs = append(jobs, j)
				}
			}
		}
	} else {
		require, name := o.Args[0], o.Name
		if name == "" {
			// foo/main belongs to foo; a bare name (Jupyter's `uninstall myext`) is the dir or
			// file of that name, else myext.js
			name = strings.SplitN(require, "/", 2)[0]
			if ok, _, _ := o.FS.Exists(filepath.Join(lvl.NBExtensions(), name)); !strings.Contains(require, "/") && !ok {
				name += ".js"
			}
		}
		jobs = append(jobs, job{name, require})
	}
	changes, err := o.Tx.Write(context.Background(), o.change(ec, "nbext uninstall", lvl.NBExtensions(), lvl.Config), func(w fsx.Writer) error {
		for _, j := range jobs {
			if _, err := UninstallFiles(w, []string{lvl.NBExtensions()}, j.name); err != nil {
				return err
			}
			dir, err := lvl.NBConfig()
			if err != nil {
				continue // --prefix/--nbextensions: files only
			}
			for _, s := range Sections {
				if _, err := SetState(w, dir, s, j.require, pyjson.NullValue()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil && !o.DryRun {
		o.Tx.Report(changes)
	}
	return err
}
