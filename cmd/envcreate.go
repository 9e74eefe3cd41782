package cmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/install"
	"github.com/jdash-dev/jdash/internal/profile"
)

type envCreateOptions struct {
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
			o.Name = args[0]
			if runF != nil {
				return runF(o)
			}
			return envCreateRun(cmd.Context(), f, o)
		},
	}
	create.Flags().StringVar(&o.Profile, "profile", "classic", "the stack profile")
	create.Flags().StringVar(&o.Python, "python", "python3", "the interpreter to create the venv from (a path, or a version for uv)")
	return create
}

func envCreateRun(ctx context.Context, f *Factory, o *envCreateOptions) error {
	p, err := profile.Get(o.Profile)
	if err != nil {
		return &FlagError{err}
	}
	if o.Name == "" || strings.ContainsAny(o.Name, `/\`) || o.Name == "." || o.Name == ".." {
		return flagErrorf("NAME must be a plain name, not %q", o.Name)
	}
	dir := filepath.Join(f.dirs().EnvsDir(f.Env), o.Name)
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("%s exists already; use jdash setup --env %s", dir, dir)
	}
	if err := createVenv(ctx, f, dir, o.Python); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "created %s\n", dir)
	return setupRun(ctx, f, &setupOptions{Env: dir, Profile: p.Name, Install: true, IP: "127.0.0.1", Port: 8888})
}

func createVenv(ctx context.Context, f *Factory, dir, python string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := (&fsx.Real{}).MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := install.CreateVenv(ctx, f.Runner, dir, python, f.IO.ErrOut); err != nil {
		// a half-made venv would make the next try say "exists already"
		if rerr := fsx.RemoveAll(&fsx.Real{}, dir); rerr != nil {
			fmt.Fprintf(f.IO.ErrOut, "jdash: warning: removing the half-made %s: %v\n", dir, rerr)
		}
		return err
	}
	return nil
}
