//go:build !unix

package engine

import (
	"errors"
	"os"
)

// Lock is not available off Unix: jdash up supervises on Unix only.
type Lock struct{}

// ErrBusy: another process holds the stack's lock.
var ErrBusy = errors.New("the stack is starting or up")

// TryLock fails off Unix.
func (d Store) TryLock() (*Lock, error) { return nil, errors.New("jdash up runs stacks on Unix only") }

// Adopt fails off Unix.
func (d Store) Adopt(*os.File) (*Lock, error) {
	return nil, errors.New("jdash up runs stacks on Unix only")
}

// File is nil off Unix.
func (l *Lock) File() *os.File { return nil }

// Release does nothing off Unix.
func (l *Lock) Release() {}

// Close does nothing off Unix.
func (l *Lock) Close() {}

// SupervisorLog opens the detached supervisor's log for writing, afresh.
func (d Store) SupervisorLog() (*os.File, error) {
	return os.OpenFile(d.SupervisorLogPath(), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
}
