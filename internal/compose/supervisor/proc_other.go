//go:build !unix

package supervisor

import "time"

// StopGroup is a no-op off Unix.
func StopGroup(int, time.Duration, <-chan struct{}) {}

// Reap is a no-op off Unix.
func Reap(string, time.Duration, <-chan struct{}) []int { return nil }

// Terminate is a no-op off Unix.
func Terminate(int) {}
