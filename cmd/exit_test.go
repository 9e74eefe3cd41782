package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/ui"
)

func TestExitCode(t *testing.T) {
	for _, c := range []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, 0, ""},
		{errors.New("boom"), 1, "jdash: boom\n"},
		{flagErrorf("bad --x"), 2, "Run 'jdash envs --help'"},
		{fmt.Errorf(`unknown command "nope" for "jdash"`), 2, "Run"},
		{&ExitError{Code: 3, Err: errors.New("2 checks failed")}, 3, "2 checks failed"},
		{fmt.Errorf("wrapped: %w", context.Canceled), 130, ""},
	} {
		io, _, errOut := ui.Test(false)
		if got := exitCode(c.err, io, "jdash envs"); got != c.code {
			t.Errorf("%v: code %d, want %d", c.err, got, c.code)
		}
		if !strings.Contains(errOut.String(), c.stderr) || (c.stderr == "" && errOut.Len() > 0) {
			t.Errorf("%v: stderr %q, want %q", c.err, errOut.String(), c.stderr)
		}
	}
}
