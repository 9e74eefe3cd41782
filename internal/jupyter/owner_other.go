//go:build !unix

package jupyter

import "os"

// ownsPath falls back to a writability check (os.access(W_OK) in jupyter_core), read from
// the file mode so that a read command writes nothing.
func ownsPath(p string) bool {
	st, err := os.Stat(resolvePath(p))
	return err == nil && st.Mode().Perm()&0o200 != 0
}

func idsDiffer() bool { return false }
