package doctor

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/patch"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/run"
	"github.com/jdash-dev/jdash/internal/txn"
	"github.com/jdash-dev/jdash/internal/ui"
)

// Options are one `jdash doctor` run: what to inspect and do, and the run's dependencies.
type Options struct {
	run.Deps

	Env        string   // --env
	All        bool     // --all
	Names      []string // the envs named after --all
	JSON       bool
	Strict     bool
	Deep       bool
	Checks     []string // --check IDs (none: all)
	ListChecks bool
	Fix        bool
	DryRun     bool
	Undo       bool
	Yes        bool
}

// Validate refuses flag combinations that mean nothing (usage errors, before any scan).
func (o *Options) Validate(envGiven bool) error {
	switch {
	case o.All && envGiven:
		return clierr.Usagef("--env and --all exclude each other: name envs after --all")
	case len(o.Names) > 0 && !o.All:
		return clierr.Usagef("doctor takes no arguments without --all: use --env ENV")
	case o.Fix && o.Undo:
		return clierr.Usagef("--fix and --undo exclude each other")
	case o.DryRun && !o.Fix && !o.Undo:
		return clierr.Usagef("--dry-run goes with --fix or --undo")
	case o.All && (o.Fix || o.Undo):
		return clierr.Usagef("--fix and --undo work on one env: use --env ENV (doctor --all shows which envs each leak reaches)")
	case o.Yes && !o.Fix && !o.Undo:
		return clierr.Usagef("--yes goes with --fix or --undo")
	}
	for _, id := range o.Checks {
		if _, ok := CheckByID(id); !ok {
			return clierr.Usagef("--check %q: no such check (jdash doctor --list-checks lists them)", id)
		}
	}
	return nil
}

// Main is `jdash doctor`.
func Main(o *Options) error {
	if o.ListChecks {
		return listChecks(o)
	}
	if o.All {
		return all(o)
	}
	ec, err := o.Envs.Resolve(o.Env)
	if err != nil {
		return err
	}
	if _, err := fsx.ReadDirNames(ec.Env.Prefix); err != nil {
		return fmt.Errorf("cannot inspect %s: %w", ec.Env.Prefix, err)
	}
	if o.Undo {
		return undo(o, ec)
	}
	s := NewSession(o.Envs, o.Checks, o.Deep)
	fs, ran, err := s.Inspect(ec)
	if err != nil {
		return err
	}
	if o.Fix {
		if fs, ran, err = fix(o, s, ec, fs); err != nil || o.DryRun {
			return err
		}
	}
	rep := Report{Env: ec.Env.Prefix, Findings: fs, Summary: Summarize(fs, ran)}
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	if o.JSON {
		if err := ui.WriteJSON(o.IO.Out, rep); err != nil {
			return err
		}
	} else {
		text(o).Env(envHeader(ec), fs, rep.Summary)
	}
	return verdict(rep.Summary, o.Strict)
}

func text(o *Options) Text {
	return Text{W: o.IO.Out, C: o.IO.Colors(), Home: o.Envs.Environ["HOME"], Deep: o.Deep}
}

func verdict(s Summary, strict bool) error {
	if s.Errors > 0 || strict && s.Warnings > 0 {
		return &clierr.ExitError{Code: clierr.CheckFailed, Err: fmt.Errorf("")}
	}
	return nil
}

func envHeader(ec *envctx.Env) string {
	e := ec.Env
	core := "no jupyter_core"
	if ec.Facts.CoreVersion != nil {
		core = "jupyter_core " + ec.Facts.CoreVersion.String()
	}
	return fmt.Sprintf("jdash doctor: %s (%s, Python %s, %s)", e.Prefix, e.Kind, e.PythonVersion, core)
}

// Session is what one doctor run shares across envs: the reader (each file read once), every
// env of the machine resolved once (for what a shared file reaches), the rules.
type Session struct {
	envs   *envctx.Resolver
	checks []string
	deep   bool
	reader *Reader
	others []Other
	all    []*envctx.Env
	rules  []patch.Rule
}

// NewSession resolves the machine's envs once; checks selects checks by ID (none: all);
// deep runs each inspected env's interpreter once.
func NewSession(envs *envctx.Resolver, checks []string, deep bool) *Session {
	s := &Session{envs: envs, checks: checks, deep: deep, reader: NewReader()}
	s.rules, _ = patch.Rules()           // embedded and tested: an error here is a build defect
	for _, e := range envs.Scan().Envs { // broken envs too: their config still reaches them
		ec := envs.Describe(e)
		p := ec.Paths
		s.all = append(s.all, ec)
		s.others = append(s.others, Other{Prefix: e.Prefix, Stdlib: StdlibDirs(e), ConfigDirs: p.ConfigDirs(), DataDirs: p.DataDirs(),
			SysPrefix: p.Levels.SysPrefix, Packages: ec.Packages, Paths: p})
	}
	return s
}

