package cmd

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/jdash-dev/jdash/internal/config"
	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/run"
	"github.com/jdash-dev/jdash/internal/runner"
	"github.com/jdash-dev/jdash/internal/txn"
	"github.com/jdash-dev/jdash/internal/ui"
)

// Factory holds what commands need, injected so tests can replace it: the process
// environment, the streams, the one runner of child processes, the clock, and (once the
// root command has read it) the configuration.
type Factory struct {
	Env    map[string]string // process environment
	GOOS   string
	IO     *ui.IO
	FS     fsx.FS // what read-only commands read through (writers read through themselves)
	Runner *runner.Runner
	Now    func() time.Time

	cfg  *config.Config // the settings and the stack, read once
	envs *envctx.Resolver
	tx   *txn.Tx
}

func goos() string { return runtime.GOOS }

// deps are the run's dependencies (internal/run), built once per run after the configuration
// was read: every options struct embeds them, and its run function takes nothing else.
func (f *Factory) deps(cmd *cobra.Command) run.Deps {
	if f.envs == nil {
		cfg := f.cfg
		if cfg == nil {
			cfg = &config.Config{}
		}
		f.envs = &envctx.Resolver{Environ: f.Env, GOOS: f.GOOS, Settings: cfg.Settings, Runner: f.Runner}
		f.tx = &txn.Tx{Now: f.Now}
		if f.IO != nil {
			f.tx.Out, f.tx.ErrOut = f.IO.Out, f.IO.ErrOut
		}
	}
	return run.Deps{Ctx: cmd.Context(), IO: f.IO, FS: f.FS, Envs: f.envs, Tx: f.tx}
}

func newRootCmd(f *Factory) *cobra.Command {
	var configFile, colorMode string
	root := &cobra.Command{
		Use:           "jdash",
		Short:         "Make Jupyter behave per Python environment",
		Long:          "jdash finds every Python environment, resolves the Jupyter paths and config each one sees,\nsets extensions up at the env level and repairs the imports newer releases broke.",
		Version:       version(),
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if f.IO == nil {
				f.IO = ui.System(func(k string) string { return f.Env[k] }, colorMode)
			}
			switch colorMode {
			case "auto", "always", "never":
			default:
				return flagErrorf("--color must be auto, always or never, not %q", colorMode)
			}
			if err := checkFlags(cmd); err != nil {
				return err
			}
			cwd, err := os.Getwd()
			if err != nil {
				return err
			}
			// --stack DIR (deploy): the stack of another dir, found from there as from here
			if fl := cmd.Flags().Lookup("stack"); fl != nil && fl.Changed {
				if configFile != "" {
					return flagErrorf("--stack and --config both name the stack: give one")
				}
				if cwd, err = filepath.Abs(fl.Value.String()); err != nil {
					return err
				}
				if st, err := os.Stat(cwd); err != nil || !st.IsDir() {
					return flagErrorf("--stack %s: not a directory", fl.Value.String())
				}
			}
			f.cfg, err = config.Load(config.Options{File: configFile, Cwd: cwd, Environ: f.Env, Flags: cmd.Flags()})
			return err
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &FlagError{Err: err} })
	root.PersistentFlags().StringVar(&configFile, "config", "", "the jdash.yaml to read, settings and stack (default: the nearest ./jdash.yaml up from here, else $XDG_CONFIG_HOME/jdash/jdash.yaml for settings)")
	root.PersistentFlags().StringVar(&colorMode, "color", "auto", "colour: auto, always or never (NO_COLOR is honoured)")
	root.SetVersionTemplate("jdash {{.Version}}\n")
	root.AddCommand(newEnvsCmd(f, nil), newPathsCmd(f, nil), newNbextCmd(f), newLabextCmd(f), newServerextCmd(f), newSetupCmd(f, nil), newEnvCmd(f), newPatchCmd(f, nil), newDoctorCmd(f, nil), newKernelCmd(f),
		newUpCmd(f, nil), newDeployCmd(f, nil), newPsCmd(f, nil), newLogsCmd(f, nil), newDownCmd(f, nil), newSuperviseCmd(f, nil), newDashboardsCmd(f, nil))
	completeNames(f, root)
	return root
}

// checkFlags refuses a string flag given an empty value (`--env ”` must not mean "the
// default env").
func checkFlags(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if err != nil {
			return
		}
		switch fl.Value.Type() {
		case "string":
			if fl.Value.String() == "" {
				err = flagErrorf("--%s is empty", fl.Name)
			}
		case "stringSlice":
			if vals, _ := cmd.Flags().GetStringSlice(fl.Name); len(vals) == 0 || slices.Contains(vals, "") {
				err = flagErrorf("--%s has an empty value", fl.Name)
			}
		}
	})
	return err
}

// envFlag is the value of the --env flag every env command takes.
func envFlag(cmd *cobra.Command) string {
	v, _ := cmd.Flags().GetString("env")
	return v
}

// addEnvFlag is the --env flag every env command takes.
func addEnvFlag(fs *pflag.FlagSet) {
	fs.StringP("env", "e", "", "the `ENV`: a prefix path or a name from jdash envs (default: the active env)")
}

func minArgs(n int, msg string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return flagErrorf("%s", msg)
		}
		return nil
	}
}

func exactArgs(n int, msg string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return flagErrorf("%s", msg)
		}
		return nil
	}
}
