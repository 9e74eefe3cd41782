package labext

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pyver"
	"github.com/jdash-dev/jdash/internal/run"
	"github.com/jdash-dev/jdash/internal/txn"
	"github.com/jdash-dev/jdash/internal/ui"
)

// VerbOptions are one `jdash labext` run.
type VerbOptions struct {
	run.Deps
	Env    string
	Args   []string // extension names (or plugin ids, name:plugin)
	Level  jupyter.LevelKind
	JSON   bool
	DryRun bool
	Force  bool // a name no data dir has (an extension installed later)
	Undo   bool // restore what the last enable (or disable) changed
	Yes    bool // confirm a write every env sees (--user, --system)
}

// UndoMain restores what the last `jdash labext <verb>` changed, asking first for files
// outside the env.
func UndoMain(o *VerbOptions, verb string) error {
	ec, err := o.Envs.Resolve(o.Env)
	if err != nil {
		return err
	}
	return o.Tx.UndoAsking(ec.Env.Prefix, "labext "+verb, o.DryRun, func(warning, what string) error { return o.IO.Confirm(o.Yes, warning, what) })
}

// ListMain is `jdash labext list`.
func ListMain(o *VerbOptions) error {
	ec, err := o.Envs.Resolve(o.Env)
	if err != nil {
		return err
	}
	l, err := List(o.FS, ec, o.Envs.Environ)
	if err != nil {
		return err
	}
	if o.JSON {
		return ui.WriteJSON(o.IO.Out, l)
	}
	l.write(o.IO.Out, o.IO.Colors())
	for _, p := range l.Problems {
		fmt.Fprintf(o.IO.ErrOut, "jdash: warning: %s: %s\n", p.Path, p.Err)
	}
	return nil
}

// write prints the listing grouped as `jupyter labextension list` groups it, with the level of
// each dir and what disables, locks or shadows an extension.
func (l *Listing) write(w io.Writer, cs ui.Scheme) {
	if l.Lab != "" {
		fmt.Fprintf(w, "JupyterLab v%s\n", l.Lab)
	} else {
		fmt.Fprintln(w, "JupyterLab: not installed in this env (Notebook 7 and Voilà read these extensions too)")
	}
	for _, d := range l.Dirs {
		var in []Entry
		for _, e := range l.Entries {
			if e.DataDir == d.Path {
				in = append(in, e)
			}
		}
		if len(in) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s (%s)\n", d.Path, d.Level)
		for _, e := range in {
			state := cs.Green("enabled")
			if !e.Enabled {
				state = cs.Red("disabled")
			}
			ok := cs.Green("OK")
			var why []string
			if !e.Valid {
				why = append(why, "not a prebuilt extension: no jupyterlab._build")
			} else if !e.RemoteEntry {
				why = append(why, "its "+e.Build.Load+" is missing")
			}
			if e.Compatible != nil && !*e.Compatible {
				why = append(why, "needs "+strings.Join(e.Incompatible, ", "))
			}
			if len(why) > 0 {
				ok = cs.Red("X")
			}
			line := fmt.Sprintf("        %s v%s %s %s", ui.Safe(e.Name), ui.Safe(e.Version), state, ok)
			if e.Locked != nil {
				line += " 🔒"
			}
			if e.Install != nil {
				line += fmt.Sprintf(" (%s, %s)", ui.Safe(e.Install.PackageManager), ui.Safe(e.Install.PackageName))
			}
			fmt.Fprintln(w, line)
			for _, x := range why {
				fmt.Fprintf(w, "            %s\n", x)
			}
			if e.PackageInstalled != nil && !*e.PackageInstalled {
				fmt.Fprintf(w, "            its Python package %s is not installed in this env\n", e.Install.PackageName)
			}
			for _, s := range e.Shadows {
				fmt.Fprintf(w, "            %s\n", cs.Dim(fmt.Sprintf("shadows v%s in %s (%s)", s.Version, s.DataDir, s.Level)))
			}
		}
		fmt.Fprintln(w)
	}
	if len(l.Disabled) > 0 {
		fmt.Fprintln(w, "Disabled extensions:")
		for _, d := range l.Disabled {
			name := ui.Safe(d.Name)
			if d.AllPlugins {
				name += " (all plugins)"
			}
			fmt.Fprintf(w, "    %s   %s\n", name, cs.Dim("by "+d.File+" ("+d.Level+")"))
		}
	}
}

