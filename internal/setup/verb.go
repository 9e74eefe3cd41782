package setup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/install"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/lazyre"
	"github.com/jdash-dev/jdash/internal/patch"
	"github.com/jdash-dev/jdash/internal/profile"
	"github.com/jdash-dev/jdash/internal/pyrun"
	"github.com/jdash-dev/jdash/internal/run"
	"github.com/jdash-dev/jdash/internal/txn"
	"github.com/jdash-dev/jdash/internal/ui"
)

// VerbOptions are one `jdash setup` run: the choices and the run's dependencies.
type VerbOptions struct {
	run.Deps
	Env, Profile    string
	Level           jupyter.LevelKind
	DryRun, Install bool
	Diff            bool // a dry run shows every copied file's diff
	Undo, Yes       bool
	BreakSystem     bool // install into an externally managed (PEP 668) env anyway
	Downgrade       bool // on notebook 7, take the classic profile's notebook 6.5.7 instead of nbclassic
	IP, GatewayURL  string
	Port            int
	// Changed are the flags given on the command line: the others keep what the last setup
	// of the env applied.
	Changed map[string]bool
	// By is the command remembered as the one that set the env up in this dir ("": jdash
	// setup), for jdash up's default stack.
	By string
}

// Main is `jdash setup`: the profile's missing packages (with --install, under the env's
// lock), then every step's files in one journaled change, at the chosen level.
func Main(o *VerbOptions) error {
	ctx := o.Context()
	ec, err := o.Envs.Resolve(o.Env)
	if err != nil {
		return err
	}
	lvl, err := ec.Paths.Level(o.Level, "")
	if err != nil {
		return err
	}
	if o.Undo {
		last, _ := LoadChoices(o.FS, ec.Env.Prefix) // the run the undo undoes
		if err := o.Tx.Undo(ec.Env.Prefix, "setup", o.DryRun, nil); err != nil {
			return err
		}
		if last != nil && !o.DryRun {
			// the package changes of the undone run: those the restored record lacks
			restored, _ := LoadChoices(o.FS, ec.Env.Prefix)
			var left []install.Change
			for _, c := range last.Packages {
				if restored == nil || !slices.Contains(restored.Packages, c) {
					left = append(left, c)
				}
			}
			notUndone(o, ec, left)
		}
		return nil
	}
	prev, err := keepChoices(o, ec)
	if err != nil {
		return err
	}
	if err := CheckStack(o.IP, o.Port, o.GatewayURL); err != nil {
		return &clierr.UsageError{Err: err}
	}
	if o.Downgrade && !o.Changed["profile"] {
		o.Profile = "classic"
	}
	name, why := Route(o.Profile, ec.Packages.Version("notebook"), o.Downgrade)
	if why != "" {
		fmt.Fprintf(o.IO.ErrOut, "route: %s\n", why)
	}
	p, err := profile.Get(name)
	if err != nil {
		return &clierr.UsageError{Err: err}
	}
	if fi, err := os.Stat(ec.Env.Python); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		why := ec.Env.Error
		if why == "" {
			why = ec.Env.Python + " is not an executable file"
		}
		return fmt.Errorf("%s is not a working Python env (%s): setup needs its interpreter; recreate the env, or name another with --env", ec.Env.Prefix, why)
	}
	if w := lvl.Reaches(); w != "" && !o.DryRun {
		if err := o.IO.Confirm(o.Yes, w, "--"+string(lvl.Kind)); err != nil {
			return err
		}
	}
	before := ec.Versions()
	installed, listed, err := installMissing(ctx, o, ec, p)
	if err != nil || listed {
		return err
	}
	// the record keeps the package changes of the last install until another install replaces
	// them: a re-run that installs nothing must not rewrite it (nor make a journal of its own)
	var changed []install.Change
	if prev != nil {
		changed = prev.Packages
	}
	if installed {
		if ec, err = o.Envs.Resolve(ec.Env.Prefix); err != nil { // packages changed: describe again
			return err
		}
		changed = install.Diff(before, ec.Versions())
	}
	cache := pyrun.OpenCache(filepath.Join(fsx.EnvStateDir(ec.Env.Prefix), "pyinfo.json"))
	py := o.Envs.Python(ec)
	py.Cache, py.Stamp = cache, func(m string) string {
		if loc := ec.Packages.Module(m); loc != "" {
			return pyrun.FileStamp(loc) + " " + pyrun.FileStamp(filepath.Join(loc, "__init__.py"))
		}
		return ""
	}
	opts := Options{
		Profile: p, Level: lvl, Env: ec.Env, Paths: ec.Paths, Python: py, Packages: ec.Packages,
		Stack: Stack{IP: o.IP, Port: o.Port, GatewayURL: o.GatewayURL},
		Log:   o.IO.Progress(), Warn: o.IO.ErrOut,
	}
	choices := Choices{Profile: p.Name, IP: o.IP, Port: o.Port, GatewayURL: o.GatewayURL, Packages: changed}
	changes, err := o.Tx.Write(ctx, txn.Change{Prefix: ec.Env.Prefix, Command: "setup", DryRun: o.DryRun, FullDiff: o.Diff, Roots: opts.Roots(),
		Undo: "jdash setup --undo --env " + ec.Env.Prefix}, func(w fsx.Writer) error {
		if err := Run(ctx, w, opts); err != nil {
			return err
		}
		return SaveChoices(w, ec.Env.Prefix, choices)
	})
	if err != nil {
		return err
	}
	reportCompat(o, ec, cache)
	if o.DryRun {
		return nil
	}
	by := o.By
	if by == "" {
		by = "jdash setup --profile " + p.Name
	}
	if err := o.Envs.RememberUse(ec.Env.Prefix, by); err != nil {
		fmt.Fprintf(o.IO.ErrOut, "jdash: warning: %v\n", err)
	}
	// The cache is jdash's own record, not the user's: written through the writer, not journaled.
	if err := cache.Save(&fsx.Real{}); err != nil {
		fmt.Fprintf(o.IO.ErrOut, "jdash: warning: %v\n", err)
	}
	files := 0
	for _, c := range changes {
		if !c.Dir && c.Path != ChoicesFile(ec.Env.Prefix) {
			files++
		}
	}
	switch {
	case files > 0:
		fmt.Fprintf(o.IO.Out, "set up %s for %s: %s written (undo with: jdash setup --undo --env %s)\n", ec.Env.Prefix, p.Name, ui.Plural(files, "file"), ec.Env.Prefix)
	case installed:
		fmt.Fprintf(o.IO.Out, "installed the %s profile's packages into %s; it has no files to set up\n", p.Name, ec.Env.Prefix)
	default:
		fmt.Fprintf(o.IO.Out, "%s is already set up for %s: nothing changed\n", ec.Env.Prefix, p.Name)
	}
	if os.Geteuid() == 0 && p.App != "none" {
		fmt.Fprintln(o.IO.ErrOut, "note: you are root: the notebook server refuses to start as root unless given --allow-root")
	}
	return nil
}

