package cmd

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/install"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/patch"
	"github.com/jdash-dev/jdash/internal/profile"
	"github.com/jdash-dev/jdash/internal/pyrun"
	"github.com/jdash-dev/jdash/internal/setup"
)

type setupOptions struct {
	Env, Profile    string
	DryRun, Install bool
	Undo, Yes       bool
	BreakSystem     bool // install into an externally managed (PEP 668) env anyway
	Downgrade       bool // on notebook 7, take the classic profile's notebook 6.5.7 instead of nbclassic
	IP, GatewayURL  string
	Port            int
	levels          levelFlags
	// changed are the flags given on the command line: the others keep what the last setup
	// of the env applied.
	changed map[string]bool
}

func newSetupCmd(f *Factory, runF func(*setupOptions) error) *cobra.Command {
	o := &setupOptions{}
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Set an env up for a Jupyter stack profile, at the env's own level",
		Long: `Bring an env to a working Jupyter setup for a profile, in one idempotent run: for classic,
the contrib nbextensions and their configurator (as "jupyter contrib nbextension install"), the
dashboards layout extension (as "jupyter dashboards quick-setup"), the dashboards bundlers and
widgets, then the env's etc/jupyter config for the stack (127.0.0.1, an explicit port,
port_retries 0, no browser, the gateway URL when one is configured; never a token).

Everything is written at the env's own level (--sys-prefix) unless you ask for --user or
--system. --dry-run prints a unified diff of every change and the packages that would be
installed; --undo restores every file the last setup changed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Env = envFlag(cmd)
			o.changed = map[string]bool{}
			cmd.Flags().Visit(func(fl *pflag.Flag) { o.changed[fl.Name] = true })
			if runF != nil {
				return runF(o)
			}
			return setupRun(cmd.Context(), f, o)
		},
	}
	addEnvFlag(cmd.Flags())
	cmd.Flags().StringVar(&o.Profile, "profile", "classic", "the stack profile: "+strings.Join(profile.Names(), ", "))
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the diff and the packages to install, write nothing")
	cmd.Flags().BoolVar(&o.Install, "install", false, "install the profile's missing packages with the env's own pip (uv when present)")
	cmd.Flags().BoolVar(&o.Undo, "undo", false, "restore every file the last setup changed")
	cmd.Flags().BoolVar(&o.Yes, "yes", false, "confirm --user without asking")
	cmd.Flags().BoolVar(&o.Downgrade, "downgrade", false, "on a notebook 7 env, install notebook 6.5.7 for the classic profile instead of taking the nbclassic route")
	cmd.Flags().BoolVar(&o.BreakSystem, "break-system-packages", false, "with --install: install into an env the OS manages (PEP 668) anyway")
	cmd.Flags().StringVar(&o.IP, "ip", "127.0.0.1", "the address the notebook server binds")
	cmd.Flags().IntVar(&o.Port, "port", 8888, "the notebook server's port")
	cmd.Flags().StringVar(&o.GatewayURL, "gateway-url", "", "the kernel gateway's URL, when the stack has one")
	o.levels.add(cmd, false)
	return cmd
}

func setupRun(ctx context.Context, f *Factory, o *setupOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	kind, _, err := o.levels.kind()
	if err != nil {
		return err
	}
	ec, err := f.envContext(o.Env)
	if err != nil {
		return err
	}
	lvl, err := ec.Paths.Level(kind, "")
	if err != nil {
		return err
	}
	if o.Undo {
		return setupUndo(f, ec, o.DryRun)
	}
	if err := keepChoices(f, ec, o); err != nil {
		return err
	}
	if err := setup.CheckStack(o.IP, o.Port, o.GatewayURL); err != nil {
		return &FlagError{err}
	}
	if o.Downgrade && !o.changed["profile"] {
		o.Profile = "classic"
	}
	name, why := setup.Route(o.Profile, ec.Packages.Version("notebook"), o.Downgrade)
	if why != "" {
		fmt.Fprintf(f.IO.ErrOut, "route: %s\n", why)
	}
	p, err := profile.Get(name)
	if err != nil {
		return &FlagError{err}
	}
	if lvl.Kind == jupyter.User && !o.DryRun {
		if err := confirmUser(f, o.Yes); err != nil {
			return err
		}
	}
	missing, err := setup.Missing(p, ec.Env, ec.Packages.Version)
	if err != nil {
		return err
	}
	installed := false
	if len(missing) > 0 {
		if marker := setup.ExternallyManaged(ec.Env); marker != "" && !o.BreakSystem {
			return fmt.Errorf("%s is managed by the operating system (%s, PEP 668): jdash will not pip-install %s into it.\nUse a venv of your own (jdash env create NAME --profile %s), or give --break-system-packages if you mean it",
				ec.Env.Prefix, marker, strings.Join(missing, " "), p.Name)
		}
		switch {
		case o.DryRun:
			fmt.Fprintf(f.IO.Out, "would install into %s: %s\n", ec.Env.Prefix, strings.Join(missing, " "))
			fmt.Fprintln(f.IO.ErrOut, "dry run: the file changes of the steps that need these packages are shown once they are installed")
			return nil
		case !o.Install:
			return fmt.Errorf("%s lacks the %s profile's packages: %s\nrun again with --install, or: %s -m pip install %s",
				ec.Env.Prefix, p.Name, strings.Join(missing, " "), ec.Env.Python, shellQuote(missing))
		}
		// pip runs under the env's lock and stops with jdash (its whole process group).
		ictx, stop := interruptible(ctx)
		defer stop()
		unlock, err := f.lockEnv(ictx, ec)
		if err != nil {
			return err
		}
		defer unlock()
		if err := install.Packages(ictx, f.Runner, ec.Env.Python, missing, o.BreakSystem, f.IO.ErrOut); err != nil {
			if ictx.Err() != nil {
				fmt.Fprintf(f.IO.ErrOut, "jdash: interrupted while installing into %s: pip was stopped; run the same command again to finish\n", ec.Env.Prefix)
				return context.Canceled
			}
			return err
		}
		installed = true
		if ec, err = f.envContext(ec.Env.Prefix); err != nil { // packages changed: describe again
			return err
		}
	}
	cache := pyrun.OpenCache(filepath.Join(fsx.StateDir(ec.Env.Prefix), "pyinfo.json"))
	py := f.python(ec)
	py.Cache, py.Stamp = cache, func(m string) string {
		if loc := ec.Packages.Module(m); loc != "" {
			return pyrun.FileStamp(loc) + " " + pyrun.FileStamp(filepath.Join(loc, "__init__.py"))
		}
		return ""
	}
	opts := setup.Options{
		Profile: p, Level: lvl, Env: ec.Env, Paths: ec.Paths, Python: py, Packages: ec.Packages,
		Stack: setup.Stack{IP: o.IP, Port: o.Port, GatewayURL: o.GatewayURL},
		Log:   f.IO.Progress(),
	}
	choices := setup.Choices{Profile: p.Name, IP: o.IP, Port: o.Port, GatewayURL: o.GatewayURL}
	changes, err := f.writeInEnv(ctx, ec, "setup", o.DryRun, opts.Roots(), func(w fsx.Writer) error {
		if err := setup.Run(ctx, w, opts); err != nil {
			return err
		}
		return setup.SaveChoices(w, ec.Env.Prefix, choices)
	})
	if err != nil {
		return err
	}
	reportCompat(f, ec, cache)
	if o.DryRun {
		return nil
	}
	f.remember(ec)
	// The cache is jdash's own record, not the user's: written through the writer, not journaled.
	if err := cache.Save(&fsx.Real{}); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "jdash: warning: %v\n", err)
	}
	files := 0
	for _, c := range changes {
		if !c.Dir && c.Path != setup.ChoicesFile(ec.Env.Prefix) {
			files++
		}
	}
	switch {
	case files > 0:
		fmt.Fprintf(f.IO.Out, "set up %s for %s: %s written (undo with: jdash setup --undo --env %s)\n", ec.Env.Prefix, p.Name, plural(files, "file"), ec.Env.Prefix)
	case installed:
		fmt.Fprintf(f.IO.Out, "installed the %s profile's packages into %s; it has no files to set up\n", p.Name, ec.Env.Prefix)
	default:
		fmt.Fprintf(f.IO.Out, "%s is already set up for %s: nothing changed\n", ec.Env.Prefix, p.Name)
	}
	if os.Geteuid() == 0 && p.App != "none" {
		fmt.Fprintln(f.IO.ErrOut, "note: you are root: the notebook server refuses to start as root unless given --allow-root")
	}
	return nil
}

func setupUndo(f *Factory, ec *envContext, dryRun bool) error {
	return undoLast(f, ec, "setup", dryRun, nil)
}

// confirmUser makes --user a deliberate choice: it reaches every env on the machine.
func confirmUser(f *Factory, yes bool) error {
	return confirm(f, yes, "--user writes under your home (~/.jupyter, ~/.local/share/jupyter): every env on this machine will see these extensions and config.", "--user")
}

// confirm asks before a change that reaches beyond one env: --yes answers it; without a
// terminal it is a usage error naming the flag.
func confirm(f *Factory, yes bool, warning, what string) error {
	fmt.Fprintln(f.IO.ErrOut, "warning: "+warning)
	if yes {
		return nil
	}
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return flagErrorf("%s needs --yes (or answer the question on a terminal)", what)
	}
	fmt.Fprint(f.IO.ErrOut, "continue? [y/N] ")
	line, _ := bufio.NewReader(f.IO.In).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		return &ExitError{Code: ExitFailed, Err: fmt.Errorf("not confirmed")}
	}
	return nil
}

// reportCompat names the known breakages the env's packages have (the rules of
// internal/patch/rules.yaml), for `jdash patch` to repair.
func reportCompat(f *Factory, ec *envContext, cache *pyrun.Cache) {
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
				fmt.Fprintf(f.IO.ErrOut, "compat: %s %s (%s); %s\n", s.Rule.ID, s.Rule.Title, strings.Join(s.Why.Reasons, ", "), fix)
			}
			return
		}
	}
	fmt.Fprintf(f.IO.ErrOut, "jdash: warning: checking the known breakages: %v\n", err)
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
// says so: a re-run without flags must not reset what the user chose.
func keepChoices(f *Factory, ec *envContext, o *setupOptions) error {
	prev, err := setup.LoadChoices(f.FS, ec.Env.Prefix)
	if err != nil || prev == nil {
		return err
	}
	var kept []string
	keep := func(flag string, apply func()) {
		if !o.changed[flag] {
			apply()
			kept = append(kept, flag)
		}
	}
	keep("profile", func() { o.Profile = prev.Profile })
	keep("ip", func() { o.IP = prev.IP })
	keep("port", func() { o.Port = prev.Port })
	keep("gateway-url", func() { o.GatewayURL = prev.GatewayURL })
	if len(kept) > 0 {
		gateway := ""
		if o.GatewayURL != "" {
			gateway = ", gateway " + o.GatewayURL
		}
		fmt.Fprintf(f.IO.ErrOut, "keeping the last setup's choices (profile %s, ip %s, port %d%s); give a flag to change one\n",
			o.Profile, o.IP, o.Port, gateway)
	}
	return nil
}

// plural is "1 file" / "3 files".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
