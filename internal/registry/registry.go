// Package registry remembers the envs jdash has set up, patched or created, so that they can
// be named from anywhere (`--env NAME`) and are listed by `jdash envs` wherever they live: a
// small JSON list in appdirs.Dirs.Registry ($XDG_STATE_HOME/jdash/envs.json). Envs
// that are gone are pruned whenever it is written. It holds prefixes only, never a secret.
package registry

import (
	"encoding/json"
	"errors"
	"io/fs"
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
	data, err := fsx.ReadRegular(path, 1<<20)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	return f.Envs, nil
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
	data, err := json.MarshalIndent(file{Envs: envs}, "", "  ")
	if err != nil {
		return err
	}
	w := &fsx.Real{Roots: fsx.NewRoots(filepath.Dir(path))}
	if err := w.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	_, err = w.WriteFile(path, append(data, '\n'), 0o644)
	return err
}
