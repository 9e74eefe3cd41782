// Package ui holds jdash's terminal conventions: results on Out, everything else on ErrOut,
// colour only when Out is a terminal and NO_COLOR is unset.
package ui

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/fatih/color"
	"golang.org/x/term"
)

// IO is the set of streams a command talks to.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	outTTY bool
	errTTY bool
	color  bool
}

// System returns the process streams, with colour decided from the environment: on when
// stdout is a terminal, off when NO_COLOR is set (non-empty, per no-color.org) or TERM=dumb, and forced on by
// CLICOLOR_FORCE (not "0"). The mode argument ("auto", "always", "never") overrides.
func System(getenv func(string) string, mode string) *IO {
	tty := term.IsTerminal(int(os.Stdout.Fd()))
	return &IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, outTTY: tty, errTTY: term.IsTerminal(int(os.Stderr.Fd())),
		color: ColorEnabled(tty, getenv, mode)}
}

// ColorEnabled is the colour policy as a pure function.
func ColorEnabled(tty bool, getenv func(string) string, mode string) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if v := getenv("CLICOLOR_FORCE"); v != "" && v != "0" {
		return true
	}
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	return tty
}

// Test returns buffers for tests.
func Test(tty bool) (*IO, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &IO{In: &bytes.Buffer{}, Out: out, ErrOut: errOut, outTTY: tty, color: tty}, out, errOut
}

// IsTTY reports whether Out is a terminal.
func (s *IO) IsTTY() bool { return s.outTTY }

// Progress is where progress lines go: stderr on a terminal, nowhere in a pipe.
func (s *IO) Progress() io.Writer {
	if s.errTTY {
		return s.ErrOut
	}
	return io.Discard
}

// Scheme is the colour palette; every function is the identity when colour is off.
type Scheme struct {
	Green, Red, Yellow, Bold, Dim func(string) string
	// Service colours: a stable one per service of a stack (jdash up's "name |" prefixes).
	Service []func(string) string
}

// Colors returns the scheme for this IO. fatih/color is used per instance, never through
// its global NoColor, which only looks at os.Stdout.
func (s *IO) Colors() Scheme {
	mk := func(attrs ...color.Attribute) func(string) string {
		c := color.New(attrs...)
		if s.color {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return func(x string) string { return c.Sprint(x) }
	}
	return Scheme{Green: mk(color.FgGreen), Red: mk(color.FgRed), Yellow: mk(color.FgYellow), Bold: mk(color.Bold), Dim: mk(color.Faint),
		Service: []func(string) string{mk(color.FgCyan), mk(color.FgYellow), mk(color.FgMagenta), mk(color.FgGreen), mk(color.FgBlue)}}
}

// Safe makes text from files and directory names safe to print on a terminal: control
// characters (ESC sequences, newlines, C1 controls) and invalid UTF-8 are shown escaped, so
// that a crafted env name can neither break a table nor drive the terminal.
func Safe(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}
