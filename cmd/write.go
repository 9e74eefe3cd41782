package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/pyrun"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
)

// envContext is an env with the Jupyter paths it sees and its installed packages,
// resolved once per command.
type envContext struct {
	Env      *envdetect.Env
	Facts    jupyter.Facts
	Paths    jupyter.Paths
	Packages *pkgindex.Index
}

func (f *Factory) envContext(ref string) (*envContext, error) {
	e, err := f.FindEnv(ref)
	if err != nil {
		return nil, err
	}
	facts, _ := f.facts(e)
	return &envContext{Env: e, Facts: facts, Paths: jupyter.Resolve(facts), Packages: jupyter.Packages(e, facts)}, nil
}

// python is the env's interpreter, started through the factory's runner.
func (f *Factory) python(ec *envContext) pyrun.Interpreter {
	return pyrun.Interpreter{Path: ec.Env.Python, Runner: f.Runner}
}

// writeInEnv runs fn with the env locked and a writer: a dry run records and prints a
// unified diff of everything fn would change; a real run journals its changes so that
// `--undo` can restore them.
func (f *Factory) writeInEnv(ec *envContext, command string, dryRun bool, fn func(w fsx.Writer) error) ([]fsx.Change, error) {
	if dryRun {
		d := fsx.NewDryRun()
		if err := fn(d); err != nil {
			return nil, err
		}
		fsx.WriteDiffs(f.IO.Out, d.Changes())
		if len(d.Changes()) == 0 {
			fmt.Fprintln(f.IO.ErrOut, "dry run: nothing would change")
		}
		return d.Changes(), nil
	}
	lock, err := fsx.LockEnv(context.Background(), ec.Env.Prefix, 30*time.Second)
	if err != nil {
		return nil, writeError(ec, err)
	}
	defer lock.Unlock()
	// Each change is journaled before it is made: a run killed at any point can be undone.
	rec, err := fsx.StartJournal(ec.Env.Prefix, command, f.Now())
	if err != nil {
		return nil, writeError(ec, err)
	}
	w := &fsx.Real{Rec: rec}
	runErr := fn(w)
	// Whatever was written before a failure is in the journal too.
	if err := rec.Finish(ec.Env.Prefix, command, w.Changes(), f.Now()); err != nil && runErr == nil {
		runErr = err
	}
	return w.Changes(), writeError(ec, runErr)
}

// writeError explains a read-only env and the --user way out, with its cost.
func writeError(ec *envContext, err error) error {
	if err == nil || !isPermission(err) {
		return err
	}
	return fmt.Errorf("%w\n%s is not writable by you. Run as its owner, or use --user, which writes under your home and so reaches every env on this machine", err, ec.Env.Prefix)
}

// reportChanges says what a real run did, from the writer's own record: what it removed
// and what it wrote (created dirs are implied by their files).
func reportChanges(f *Factory, changes []fsx.Change) {
	if len(changes) == 0 {
		fmt.Fprintln(f.IO.ErrOut, "nothing changed")
	}
	for _, c := range changes {
		switch {
		case c.Dir:
		case c.Removed:
			fmt.Fprintf(f.IO.ErrOut, "removed %s\n", c.Path)
		default:
			fmt.Fprintf(f.IO.ErrOut, "wrote %s\n", c.Path)
		}
	}
}
