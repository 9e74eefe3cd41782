// Package install puts packages into an env and creates envs, through the one runner: uv
// when it is on the caller's PATH, else the env's own pip or the interpreter's venv module.
// Neither may write a cache or a self-check file in HOME (the runner's environment says so).
package install

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jdash-dev/jdash/internal/runner"
)

// Timeout bounds one install or env creation.
const Timeout = 30 * time.Minute

// Packages installs requirements into the env whose interpreter is python. Progress goes
// to log.
// breakSystem passes --break-system-packages (the user asked to install into an env the OS
// manages, PEP 668).
func Packages(ctx context.Context, r *runner.Runner, python string, reqs []string, breakSystem bool, log io.Writer) error {
	var opts []string
	if breakSystem {
		opts = append(opts, "--break-system-packages")
	}
	c := runner.Cmd{Path: python, Args: slices.Concat([]string{"-m", "pip", "install", "--no-cache-dir", "--disable-pip-version-check", "--progress-bar", "on"}, opts, reqs)}
	if uv, err := r.LookPath("uv"); err == nil {
		c = runner.Cmd{Path: uv, Args: slices.Concat([]string{"pip", "install", "--no-cache", "--python", python}, opts, reqs)}
	}
	c.Stdout, c.Stderr, c.Timeout = log, log, Timeout
	fmt.Fprintf(log, "installing: %s\n", strings.Join(reqs, " "))
	if _, err := r.Run(ctx, c); err != nil {
		return fmt.Errorf("installing %s failed: %w", strings.Join(reqs, " "), err)
	}
	return nil
}

// CreateVenv makes a venv at dir from python (a path or a name on PATH; for uv also a
// version such as "3.12").
func CreateVenv(ctx context.Context, r *runner.Runner, dir, python string, log io.Writer) error {
	var c runner.Cmd
	if uv, err := r.LookPath("uv"); err == nil {
		c = runner.Cmd{Path: uv, Args: []string{"venv", "--seed", "--python", python, dir}}
	} else {
		py, err := r.LookPath(python)
		if err != nil {
			return fmt.Errorf("no %s to create the venv with (--python): %w", python, err)
		}
		c = runner.Cmd{Path: py, Args: []string{"-m", "venv", dir}}
	}
	c.Stdout, c.Stderr, c.Timeout = log, log, Timeout
	if _, err := r.Run(ctx, c); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	return nil
}

// EnsurePip bootstraps pip into an env that has none (a conda env without it), with the
// interpreter's own ensurepip, unless uv (which needs no pip in the env) is on PATH.
func EnsurePip(ctx context.Context, r *runner.Runner, python string, log io.Writer) error {
	if _, err := r.LookPath("uv"); err == nil {
		return nil
	}
	c := runner.Cmd{Path: python, Args: []string{"-m", "ensurepip", "--default-pip"}, Stdout: log, Stderr: log, Timeout: Timeout}
	fmt.Fprintf(log, "bootstrapping pip (ensurepip) into %s\n", python)
	if _, err := r.Run(ctx, c); err != nil {
		return fmt.Errorf("the env has no pip, and ensurepip failed: %w", err)
	}
	return nil
}
