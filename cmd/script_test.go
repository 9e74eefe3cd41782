package cmd

import (
	"errors"
	"flag"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/jdash-dev/jdash/internal/compose/engine"
	"github.com/jdash-dev/jdash/internal/proc"
)

var update = flag.Bool("update", false, "rewrite the cmp golden files of testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"jdash":     func() { os.Exit(Main(os.Args[1:])) },
		"fakevoila": fakeVoila,
	})
}

// TestScript runs the CLI scenarios in testdata/script: each is a txtar file whose script
// runs jdash as a real process on the files it unpacks into $WORK.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("..", "testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"unwork": cmdUnwork, "exitcode": cmdExitcode, "freeport": cmdFreeport},
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, "home")
			e.Setenv("HOME", home)
			e.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			e.Setenv("XDG_STATE_HOME", filepath.Join(home, ".local", "state"))
			e.Setenv("NO_COLOR", "1")
			// Unset (not empty: Jupyter treats an empty JUPYTER_PREFER_ENV_PATH or CONDA_PREFIX as set)
			// everything that changes env detection or Jupyter's paths.
			drop := func(kv string) bool {
				k, _, _ := strings.Cut(kv, "=")
				return strings.HasPrefix(k, "JUPYTER_") || strings.HasPrefix(k, "CONDA_") || strings.HasPrefix(k, "JDASH_") ||
					strings.HasPrefix(k, "PYTHON") || strings.HasPrefix(k, "XDG_DATA") || k == "VIRTUAL_ENV"
			}
			kept := e.Vars[:0]
			for _, kv := range e.Vars {
				if !drop(kv) {
					kept = append(kept, kv)
				}
			}
			e.Vars = kept
			// The machine-wide Jupyter dirs and Pythons are looked up under $WORK/sysroot, never
			// the host's. TESTBIN is the dir of the jdash command alone, for a PATH with no
			// host interpreter on it.
			e.Setenv("JDASH_SYSTEM_ROOT", filepath.Join(e.WorkDir, "sysroot"))
			e.Setenv("TESTBIN", filepath.SplitList(e.Getenv("PATH"))[0])
			// a scenario that fails with a stack up leaves no process behind
			e.Defer(func() { killStacks(filepath.Join(home, ".local", "state", "jdash", "stacks")) })
			return os.MkdirAll(home, 0o755)
		},
	})
}

// cmdFreeport sets each named variable to a TCP port free on 127.0.0.1 now: "freeport A B".
func cmdFreeport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: freeport VAR...")
	}
	for _, name := range args {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		ts.Setenv(name, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
		l.Close()
	}
}

// killStacks kills every process of the stacks whose state dirs are under dir.
func killStacks(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, n := range names {
		for _, pid := range proc.Marked(engine.MarkerPrefix(n)) {
			if p, err := os.FindProcess(pid); err == nil {
				p.Kill()
			}
		}
	}
}

// fakeVoila stands in for Voilà in the scenarios that bring a stack up (a fixture env's
// python is a script that runs it): it answers every request on --port=N of 127.0.0.1 until
// it is stopped, which is all jdash up asks of Voilà before the dashboards service starts.
func fakeVoila() {
	port := ""
	for _, a := range os.Args[1:] {
		if v, ok := strings.CutPrefix(a, "--port="); ok {
			port = v
		}
	}
	srv := &http.Server{Addr: "127.0.0.1:" + port, ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("fake voila\n")) })}
	if err := srv.ListenAndServe(); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}

// cmdUnwork writes src (stdout, or a file) to dst with the work dir spelled $WORK, so that
// "unwork stdout got.json" then "cmp got.json want/x.json" compares output full of absolute
// paths with a golden that -update can rewrite.
func cmdUnwork(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: unwork src dst")
	}
	text := strings.ReplaceAll(ts.ReadFile(args[0]), ts.Getenv("WORK"), "$WORK")
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(text), 0o644))
}

// cmdExitcode runs a command like exec and checks its exit code: "exitcode 3 jdash doctor".
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	code := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee interface{ ExitCode() int }
		if !errors.As(err, &ee) {
			ts.Fatalf("%v", err)
		}
		code = ee.ExitCode()
	}
	if code != want {
		ts.Fatalf("exit code %d, want %d", code, want)
	}
}