// ToggleMain is `jdash labext enable` (enable true) and `jdash labext disable`.
func ToggleMain(o *VerbOptions, enable bool) error {
	verb := map[bool]string{true: "enable", false: "disable"}[enable]
	if len(o.Args) == 0 {
		return clierr.Usagef("%s needs an extension name such as @jupyter-widgets/jupyterlab-manager (or --undo)", verb)
	}
	ec, err := o.Envs.Resolve(o.Env)
	if err != nil {
		return err
	}
	lvl, err := ec.Paths.Level(o.Level, "")
	if err != nil {
		return &clierr.UsageError{Err: err}
	}
	if w := lvl.Reaches(); w != "" && !o.DryRun {
		if err := o.IO.Confirm(o.Yes, w, "--"+string(lvl.Kind)); err != nil {
			return err
		}
	}
	l, err := List(o.FS, ec, o.Envs.Environ)
	if err != nil {
		return err
	}
	if !o.Force {
		if err := l.known(o.Args); err != nil {
			return err
		}
	}
	all := ConfigDirs(ec.Paths)
	lv := Levels{All: all, At: ConfigDir{filepath.Join(lvl.Config, "labconfig"), string(lvl.Kind)}, Higher: HigherLevels(all, lvl.Kind),
		Migrate: lvl.Kind == jupyter.SysPrefix && Migrates(ec.Packages.Version("jupyterlab"))}
	_, err = o.Tx.Write(context.Background(), txn.Change{Prefix: ec.Env.Prefix, Command: "labext " + verb, DryRun: o.DryRun, Roots: []string{lv.At.Path}},
		func(w fsx.Writer) error {
			for _, name := range o.Args {
				out, err := Toggle(w, lv, name, !enable)
				if err != nil {
					return err
				}
				if !o.DryRun {
					o.report(verb, name, out)
				}
			}
			return nil
		})
	return err
}

func (o *VerbOptions) report(verb, name string, out Outcome) {
	if out.Migrated {
		fmt.Fprintln(o.IO.ErrOut, "copied the env's disabledExtensions into lockedExtensions first, as every jupyter labextension command of JupyterLab 4.1+ does once (its migration from 4.0)")
	}
	switch {
	case out.LockedBy != nil:
		fmt.Fprintf(o.IO.ErrOut, "%s is locked by %s (%s): not %sd (JupyterLab does not toggle a locked extension either)\n", name, out.LockedBy.File, out.LockedBy.Level, verb)
	case out.Already:
		fmt.Fprintf(o.IO.ErrOut, "%s: already %sd\n", name, verb)
	default:
		fmt.Fprintf(o.IO.ErrOut, "%sd %s in %s\n", verb, name, out.File)
	}
	if out.StillBy != nil {
		state := map[bool]string{true: "disabled", false: "enabled"}[out.StillBy.Value]
		fmt.Fprintf(o.IO.ErrOut, "  %s %s stays %s: %s (%s) decides it, and that level wins over this one\n", o.IO.Colors().Red("warning:"), name, state, out.StillBy.File, out.StillBy.Level)
	}
}

// Migrates reports a JupyterLab with the lock migration of 4.1 (its commands copy the env
// level's disabledExtensions into lockedExtensions once).
func Migrates(version string) bool {
	spec, _ := pyver.ParseSpec(">=4.1.0a0") // a valid literal
	return version != "" && spec.ContainsString(version)
}

// HigherLevels are the labconfig dirs that can lock an extension against a write at kind:
// for --user the env's and the machine's, for --sys-prefix the machine's.
func HigherLevels(all []ConfigDir, kind jupyter.LevelKind) []ConfigDir {
	var levels []string
	switch kind {
	case jupyter.User:
		levels = []string{"sys-prefix", "system"}
	case jupyter.SysPrefix:
		levels = []string{"system"}
	}
	var out []ConfigDir
	for _, d := range all {
		if slices.Contains(levels, d.Level) {
			out = append(out, d)
		}
	}
	return out
}

// known refuses names that no data dir, core extension or page config has, naming the
// closest ones.
func (l *Listing) known(names []string) error {
	var all []string
	for _, e := range l.Entries {
		all = append(all, e.Name)
	}
	all = append(all, l.Core...)
	for k := range l.page.Disabled {
		all = append(all, k)
	}
	for _, n := range names {
		ext, _, _ := cut(n)
		if slices.Contains(all, ext) || slices.Contains(all, n) {
			continue
		}
		msg := fmt.Sprintf("no labextension %q in this env (%s)", n, strings.Join(dirPaths(l.Dirs), ", "))
		if c := envdetect.Closest(ext, all); len(c) > 0 {
			msg += "; did you mean " + strings.Join(c, ", ") + "?"
		}
		return clierr.Usagef("%s (--force for one installed later)", msg)
	}
	return nil
}

func dirPaths(ds []LabDir) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Path)
	}
	return out
}
