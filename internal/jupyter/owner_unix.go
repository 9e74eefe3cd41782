//go:build unix

package jupyter

import (
	"os"
	"path/filepath"
	"syscall"
)

// ownsPath is jupyter_core's _do_i_own: resolve, walk up to the first existing dir, compare
// its owner with the effective uid. (Python first compares the owner's name with
// os.getlogin(), which differs from the euid only under sudo/su; jdash uses the euid.)
func ownsPath(p string) bool {
	p = resolvePath(p)
	for {
		st, err := os.Stat(p)
		if err == nil {
			if s, ok := st.Sys().(*syscall.Stat_t); ok {
				return int(s.Uid) == os.Geteuid()
			}
			return false
		}
		parent := filepath.Dir(p)
		if parent == p {
			return false
		}
		p = parent
	}
}

func idsDiffer() bool {
	return os.Getuid() != os.Geteuid() || os.Getgid() != os.Getegid()
}
