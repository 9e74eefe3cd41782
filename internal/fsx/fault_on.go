//go:build jdashfault

package fsx

import (
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// With the jdashfault build tag, JDASH_FAULT_AT=N kills the process (SIGKILL, no cleanup)
// at the N-th fault point: before a change is journaled, after it is journaled but before it
// is made, and between a temp file's write and its rename. JDASH_FAULT_COUNT=1 prints the
// number of points passed when the process ends normally (to stderr, via FaultPoints).
// JDASH_FAULT_PAUSE=N sleeps 3 s at the N-th point (a slowed filesystem operation), after
// saying so on stderr, so that a test can signal the process at a known point.
// JDASH_FAULT_TRACE=1 names each point on stderr as it is passed.
var (
	faultAt    = envInt("JDASH_FAULT_AT")
	faultPause = envInt("JDASH_FAULT_PAUSE")
	faultTrace = envInt("JDASH_FAULT_TRACE")
	faultSeq   atomic.Int64
)

func envInt(k string) int64 { n, _ := strconv.ParseInt(os.Getenv(k), 10, 64); return n }

func fault(what, path string) {
	where := what + " " + path
	n := faultSeq.Add(1)
	if faultTrace > 0 {
		fmt.Fprintf(os.Stderr, "fault: point %d (%s)\n", n, where)
	}
	if faultPause > 0 && n == faultPause {
		fmt.Fprintf(os.Stderr, "fault: paused at point %d (%s)\n", n, where)
		time.Sleep(3 * time.Second)
	}
	if faultAt > 0 && n == faultAt {
		fmt.Fprintf(os.Stderr, "fault: killed at point %d (%s)\n", n, where)
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
}

// FaultPoints is how many fault points this process passed.
func FaultPoints() int64 { return faultSeq.Load() }
