package fsx

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ErrOutsideRoot is a write refused because, with the links on the way resolved, it would
// land outside every root the command may write under.
var ErrOutsideRoot = errors.New("outside the dirs this command writes to")

// Roots are the dirs a writer may change things under, symlinks resolved (NewRoots); empty
// means anywhere (tests, and jdash's own state). The check resolves every symlink on the way, so that a link planted in
// an nbextensions dir (a previous --symlink install, say) cannot carry a write out of it. The
// last component itself is never followed: a write replaces a link, it does not go through it.
type Roots []string

// NewRoots resolves the dirs (which need not exist yet) once, for many checks.
func NewRoots(dirs ...string) Roots {
	var rs Roots
	for _, d := range dirs {
		if d != "" {
			rs = append(rs, ResolveExisting(filepath.Clean(d)))
		}
	}
	return rs
}

// check: a file's dir must be inside a root; a dir (dirItself: made or removed empty) may
// also be one of a root's ancestors, which making the root creates.
func (rs Roots) check(path string, dirItself bool) error {
	if len(rs) == 0 {
		return nil
	}
	p := filepath.Clean(path)
	if !dirItself {
		p = filepath.Dir(p)
	}
	real := ResolveExisting(p)
	for _, r := range rs {
		if within(real, r) || dirItself && within(r, real) {
			return nil
		}
	}
	return fmt.Errorf("%s: %w (%s)", path, ErrOutsideRoot, strings.Join(rs, ", "))
}

func within(p, root string) bool {
	return p == root || strings.HasPrefix(p, strings.TrimSuffix(root, string(filepath.Separator))+string(filepath.Separator))
}

// ResolveExisting resolves the symlinks of the longest existing part of p and appends the
// rest (which does not exist, so holds no link): pathlib's non-strict resolve() of an
// absolute path.
func ResolveExisting(p string) string {
	rest := ""
	for cur := p; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}
