package cmd

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/patch"
)

type patchOptions struct {
	Env                          string
	Rules                        []string
	List, Revert, Verify, DryRun bool
	JSON                         bool
}

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
			o.Env = envFlag(cmd)
			if runF != nil {
				return runF(o)
			}
			return patchRun(f, o)
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

func patchRun(f *Factory, o *patchOptions) error {
	n := 0
	for _, b := range []bool{o.List, o.Revert, o.Verify} {
		if b {
			n++
		}
	}
	if n > 1 {
		return flagErrorf("give one of --list, --revert, --verify")
	}
	rules, err := selectRules(o.Rules)
	if err != nil {
		return err
	}
	ec, err := f.envContext(o.Env)
	if err != nil {
		return err
	}
	pe := &patch.Env{Prefix: ec.Env.Prefix, Packages: ec.Packages, PythonVersion: ec.Env.PythonVersion}
	switch {
	case o.Verify:
		return patchVerify(f, ec, pe, rules, o.JSON)
	case o.Revert:
		var res []patch.FileResult
		_, err := f.writeInEnv(context.Background(), ec, "patch revert", o.DryRun, ec.Packages.Dirs(), func(w fsx.Writer) error {
			var err error
			res, err = patch.Revert(w, pe, o.Rules, rules)
			return err
		})
		if err == nil && !o.DryRun {
			reportFiles(f, res, "nothing to revert")
		}
		return err
	}
	statuses, err := patch.Plan(pe, rules, ec.Env.Python)
	if err != nil {
		return err
	}
	if o.List {
		return patchList(f, statuses, o.JSON)
	}
	if err := patch.Unreadable(statuses); err != nil {
		return err
	}
	var res []patch.FileResult
	_, err = f.writeInEnv(context.Background(), ec, "patch", o.DryRun, ec.Packages.Dirs(), func(w fsx.Writer) error {
		var err error
		res, err = patch.Apply(w, pe, statuses)
		return err
	})
	if err != nil {
		return err
	}
	if !o.DryRun {
		f.remember(ec)
		reportFiles(f, res, "nothing to patch: every applicable rule is applied or has no anchor here")
		for _, s := range statuses {
			if s.State == "pin-only" || (s.State == "needs-patch" && s.Rule.PreferPin) {
				fmt.Fprintf(f.IO.ErrOut, "%s: a pin is the better fix: %s\n", s.Rule.ID, s.Pin)
			}
		}
	}
	return nil
}

func selectRules(want []string) ([]patch.Rule, error) {
	all, err := patch.Rules()
	if err != nil {
		return nil, err
	}
	if len(want) == 0 {
		return all, nil
	}
	var out []patch.Rule
	var known []string
	for _, r := range all {
		known = append(known, r.ID)
	}
	for _, id := range want {
		found := false
		for _, r := range all {
			if strings.EqualFold(r.ID, id) {
				out = append(out, r)
				found = true
			}
		}
		if !found {
			return nil, flagErrorf("unknown rule %q: the rules are %s", id, strings.Join(known, ", "))
		}
	}
	return out, nil
}

func reportFiles(f *Factory, res []patch.FileResult, none string) {
	if len(res) == 0 {
		fmt.Fprintln(f.IO.ErrOut, none)
	}
	for _, r := range res {
		line := fmt.Sprintf("%s %s (%s)", r.Action, r.Path, strings.Join(r.Rules, ", "))
		if r.Note != "" {
			line += ": " + r.Note
		}
		fmt.Fprintln(f.IO.ErrOut, line)
	}
}

func patchList(f *Factory, statuses []patch.Status, asJSON bool) error {
	if asJSON {
		return writeJSON(f.IO.Out, map[string]any{"rules": statuses})
	}
	cs := f.IO.Colors()
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSTATE\tWHY")
	for _, s := range statuses {
		state := s.State
		switch state {
		case "needs-patch":
			state = cs.Yellow(state)
		case "applied":
			state = cs.Green(state)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Rule.ID, state, strings.Join(s.Why.Reasons, "; "))
	}
	tw.Flush()
	states := map[string]bool{}
	for _, s := range statuses {
		states[s.State] = true
	}
	for _, st := range []string{"needs-patch", "applied", "anchor-absent", "pin-only", "not-applicable"} {
		if states[st] {
			fmt.Fprintf(f.IO.ErrOut, "%-15s %s\n", st+":", stateHelp[st])
		}
	}
	for _, s := range statuses {
		if s.State == "not-applicable" {
			continue
		}
		for _, fl := range s.Files {
			for _, h := range fl.Hits {
				what := "would patch"
				if !h.Change {
					what = "cannot patch (" + h.Note + ")"
				}
				fmt.Fprintf(f.IO.Out, "  %s %s: %s:%d: %s\n", s.Rule.ID, what, fl.Path, h.Line, firstLine(h.Old))
			}
			if len(fl.Applied) > 0 && len(fl.Hits) == 0 {
				fmt.Fprintf(f.IO.Out, "  %s applied: %s\n", s.Rule.ID, fl.Path)
			}
		}
		if s.Pin != "" && (s.State == "needs-patch" || s.State == "pin-only") {
			fmt.Fprintf(f.IO.Out, "  %s: a pin is the better fix: %s\n", s.Rule.ID, s.Pin)
		}
		if s.Problem != "" {
			fmt.Fprintf(f.IO.Out, "  %s: %s\n", s.Rule.ID, s.Problem)
		}
	}
	return nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(l)
}

// patchVerify imports every patched module (and every module a rule would touch) with the
// env's own interpreter, once, and reports each result. A failed import is exit code 3.
func patchVerify(f *Factory, ec *envContext, pe *patch.Env, rules []patch.Rule, asJSON bool) error {
	mods, err := pe.VerifyModules(rules, ec.Env.Python)
	if err != nil {
		return err
	}
	if len(mods) == 0 {
		fmt.Fprintln(f.IO.ErrOut, "no patched or patchable modules in this env")
		return nil
	}
	res, err := patch.Verify(context.Background(), f.python(ec), mods)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range res.Modules {
		if r.Result == "failed" {
			failed++
		}
	}
	if asJSON {
		if err := writeJSON(f.IO.Out, res); err != nil {
			return err
		}
	} else {
		cs := f.IO.Colors()
		for _, r := range res.Modules {
			if r.Result == "ok" {
				fmt.Fprintf(f.IO.Out, "%s %s\n", cs.Green("ok    "), r.Module)
			} else {
				fmt.Fprintf(f.IO.Out, "%s %s: %s\n", cs.Red("FAILED"), r.Module, r.Detail)
			}
		}
		for _, w := range res.Wrote {
			fmt.Fprintf(f.IO.ErrOut, "verify: an import wrote %s (in the sandbox, removed; your HOME was not touched)\n", w)
		}
	}
	if failed > 0 {
		return &ExitError{Code: ExitCheckFailed, Err: fmt.Errorf("%d of %d modules failed while being imported", failed, len(mods))}
	}
	return nil
}

// stateHelp explains the states of patch --list (printed under the table for those shown).
var stateHelp = map[string]string{
	"needs-patch":    "the env's versions call for the rule and a file still has the old import: jdash patch repairs it",
	"applied":        "the rule's repair is in place (jdash patch --revert undoes it)",
	"anchor-absent":  "the versions call for the rule, but no installed file has the import it repairs: nothing to do",
	"pin-only":       "no source change fixes it: the pin shown is the repair",
	"not-applicable": "the env's versions do not call for the rule",
}
