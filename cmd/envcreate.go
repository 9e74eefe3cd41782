package cmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/install"
	"github.com/jdash-dev/jdash/internal/profile"
)

// managedEnvsDir is where `jdash env create` puts envs: $JDASH_ENVS_DIR, else
// $XDG_DATA_HOME/jdash/envs (~/.local/share/jdash/envs). `jdash envs` lists it.
func (f *Factory) managedEnvsDir() string {
	if d := f.getenv("JDASH_ENVS_DIR"); d != "" {
		return d
	}
	data := f.getenv("XDG_DATA_HOME")
	if !filepath.IsAbs(data) {
		data = filepath.Join(f.getenv("HOME"), ".local", "share")
	}
	return filepath.Join(data, "jdash", "envs")
}

func newEnvCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "env", Short: "Create envs for a stack profile"}
	var prof, python string
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a venv (uv when present, else python -m venv) and install a profile into it",
		Args:  exactArgs(1, "create needs the NAME of the new env"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := profile.Get(prof)
			if err != nil {
				return flagErrorf("%v", err)
			}
			dir := filepath.Join(f.managedEnvsDir(), args[0])
			if _, err := os.Stat(dir); err == nil {
				return fmt.Errorf("%s exists already; use jdash setup --env %s", dir, dir)
			}
			if err := createVenv(cmd.Context(), f, dir, python); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "created %s\n", dir)
			return setupRun(cmd.Context(), f, &setupOptions{Env: dir, Profile: p.Name, Install: true, IP: "127.0.0.1", Port: 8888})
		},
	}
	create.Flags().StringVar(&prof, "profile", "classic", "the stack profile")
	create.Flags().StringVar(&python, "python", "python3", "the interpreter to create the venv from (a path, or a version for uv)")
	cmd.AddCommand(create)
	return cmd
}

func createVenv(ctx context.Context, f *Factory, dir, python string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := (&fsx.Real{}).MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	return install.CreateVenv(ctx, f.Runner, dir, python, f.IO.ErrOut)
}
