package cmd

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/profile"
	"github.com/jdash-dev/jdash/internal/run"
	"github.com/jdash-dev/jdash/internal/setup"
)

type setupOptions struct {
	setup.VerbOptions
	levels levelFlags
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
			o.Deps, o.Env = f.deps(cmd), envFlag(cmd)
			o.Changed = map[string]bool{}
			cmd.Flags().Visit(func(fl *pflag.Flag) { o.Changed[fl.Name] = true })
			if runF != nil {
				return runF(o)
			}
			return setupRun(o)
		},
	}
	addEnvFlag(cmd.Flags())
	cmd.Flags().StringVar(&o.Profile, "profile", "classic", "the stack profile: "+strings.Join(profile.Names(), ", "))
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the diff (copied files counted) and the package changes, write nothing")
	cmd.Flags().BoolVar(&o.Diff, "diff", false, "with --dry-run: the diff of every copied file too")
	cmd.Flags().BoolVar(&o.Install, "install", false, "install the profile's missing packages with the env's own pip (uv when present)")
	cmd.Flags().BoolVar(&o.Undo, "undo", false, "restore every file the last setup changed")
	cmd.Flags().BoolVar(&o.Yes, "yes", false, "confirm without asking: --user or --system, a package's major version change")
	cmd.Flags().BoolVar(&o.Downgrade, "downgrade", false, "on a notebook 7 env, install notebook 6.5.7 for the classic profile instead of taking the nbclassic route")
	cmd.Flags().BoolVar(&o.BreakSystem, "break-system-packages", false, "with --install: install into an env the OS manages (PEP 668) anyway")
	cmd.Flags().StringVar(&o.IP, "ip", "127.0.0.1", "the address the notebook server binds")
	cmd.Flags().IntVar(&o.Port, "port", 8888, "the notebook server's port")
	cmd.Flags().StringVar(&o.GatewayURL, "gateway-url", "", "the kernel gateway's URL, when the stack has one")
	o.levels.add(cmd, false)
	return cmd
}

func setupRun(o *setupOptions) error {
	var err error
	if o.Level, _, err = o.levels.kind(); err != nil {
		return err
	}
	if o.Diff && !o.DryRun {
		return flagErrorf("--diff goes with --dry-run")
	}
	return setup.Main(&o.VerbOptions)
}

type envCreateOptions struct {
	run.Deps
	Name, Profile, Python string
}

func newEnvCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "env", Short: "Create envs for a stack profile", Args: cobra.ArbitraryArgs, RunE: groupRun}
	cmd.AddCommand(newEnvCreateCmd(f, nil))
	return cmd
}

func newEnvCreateCmd(f *Factory, runF func(*envCreateOptions) error) *cobra.Command {
	o := &envCreateOptions{}
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a venv (uv when present, else python -m venv) and install a profile into it",
		Args:  exactArgs(1, "create needs the NAME of the new env"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Deps, o.Name = f.deps(cmd), args[0]
			if runF != nil {
				return runF(o)
			}
			return envCreateRun(o)
		},
	}
	create.Flags().StringVar(&o.Profile, "profile", "classic", "the stack profile")
	create.Flags().StringVar(&o.Python, "python", "python3", "the interpreter to create the venv from (a path, or a version for uv)")
	return create
}

func envCreateRun(o *envCreateOptions) error {
	s := &setup.VerbOptions{Deps: o.Deps, Profile: o.Profile, Level: jupyter.SysPrefix, IP: "127.0.0.1", Port: 8888}
	return setup.Create(&setup.CreateOptions{Setup: s, Name: o.Name, Python: o.Python})
}
