package kernels

import (
	"github.com/jdash-dev/jdash/internal/envdetect"

	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/install"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/run"
	"github.com/jdash-dev/jdash/internal/setup"
	"github.com/jdash-dev/jdash/internal/txn"
	"github.com/jdash-dev/jdash/internal/ui"
)

// VerbOptions are one `jdash kernel` run.
type VerbOptions struct {
	run.Deps
	Env              string   // A: the env whose Jupyter sees the kernels
	Args             []string // add: the envs B; remove: the kernel names
	All              bool     // add: every env with ipykernel; prune: every env
	Name, Display    string   // add: the kernel's name and display name (one B)
	Level            jupyter.LevelKind
	Overwrite        bool // add: replace a spec of that name
	InstallIpykernel bool // add: install ipykernel into B first
	BreakSystem      bool // with InstallIpykernel: into an env the OS manages (PEP 668) anyway
	DryRun, Undo     bool
	Yes              bool // confirm changes outside A
	JSON             bool
}

// machine is every env of the machine, described once.
func (o *VerbOptions) machine() []*envctx.Env {
	var out []*envctx.Env
	for _, e := range o.Envs.Scan().Envs {
		out = append(out, o.Envs.Describe(e))
	}
	return out
}

func (o *VerbOptions) list(ec *envctx.Env) (Listing, error) {
	return List(o.FS, ec, o.envOf(ec), o.Envs.Runner.LookPath)
}

// envOf describes the env at a prefix (a path: no machine scan), once per prefix; A is
// already described.
func (o *VerbOptions) envOf(a *envctx.Env) EnvOf {
	known := map[string]*envdetect.Env{fsx.ResolveExisting(a.Env.Prefix): a.Env}
	return func(prefix string) *envdetect.Env {
		if e, ok := known[prefix]; ok {
			return e
		}
		e, err := o.Envs.Find(prefix)
		if err != nil || e.Broken {
			e = nil
		}
		known[prefix] = e
		return e
	}
}

