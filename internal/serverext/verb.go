package serverext

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/run"
	"github.com/jdash-dev/jdash/internal/txn"
	"github.com/jdash-dev/jdash/internal/ui"
)

// VerbOptions are one `jdash serverext` run: the arguments and the run's dependencies.
type VerbOptions struct {
	run.Deps
	Env     string
	App     string // --app: notebook, server or auto
	Modules []string
	JSON    bool
	DryRun  bool
	Level   jupyter.LevelKind
	Yes     bool // confirm a write every env sees (--user, --system)
}

// AppFlag maps --app to a server app; auto asks the env's package index (its sys.path).
func AppFlag(pkgs *pkgindex.Index, flag string) (App, error) {
	switch flag {
	case "notebook":
		return Notebook, nil
	case "server":
		return Server, nil
	case "auto":
		return AppFor(pkgs.Version("notebook"), pkgs.Version("jupyter_server")), nil
	}
	return "", clierr.Usagef("--app must be notebook, server or auto, not %q", flag)
}

func (o *VerbOptions) envAndApp() (*envctx.Env, App, error) {
	ec, err := o.Envs.Resolve(o.Env)
	if err != nil {
		return nil, "", err
	}
	app, err := AppFlag(ec.Packages, o.App)
	return ec, app, err
}

// ListMain is `jdash serverext list`.
func ListMain(o *VerbOptions) error {
	ec, app, err := o.envAndApp()
	if err != nil {
		return err
	}
	l, err := List(o.FS, ec.Paths, app, ec.Packages.Module)
	if err != nil {
		return err
	}
	if o.JSON {
		return ui.WriteJSON(o.IO.Out, l)
	}
	cs := o.IO.Colors()
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
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
		fmt.Fprintf(o.IO.ErrOut, "note: %s may change these (a .py config file: jdash cannot evaluate it)\n", p)
	}
	return nil
}

// ToggleMain is `jdash serverext enable` (enable true) and `jdash serverext disable`.
func ToggleMain(o *VerbOptions, enable bool) error {
	verb := map[bool]string{true: "enable", false: "disable"}[enable]
	ec, app, err := o.envAndApp()
	if err != nil {
		return err
	}
	lvl, err := ec.Paths.Level(o.Level, "")
	if err != nil {
		return err
	}
	if w := lvl.Reaches(); w != "" && !o.DryRun {
		if err := o.IO.Confirm(o.Yes, w, "--"+string(lvl.Kind)); err != nil {
			return err
		}
	}
	levelDir, err := lvl.ConfigDir()
	if err != nil {
		return &clierr.UsageError{Err: err}
	}
	if enable {
		for _, m := range o.Modules {
			if ec.Packages.Module(m) == "" {
				return fmt.Errorf("module %s is not installed in %s (not found in %s)", m, ec.Env.Prefix, strings.Join(ec.Packages.Dirs(), ", "))
			}
		}
	}
	_, err = o.Tx.Write(context.Background(), txn.Change{Prefix: ec.Env.Prefix, Command: "serverext " + verb, DryRun: o.DryRun, Roots: []string{levelDir}},
		func(w fsx.Writer) error {
			for _, m := range o.Modules {
				file, changed, err := Toggle(w, levelDir, app, m, enable)
				if err != nil {
					return err
				}
				if o.DryRun {
					continue
				}
				if changed {
					fmt.Fprintf(o.IO.ErrOut, "%sd %s in %s\n", verb, m, file)
				} else {
					fmt.Fprintf(o.IO.ErrOut, "%s: already %sd in %s\n", m, verb, file)
				}
			}
			return nil
		})
	return err
}
