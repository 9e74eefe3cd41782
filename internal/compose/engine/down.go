package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/jdash-dev/jdash/internal/clierr"
)

// Down stops the stack: every process it started (kernels included), every port freed.
func Down(d Deps, p *Project) error {
	if !p.Store.Exists() {
		fmt.Fprintf(d.IO.ErrOut, "the stack of %s is not up\n", p.Stack.Dir)
		return nil
	}
	start := time.Now()
	out, err := Stop(p.Store, Grace)
	if out.Damaged != "" {
		fmt.Fprintf(d.IO.ErrOut, "%s: stopped what carries the stack's marker\n", out.Damaged)
	}
	if err != nil {
		return err
	}
	took := time.Since(start).Round(time.Millisecond)
	if len(out.Held) > 0 {
		return clierr.Exit(clierr.Failed, "stopped the stack of %s in %s, no process of it left, but not every port is free:\n  %s", p.Stack.Dir, took, strings.Join(out.Held, "\n  "))
	}
	fmt.Fprintf(d.IO.ErrOut, "stopped the stack of %s in %s: no process of it left, every port free\n", p.Stack.Dir, took)
	return nil
}
