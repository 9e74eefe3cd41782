//go:build !unix

package ports

import "os"

// Alive reports whether a process with pid exists (Windows: it can be opened).
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
