//go:build jdashfault

package fsx

import (
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
)

// With the jdashfault build tag, JDASH_FAULT_AT=N kills the process (SIGKILL, no cleanup)
// at the N-th fault point: before a change is journaled, after it is journaled but before it
// is made, and between a temp file's write and its rename. JDASH_FAULT_COUNT=1 prints the
// number of points passed when the process ends normally (to stderr, via FaultPoints).
var (
	faultAt  = func() int64 { n, _ := strconv.ParseInt(os.Getenv("JDASH_FAULT_AT"), 10, 64); return n }()
	faultSeq atomic.Int64
)

func fault(where string) {
	n := faultSeq.Add(1)
	if faultAt > 0 && n == faultAt {
		fmt.Fprintf(os.Stderr, "fault: killed at point %d (%s)\n", n, where)
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
}

// FaultPoints is how many fault points this process passed.
func FaultPoints() int64 { return faultSeq.Load() }