// installMissing installs the profile's missing packages with the env's own pip, under the
// env's lock (pip stops with jdash: its whole process group). It reports whether it
// installed anything, or listed them instead (a dry run, which ends there).
func installMissing(ctx context.Context, o *VerbOptions, ec *envctx.Env, p *profile.Profile) (installed, listed bool, err error) {
	missing, err := Missing(p, ec.Env, ec.Packages.Version)
	if err != nil || len(missing) == 0 {
		return false, false, err
	}
	if marker := ExternallyManaged(ec.Env); marker != "" && !o.BreakSystem {
		return false, false, fmt.Errorf("%s is managed by the operating system (%s, PEP 668): jdash will not pip-install %s into it.\nUse a venv of your own (jdash env create NAME --profile %s), or give --break-system-packages if you mean it",
			ec.Env.Prefix, marker, strings.Join(missing, " "), p.Name)
	}
	if !o.DryRun && !o.Install {
		return false, false, fmt.Errorf("%s lacks the %s profile's packages: %s\nrun again with --install, or: %s -m pip install %s",
			ec.Env.Prefix, p.Name, strings.Join(missing, " "), ec.Env.Python, shellQuote(missing))
	}
	// what pip would change, before it does: a major version changed under the env's
	// extensions is asked for (--yes), and the dry run lists it
	changes, err := install.Plan(ctx, o.Envs.Runner, ec.Env.Python, missing, o.BreakSystem, ec.Packages.Version)
	if err != nil {
		fmt.Fprintf(o.IO.ErrOut, "jdash: warning: cannot tell in advance which installed packages change: %v\n", err)
	}
	var majors []string
	for _, c := range changes {
		if c.Major() {
			majors = append(majors, c.String())
		}
	}
	if o.DryRun {
		fmt.Fprintf(o.IO.Out, "would install into %s: %s\n", ec.Env.Prefix, strings.Join(missing, " "))
		for _, c := range changes {
			fmt.Fprintf(o.IO.Out, "  %s%s\n", c, map[bool]string{true: "   (major version)"}[c.Major()])
		}
		fmt.Fprintln(o.IO.ErrOut, "dry run: the file changes of the steps that need these packages are shown once they are installed")
		return false, true, nil
	}
	if len(majors) > 0 {
		w := fmt.Sprintf("installing the %s profile changes the major version of %s in %s: %s; what was made for the old versions may break, and jdash setup --undo restores files, not packages",
			p.Name, ui.Plural(len(majors), "installed package"), ec.Env.Prefix, strings.Join(majors, ", "))
		if err := o.IO.Confirm(o.Yes, w, "changing the major version of installed packages"); err != nil {
			return false, false, err
		}
	}
	ictx, stop := txn.Interruptible(ctx)
	defer stop()
	unlock, err := o.Tx.Lock(ictx, ec.Env.Prefix)
	if err != nil {
		return false, false, err
	}
	defer unlock()
	if err := install.Packages(ictx, o.Envs.Runner, ec.Env.Python, missing, o.BreakSystem, o.IO.ErrOut); err != nil {
		if ictx.Err() != nil {
			fmt.Fprintf(o.IO.ErrOut, "jdash: interrupted while installing into %s: pip was stopped; run the same command again to finish\n", ec.Env.Prefix)
			return false, false, context.Canceled
		}
		return false, false, err
	}
	return true, false, nil
}

