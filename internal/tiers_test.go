package internal

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tiers is doc.go's table: a package may import its own tier or a lower one.
var tiers = map[string]int{
	"config":  4,
	"compose": 3, "compose/engine": 3, "compose/supervisor": 3, "dashserver": 3, "doctor": 3, "setup": 3, "deployext": 3, "nbext": 3, "labext": 3,
	"serverext": 3, "patch": 3, "uiconfig": 3, "profile": 3, "install": 3, "txn": 3, "run": 3, "kernels": 3,
	"envctx": 2, "envdetect": 2, "pkgindex": 2, "jupyter": 2, "pyflags": 2, "registry": 2,
	"pyver": 1, "pyjson": 1, "pysrc": 1,
	"pydist": 1,
	"fsx":    0, "runner": 0, "proc": 0, "ports": 0, "endpoint": 0, "archive": 0, "appdirs": 0, "clierr": 0, "pyrun": 0, "ui": 0, "lazyre": 0,
}

const module = "github.com/jdash-dev/jdash/internal/"

func TestImportsPointDown(t *testing.T) {
	seen := 0
	filepath.WalkDir(".", func(dir string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() || dir == "." || strings.Contains(dir, "testdata") || strings.Contains(dir, "assets") || strings.Contains(dir, "profiles") {
			return nil
		}
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			return nil // no Go files
		}
		name := filepath.ToSlash(dir)
		tier, ok := tiers[name]
		if !ok {
			t.Errorf("internal/%s is in no tier: add it to doc.go and tiers_test.go", name)
			return nil
		}
		seen++
		for _, imp := range pkg.Imports {
			if dep, ok := strings.CutPrefix(imp, module); ok && tiers[dep] > tier {
				t.Errorf("internal/%s (tier %d) imports internal/%s (tier %d)", name, tier, dep, tiers[dep])
			}
		}
		return nil
	})
	if seen != len(tiers) {
		t.Errorf("found %d packages, the table has %d", seen, len(tiers))
	}
}
