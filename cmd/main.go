// Package cmd is jdash's command layer: cobra and viper wiring only. Each verb maps flags to
// an options struct and calls one run function; the work lives in internal/.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/fsx"

	"github.com/jdash-dev/jdash/internal/runner"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/ui"
)

// Exit codes: each means one thing.
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitCheckFailed = 3
	ExitInterrupted = 130
)

// Version is set at build time (-ldflags "-X github.com/jdash-dev/jdash/cmd.Version=v1.2.3");
// otherwise the module version or VCS revision from the build info is used.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		rev, dirty := "", ""
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			return "dev-" + rev + dirty
		}
	}
	return "dev"
}

// FlagError is a usage error: exit 2 and the usage hint.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

func flagErrorf(format string, a ...any) error { return &FlagError{fmt.Errorf(format, a...)} }

// ExitError carries a specific exit code (3 for a failed check).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Main runs jdash with args and returns the process exit code.
func Main(args []string) int {
	env := envdetect.EnvFromOS()
	f := &Factory{Env: env, GOOS: goos(), FS: fsx.Disk{}, Runner: &runner.Runner{Env: env}, Now: time.Now}
	// No signal handler here: installing one starts an extra OS thread on every run, which
	// the short read commands cannot afford (bench/README.md). Long-running verbs install
	// their own with signal.NotifyContext, and return context.Canceled when interrupted.
	root := newRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if f.IO == nil {
		f.IO = ui.System(func(k string) string { return env[k] }, "auto")
	}
	if env["JDASH_FAULT_COUNT"] != "" && fsx.FaultPoints() > 0 { // jdashfault builds only
		fmt.Fprintf(f.IO.ErrOut, "fault points: %d\n", fsx.FaultPoints())
	}
	hint := root.Name()
	if c, _, ferr := root.Find(args); ferr == nil && c != nil {
		hint = c.CommandPath()
	}
	return exitCode(err, f.IO, hint)
}

// exitCode maps an error to the exit code and prints it once on stderr.
func exitCode(err error, io *ui.IO, usageHint string) int {
	if err == nil {
		return ExitOK
	}
	var fe *FlagError
	var ee *ExitError
	switch {
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &fe) || isCobraUsage(err):
		fmt.Fprintf(io.ErrOut, "jdash: %v\nRun '%s --help' for usage.\n", err, usageHint)
		return ExitUsage
	case errors.As(err, &ee):
		if ee.Err != nil && ee.Err.Error() != "" {
			fmt.Fprintf(io.ErrOut, "jdash: %v\n", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(io.ErrOut, "jdash: %v\n", err)
	return ExitFailed
}

// cobra reports unknown commands and arg-count problems as plain errors.
func isCobraUsage(err error) bool {
	m := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(m, p) {
			return true
		}
	}
	return false
}

// groupRun is the run function of a command group: a word that is none of its subcommands is
// a usage error (exit 2), not the help page with exit 0.
func groupRun(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return flagErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return cmd.Help()
}
