//go:build unix

package ports

import (
	"errors"
	"syscall"
)

// Alive reports whether a process with pid exists (signal 0; EPERM means it does).
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
