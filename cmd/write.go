package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/pyrun"
	"github.com/jdash-dev/jdash/internal/registry"

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
	facts, pkgs, _ := f.facts(e)
	return &envContext{Env: e, Facts: facts, Paths: jupyter.Resolve(facts), Packages: pkgs}, nil
}

// python is the env's interpreter, started through the factory's runner.
func (f *Factory) python(ec *envContext) pyrun.Interpreter {
	return pyrun.Interpreter{Path: ec.Env.Python, Runner: f.Runner}
}

// writeInEnv runs fn with the env locked and a writer confined to roots (and jdash's state
// dir in the env): a dry run records and prints a unified diff of everything fn would change;
// a real run journals each change before making it, so that a killed run can be finished by
// running it again or rolled back. The first SIGINT, SIGTERM or SIGHUP stops it between two
// changes, says what state the env is in, and ends with exit code 130.
func (f *Factory) writeInEnv(ctx context.Context, ec *envContext, command string, dryRun bool, roots []string, fn func(w fsx.Writer) error) ([]fsx.Change, error) {
	rs := fsx.NewRoots(append(slices.Clone(roots), fsx.StateDir(ec.Env.Prefix))...)
	if dryRun {
		d := fsx.NewDryRun()
		d.Roots = rs
		if err := fn(d); err != nil {
			return nil, err
		}
		fsx.WriteDiffs(f.IO.Out, d.Changes())
		if len(d.Changes()) == 0 {
			fmt.Fprintln(f.IO.ErrOut, "dry run: nothing would change")
		}
		return d.Changes(), nil
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	unlock, err := f.lockEnv(ctx, ec)
	if err != nil {
		return nil, err
	}
	defer unlock()
	rec, err := fsx.StartJournal(ec.Env.Prefix, command, rs, f.Now())
	if err != nil {
		return nil, writeError(ec, err)
	}
	w := &fsx.Real{Rec: rec, Roots: rs, Ctx: ctx}
	runErr := fn(w)
	if runErr != nil {
		// An interrupted or failed run keeps its journal pending: the next run of the command
		// takes it over (so its undo covers both), and an undo now restores what it did.
		rec.Abandon()
	} else if err := rec.Finish(ec.Env.Prefix, command, w.Changes(), f.Now()); err != nil {
		runErr = err
	}
	if errors.Is(runErr, context.Canceled) {
		fmt.Fprintf(f.IO.ErrOut, "jdash: interrupted: %d changes were made in %s, each journaled; run the same command again to finish%s\n",
			len(w.Changes()), ec.Env.Prefix, rollbackHint(command, ec.Env.Prefix))
	}
	return w.Changes(), writeError(ec, runErr)
}

func rollbackHint(command, prefix string) string {
	switch command {
	case "setup":
		return ", or roll back with: jdash setup --undo --env " + prefix
	case "patch":
		return ", or roll back with: jdash patch --revert --env " + prefix
	}
	return ""
}

// interruptible is ctx cancelled by the first SIGINT, SIGTERM or SIGHUP (only the commands
// that write install the handler: it costs the short read commands a thread).
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
}

// lockEnv takes the env's lock once per process (setup holds it across its install and its
// writes); the returned function releases it with the outermost holder.
func (f *Factory) lockEnv(ctx context.Context, ec *envContext) (func(), error) {
	f.lockMu.Lock()
	defer f.lockMu.Unlock()
	if f.locks == nil {
		f.locks = map[string]*heldLock{}
	}
	prefix := ec.Env.Prefix
	if h, ok := f.locks[prefix]; ok {
		h.n++
		return f.unlocker(prefix), nil
	}
	l, err := fsx.LockEnv(ctx, prefix, 30*time.Second)
	if err != nil {
		return nil, writeError(ec, err)
	}
	f.locks[prefix] = &heldLock{l: l, n: 1}
	return f.unlocker(prefix), nil
}

type heldLock struct {
	l *fsx.Lock
	n int
}

func (f *Factory) unlocker(prefix string) func() {
	return func() {
		f.lockMu.Lock()
		defer f.lockMu.Unlock()
		if h := f.locks[prefix]; h != nil {
			if h.n--; h.n == 0 {
				h.l.Unlock()
				delete(f.locks, prefix)
			}
		}
	}
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

// remember adds an env jdash changed to its registry, so that it can be named from anywhere.
func (f *Factory) remember(ec *envContext) {
	if err := registry.Add(f.dirs().Registry(), ec.Env.Prefix); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "jdash: warning: remembering %s: %v\n", ec.Env.Prefix, err)
	}
}

// undoLast restores every file the last run of command changed in the env, exactly. check
// (optional) sees the journal first: doctor asks before restoring files outside the env.
func undoLast(f *Factory, ec *envContext, command string, dryRun bool, check func(*fsx.Journal) error) error {
	j, path, err := fsx.LastJournal(ec.Env.Prefix, command)
	if err != nil {
		return err
	}
	if j == nil {
		return fmt.Errorf("no %s to undo in %s", command, ec.Env.Prefix)
	}
	if check != nil {
		if err := check(j); err != nil {
			return err
		}
	}
	if dryRun {
		d := fsx.NewDryRun()
		d.Roots = j.Roots
		if err := fsx.Undo(d, j); err != nil {
			return err
		}
		fsx.WriteDiffs(f.IO.Out, d.Changes())
		return nil
	}
	ctx, stop := interruptible(context.Background())
	defer stop()
	unlock, err := f.lockEnv(ctx, ec)
	if err != nil {
		return err
	}
	defer unlock()
	// The undo is idempotent: killed half-way, running it again finishes it.
	if err := fsx.Undo(&fsx.Real{Roots: j.Roots, Ctx: ctx}, j); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(f.IO.ErrOut, "jdash: interrupted: the undo of %s is half done; run jdash %s --undo --env %s again to finish it\n", ec.Env.Prefix, command, ec.Env.Prefix)
		}
		return err
	}
	if err := fsx.MarkUndone(path); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "undid the %s of %s: %d changes restored\n", command, j.Time.Format("2006-01-02 15:04:05"), len(j.Changes))
	return nil
}
