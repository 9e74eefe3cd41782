//go:build !unix

package supervisor

import "time"

// StartTicks is unknown off Unix.
func StartTicks(int) (uint64, bool) { return 0, false }

// Alive is unknown off Unix: jdash up supervises on Unix only.
func Alive(int, uint64) bool { return false }

// Marked finds nothing off Unix.
func Marked(string) []int { return nil }

// HasMarker is false off Unix.
func HasMarker(int, string) bool { return false }

// Descendants finds nothing off Unix.
func Descendants(int) []int { return nil }

// StopGroup does nothing off Unix.
func StopGroup(int, time.Duration, <-chan struct{}) {}

// Reap does nothing off Unix.
func Reap(string, time.Duration, <-chan struct{}) []int { return nil }

// Terminate does nothing off Unix.
func Terminate(int) {}