// notUndone names the package changes of the undone setup, which the undo left as they are,
// with the pip commands that would undo them.
func notUndone(o *VerbOptions, ec *envctx.Env, changes []install.Change) {
	if len(changes) == 0 {
		return
	}
	var shown, back, added []string
	for _, c := range changes {
		shown = append(shown, c.String())
		if c.From != "" {
			back = append(back, c.Name+"=="+c.From)
		} else {
			added = append(added, c.Name)
		}
	}
	fmt.Fprintf(o.IO.ErrOut, "not undone: the packages that setup's install changed (%s)\n", strings.Join(shown, ", "))
	if len(back) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "  to put the replaced versions back: %s -m pip install %s\n", ec.Env.Python, shellQuote(back))
	}
	if len(added) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "  to remove the packages it added: %s -m pip uninstall -y %s\n", ec.Env.Python, strings.Join(added, " "))
	}
}

// reportCompat names the known breakages the env's packages have (the rules of
// internal/patch/rules.yaml), for `jdash patch` to repair.
func reportCompat(o *VerbOptions, ec *envctx.Env, cache *pyrun.Cache) {
	rules, err := patch.Rules()
	if err == nil {
		var advice []patch.Status
		pe := &patch.Env{Prefix: ec.Env.Prefix, Packages: ec.Packages, PythonVersion: ec.Env.PythonVersion, Cache: cache}
		if advice, err = patch.Advice(pe, rules, ec.Env.Python); err == nil {
			for _, s := range advice {
				fix := "repair with: jdash patch --env " + ec.Env.Prefix
				if s.Rule.Kind == "pin" {
					fix = "pin: " + s.Rule.Pin
				}
				fmt.Fprintf(o.IO.ErrOut, "compat: %s %s (%s); %s\n", s.Rule.ID, s.Rule.Title, strings.Join(s.Why.Reasons, ", "), fix)
			}
			return
		}
	}
	fmt.Fprintf(o.IO.ErrOut, "jdash: warning: checking the known breakages: %v\n", err)
}

func shellQuote(args []string) string {
	var out []string
	for _, a := range args {
		if strings.ContainsAny(a, "<>=!~ ") {
			a = "'" + a + "'"
		}
		out = append(out, a)
	}
	return strings.Join(out, " ")
}

