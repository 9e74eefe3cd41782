// Package lazyre compiles regular expressions on first use. Package-level MustCompile runs
// at every process start; jdash's short commands must not pay for patterns they never use.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr once, on its first call.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
