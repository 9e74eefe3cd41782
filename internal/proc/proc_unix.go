//go:build unix

// Package proc is what the system says about a process, from /proc: whether it is alive (and
// the same process as recorded), when it started, its children, its environment's marker,
// its command line and open files. The one home of "is this process alive".
package proc

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// stat reads /proc/<pid>/stat: state, parent, process group, start time (clock ticks
// after boot).
func stat(pid int) (state byte, ppid, pgrp int, start uint64, ok bool) {
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
	_, _, _, t, ok := stat(pid)
	return t, ok
}

// Alive reports a running (not zombie) process; with ticks != 0 it must also be the same
// process that was recorded (a reused PID is not it).
func Alive(pid int, ticks uint64) bool {
	if pid <= 0 {
		return false
	}
	state, _, _, t, ok := stat(pid)
	if !ok {
		err := syscall.Kill(pid, 0) // no /proc: the signal test
		return err == nil || errors.Is(err, syscall.EPERM)
	}
	return state != 'Z' && (ticks == 0 || t == ticks)
}

func PIDs() []int {
	names, _ := fsx.ReadDirNames("/proc")
	var out []int
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// GroupMembers are the live (not zombie) processes of a process group.
func GroupMembers(pgid int) []int {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		if syscall.Kill(-pgid, 0) == nil {
			return []int{pgid}
		}
		return nil
	}
	var out []int
	for _, pid := range PIDs() {
		if state, _, pg, _, ok := stat(pid); ok && pg == pgid && state != 'Z' {
			out = append(out, pid)
		}
	}
	return out
}

// Descendants are the live processes below pid (its children, theirs, ...): a server's
// kernels, whatever session or environment they started with.
func Descendants(pid int) []int {
	children := map[int][]int{}
	for _, p := range PIDs() {
		if state, ppid, _, _, ok := stat(p); ok && state != 'Z' {
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
	for _, pid := range PIDs() {
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
			state, _, _, _, ok := stat(pid)
			return ok && state != 'Z'
		}
	}
	return false
}

// OpenFiles are the targets of a process's fd links (nothing for a process this user may
// not inspect).
func OpenFiles(pid int) []string {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	fds, _ := fsx.ReadDirNames(dir)
	var out []string
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join(dir, fd)); err == nil {
			out = append(out, target)
		}
	}
	return out
}

// Command is a process's command line, its arguments joined by spaces (trimmed to 200 bytes).
func Command(pid int) string {
	data, err := fsx.ReadRegular(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"), 1<<16)
	if err != nil || len(data) == 0 {
		return ""
	}
	s := strings.TrimRight(strings.ReplaceAll(string(data), "\x00", " "), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