// keepChoices fills the options not given on the command line from the env's last setup, and
// says so: a re-run without flags must not reset what the user chose. It returns that setup's
// record (nil for none).
func keepChoices(o *VerbOptions, ec *envctx.Env) (*Choices, error) {
	prev, err := LoadChoices(o.FS, ec.Env.Prefix)
	if err != nil || prev == nil {
		return nil, err
	}
	var kept []string // what the last setup chose and no flag changed, as shown
	keep := func(flag string, apply func(), show func() string) {
		if !o.Changed[flag] {
			apply()
			if s := show(); s != "" {
				kept = append(kept, s)
			}
		}
	}
	keep("profile", func() { o.Profile = prev.Profile }, func() string { return "profile " + o.Profile })
	keep("ip", func() { o.IP = prev.IP }, func() string { return "ip " + o.IP })
	keep("port", func() { o.Port = prev.Port }, func() string { return fmt.Sprintf("port %d", o.Port) })
	keep("gateway-url", func() { o.GatewayURL = prev.GatewayURL }, func() string {
		if o.GatewayURL == "" {
			return ""
		}
		return "gateway " + o.GatewayURL
	})
	if len(kept) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "keeping the last setup's choices (%s); give a flag to change one\n", strings.Join(kept, ", "))
	}
	return prev, nil
}

// versionRe is a Python version as --python takes it for uv ("3.12", "3.11.7").
var versionRe = lazyre.New(`^[0-9]+(\.[0-9]+){0,2}$`)

// pythonVersion is the version of the Python --python names: the version itself, or what the
// interpreter says ("" when it cannot be told: the venv's creation then says why).
func pythonVersion(ctx context.Context, s *VerbOptions, python string) string {
	if versionRe().MatchString(python) {
		return python
	}
	path, err := s.Envs.Runner.LookPath(python)
	if err != nil {
		return ""
	}
	out, err := pyrun.Interpreter{Path: path, Runner: s.Envs.Runner}.Run(ctx, "-I", "-c", "import platform; print(platform.python_version())")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// CreateOptions are one `jdash env create` run.
type CreateOptions struct {
	Setup        *VerbOptions // the setup that follows (its Env is the new env)
	Name, Python string
}

// Create makes a venv under jdash's envs dir (uv when present, else python -m venv) and sets
// the profile up in it.
func Create(o *CreateOptions) error {
	s := o.Setup
	ctx := s.Context()
	p, err := profile.Get(s.Profile)
	if err != nil {
		return &clierr.UsageError{Err: err}
	}
	if o.Name == "" || strings.ContainsAny(o.Name, `/\`) || o.Name == "." || o.Name == ".." {
		return clierr.Usagef("NAME must be a plain name, not %q", o.Name)
	}
	dir := filepath.Join(s.Envs.Dirs().EnvsDir(s.Envs.Environ), o.Name)
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("%s exists already; use jdash setup --env %s", dir, dir)
	}
	// the profile must have pins for the Python before a venv is made of it
	if v := pythonVersion(ctx, s, o.Python); v != "" {
		if _, err := p.PackagesFor(v); err != nil {
			return clierr.Usagef("--python %s: %v; pick another Python (jdash env create %s --python 3.12)", o.Python, err, o.Name)
		}
	}
	if err := (&fsx.Real{}).MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := install.CreateVenv(ctx, s.Envs.Runner, dir, o.Python, s.IO.ErrOut); err != nil {
		// a half-made venv would make the next try say "exists already"
		if rerr := fsx.RemoveAll(&fsx.Real{}, dir); rerr != nil {
			fmt.Fprintf(s.IO.ErrOut, "jdash: warning: removing the half-made %s: %v\n", dir, rerr)
		}
		return err
	}
	fmt.Fprintf(s.IO.ErrOut, "created %s\n", dir)
	s.Env, s.Profile, s.Install = dir, p.Name, true
	s.By = "jdash env create " + o.Name
	if err := Main(s); err != nil {
		return err
	}
	if p.App == "none" {
		fmt.Fprintf(s.IO.Out, "next: name it in a jdash.yaml service (env: %s), then jdash up\n", o.Name)
	} else {
		fmt.Fprintf(s.IO.Out, "next: jdash up   (with no jdash.yaml here, it serves this dir with %s's notebook; jdash up --dry-run shows the plan)\n", o.Name)
	}
	return nil
}
