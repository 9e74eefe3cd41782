package cmd

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/ui"
)

// An env whose dir name holds an ESC sequence and a newline is listed escaped: one line,
// no control character reaches the terminal.
func TestEnvNamesWithControlCharacters(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("such names are POSIX ones")
	}
	ws := t.TempDir()
	evil := filepath.Join(ws, "evil\x1b[2J\nname")
	os.MkdirAll(filepath.Join(evil, "bin"), 0o755)
	os.WriteFile(filepath.Join(evil, "pyvenv.cfg"), []byte("home = /nonexistent/bin\nversion = 3.11.7\n"), 0o644)
	for _, args := range [][]string{{"envs", "--workspace", ws}, {"envs", "show", evil}} {
		io, out, _ := ui.Test(true)
		f := &Factory{Env: map[string]string{"HOME": t.TempDir(), "PATH": "", "JDASH_SYSTEM_ROOT": t.TempDir()}, GOOS: runtime.GOOS, IO: io}
		root := newRootCmd(f)
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if strings.Contains(out.String(), "\x1b[2J") || strings.Contains(out.String(), "evil\x1b") {
			t.Errorf("%v: a control sequence reached the terminal:\n%q", args, out.String())
		}
		if !strings.Contains(out.String(), `evil\x1b[2J\nname`) {
			t.Errorf("%v: the name is not shown escaped:\n%s", args, out.String())
		}
	}
}
