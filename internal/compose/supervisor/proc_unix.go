//go:build unix

package supervisor

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// procStat reads /proc/<pid>/stat: state, parent, process group, start time (clock ticks
// after boot).
func procStat(pid int) (state byte, ppid, pgrp int, start uint64, ok bool) {
	data, err := fsx.ReadRegular(filepath.Join("/proc", strconv.Itoa(pid), "stat"), 4096)
	if err != nil {
		return 0, 0, 0, 0, false
	}
	i := bytes.LastIndexByte(data, ')') // the command may hold spaces and parens
	if i < 0 {
		return 0, 0, 0, 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 {
		return 0, 0, 0, 0, false
	}
	pp, _ := strconv.Atoi(f[1])
	pg, _ := strconv.Atoi(f[2])
	st, _ := strconv.ParseUint(f[19], 10, 64)
	return f[0][0], pp, pg, st, true
}

// StartTicks is when pid started (clock ticks after boot): with the PID it names one process.
func StartTicks(pid int) (uint64, bool) {
	_, _, _, t, ok := procStat(pid)
	return t, ok
}

// Alive reports a running (not zombie) process; with ticks != 0 it must also be the same
// process that was recorded (a reused PID is not it).
func Alive(pid int, ticks uint64) bool {
	if pid <= 0 {
		return false
	}
	state, _, _, t, ok := procStat(pid)
	if !ok {
		err := syscall.Kill(pid, 0) // no /proc: the signal test
		return err == nil || errors.Is(err, syscall.EPERM)
	}
	return state != 'Z' && (ticks == 0 || t == ticks)
}

func pids() []int {
	names, _ := fsx.ReadDirNames("/proc")
	var out []int
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// groupMembers are the live (not zombie) processes of a process group.
func groupMembers(pgid int) []int {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		if syscall.Kill(-pgid, 0) == nil {
			return []int{pgid}
		}
		return nil
	}
	var out []int
	for _, pid := range pids() {
		if state, _, pg, _, ok := procStat(pid); ok && pg == pgid && state != 'Z' {
			out = append(out, pid)
		}
	}
	return out
}

// Descendants are the live processes below pid (its children, theirs, ...): a server's
// kernels, whatever session or environment they started with.
func Descendants(pid int) []int {
	children := map[int][]int{}
	for _, p := range pids() {
		if state, ppid, _, _, ok := procStat(p); ok && state != 'Z' {
			children[ppid] = append(children[ppid], p)
		}
	}
	var out []int
	queue := slices.Clone(children[pid])
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		out = append(out, p)
		queue = append(queue, children[p]...)
	}
	return out
}

// Marked are the live processes whose environment holds marker: exactly ("K=V"), or, when
// marker ends with ":", any value that starts with it (every run of one stack).
func Marked(marker string) []int {
	var out []int
	for _, pid := range pids() {
		if pid != os.Getpid() && HasMarker(pid, marker) {
			out = append(out, pid)
		}
	}
	return out
}

// HasMarker reports a live process whose environment holds marker (as Marked matches it).
func HasMarker(pid int, marker string) bool {
	if marker == "" || !strings.Contains(marker, "=") {
		return false
	}
	data, err := fsx.ReadRegular(filepath.Join("/proc", strconv.Itoa(pid), "environ"), 1<<20)
	if err != nil {
		return false
	}
	want, prefix := []byte(marker), strings.HasSuffix(marker, ":")
	for _, kv := range bytes.Split(data, []byte{0}) {
		if bytes.Equal(kv, want) || prefix && bytes.HasPrefix(kv, want) {
			state, _, _, _, ok := procStat(pid)
			return ok && state != 'Z'
		}
	}
	return false
}

// StopGroup stops a service: SIGTERM to its process group and to every process below its
// leader (kernels in sessions of their own, whatever their environment), a wait until all
// are gone, and SIGKILL after grace (at once when force is closed). The processes found
// below the leader are followed by PID and start time, so a reused PID is never signalled.
func StopGroup(pgid int, grace time.Duration, force <-chan struct{}) {
	below := tracked{}
	below.add(Descendants(pgid))
	live := func() []int {
		below.add(Descendants(pgid))
		return append(groupMembers(pgid), below.live()...)
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
			t[pid], _ = StartTicks(pid)
		}
	}
}

func (t tracked) live() []int {
	var out []int
	for pid, ticks := range t {
		if Alive(pid, ticks) {
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
		known.add(Marked(marker))
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