// Inspect gathers one env's snapshot and runs the selected checks on it.
func (s *Session) Inspect(ec *envctx.Env) ([]Finding, int, error) {
	in := Input{Env: ec.Env, Facts: ec.Facts, Paths: ec.Paths, Packages: ec.Packages, Others: s.others, Reader: s.reader, Rules: s.rules,
		EnvAt: func(prefix string) *pkgindex.Index {
			if o, err := s.envs.Resolve(prefix); err == nil && !o.Env.Broken {
				return o.Packages
			}
			return nil
		}}
	if s.deep {
		// The interpreter gets the user's PYTHONUSERBASE back (the runner drops it for every
		// other child) because the user site is what it is asked about.
		var set []string
		if v, ok := s.envs.Environ["PYTHONUSERBASE"]; ok {
			set = append(set, "PYTHONUSERBASE="+v)
		}
		out, err := s.envs.Python(ec).RunIn(context.Background(), set, ec.Env.Prefix, "-c", DeepScript)
		if err != nil {
			return nil, 0, fmt.Errorf("cannot inspect %s with its interpreter (--deep): %w", ec.Env.Prefix, err)
		}
		if in.Deep, err = ParseDeep(out); err != nil {
			return nil, 0, err
		}
	}
	fs, ran := Run(Gather(in), s.checks)
	return fs, ran, nil
}

// fix applies the automatic fixes, then inspects again and returns what is left.
func fix(o *Options, s *Session, ec *envctx.Env, fs []Finding) ([]Finding, int, error) {
	actions := Actions(fs)
	if len(actions) == 0 {
		fmt.Fprintln(o.IO.ErrOut, "doctor --fix: nothing to fix automatically")
		return s.Inspect(ec)
	}
	if out := Outside(actions, ec.Env.Prefix); len(out) > 0 && !o.DryRun {
		if err := o.IO.Confirm(o.Yes, "doctor --fix changes files outside "+ec.Env.Prefix+": "+strings.Join(out, ", "), "doctor --fix outside the env"); err != nil {
			return nil, 0, err
		}
	}
	// The envs that receive a moved enable are locked too: nothing else writes their config meanwhile.
	var also []string
	for _, other := range s.others {
		if other.Prefix != ec.Env.Prefix && slices.ContainsFunc(actions, func(a *Action) bool { return slices.Contains(a.Targets, other.SysPrefix.Config) }) {
			also = append(also, other.Prefix)
		}
	}
	var done []string
	_, err := o.Tx.Write(context.Background(), txn.Change{Prefix: ec.Env.Prefix, Command: "doctor", DryRun: o.DryRun, Roots: Roots(actions), Also: also},
		func(w fsx.Writer) error {
			var err error
			done, err = Apply(w, actions)
			return err
		})
	if err != nil || o.DryRun {
		return nil, 0, err
	}
	for _, m := range done {
		fmt.Fprintln(o.IO.ErrOut, "fixed: "+m)
	}
	fmt.Fprintf(o.IO.ErrOut, "undo with: jdash doctor --undo --yes --env %s\n", ec.Env.Prefix)
	s.reader = NewReader() // the files changed: read them again
	return s.Inspect(ec)
}

func undo(o *Options, ec *envctx.Env) error {
	return o.Tx.UndoAsking(ec.Env.Prefix, "doctor", o.DryRun, func(warning, what string) error { return o.IO.Confirm(o.Yes, warning, what) })
}

func all(o *Options) error {
	s := NewSession(o.Envs, o.Checks, o.Deep)
	envs := s.all
	if len(o.Names) > 0 {
		envs = nil
		for _, n := range o.Names {
			ec, err := o.Envs.Resolve(n)
			if err != nil {
				return err
			}
			envs = append(envs, ec)
		}
	}
	var rows []EnvRow
	var per [][]Finding
	ran := 0
	for _, ec := range envs {
		fs, n, err := s.Inspect(ec)
		if err != nil {
			rows = append(rows, EnvRow{Env: ec.Env.Prefix, Groups: map[string]Severity{}, Error: err.Error()})
			continue
		}
		ran = n
		row := EnvRow{Env: ec.Env.Prefix, Groups: map[string]Severity{}, Summary: Summarize(fs, n)}
		for _, g := range Groups {
			if sev := GroupState(fs, g); sev != "" {
				row.Groups[g] = sev
			}
		}
		rows = append(rows, row)
		per = append(per, fs)
	}
	rep := Merge(rows, per, ran)
	if rep.Envs == nil {
		rep.Envs = []EnvRow{}
	}
	if o.JSON {
		if err := ui.WriteJSON(o.IO.Out, rep); err != nil {
			return err
		}
	} else {
		text(o).All(rep)
	}
	for _, r := range rows {
		if r.Error != "" {
			return clierr.Exit(clierr.Failed, "could not inspect %s", r.Env)
		}
	}
	return verdict(rep.Summary, o.Strict)
}

// checkRow is --list-checks' JSON.
type checkRow struct {
	ID       string   `json:"id"`
	Group    string   `json:"group"`
	Severity Severity `json:"severity"`
	Ref      string   `json:"ref"`
	Title    string   `json:"title"`
	Deep     bool     `json:"deep,omitempty"`
}

func listChecks(o *Options) error {
	var rows []checkRow
	for _, c := range Checks {
		rows = append(rows, checkRow{c.ID, c.Group, c.Severity, c.Ref, c.Title, c.Deep})
	}
	if o.JSON {
		return ui.WriteJSON(o.IO.Out, rows)
	}
	for _, r := range rows {
		fmt.Fprintf(o.IO.Out, "%-26s %-11s %-8s %-18s %s\n", r.ID, r.Group, r.Severity, r.Ref, r.Title)
	}
	return nil
}
