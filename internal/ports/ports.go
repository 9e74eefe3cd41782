// Package ports says whether a TCP port is taken on this machine and, where /proc tells,
// which process listens on it: doctor reports configured ports in use, and a stack's
// pre-flight names the process that holds a port before anything starts.
package ports

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// Holder is the process listening on a port (PID 0 when it could not be told: another
// user's process, or no /proc).
type Holder struct {
	PID     int    `json:"pid,omitempty"`
	Command string `json:"command,omitempty"`
}

// Taken reports whether a server could not listen on host:port now (a bind test, released
// at once), and who holds it.
func Taken(host string, port int) (bool, Holder) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err == nil {
		l.Close()
		return false, Holder{}
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return false, Holder{}
	}
	return true, Owner(port)
}

// Owner finds the process with a listening socket on port (any address) from
// /proc/net/tcp{,6} and the fd links of the processes this user may inspect.
func Owner(port int) Holder {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := fsx.ReadRegular(f, 16<<20)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			fs := strings.Fields(line)
			if len(fs) < 10 || fs[3] != "0A" { // 0A: LISTEN
				continue
			}
			_, hexPort, ok := strings.Cut(fs[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); ok && err == nil && int(p) == port {
				inodes["socket:["+fs[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return Holder{}
	}
	procs, _ := fsx.ReadDirNames("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p)
		if err != nil {
			continue
		}
		fds, err := fsx.ReadDirNames(filepath.Join("/proc", p, "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if target, err := os.Readlink(filepath.Join("/proc", p, "fd", fd)); err == nil && inodes[target] {
				return Holder{PID: pid, Command: Command(pid)}
			}
		}
	}
	return Holder{}
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