// ListMain is `jdash kernel list`.
func ListMain(o *VerbOptions) error {
	ec, err := o.Envs.Resolve(o.Env)
	if err != nil {
		return err
	}
	l, err := o.list(ec)
	if err != nil {
		return err
	}
	if o.JSON {
		return ui.WriteJSON(o.IO.Out, l)
	}
	cs := o.IO.Colors()
	home := o.Envs.Environ["HOME"]
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tLEVEL\tENV\tIPYKERNEL\tINTERPRETER\tDISPLAY NAME")
	for _, s := range l.Kernels {
		name, interp, env, ipk := s.Name, ui.Safe(ui.TildeHome(s.Interpreter, home)), ui.Safe(s.EnvName), s.Ipykernel
		switch {
		case s.Error != "":
			name, interp = cs.Red(name), cs.Red("(does not load)")
		case !s.Active:
			name = cs.Dim(name + " (shadowed)")
		case !s.Exists:
			interp = cs.Red(interp + " (missing)")
		}
		if env == "" && s.Env != "" {
			env = ui.Safe(ui.TildeHome(s.Env, home))
		}
		if env == "" {
			env = "-"
		}
		if ipk == "" {
			ipk = "-"
			if s.Env != "" && s.Error == "" {
				ipk = cs.Red("none")
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, s.Level, env, ipk, interp, ui.Safe(s.DisplayName))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range l.Kernels {
		switch {
		case s.Error != "":
			fmt.Fprintf(o.IO.ErrOut, "%s: %s: jupyter_client does not offer it\n", s.Name, ui.Safe(s.Error))
		case s.ShadowedBy != "":
			fmt.Fprintf(o.IO.ErrOut, "%s: %s is hidden by %s\n", s.Name, s.ResourceDir, s.ShadowedBy)
		}
	}
	return nil
}

// AddMain is `jdash kernel add B...`: B's kernel in A, at A's level unless asked otherwise.
func AddMain(o *VerbOptions) error {
	a, err := o.Envs.Resolve(o.Env)
	if err != nil {
		return err
	}
	if o.Undo {
		return o.undo(a, "kernel add")
	}
	switch {
	case o.All && len(o.Args) > 0:
		return clierr.Usagef("--all adds every env with ipykernel: name no ENV with it")
	case !o.All && len(o.Args) == 0:
		return clierr.Usagef("add needs an ENV (a prefix path or a name from jdash envs), or --all")
	case (o.Name != "" || o.Display != "") && len(o.Args) != 1:
		return clierr.Usagef("--name and --display-name go with one ENV")
	}
	if o.Name != "" {
		if err := CheckName(o.Name); err != nil {
			return &clierr.UsageError{Err: err}
		}
	}
	lvl, err := a.Paths.Level(o.Level, "")
	if err != nil {
		return err
	}
	root := filepath.Join(lvl.Data, "kernels")
	bs, err := o.targets(a)
	if err != nil {
		return err
	}
	existing, err := o.list(a)
	if err != nil {
		return err
	}
	type job struct {
		b             *envctx.Env
		name, display string
	}
	var jobs []job
	for _, b := range bs {
		name, display := strings.ToLower(o.Name), o.Display
		if name == "" {
			name = Name(b.Env)
		}
		if display == "" {
			display = DisplayName(b.Env)
		}
		for _, s := range existing.Kernels {
			if s.Name != name || o.Overwrite || (s.Jdash != nil && s.Jdash.Env == b.Env.Prefix && s.ResourceDir == filepath.Join(root, name)) {
				continue
			}
			return fmt.Errorf("a kernel named %s exists (%s, level %s): give --name, or --overwrite to replace it at %s", name, s.ResourceDir, s.Level, root)
		}
		jobs = append(jobs, job{b, name, display})
	}
	if w := lvl.Reaches(); w != "" && !o.DryRun {
		if err := o.IO.Confirm(o.Yes, w, "kernel add --"+string(lvl.Kind)); err != nil {
			return err
		}
	}
	var notes []string
	// the root is the level's data dir: a kernels dir that is a link out of it is refused
	_, err = o.Tx.Write(o.Context(), txn.Change{Prefix: a.Env.Prefix, Command: "kernel add", DryRun: o.DryRun, Roots: []string{lvl.Data},
		Undo: "jdash kernel add --undo --env " + a.Env.Prefix}, func(w fsx.Writer) error {
		for _, j := range jobs {
			dir := filepath.Join(root, j.name)
			if err := fsx.RemoveAll(w, dir); err != nil { // --overwrite, or jdash's own earlier kernel of B
				return err
			}
			act, err := Write(w, dir, j.b, j.display, "jdash kernel add")
			if err != nil {
				return err
			}
			for _, u := range act.Unsupported {
				notes = append(notes, fmt.Sprintf("%s: %s does more than export literal values: not applied to the kernel (jdash applies conda-meta/state env_vars, env_vars.d/*.json and export NAME=VALUE lines)", j.name, u))
			}
			if !o.DryRun {
				fmt.Fprintf(o.IO.ErrOut, "added kernel %s (%q) to %s: %s runs %s\n", j.name, j.display, a.Env.Prefix, dir, j.b.Env.Python)
			}
		}
		return nil
	})
	for _, n := range notes {
		fmt.Fprintln(o.IO.ErrOut, "note: "+n)
	}
	if err == nil && !o.DryRun {
		fmt.Fprintf(o.IO.ErrOut, "undo with: jdash kernel add --undo --env %s\n", a.Env.Prefix)
	}
	return err
}

// targets are the envs B: the ones named (each with ipykernel, or installed with
// --install-ipykernel), or with --all every healthy env that has ipykernel, A aside.
func (o *VerbOptions) targets(a *envctx.Env) ([]*envctx.Env, error) {
	if o.All {
		out := WithIpykernel(o.Envs, a.Env.Prefix)
		if len(out) == 0 {
			return nil, fmt.Errorf("no env besides %s has ipykernel (jdash kernel add ENV --install-ipykernel installs it)", a.Env.Prefix)
		}
		return out, nil
	}
	var out []*envctx.Env
	for _, ref := range o.Args {
		b, err := o.Envs.Resolve(ref)
		if err != nil {
			return nil, err
		}
		if b.Env.Broken {
			return nil, fmt.Errorf("%s is not a working Python env: %s", b.Env.Prefix, b.Env.Error)
		}
		if b.Packages.Version("ipykernel") == "" {
			if !o.InstallIpykernel {
				return nil, fmt.Errorf("%s has no ipykernel, so it cannot run a kernel: give --install-ipykernel to install it with the env's own pip", b.Env.Prefix)
			}
			if b, err = o.installIpykernel(b); err != nil {
				return nil, err
			}
		}
		out = append(out, b)
	}
	return out, nil
}

// installIpykernel installs ipykernel into B with its own pip, under B's lock, and describes
// B again.
func (o *VerbOptions) installIpykernel(b *envctx.Env) (*envctx.Env, error) {
	if marker := setup.ExternallyManaged(b.Env); marker != "" && !o.BreakSystem {
		return nil, fmt.Errorf("%s is managed by the operating system (%s, PEP 668): jdash will not pip-install ipykernel into it; install python3-ipykernel with the OS's package manager, or give --break-system-packages", b.Env.Prefix, marker)
	}
	if o.DryRun {
		fmt.Fprintf(o.IO.Out, "would install into %s: ipykernel\n", b.Env.Prefix)
		return b, nil
	}
	ctx, stop := txn.Interruptible(o.Context())
	defer stop()
	unlock, err := o.Tx.Lock(ctx, b.Env.Prefix)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if b.Packages.Version("pip") == "" {
		if err := install.EnsurePip(ctx, o.Envs.Runner, b.Env.Python, o.IO.Progress()); err != nil {
			return nil, err
		}
	}
	if err := install.Packages(ctx, o.Envs.Runner, b.Env.Python, []string{"ipykernel"}, o.BreakSystem, o.IO.Progress()); err != nil {
		if ctx.Err() != nil {
			return nil, context.Canceled
		}
		return nil, err
	}
	return o.Envs.Resolve(b.Env.Prefix)
}

// RemoveMain is `jdash kernel remove NAME...`: the spec each name means in A.
func RemoveMain(o *VerbOptions) error {
	a, err := o.Envs.Resolve(o.Env)
	if err != nil {
		return err
	}
	if o.Undo {
		return o.undo(a, "kernel remove")
	}
	if len(o.Args) == 0 {
		return clierr.Usagef("remove needs a kernel NAME (jdash kernel list shows them)")
	}
	l, err := o.list(a)
	if err != nil {
		return err
	}
	var dirs []string
	for _, n := range o.Args {
		i := slices.IndexFunc(l.Kernels, func(s Spec) bool { return s.Name == strings.ToLower(n) && s.ShadowedBy == "" })
		switch {
		case i < 0:
			return fmt.Errorf("%s sees no kernel named %s (jdash kernel list --env %s)", a.Env.Prefix, n, a.Env.Prefix)
		case l.Kernels[i].Level == "native":
			return fmt.Errorf("%s is ipykernel's own kernel of %s, offered when no python3 spec exists: nothing to remove", n, a.Env.Prefix)
		}
		dirs = append(dirs, l.Kernels[i].ResourceDir)
	}
	return o.removeDirs(a, "kernel remove", dirs)
}

// PruneMain is `jdash kernel prune`: the specs whose interpreter is gone, or that jdash made
// for an env that is gone, in A (or in every env with --all).
func PruneMain(o *VerbOptions) error {
	if o.All && o.Env != "" {
		return clierr.Usagef("--env and --all exclude each other")
	}
	envs := []*envctx.Env{}
	if o.All {
		envs = o.machine()
	} else {
		a, err := o.Envs.Resolve(o.Env)
		if err != nil {
			return err
		}
		if o.Undo {
			return o.undo(a, "kernel prune")
		}
		envs = append(envs, a)
	}
	done := map[string]bool{}
	for _, a := range envs {
		l, err := o.list(a)
		if err != nil {
			return err
		}
		var dirs []string
		for _, s := range l.Kernels {
			if s.Level == "native" || s.Error != "" || done[s.ResourceDir] {
				continue
			}
			if (filepath.IsAbs(s.Interpreter) && !s.Exists) || (s.Jdash != nil && !exists(s.Jdash.Env)) {
				dirs = append(dirs, s.ResourceDir)
				done[s.ResourceDir] = true
			}
		}
		if len(dirs) == 0 {
			if !o.All {
				fmt.Fprintf(o.IO.ErrOut, "nothing to prune in %s: every kernel's interpreter and env are there\n", a.Env.Prefix)
			}
			continue
		}
		if err := o.removeDirs(a, "kernel prune", dirs); err != nil {
			return err
		}
	}
	return nil
}

func exists(p string) bool {
	ok, _, _ := (fsx.Disk{}).Exists(p)
	return ok
}

// removeDirs removes kernelspec dirs through A's journal, asking first for those outside A.
func (o *VerbOptions) removeDirs(a *envctx.Env, command string, dirs []string) error {
	var outside, roots []string
	for _, d := range dirs {
		if !strings.HasPrefix(d, a.Env.Prefix+string(filepath.Separator)) {
			outside = append(outside, d)
		}
		roots = append(roots, filepath.Dir(filepath.Dir(d))) // the data dir holding kernels/
	}
	if len(outside) > 0 && !o.DryRun {
		if err := o.IO.Confirm(o.Yes, "jdash "+command+" removes kernels outside "+a.Env.Prefix+": "+strings.Join(outside, ", "), "jdash "+command+" outside the env"); err != nil {
			return err
		}
	}
	_, err := o.Tx.Write(o.Context(), txn.Change{Prefix: a.Env.Prefix, Command: command, DryRun: o.DryRun, Roots: roots,
		Undo: "jdash " + command + " --undo --env " + a.Env.Prefix}, func(w fsx.Writer) error {
		for _, d := range dirs {
			if err := fsx.RemoveAll(w, d); err != nil {
				return err
			}
			if !o.DryRun {
				fmt.Fprintf(o.IO.ErrOut, "removed %s\n", d)
			}
		}
		return nil
	})
	if err == nil && !o.DryRun {
		fmt.Fprintf(o.IO.ErrOut, "undo with: jdash %s --undo --env %s\n", command, a.Env.Prefix)
	}
	return err
}

// undo restores what the last run of command changed for A, asking first for files outside A.
func (o *VerbOptions) undo(a *envctx.Env, command string) error {
	return o.Tx.UndoAsking(a.Env.Prefix, command, o.DryRun, func(warning, what string) error { return o.IO.Confirm(o.Yes, warning, what) })
}
