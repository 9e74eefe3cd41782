// Package cmd is jdash's command layer, the top tier: cobra wiring only. Each verb maps its
// flags to an options struct that carries the run's dependencies (deps) and calls one
// function of a domain package in internal/; see docs/design.md for the tiers below.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/runner"
	"github.com/jdash-dev/jdash/internal/ui"
)

// Exit codes: each means one thing (internal/clierr).
const (
	ExitOK          = clierr.OK
	ExitFailed      = clierr.Failed
	ExitUsage       = clierr.Usage
	ExitCheckFailed = clierr.CheckFailed
	ExitInterrupted = clierr.Interrupted
)

// FlagError is a usage error (exit 2); ExitError carries an exit code.
type (
	FlagError = clierr.UsageError
	ExitError = clierr.ExitError
)

func flagErrorf(format string, a ...any) error { return clierr.Usagef(format, a...) }

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

// Main runs jdash with args and returns the process exit code.
func Main(args []string) int {
	env := envdetect.EnvFromOS()
	f := &Factory{Env: env, GOOS: goos(), FS: fsx.Disk{}, Runner: &runner.Runner{Env: env}, Now: time.Now}
	// No signal handler here: installing one starts an extra OS thread on every run, which
	// the short read commands cannot afford (bench/README.md). Long-running verbs install
	// their own, and return context.Canceled when interrupted.
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
