package fsx

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// EnvStateDir is where jdash keeps an env's lock and journal: inside the env, so that nothing
// about an env is written under the user's home.
func EnvStateDir(prefix string) string { return filepath.Join(prefix, ".jdash") }

// Lock holds the env's lock file (gofrs/flock: flock(2), or LockFileEx on Windows). Every
// command that writes into an env holds it from its first read to its last write, so that
// concurrent jdash runs on one env serialize instead of losing each other's edits.
type Lock struct{ fl *flock.Flock }

// LockEnv takes the env's lock, waiting up to timeout.
func LockEnv(ctx context.Context, prefix string, timeout time.Duration) (*Lock, error) {
	dir := EnvStateDir(prefix)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot write into the env %s: %w", prefix, err)
	}
	fl := flock.New(filepath.Join(dir, "lock"))
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil || !ok {
		return nil, fmt.Errorf("another jdash is changing %s (lock %s): %w", prefix, fl.Path(), err)
	}
	return &Lock{fl}, nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() error { return l.fl.Unlock() }
