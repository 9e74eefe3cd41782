package patch

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/run"
	"github.com/jdash-dev/jdash/internal/txn"
	"github.com/jdash-dev/jdash/internal/ui"
)

// VerbOptions are one `jdash patch` run: what to do and the run's dependencies.
type VerbOptions struct {
	run.Deps
	Env                          string
	Rules                        []string // rule IDs (none: all)
	List, Revert, Verify, DryRun bool
	JSON                         bool
}

// Main is `jdash patch`.
func Main(o *VerbOptions) error {
	n := 0
	for _, b := range []bool{o.List, o.Revert, o.Verify} {
		if b {
			n++
		}
	}
	if n > 1 {
		return clierr.Usagef("give one of --list, --revert, --verify")
	}
	rules, err := selectRules(o.Rules)
	if err != nil {
		return err
	}
	ec, err := o.Envs.Resolve(o.Env)
	if err != nil {
		return err
	}
	pe := &Env{Prefix: ec.Env.Prefix, Packages: ec.Packages, PythonVersion: ec.Env.PythonVersion}
	change := func(command string) txn.Change {
		return txn.Change{Prefix: ec.Env.Prefix, Command: command, DryRun: o.DryRun, Roots: ec.Packages.Dirs(),
			Undo: "jdash patch --revert --env " + ec.Env.Prefix}
	}
	switch {
	case o.Verify:
		return verifyMain(o, ec, pe, rules)
	case o.Revert:
		var res []FileResult
		_, err := o.Tx.Write(context.Background(), change("patch revert"), func(w fsx.Writer) error {
			var err error
			res, err = Revert(w, pe, o.Rules, rules)
			return err
		})
		if err == nil && !o.DryRun {
			reportFiles(o, res, "nothing to revert")
		}
		return err
	}
	statuses, err := Plan(pe, rules, ec.Env.Python)
	if err != nil {
		return err
	}
	if o.List {
		return list(o, statuses)
	}
	if err := Unreadable(statuses); err != nil {
		return err
	}
	var res []FileResult
	_, err = o.Tx.Write(context.Background(), change("patch"), func(w fsx.Writer) error {
		var err error
		res, err = Apply(w, pe, statuses)
		return err
	})
	if err != nil || o.DryRun {
		return err
	}
	if err := o.Envs.Remember(ec.Env.Prefix); err != nil {
		fmt.Fprintf(o.IO.ErrOut, "jdash: warning: %v\n", err)
	}
	reportFiles(o, res, "nothing to patch: every applicable rule is applied or has no anchor here")
	for _, s := range statuses {
		if s.State == "pin-only" || (s.State == "needs-patch" && s.Rule.PreferPin) {
			fmt.Fprintf(o.IO.ErrOut, "%s: a pin is the better fix: %s\n", s.Rule.ID, s.Pin)
		}
	}
	return nil
}

func selectRules(want []string) ([]Rule, error) {
	all, err := Rules()
	if err != nil {
		return nil, err
	}
	if len(want) == 0 {
		return all, nil
	}
	var out []Rule
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
			return nil, clierr.Usagef("unknown rule %q: the rules are %s", id, strings.Join(known, ", "))
		}
	}
	return out, nil
}

func reportFiles(o *VerbOptions, res []FileResult, none string) {
	if len(res) == 0 {
		fmt.Fprintln(o.IO.ErrOut, none)
	}
	for _, r := range res {
		line := fmt.Sprintf("%s %s (%s)", r.Action, r.Path, strings.Join(r.Rules, ", "))
		if r.Note != "" {
			line += ": " + r.Note
		}
		fmt.Fprintln(o.IO.ErrOut, line)
	}
}

// stateHelp explains the states of patch --list (printed under the table for those shown).
var stateHelp = map[string]string{
	"needs-patch":    "the env's versions call for the rule and a file still has the old import: jdash patch repairs it",
	"applied":        "the rule's repair is in place (jdash patch --revert undoes it)",
	"anchor-absent":  "the versions call for the rule, but no installed file has the import it repairs: nothing to do",
	"pin-only":       "no source change fixes it: the pin shown is the repair",
	"not-applicable": "the env's versions do not call for the rule",
}

func list(o *VerbOptions, statuses []Status) error {
	if o.JSON {
		return ui.WriteJSON(o.IO.Out, map[string]any{"rules": statuses})
	}
	cs := o.IO.Colors()
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
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
			fmt.Fprintf(o.IO.ErrOut, "%-15s %s\n", st+":", stateHelp[st])
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
				first, _, _ := strings.Cut(h.Old, "\n")
				fmt.Fprintf(o.IO.Out, "  %s %s: %s:%d: %s\n", s.Rule.ID, what, fl.Path, h.Line, strings.TrimSpace(first))
			}
			if len(fl.Applied) > 0 && len(fl.Hits) == 0 {
				fmt.Fprintf(o.IO.Out, "  %s applied: %s\n", s.Rule.ID, fl.Path)
			}
		}
		if s.Pin != "" && (s.State == "needs-patch" || s.State == "pin-only") {
			fmt.Fprintf(o.IO.Out, "  %s: a pin is the better fix: %s\n", s.Rule.ID, s.Pin)
		}
		if s.Problem != "" {
			fmt.Fprintf(o.IO.Out, "  %s: %s\n", s.Rule.ID, s.Problem)
		}
	}
	return nil
}

// verifyMain imports every patched module (and every module a rule would touch) with the
// env's own interpreter, once, and reports each result; a script (outside any package) runs
// only what the rules touch. A failure is exit code 3.
func verifyMain(o *VerbOptions, ec *envctx.Env, pe *Env, rules []Rule) error {
	targets, err := pe.VerifyTargets(rules, ec.Env.Python)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		fmt.Fprintln(o.IO.ErrOut, "no patched or patchable modules in this env")
		return nil
	}
	res, err := Verify(context.Background(), o.Envs.Python(ec), targets)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range res.Modules {
		if r.Result == "failed" {
			failed++
		}
	}
	if o.JSON {
		if err := ui.WriteJSON(o.IO.Out, res); err != nil {
			return err
		}
	} else {
		cs := o.IO.Colors()
		for _, r := range res.Modules {
			script := ""
			if r.Script {
				script = fmt.Sprintf(" (a script: ran the %s the rules touch, skipped the rest)", ui.Plural(r.Checked, "statement"))
			}
			switch r.Result {
			case "ok":
				fmt.Fprintf(o.IO.Out, "%s %s%s\n", cs.Green("ok     "), r.Module, script)
			case "skipped":
				fmt.Fprintf(o.IO.Out, "skipped %s: %s\n", r.Module, r.Detail)
			default:
				fmt.Fprintf(o.IO.Out, "%s %s%s: %s\n", cs.Red("FAILED "), r.Module, script, r.Detail)
			}
		}
		for _, w := range res.Wrote {
			fmt.Fprintf(o.IO.ErrOut, "verify: a statement wrote %s (in the sandbox, removed; your HOME was not touched)\n", w)
		}
	}
	if failed > 0 {
		return clierr.Exit(clierr.CheckFailed, "%d of %d modules failed while being imported", failed, len(targets))
	}
	return nil
}
