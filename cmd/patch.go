package cmd

import (
	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/patch"
)

type patchOptions struct{ patch.VerbOptions }

func newPatchCmd(f *Factory, runF func(*patchOptions) error) *cobra.Command {
	o := &patchOptions{}
	cmd := &cobra.Command{
		Use:   "patch",
		Short: "Repair imports that newer Jupyter, Jinja2, setuptools or Python releases broke",
		Long: `Apply jdash's versioned compatibility rules to the packages installed in an env: only the
rules the installed versions call for, only inside the env's site-packages, on parsed import
statements, each change marked with the rule's id, with an exact backup so that --revert
restores the original bytes. --list says which rules apply and why, which are applied, and
where a version pin is the better fix. --verify imports every patched module with the env's
own Python.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Deps, o.Env = f.deps(cmd), envFlag(cmd)
			if runF != nil {
				return runF(o)
			}
			return patchRun(o)
		},
	}
	addEnvFlag(cmd.Flags())
	cmd.Flags().StringSliceVar(&o.Rules, "rule", nil, "only these rule ids (repeatable), e.g. I-3")
	cmd.Flags().BoolVar(&o.List, "list", false, "show which rules apply, why, and what is applied")
	cmd.Flags().BoolVar(&o.Revert, "revert", false, "restore the original bytes of patched files")
	cmd.Flags().BoolVar(&o.Verify, "verify", false, "import every patched module with the env's own Python")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the unified diff, write nothing")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "with --list or --verify: print JSON")
	return cmd
}

func patchRun(o *patchOptions) error { return patch.Main(&o.VerbOptions) }
