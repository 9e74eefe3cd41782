package envdetect

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// maxPyvenvCfg is the largest pyvenv.cfg CPython reads (Modules/getpath.c: 32 KiB).
const maxPyvenvCfg = 32 * 1024

// maxSmallFile bounds reads of files we do not control (pyvenv.cfg, history heads, ...).
const maxSmallFile = 1 << 20

// readSmall reads a regular file, at most limit bytes (fsx.ReadRegularHead: anything that is
// not a regular file is refused before it is opened, so a scan never blocks).
func readSmall(path string, limit int64) ([]byte, error) { return fsx.ReadRegularHead(path, limit) }

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// linkState tells a usable file from a dangling symlink or a loop.
func linkState(p string) (ok bool, dangling bool, target string) {
	lst, err := os.Lstat(p)
	if err != nil {
		return false, false, ""
	}
	if lst.Mode()&fs.ModeSymlink == 0 {
		return lst.Mode().IsRegular(), false, ""
	}
	target, _ = os.Readlink(p)
	st, err := os.Stat(p)
	if err != nil {
		return false, true, target
	}
	return st.Mode().IsRegular(), false, target
}

// readDirEntries lists a directory without sorting (os.ReadDir sorts; this is the hot path).
func readDirEntries(dir string) ([]fs.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// entryIsDir follows a symlinked entry (DirEntry.Type reports the link itself).
func entryIsDir(dir string, e fs.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&fs.ModeSymlink != 0 {
		return isDir(filepath.Join(dir, e.Name()))
	}
	return false
}

// realpath resolves symlinks; a path that cannot be resolved (missing, loop) is returned
// cleaned together with the error.
func realpath(p string) (string, error) {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return filepath.Clean(p), err
	}
	return r, nil
}

// isLoop reports a symlink loop (ELOOP from stat, or EvalSymlinks' own limit).
func isLoop(err error) bool {
	return err != nil && (errors.Is(err, syscall.ELOOP) || strings.Contains(err.Error(), "too many links"))
}
