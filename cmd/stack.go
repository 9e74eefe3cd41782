package cmd

import (
	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/compose/engine"
	"github.com/jdash-dev/jdash/internal/config"
	"github.com/jdash-dev/jdash/internal/dashserver"
)

// stackDeps are the stack verbs' dependencies: the engine's, and the config the stack is in.
type stackDeps struct {
	engine.Deps
	Config *config.Config
}

func (f *Factory) stackDeps(cmd *cobra.Command) stackDeps {
	d := f.deps(cmd)
	if f.cfg == nil { // a command built without the root (tests)
		f.cfg = &config.Config{}
	}
	return stackDeps{engine.Deps{Deps: d, ConfigFile: f.cfg.File}, f.cfg}
}

// project is the stack of this dir: the config's stack file, else the zero-config default.
func (d stackDeps) project() (*engine.Project, error) {
	st, err := d.Config.Stack()
	if err != nil {
		return nil, err
	}
	return engine.Open(d.Deps, st, d.Config.Project, d.Config.StateHome)
}

type upOptions struct {
	stackDeps
	engine.UpOptions
	Export, Out, Gateway, BaseImage string
	Force                           bool
}

func newUpCmd(f *Factory, runF func(*upOptions) error) *cobra.Command {
	o := &upOptions{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Run the stack of jdash.yaml (notebook, kernel gateway, dashboards), wired with matching ports and tokens",
		Long: `Start the services of ./jdash.yaml (root_dir, services), each from its own env, in
depends_on order, each ready only when its real endpoint answers with its token. Tokens are
fresh per run, per link, passed in environment variables or 0600 files, never in argv. Every
service gets port_retries=0: a taken port is an error naming its holder, found before anything
starts. Without jdash.yaml the stack is the active env's notebook server, plus a kernel
gateway and Voilà when that env has them (--write-config writes it down).

In the foreground the services' logs are shown as "name | line"; the first Ctrl-C stops the
stack gracefully, a second forces it. -d leaves a supervisor running: jdash ps, jdash logs and
jdash down work on it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.stackDeps = f.stackDeps(cmd)
			if runF != nil {
				return runF(o)
			}
			return upRun(o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&o.Detach, "detach", "d", false, "leave the stack running in the background (jdash ps, logs, down)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "print the plan (argv, environment with tokens masked, cwd, port, probe) and start nothing")
	fl.BoolVar(&o.WriteConfig, "write-config", false, "write the zero-config stack to ./jdash.yaml")
	fl.BoolVar(&o.Strict, "strict", false, "let doctor's errors in the services' envs stop the start")
	fl.StringVar(&o.Export, "export", "", "write the stack for another engine instead of starting it: compose or kubernetes")
	fl.StringVar(&o.BaseImage, "base-image", "", "with --export: the images' base `IMAGE` (default: python:<X.Y.Z>-slim of each env; another base gets a venv from its python3)")
	fl.StringVar(&o.Gateway, "gateway", "", "with --export kubernetes: helm takes the Enterprise Gateway from its Helm chart (values written)")
	fl.StringVarP(&o.Out, "output", "o", "", "the dir --export writes (default ./jdash-export/ENGINE)")
	fl.BoolVar(&o.Force, "force", false, "with --export: write into a dir that holds files and is not a previous export")
	return cmd
}

func upRun(o *upOptions) error {
	switch {
	case o.Export != "" && o.Export != "compose" && o.Export != "kubernetes":
		return flagErrorf("--export %q: compose or kubernetes", o.Export)
	case o.Gateway != "" && (o.Gateway != "helm" || o.Export != "kubernetes"):
		return flagErrorf("--gateway %q: helm, with --export kubernetes", o.Gateway)
	case o.BaseImage != "" && o.Export == "":
		return flagErrorf("--base-image applies to --export")
	case o.Out != "" && o.Export == "":
		return flagErrorf("--output goes with --export")
	case o.Force && o.Export == "":
		return flagErrorf("--force goes with --export")
	}
	p, err := o.project()
	if err != nil {
		return err
	}
	if o.Export != "" && !o.WriteConfig {
		return engine.Export(o.Deps, p, engine.ExportOptions{Engine: o.Export, Out: o.Out, Helm: o.Gateway == "helm", Force: o.Force, DryRun: o.DryRun, BaseImage: o.BaseImage})
	}
	return engine.Up(o.Deps, p, o.UpOptions)
}

type psOptions struct {
	stackDeps
	JSON bool
}

func newPsCmd(f *Factory, runF func(*psOptions) error) *cobra.Command {
	o := &psOptions{}
	cmd := &cobra.Command{
		Use:   "ps",
		Short: "Show the services of the stack of this dir: status, pid, port, URL with its token",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.stackDeps = f.stackDeps(cmd)
			if runF != nil {
				return runF(o)
			}
			return psRun(o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print JSON (schema in docs/json.md)")
	return cmd
}

func psRun(o *psOptions) error {
	p, err := o.project()
	if err != nil {
		return err
	}
	return engine.Ps(o.Deps, p, o.JSON)
}

type logsOptions struct {
	stackDeps
	engine.LogsOptions
}

func newLogsCmd(f *Factory, runF func(*logsOptions) error) *cobra.Command {
	o := &logsOptions{}
	cmd := &cobra.Command{
		Use:   "logs [SERVICE...]",
		Short: "Show the services' logs as \"name | line\" (-f follows)",
		RunE: func(cmd *cobra.Command, names []string) error {
			o.stackDeps, o.Names = f.stackDeps(cmd), names
			if runF != nil {
				return runF(o)
			}
			return logsRun(o)
		},
	}
	cmd.Flags().BoolVarP(&o.Follow, "follow", "f", false, "keep printing new lines until interrupted or the stack stops")
	cmd.Flags().IntVar(&o.Tail, "tail", -1, "only the last `N` lines of each service (-1: all)")
	return cmd
}

func logsRun(o *logsOptions) error {
	p, err := o.project()
	if err != nil {
		return err
	}
	return engine.Logs(o.Deps, p, o.LogsOptions)
}

type downOptions struct{ stackDeps }

func newDownCmd(f *Factory, runF func(*downOptions) error) *cobra.Command {
	o := &downOptions{}
	return &cobra.Command{
		Use:   "down",
		Short: "Stop the stack of this dir: every process it started (kernels included), every port freed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.stackDeps = f.stackDeps(cmd)
			if runF != nil {
				return runF(o)
			}
			return downRun(o)
		},
	}
}

func downRun(o *downOptions) error {
	p, err := o.project()
	if err != nil {
		return err
	}
	return engine.Down(o.Deps, p)
}

type superviseOptions struct {
	stackDeps
	Store engine.Store
}

// newSuperviseCmd is the detached supervisor `up -d` starts (hidden).
func newSuperviseCmd(f *Factory, runF func(*superviseOptions) error) *cobra.Command {
	o := &superviseOptions{}
	return &cobra.Command{
		Use:    "__supervise STATEDIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.stackDeps, o.Store = f.stackDeps(cmd), engine.Store(args[0])
			if runF != nil {
				return runF(o)
			}
			return superviseRun(o)
		},
	}
}

func superviseRun(o *superviseOptions) error { return engine.Supervise(o.Deps, o.Store) }

type dashboardsOptions struct{ stackDeps }

// newDashboardsCmd is the dashboards service of a stack (kind dashboards), started by the
// stack's supervisor (hidden): its settings and tokens come in JDASH_DASHBOARDS_* variables.
func newDashboardsCmd(f *Factory, runF func(*dashboardsOptions) error) *cobra.Command {
	o := &dashboardsOptions{}
	return &cobra.Command{
		Use:    "__dashboards",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.stackDeps = f.stackDeps(cmd)
			if runF != nil {
				return runF(o)
			}
			return dashboardsRun(o)
		},
	}
}

func dashboardsRun(o *dashboardsOptions) error {
	return dashserver.Serve(func(k string) string { return o.Envs.Environ[k] }, o.IO.ErrOut)
}
