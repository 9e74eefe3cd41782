// Package run holds what every verb runs with: cmd builds one Deps per run and every verb's
// options embed it, so that a verb's function takes its options and nothing else.
package run

import (
	"context"

	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/txn"
	"github.com/jdash-dev/jdash/internal/ui"
)

// Deps are a run's dependencies.
type Deps struct {
	Ctx  context.Context  // the run's context (the long verbs add their own signal handling)
	IO   *ui.IO           // results on Out, diagnostics on ErrOut
	FS   fsx.FS           // what read-only work reads through (writers read through themselves)
	Envs *envctx.Resolver // ENV -> env, one machine scan per run; its Runner starts every child
	Tx   *txn.Tx          // the one way a verb changes envs: lock, journal, dry run, undo
}

// Context is the run's context, never nil.
func (d Deps) Context() context.Context {
	if d.Ctx == nil {
		return context.Background()
	}
	return d.Ctx
}
