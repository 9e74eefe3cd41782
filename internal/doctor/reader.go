package doctor

import (
	"errors"
	"io/fs"
	"os"
	"sync"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// Reader is the read side of a doctor run: each file, dir and stat is read once, however
// many envs and checks look at it (doctor --all reads a HOME-level file once for 50 envs).
// Regular files only, bounded by fsx.MaxRead. Files gathering found malformed are hidden
// (reported once as findings), so that the listings built on top go on without them.
type Reader struct {
	mu     sync.Mutex
	files  map[string]fileResult
	dirs   map[string]dirResult
	stats  map[string]statResult
	hidden map[string]bool
}

type fileResult struct {
	data []byte
	err  error
}

type dirResult struct {
	names []string
	err   error
}

type statResult struct {
	st  fs.FileInfo
	err error
}

// NewReader returns an empty reader.
func NewReader() *Reader {
	return &Reader{files: map[string]fileResult{}, dirs: map[string]dirResult{}, stats: map[string]statResult{}, hidden: map[string]bool{}}
}

// ReadFile reads a regular file, at most fsx.MaxRead bytes.
func (r *Reader) ReadFile(path string) ([]byte, error) {
	r.mu.Lock()
	res, ok := r.files[path]
	r.mu.Unlock()
	if !ok {
		res.data, res.err = fsx.ReadRegular(path, fsx.MaxRead)
		r.mu.Lock()
		r.files[path] = res
		r.mu.Unlock()
	}
	return res.data, res.err
}

// Stat follows links.
func (r *Reader) Stat(path string) (fs.FileInfo, error) {
	r.mu.Lock()
	res, ok := r.stats[path]
	r.mu.Unlock()
	if !ok {
		res.st, res.err = os.Stat(path)
		r.mu.Lock()
		r.stats[path] = res
		r.mu.Unlock()
	}
	return res.st, res.err
}

// Exists reports whether path is there and a dir; a hidden (malformed) file is not there.
func (r *Reader) Exists(path string) (bool, bool, error) {
	r.mu.Lock()
	hidden := r.hidden[path]
	r.mu.Unlock()
	if hidden {
		return false, false, nil
	}
	st, err := r.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return true, st.IsDir(), nil
}

// ReadDirNames lists a dir, sorted.
func (r *Reader) ReadDirNames(dir string) ([]string, error) {
	r.mu.Lock()
	res, ok := r.dirs[dir]
	r.mu.Unlock()
	if !ok {
		res.names, res.err = fsx.Disk{}.ReadDirNames(dir)
		r.mu.Lock()
		r.dirs[dir] = res
		r.mu.Unlock()
	}
	return res.names, res.err
}

// hide makes a malformed file invisible to the listings.
func (r *Reader) hide(path string) {
	r.mu.Lock()
	r.hidden[path] = true
	r.mu.Unlock()
}
