// Package registry remembers the envs jdash has set up, patched or created, so that they can
// be named from anywhere (`--env NAME`) and are listed by `jdash envs` wherever they live, and
// which env jdash set up or created last in each dir, for `jdash up`'s default stack: a small
// JSON file in appdirs.Dirs.Registry ($XDG_STATE_HOME/jdash/envs.json). Envs that are gone are
// pruned whenever it is written. It holds prefixes and dirs only, never a secret.
package registry

import (
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/jdash-dev/jdash/internal/fsx"
)

type file struct {
	Envs []string `json:"envs"`
	// Last is the env jdash set up or created last, by the dir it ran in.
	Last map[string]Use `json:"last,omitempty"`
}

// Use is a setup or creation of an env in a dir.
type Use struct {
	Env string    `json:"env"`
	By  string    `json:"by"` // the command, as shown: "jdash env create mine"
	At  time.Time `json:"at"`
	Dir string    `json:"-"` // the dir it ran in (the key)
}

func load(path string) (file, error) {
	var f file
	_, err := fsx.ReadJSON(fsx.Disk{}, path, &f)
	return f, err
}

// Load lists the remembered prefixes (none when there is no registry yet).
func Load(path string) ([]string, error) {
	f, err := load(path)
	return f.Envs, err
}

// Add remembers prefix, and forgets the envs that are gone.
func Add(path, prefix string) error { return update(path, prefix, nil) }

// Used remembers prefix as the env jdash set up or created last in dir.
func Used(path string, u Use) error { return update(path, u.Env, &u) }

// update writes the registry atomically through the writer (not journaled: it is jdash's own
// record, not the user's).
func update(path, prefix string, u *Use) error {
	old, err := load(path)
	if err != nil {
		old = file{} // a damaged registry is rebuilt
	}
	f := file{Envs: []string{}, Last: map[string]Use{}}
	for _, p := range append(old.Envs, prefix) {
		if exists(p) && !slices.Contains(f.Envs, p) {
			f.Envs = append(f.Envs, p)
		}
	}
	slices.Sort(f.Envs)
	for dir, l := range old.Last {
		if exists(l.Env) && exists(dir) {
			f.Last[dir] = l
		}
	}
	if u != nil {
		f.Last[u.Dir] = *u
	}
	if slices.Equal(f.Envs, old.Envs) && u == nil && len(f.Last) == len(old.Last) {
		return nil
	}
	return fsx.WriteJSON(&fsx.Real{Roots: fsx.NewRoots(filepath.Dir(path))}, path, f, 0o644, 0o700)
}

// LastIn is the env jdash set up or created last in dir or the nearest dir above it that has
// one, while it exists (ok false: none).
func LastIn(path, dir string) (u Use, ok bool) {
	f, err := load(path)
	if err != nil {
		return u, false
	}
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if l, found := f.Last[d]; found && exists(l.Env) {
			l.Dir = d
			return l, true
		}
		if d == filepath.Dir(d) {
			return u, false
		}
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
