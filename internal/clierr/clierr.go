// Package clierr holds the errors that choose jdash's exit code, so that a domain package can
// say "this is the user's mistake" (2) or "a check failed" (3) without knowing the CLI.
package clierr

import "fmt"

// Exit codes: each means one thing.
const (
	OK          = 0
	Failed      = 1
	Usage       = 2
	CheckFailed = 3
	Interrupted = 130
)

// UsageError is a usage error: exit 2 and the usage hint. Its message names the flag,
// variable or file:line at fault.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef is a usage error.
func Usagef(format string, a ...any) error { return &UsageError{fmt.Errorf(format, a...)} }

// ExitError carries a specific exit code (3 for a failed check, 130 for an interrupt).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Exit is an error with an exit code.
func Exit(code int, format string, a ...any) error {
	return &ExitError{Code: code, Err: fmt.Errorf(format, a...)}
}
