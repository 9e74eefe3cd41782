package stack

import (
	"os"
	"path/filepath"

	"github.com/jdash-dev/jdash/internal/compose"
)

// Find is the project dir a command run in dir means: dir itself or the nearest dir above
// it that has a jdash.yaml or a stack that ran (as git finds its repository); dir when none
// has.
func Find(dir, stateHome string) string {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, "jdash.yaml")); err == nil && fi.Mode().IsRegular() {
			return d
		}
		if Dir(compose.StateDir(stateHome, d)).Exists() {
			return d
		}
		if filepath.Dir(d) == d {
			return filepath.Clean(dir)
		}
	}
}
