// Package ports says whether a TCP port is taken on this machine and, where /proc tells,
// which process listens on it: doctor reports configured ports in use, and a stack's
// pre-flight names the process that holds a port before anything starts.
package ports

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/proc"
)

// Holder is the process listening on a port (PID 0 when it could not be told: another
// user's process, or no /proc).
type Holder struct {
	PID     int    `json:"pid,omitempty"`
	Command string `json:"command,omitempty"`
}

// String names the holder for a message: "PID 12 (python -m notebook ...)", or what is
// known when /proc does not tell.
func (h Holder) String() string {
	if h.PID > 0 {
		return fmt.Sprintf("PID %d (%s)", h.PID, h.Command)
	}
	return "a process jdash cannot inspect (another user's)"
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
	for _, l := range listeners(port) {
		inodes[l.socket] = true
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
		for _, target := range proc.OpenFiles(pid) {
			if inodes[target] {
				return Holder{PID: pid, Command: proc.Command(pid)}
			}
		}
	}
	return Holder{}
}

// listener is a listening TCP socket of /proc/net/tcp{,6}: its local address and its
// "socket:[inode]" (what a process's fd links to).
type listener struct {
	ip     net.IP
	socket string
}

// listeners are the listening sockets on port, on any address.
func listeners(port int) []listener {
	var out []listener
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
			hexIP, hexPort, ok := strings.Cut(fs[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); ok && err == nil && int(p) == port {
				out = append(out, listener{procIP(hexIP), "socket:[" + fs[9] + "]"})
			}
		}
	}
	return out
}

// Listening are the listening sockets ("socket:[inode]") that a connection to ip:port may
// reach: bound to ip itself, or to the unspecified address (0.0.0.0, ::).
func Listening(ip string, port int) []string {
	target := net.ParseIP(ip)
	var out []string
	for _, l := range listeners(port) {
		if l.ip != nil && (l.ip.IsUnspecified() || l.ip.Equal(target)) {
			out = append(out, l.socket)
		}
	}
	return out
}

// procIP decodes an address of /proc/net/tcp{,6}: 32-bit words in host (little-endian) order.
func procIP(h string) net.IP {
	if len(h) != 8 && len(h) != 32 {
		return nil
	}
	ip := make(net.IP, len(h)/2)
	for w := 0; w < len(h)/8; w++ {
		word, err := strconv.ParseUint(h[w*8:w*8+8], 16, 32)
		if err != nil {
			return nil
		}
		for b := 0; b < 4; b++ {
			ip[w*4+b] = byte(word >> (8 * b))
		}
	}
	return ip
}

// HeldBy reports whether every socket is open in one of pids (and there is one): a
// listener jdash started, not one another process (or user) put there.
func HeldBy(sockets []string, pids []int) bool {
	if len(sockets) == 0 {
		return false
	}
	left := map[string]bool{}
	for _, s := range sockets {
		left[s] = true
	}
	for _, pid := range pids {
		for _, target := range proc.OpenFiles(pid) {
			delete(left, target)
		}
	}
	return len(left) == 0
}
