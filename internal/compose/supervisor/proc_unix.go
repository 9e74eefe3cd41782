//go:build unix

package supervisor

import (
	"syscall"
	"time"

	"github.com/jdash-dev/jdash/internal/proc"
)

// StopGroup stops a service: SIGTERM to its process group and to every process below its
// leader (kernels in sessions of their own, whatever their environment), a wait until all
// are gone, and SIGKILL after grace (at once when force is closed). The processes found
// below the leader are followed by PID and start time, so a reused PID is never signalled.
func StopGroup(pgid int, grace time.Duration, force <-chan struct{}) {
	below := tracked{}
	below.add(proc.Descendants(pgid))
	live := func() []int {
		below.add(proc.Descendants(pgid))
		return append(proc.GroupMembers(pgid), below.live()...)
	}
	stopAll(live, func(sig syscall.Signal) {
		syscall.Kill(-pgid, sig)
		for _, pid := range below.live() {
			syscall.Kill(pid, sig)
		}
	}, grace, force)
}

// tracked are processes known by PID and start time.
type tracked map[int]uint64

func (t tracked) add(pids []int) {
	for _, pid := range pids {
		if _, ok := t[pid]; !ok {
			t[pid], _ = proc.StartTicks(pid)
		}
	}
}

func (t tracked) live() []int {
	var out []int
	for pid, ticks := range t {
		if proc.Alive(pid, ticks) {
			out = append(out, pid)
		} else {
			delete(t, pid)
		}
	}
	return out
}

// Reap stops every process that carries marker (TERM, grace, KILL) and returns those still
// alive after that.
func Reap(marker string, grace time.Duration, force <-chan struct{}) []int {
	// A process that is exiting shows an empty environment: the ones found once are followed
	// by PID and start time until they are gone.
	known := tracked{}
	live := func() []int {
		known.add(proc.Marked(marker))
		return known.live()
	}
	return stopAll(live, func(sig syscall.Signal) {
		for _, pid := range live() {
			syscall.Kill(pid, sig)
		}
	}, grace, force)
}

func stopAll(live func() []int, signal func(syscall.Signal), grace time.Duration, force <-chan struct{}) []int {
	if len(live()) == 0 {
		return nil
	}
	signal(syscall.SIGTERM)
	deadline := time.After(grace)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
wait:
	for len(live()) > 0 {
		select {
		case <-deadline:
			break wait
		case <-force:
			break wait
		case <-tick.C:
		}
	}
	if len(live()) == 0 {
		return nil
	}
	signal(syscall.SIGKILL)
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if len(live()) == 0 {
			return nil
		}
	}
	return live()
}

// Terminate sends SIGTERM to one process (a detached supervisor, which then stops its stack).
func Terminate(pid int) { syscall.Kill(pid, syscall.SIGTERM) }
