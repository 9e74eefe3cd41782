package fsx

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxRead bounds reads of files jdash does not control (metadata, RECORD, config).
const MaxRead = 16 << 20

// MaxCopy bounds one file that jdash copies or unpacks (an nbextension's asset): larger is
// an error naming it, never a truncated copy.
const MaxCopy = 64 << 20

// maxJournal bounds a journal jdash reads back (it holds the old bytes of what a run changed).
const maxJournal = 1 << 30

// ErrNotRegular is a read refused because the path is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// ReadRegular reads a regular file, at most limit bytes (more is an error naming the file).
// Anything else (a FIFO, a device, a directory) is refused before it is opened, so a read
// never blocks.
func ReadRegular(path string, limit int64) ([]byte, error) {
	data, err := readRegular(path, limit+1)
	if err == nil && int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return data, err
}

// ReadRegularHead is ReadRegular that keeps the first limit bytes of a larger file, for
// readers that bound what they take (a 150,000-line environments.txt).
func ReadRegularHead(path string, limit int64) ([]byte, error) { return readRegular(path, limit) }

func readRegular(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// ReadDirNames lists a directory's names, unsorted (no DirEntry per file: site-packages
// dirs are big and this is the hot path).
func ReadDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}
