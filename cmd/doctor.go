package cmd

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/doctor"
	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/patch"
)

type doctorOptions struct {
	Env        string
	All        bool
	Names      []string // envs named with --all
	JSON       bool
	Strict     bool
	Deep       bool
	Checks     []string
	ListChecks bool
	Fix        bool
	DryRun     bool
	Undo       bool
	Yes        bool
}

func newDoctorCmd(f *Factory, runF func(*doctorOptions) error) *cobra.Command {
	o := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor [--env ENV | --all [ENV...]]",
		Short: "Find the Jupyter config that leaks between envs, say why it wins, fix it reversibly",
		Long: `Diagnose what reaches an env from outside it: kernelspecs that run another interpreter,
extensions enabled for the user or the machine, exported Jupyter and Python variables, the user
site, IPython profiles, known version breakages, stale runtime files, exposed servers.

Every finding shows its evidence (file, level, line or variable), why it wins (the precedence of
"jdash paths --explain"), the envs it reaches and the fix. No Python is started without --deep,
and nothing is written without --fix. --fix changes files through jdash's journal (kernelspecs
are quarantined, never deleted); --undo restores the exact bytes. Changes outside the env
(HOME, other envs) need --yes or a confirmation on a terminal.

Exit codes: 0 no errors (warnings allowed), 3 errors (or warnings with --strict), 1 doctor could
not inspect, 2 usage.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Env = envFlag(cmd)
			o.Names = args
			if err := o.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return doctorRun(f, o)
		},
	}
	addEnvFlag(cmd.Flags())
	fl := cmd.Flags()
	fl.BoolVar(&o.All, "all", false, "every env jdash envs finds (or the ENVs named): one table, each shared leak once")
	fl.BoolVar(&o.JSON, "json", false, "print the findings as JSON (schema in docs/json.md)")
	fl.BoolVar(&o.Strict, "strict", false, "exit 3 on warnings too")
	fl.BoolVar(&o.Deep, "deep", false, "also run the env's Python once and compare its answers with jdash's model")
	fl.StringArrayVar(&o.Checks, "check", nil, "run only this check `ID` (repeatable; see --list-checks)")
	fl.BoolVar(&o.ListChecks, "list-checks", false, "list the checks and exit")
	fl.BoolVar(&o.Fix, "fix", false, "apply the automatic fixes (journaled; --dry-run shows the diffs)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "with --fix or --undo: show what would change, change nothing")
	fl.BoolVar(&o.Undo, "undo", false, "restore every file the last doctor --fix changed")
	fl.BoolVar(&o.Yes, "yes", false, "confirm changes outside the env (HOME, other envs) for --fix and --undo")
	return cmd
}

func (o *doctorOptions) validate(cmd *cobra.Command) error {
	switch {
	case o.All && cmd.Flags().Changed("env"):
		return flagErrorf("--env and --all exclude each other: name envs after --all")
	case len(o.Names) > 0 && !o.All:
		return flagErrorf("doctor takes no arguments without --all: use --env ENV")
	case o.Fix && o.Undo:
		return flagErrorf("--fix and --undo exclude each other")
	case o.DryRun && !o.Fix && !o.Undo:
		return flagErrorf("--dry-run goes with --fix or --undo")
	case o.All && (o.Fix || o.Undo):
		return flagErrorf("--fix and --undo work on one env: use --env ENV (doctor --all shows which envs each leak reaches)")
	case o.Yes && !o.Fix && !o.Undo:
		return flagErrorf("--yes goes with --fix or --undo")
	}
	for _, id := range o.Checks {
		if _, ok := doctor.CheckByID(id); !ok {
			return flagErrorf("--check %q: no such check (jdash doctor --list-checks lists them)", id)
		}
	}
	return nil
}

// checkRow is --list-checks' JSON.
type checkRow struct {
	ID       string          `json:"id"`
	Group    string          `json:"group"`
	Severity doctor.Severity `json:"severity"`
	Ref      string          `json:"ref"`
	Title    string          `json:"title"`
	Deep     bool            `json:"deep,omitempty"`
}

func doctorRun(f *Factory, o *doctorOptions) error {
	if o.ListChecks {
		return listChecks(f, o)
	}
	if o.All {
		return doctorAll(f, o)
	}
	ec, err := f.envContext(o.Env)
	if err != nil {
		return err
	}
	if _, err := fsx.ReadDirNames(ec.Env.Prefix); err != nil {
		return fmt.Errorf("cannot inspect %s: %w", ec.Env.Prefix, err)
	}
	if o.Undo {
		return doctorUndo(f, ec, o)
	}
	d := newDoctorRun(f, o)
	fs, ran, err := d.inspect(ec)
	if err != nil {
		return err
	}
	if o.Fix {
		if fs, ran, err = d.fix(ec, fs); err != nil || o.DryRun {
			return err
		}
	}
	rep := doctor.Report{Env: ec.Env.Prefix, Findings: fs, Summary: doctor.Summarize(fs, ran)}
	if rep.Findings == nil {
		rep.Findings = []doctor.Finding{}
	}
	if o.JSON {
		if err := writeJSON(f.IO.Out, rep); err != nil {
			return err
		}
	} else {
		d.text().Env(envHeader(ec), fs, rep.Summary)
	}
	return verdict(rep.Summary, o.Strict)
}

func verdict(s doctor.Summary, strict bool) error {
	if s.Errors > 0 || strict && s.Warnings > 0 {
		return &ExitError{Code: ExitCheckFailed, Err: fmt.Errorf("")}
	}
	return nil
}

func envHeader(ec *envContext) string {
	e := ec.Env
	core := "no jupyter_core"
	if ec.Facts.CoreVersion != nil {
		core = "jupyter_core " + ec.Facts.CoreVersion.String()
	}
	return fmt.Sprintf("jdash doctor: %s (%s, Python %s, %s)", e.Prefix, e.Kind, e.PythonVersion, core)
}

// doctorRun holds what one doctor invocation shares across envs: the reader (each file read
// once), the other envs of the machine, the rules.
type doctorRunner struct {
	f      *Factory
	o      *doctorOptions
	reader *doctor.Reader
	others []doctor.Other
	envs   []*envContext // every env of the machine, resolved once
	rules  []patch.Rule
}

func newDoctorRun(f *Factory, o *doctorOptions) *doctorRunner {
	d := &doctorRunner{f: f, o: o, reader: doctor.NewReader()}
	d.rules, _ = patch.Rules()        // embedded and tested: an error here is a build defect
	for _, e := range f.Scan().Envs { // broken envs too: their config still reaches them
		facts, pkgs, _ := f.facts(e)
		p := jupyter.Resolve(facts)
		d.envs = append(d.envs, &envContext{Env: e, Facts: facts, Paths: p, Packages: pkgs})
		d.others = append(d.others, doctor.Other{Prefix: e.Prefix, Stdlib: doctor.StdlibDirs(e), ConfigDirs: p.ConfigDirs(), DataDirs: p.DataDirs(),
			SysPrefix: p.Levels.SysPrefix, Packages: pkgs, Paths: p})
	}
	return d
}

func (d *doctorRunner) text() doctor.Text {
	return doctor.Text{W: d.f.IO.Out, C: d.f.IO.Colors(), Home: d.f.Env["HOME"], Deep: d.o.Deep}
}

// inspect gathers one env's snapshot and runs the selected checks on it.
func (d *doctorRunner) inspect(ec *envContext) ([]doctor.Finding, int, error) {
	in := doctor.Input{Env: ec.Env, Facts: ec.Facts, Paths: ec.Paths, Packages: ec.Packages, Others: d.others,
		Reader: d.reader, Rules: d.rules}
	if d.o.Deep {
		deep, err := d.deep(ec)
		if err != nil {
			return nil, 0, err
		}
		in.Deep = deep
	}
	fs, ran := doctor.Run(doctor.Gather(in), d.o.Checks)
	return fs, ran, nil
}

// deep runs the env's interpreter once. It gets the user's PYTHONUSERBASE back (the runner
// drops it for every other child) because the user site is what it is asked about.
func (d *doctorRunner) deep(ec *envContext) (*doctor.Deep, error) {
	var set []string
	if v, ok := d.f.Env["PYTHONUSERBASE"]; ok {
		set = append(set, "PYTHONUSERBASE="+v)
	}
	out, err := d.f.python(ec).RunIn(context.Background(), set, ec.Env.Prefix, "-c", doctor.DeepScript)
	if err != nil {
		return nil, fmt.Errorf("cannot inspect %s with its interpreter (--deep): %w", ec.Env.Prefix, err)
	}
	return doctor.ParseDeep(out)
}

// fix applies the automatic fixes, then inspects again and returns what is left.
func (d *doctorRunner) fix(ec *envContext, fs []doctor.Finding) ([]doctor.Finding, int, error) {
	f := d.f
	actions := doctor.Actions(fs)
	if len(actions) == 0 {
		fmt.Fprintln(f.IO.ErrOut, "doctor --fix: nothing to fix automatically")
		fs2, ran, err := d.inspect(ec)
		return fs2, ran, err
	}
	if out := doctor.Outside(actions, ec.Env.Prefix); len(out) > 0 && !d.o.DryRun {
		if err := confirm(f, d.o.Yes, "doctor --fix changes files outside "+ec.Env.Prefix+": "+strings.Join(out, ", "), "doctor --fix outside the env"); err != nil {
			return nil, 0, err
		}
	}
	// The envs that receive a moved enable are locked too: nothing else writes their config meanwhile.
	for _, o := range d.others {
		if o.Prefix == ec.Env.Prefix || !touchesConfig(actions, o.SysPrefix.Config) || d.o.DryRun {
			continue
		}
		unlock, err := f.lockEnv(context.Background(), &envContext{Env: &envdetect.Env{Prefix: o.Prefix}})
		if err != nil {
			return nil, 0, err
		}
		defer unlock()
	}
	var done []string
	_, err := f.writeInEnv(context.Background(), ec, "doctor", d.o.DryRun, doctor.Roots(actions), func(w fsx.Writer) error {
		var err error
		done, err = doctor.Apply(w, actions)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if d.o.DryRun {
		return nil, 0, nil
	}
	for _, m := range done {
		fmt.Fprintln(f.IO.ErrOut, "fixed: "+m)
	}
	fmt.Fprintf(f.IO.ErrOut, "undo with: jdash doctor --undo --yes --env %s\n", ec.Env.Prefix)
	d.reader = doctor.NewReader() // the files changed: read them again
	return d.inspect(ec)
}

func touchesConfig(actions []*doctor.Action, dir string) bool {
	for _, a := range actions {
		if slices.Contains(a.Targets, dir) {
			return true
		}
	}
	return false
}

func doctorUndo(f *Factory, ec *envContext, o *doctorOptions) error {
	return undoLast(f, ec, "doctor", o.DryRun, func(j *fsx.Journal) error {
		var out []string
		for _, c := range j.Changes {
			if !strings.HasPrefix(c.Path, ec.Env.Prefix+string(filepath.Separator)) {
				out = append(out, c.Path)
			}
		}
		if len(out) == 0 || o.DryRun {
			return nil
		}
		return confirm(f, o.Yes, fmt.Sprintf("doctor --undo restores %d files outside %s", len(out), ec.Env.Prefix), "doctor --undo outside the env")
	})
}

func doctorAll(f *Factory, o *doctorOptions) error {
	d := newDoctorRun(f, o)
	envs := d.envs
	if len(o.Names) > 0 {
		envs = nil
		for _, n := range o.Names {
			ec, err := f.envContext(n)
			if err != nil {
				return err
			}
			envs = append(envs, ec)
		}
	}
	var rows []doctor.EnvRow
	var per [][]doctor.Finding
	ran := 0
	for _, ec := range envs {
		fs, n, err := d.inspect(ec)
		if err != nil {
			rows = append(rows, doctor.EnvRow{Env: ec.Env.Prefix, Groups: map[string]doctor.Severity{}, Error: err.Error()})
			continue
		}
		ran = n
		row := doctor.EnvRow{Env: ec.Env.Prefix, Groups: map[string]doctor.Severity{}, Summary: doctor.Summarize(fs, n)}
		for _, g := range doctor.Groups {
			if s := doctor.GroupState(fs, g); s != "" {
				row.Groups[g] = s
			}
		}
		rows = append(rows, row)
		per = append(per, fs)
	}
	rep := doctor.Merge(rows, per, ran)
	if rep.Envs == nil {
		rep.Envs = []doctor.EnvRow{}
	}
	if o.JSON {
		if err := writeJSON(f.IO.Out, rep); err != nil {
			return err
		}
	} else {
		d.text().All(rep)
	}
	for _, r := range rows {
		if r.Error != "" {
			return &ExitError{Code: ExitFailed, Err: fmt.Errorf("could not inspect %s", r.Env)}
		}
	}
	return verdict(rep.Summary, o.Strict)
}

func listChecks(f *Factory, o *doctorOptions) error {
	var rows []checkRow
	for _, c := range doctor.Checks {
		rows = append(rows, checkRow{c.ID, c.Group, c.Severity, c.Ref, c.Title, c.Deep})
	}
	if o.JSON {
		return writeJSON(f.IO.Out, rows)
	}
	for _, r := range rows {
		fmt.Fprintf(f.IO.Out, "%-26s %-11s %-8s %-18s %s\n", r.ID, r.Group, r.Severity, r.Ref, r.Title)
	}
	return nil
}
