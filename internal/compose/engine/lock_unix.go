//go:build unix

package engine

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// Lock is the stack's lock: flock(2) on <state>/lock, held by the one process that runs
// the stack (a foreground up, or the detached supervisor, which takes it over from the up
// that started it: the open file is inherited, and the lock goes with it).
type Lock struct{ f *os.File }

// ErrBusy: another process holds the stack's lock (an up is starting it, or it is up).
var ErrBusy = errors.New("the stack is starting or up")

// TryLock takes the lock without waiting (ErrBusy when held).
func (d Store) TryLock() (*Lock, error) {
	if err := d.Make(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(d.lockFile(), os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("the stack's lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("the stack's lock %s: %w", d.lockFile(), err)
	}
	return &Lock{f}, nil
}

// Adopt takes over the lock an up handed down as an inherited file, checking that the file
// is this stack's lock and that the lock is held through it.
func (d Store) Adopt(f *os.File) (*Lock, error) {
	fi, err1 := f.Stat()
	want, err2 := os.Lstat(d.lockFile())
	if err1 != nil || err2 != nil || !os.SameFile(fi, want) {
		return nil, fmt.Errorf("the supervisor was not handed the lock of %s", d)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return nil, fmt.Errorf("the supervisor does not hold the lock of %s: %w", d, err)
	}
	// an inherited file is not closed on exec: the services must not hold the lock too (it
	// would outlive a killed supervisor)
	syscall.CloseOnExec(int(f.Fd()))
	return &Lock{f}, nil
}

// File is the open lock file, for handing to the detached supervisor.
func (l *Lock) File() *os.File { return l.f }

// Close closes this process's copy of the lock file once a child has taken the lock over
// (the lock stays with the child's copy: an unlock here would drop it for both).
func (l *Lock) Close() {
	if l != nil && l.f != nil {
		l.f.Close()
	}
}

// Release gives the lock up.
func (l *Lock) Release() {
	if l != nil && l.f != nil {
		syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
		l.f.Close()
	}
}

// SupervisorLog opens the detached supervisor's log for writing, afresh (never through a
// link someone put in its place).
func (d Store) SupervisorLog() (*os.File, error) {
	return os.OpenFile(d.SupervisorLogPath(), os.O_CREATE|os.O_WRONLY|os.O_TRUNC|syscall.O_NOFOLLOW, 0o600)
}
