//go:build unix

package doctor

import (
	"io/fs"
	"syscall"
)

// ownerUID is the uid owning a file.
func ownerUID(st fs.FileInfo) (uint32, bool) {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return sys.Uid, true
}
