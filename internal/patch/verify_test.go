package patch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jdash-dev/jdash/internal/pkgindex"
)

// A script's verification runs what the rules touch, alone: the marked blocks dedented to
// their marker, the imports a rule added, and the imports a rule would rewrite; nothing else.
func TestTouchedStatements(t *testing.T) {
	rules, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	i8 := rules[slices.IndexFunc(rules, func(r Rule) bool { return r.ID == "I-8" })]
	patched := "import os\n" +
		"def f():\n" +
		"    # >>> jdash I-8: title\n" +
		"    try:\n" +
		"        from jupyter_server.services.config import ConfigManager\n" +
		"    except ImportError:\n" +
		"        from notebook.services.config import ConfigManager\n" +
		"    # <<< jdash I-8\n" +
		"    download()\n" +
		"import nbclassic  # jdash I-3: title\n"
	got := touched([]byte(patched), nil)
	want := []string{"# >>> jdash I-8: title\ntry:\n    from jupyter_server.services.config import ConfigManager\nexcept ImportError:\n    from notebook.services.config import ConfigManager\n# <<< jdash I-8",
		"import nbclassic  # jdash I-3: title"}
	if !slices.Equal(got, want) {
		t.Errorf("patched: %q\nwant %q", got, want)
	}
	unpatched := "import os\nfrom notebook.services.config import ConfigManager\ncm = ConfigManager()\n"
	if got := touched([]byte(unpatched), []Rule{i8}); !slices.Equal(got, []string{"from notebook.services.config import ConfigManager"}) {
		t.Errorf("unpatched: %q", got)
	}
}

func TestOutsidePackage(t *testing.T) {
	sp := t.TempDir()
	for _, f := range []string{"pkg/__init__.py", "pkg/mod.py", "pkg/data/script.py", "pkg/sub/__init__.py", "pkg/sub/m.py"} {
		os.MkdirAll(filepath.Join(sp, filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(sp, f), nil, 0o644)
	}
	e := &Env{Packages: pkgindex.New([]string{sp})}
	for f, want := range map[string]bool{"pkg/mod.py": false, "pkg/sub/m.py": false, "pkg/data/script.py": true, "pkg/__init__.py": false} {
		if got := e.outsidePackage(filepath.Join(sp, f)); got != want {
			t.Errorf("%s: outside a package %v, want %v", f, got, want)
		}
	}
}
