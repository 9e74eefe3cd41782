// Package txn is a change to one or more envs, the one way jdash's verbs write: the envs are
// locked (once per process, however many steps take the lock), every change is journaled
// before it is made so that a killed run can be finished by running the command again or
// undone, a dry run records and prints a unified diff instead, and the first SIGINT, SIGTERM
// or SIGHUP stops it between two changes. setup, nbext, serverext, patch and doctor --fix
// share it, and so will every verb that writes.
package txn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// Tx is one run's writer of envs.
type Tx struct {
	Out, ErrOut io.Writer // the diff of a dry run; what happened
	Now         func() time.Time

	mu    sync.Mutex
	locks map[string]*held // env locks this process holds, by prefix
}

type held struct {
	l *fsx.Lock
	n int
}

// Interruptible is ctx cancelled by the first SIGINT, SIGTERM or SIGHUP (only the verbs that
// write install the handler: it costs the short read commands a thread).
func Interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
}

// Lock takes the env's lock once per process (setup holds it across its install and its
// writes); the returned function releases it with the outermost holder.
func (t *Tx) Lock(ctx context.Context, prefix string) (func(), error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.locks == nil {
		t.locks = map[string]*held{}
	}
	if h, ok := t.locks[prefix]; ok {
		h.n++
		return t.unlocker(prefix), nil
	}
	l, err := fsx.LockEnv(ctx, prefix, 30*time.Second)
	if err != nil {
		return nil, writeError(prefix, err)
	}
	t.locks[prefix] = &held{l: l, n: 1}
	return t.unlocker(prefix), nil
}

func (t *Tx) unlocker(prefix string) func() {
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if h := t.locks[prefix]; h != nil {
			if h.n--; h.n == 0 {
				h.l.Unlock()
				delete(t.locks, prefix)
			}
		}
	}
}

// Change is one journaled run of a command in an env.
type Change struct {
	Prefix  string // the env: its lock, its journal, its jdash state dir
	Command string // the journal's name ("setup", "nbext enable", ...)
	DryRun  bool   // print the diff, write nothing
	// FullDiff shows every copied file's diff in a dry run (else the copies are counted).
	FullDiff bool
	Roots    []string // where the writer may write (the env's state dir is added)
	// Also are other envs locked for the change (doctor --fix moving an enable into them).
	Also []string
	// Undo is the hint printed when the run is interrupted ("jdash setup --undo --env P").
	Undo string
}

// Write runs fn with the env locked and a writer confined to the change's roots: a dry run
// records and prints a unified diff of everything fn would change; a real run journals each
// change before making it. It returns the writer's record of what changed.
func (t *Tx) Write(ctx context.Context, c Change, fn func(w fsx.Writer) error) ([]fsx.Change, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	rs := fsx.NewRoots(append(slices.Clone(c.Roots), fsx.EnvStateDir(c.Prefix))...)
	if c.DryRun {
		d := fsx.NewDryRun()
		d.Roots = rs
		if err := fn(d); err != nil {
			return nil, err
		}
		if c.FullDiff {
			fsx.WriteDiffs(t.Out, d.Changes())
		} else {
			fsx.WriteSummary(t.Out, d.Changes())
		}
		if len(d.Changes()) == 0 {
			fmt.Fprintln(t.ErrOut, "dry run: nothing would change")
		}
		return d.Changes(), nil
	}
	ctx, stop := Interruptible(ctx)
	defer stop()
	for _, p := range append([]string{c.Prefix}, c.Also...) {
		unlock, err := t.Lock(ctx, p)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	rec, err := fsx.StartJournal(c.Prefix, c.Command, rs, t.Now())
	if err != nil {
		return nil, writeError(c.Prefix, err)
	}
	w := &fsx.Real{Rec: rec, Roots: rs, Ctx: ctx}
	runErr := fn(w)
	if runErr != nil {
		// An interrupted or failed run keeps its journal pending: the next run of the command
		// takes it over (so its undo covers both), and an undo now restores what it did.
		rec.Abandon()
	} else if err := rec.Finish(c.Prefix, c.Command, w.Changes(), t.Now()); err != nil {
		runErr = err
	}
	if errors.Is(runErr, context.Canceled) {
		hint := ""
		if c.Undo != "" {
			hint = ", or roll back with: " + c.Undo
		}
		fmt.Fprintf(t.ErrOut, "jdash: interrupted: %d changes were made in %s, each journaled; run the same command again to finish%s\n",
			len(w.Changes()), c.Prefix, hint)
	}
	return w.Changes(), writeError(c.Prefix, runErr)
}

// Undo restores every file the last run of command changed in the env, exactly. check
// (optional) sees the journal first: doctor asks before restoring files outside the env.
func (t *Tx) Undo(prefix, command string, dryRun bool, check func(*fsx.Journal) error) error {
	ctx, stop := Interruptible(context.Background())
	defer stop()
	if !dryRun {
		// the journal is read under the lock: a second undo running at once waits, then finds
		// the first one's work done
		unlock, err := t.Lock(ctx, prefix)
		if err != nil {
			return err
		}
		defer unlock()
	}
	j, path, err := fsx.LastJournal(prefix, command)
	if err != nil {
		return err
	}
	if j == nil {
		return fmt.Errorf("no %s to undo in %s", command, prefix)
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
		fsx.WriteDiffs(t.Out, d.Changes())
		return nil
	}
	// The undo is idempotent: killed half-way, running it again finishes it.
	if err := fsx.Undo(&fsx.Real{Roots: j.Roots, Ctx: ctx}, j); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(t.ErrOut, "jdash: interrupted: the undo of %s is half done; run jdash %s --undo --env %s again to finish it\n", prefix, command, prefix)
		}
		return err
	}
	if err := fsx.MarkUndone(path); err != nil {
		return err
	}
	fmt.Fprintf(t.ErrOut, "undid the %s of %s: %d changes restored\n", command, j.Time.Format("2006-01-02 15:04:05"), len(j.Changes))
	return nil
}

// UndoAsking is Undo that asks first (confirm: yes, a terminal answer, else a usage error)
// when the journal restores files outside the env.
func (t *Tx) UndoAsking(prefix, command string, dryRun bool, confirm func(warning, what string) error) error {
	return t.Undo(prefix, command, dryRun, func(j *fsx.Journal) error {
		var out []string
		for _, c := range j.Changes {
			if !strings.HasPrefix(c.Path, prefix+string(filepath.Separator)) {
				out = append(out, c.Path)
			}
		}
		if len(out) == 0 || dryRun {
			return nil
		}
		return confirm(fmt.Sprintf("%s --undo restores %d files outside %s", command, len(out), prefix), command+" --undo outside the env")
	})
}

// Report says what a real run did, from the writer's own record: what it removed and what it
// wrote (created dirs are implied by their files).
func (t *Tx) Report(changes []fsx.Change) {
	if len(changes) == 0 {
		fmt.Fprintln(t.ErrOut, "nothing changed")
	}
	for _, c := range changes {
		switch {
		case c.Dir:
		case c.Removed:
			fmt.Fprintf(t.ErrOut, "removed %s\n", c.Path)
		default:
			fmt.Fprintf(t.ErrOut, "wrote %s\n", c.Path)
		}
	}
}

// writeError explains a read-only env and the --user way out, with its cost.
func writeError(prefix string, err error) error {
	if err == nil || !(errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)) {
		return err
	}
	return fmt.Errorf("%w\n%s is not writable by you. Run as its owner, or use --user, which writes under your home and so reaches every env on this machine", err, prefix)
}
