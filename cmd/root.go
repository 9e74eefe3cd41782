package cmd

import (
	"runtime"
	"sync"
	"time"

	"github.com/jdash-dev/jdash/internal/appdirs"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/registry"

	"github.com/jdash-dev/jdash/internal/jupyter"

	"github.com/jdash-dev/jdash/internal/runner"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/ui"
)

// Factory holds what commands need, built lazily and injected so tests can replace it:
// the process environment, the streams, the one runner of child processes and the clock.
type Factory struct {
	Env    map[string]string // process environment
	GOOS   string
	IO     *ui.IO
	V      *viper.Viper // the one viper instance: flags > JDASH_* > jdash.yaml > defaults
	FS     fsx.FS       // what read-only commands read through (writers read through themselves)
	Runner *runner.Runner
	Now    func() time.Time

	scanOnce sync.Once
	scan     envdetect.Result
	lockMu   sync.Mutex
	locks    map[string]*heldLock // env locks this process holds, by prefix
}

func goos() string { return runtime.GOOS }

func (f *Factory) getenv(k string) string { return f.Env[k] }

// Host is the machine description for envdetect, with configured workspaces and env dirs.
func (f *Factory) Host() envdetect.Host {
	h := envdetect.NewHost(f.GOOS, f.Env)
	if root := f.V.GetString("system_root"); root != "" {
		h = h.UnderRoot(root)
	}
	h.Workspaces = f.V.GetStringSlice("workspace")
	h.ExtraEnvDirs = append(f.V.GetStringSlice("env_dirs"), f.dirs().EnvsDir(f.Env))
	h.KnownEnvs, _ = registry.Load(f.dirs().Registry()) // an unreadable registry only loses names
	if d := f.V.GetInt("workspace_depth"); d > 0 {
		h.MaxDepth = d
	}
	return h
}

// Scan runs the machine scan once per process.
func (f *Factory) Scan() envdetect.Result {
	f.scanOnce.Do(func() { f.scan = envdetect.Scan(f.Host()) })
	return f.scan
}

// facts are the Jupyter facts of an env under this process's environment; system_root
// (JDASH_SYSTEM_ROOT) moves the machine-wide dirs under another root, to inspect an image or
// a chroot, and so that CLI tests never read the host's Jupyter.
func (f *Factory) facts(e *envdetect.Env) (jupyter.Facts, *pkgindex.Index, bool) {
	facts, pkgs, found := jupyter.FactsFor(e, f.Env)
	facts.SystemRoot = f.V.GetString("system_root")
	return facts, pkgs, found
}

// FindEnv resolves an ENV argument (see envdetect.Find).
func (f *Factory) FindEnv(ref string) (*envdetect.Env, error) {
	return envdetect.Find(f.Host(), ref, f.Scan)
}

func newRootCmd(f *Factory) *cobra.Command {
	f.V = viper.New()
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
				f.IO = ui.System(f.getenv, colorMode)
			}
			switch colorMode {
			case "auto", "always", "never":
			default:
				return flagErrorf("--color must be auto, always or never, not %q", colorMode)
			}
			return loadConfig(f, cmd, configFile)
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &FlagError{err} })
	root.PersistentFlags().StringVar(&configFile, "config", "", "config file (default ./jdash.yaml, then $XDG_CONFIG_HOME/jdash/jdash.yaml)")
	root.PersistentFlags().StringVar(&colorMode, "color", "auto", "colour: auto, always or never (NO_COLOR is honoured)")
	root.SetVersionTemplate("jdash {{.Version}}\n")
	root.AddCommand(newEnvsCmd(f, nil), newPathsCmd(f, nil), newNbextCmd(f), newServerextCmd(f), newSetupCmd(f, nil), newEnvCmd(f), newPatchCmd(f, nil), newDoctorCmd(f, nil),
		newUpCmd(f, nil), newPsCmd(f), newLogsCmd(f), newDownCmd(f), newSuperviseCmd(f), newDashboardsCmd(f))
	return root
}

// dirs are jdash's own config, data and state dirs.
func (f *Factory) dirs() appdirs.Dirs { return appdirs.For(f.Env) }
