// Package registry remembers the envs jdash has set up, patched or created, so that they can
// be named from anywhere (`--env NAME`) and are listed by `jdash envs` wherever they live: a
// small JSON list in appdirs.Dirs.Registry ($XDG_STATE_HOME/jdash/envs.json). Envs
// that are gone are pruned whenever it is written. It holds prefixes only, never a secret.
package registry

import (
	"os"
	"path/filepath"
	"slices"

	"github.com/jdash-dev/jdash/internal/fsx"
)

type file struct {
	Envs []string `json:"envs"`
}

// Load lists the remembered prefixes (none when there is no registry yet).
func Load(path string) ([]string, error) {
	var f file
	_, err := fsx.ReadJSON(fsx.Disk{}, path, &f)
	return f.Envs, err
}

// Add remembers prefix, and forgets the envs that are gone. The file is written atomically
// through the writer (not journaled: it is jdash's own record, not the user's).
func Add(path, prefix string) error {
	old, err := Load(path)
	if err != nil {
		old = nil // a damaged registry is rebuilt
	}
	envs := []string{}
	for _, p := range append(old, prefix) {
		if _, err := os.Stat(p); err == nil && !slices.Contains(envs, p) {
			envs = append(envs, p)
		}
	}
	slices.Sort(envs)
	if slices.Equal(envs, old) {
		return nil
	}
	return fsx.WriteJSON(&fsx.Real{Roots: fsx.NewRoots(filepath.Dir(path))}, path, file{Envs: envs}, 0o644, 0o700)
}
