//go:build !unix

package proc

import "os"

// StartTicks is unknown off Unix.
func StartTicks(int) (uint64, bool) { return 0, false }

// Alive reports whether a process with pid exists (it can be opened); ticks are not checked.
func Alive(pid int, _ uint64) bool {
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

// Marked finds nothing off Unix.
func Marked(string) []int { return nil }

// HasMarker is false off Unix.
func HasMarker(int, string) bool { return false }

// Descendants are unknown off Unix.
func Descendants(int) []int { return nil }

// Command is unknown off Unix.
func Command(int) string { return "" }

// OpenFiles are unknown off Unix.
func OpenFiles(int) []string { return nil }
