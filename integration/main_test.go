// Package integration runs jdash against real Jupyter installs built by testenvs/build.sh.
//
// The tests run only when JDASH_INTEGRATION=1 (the README's test command sets it after
// building the envs). When it is set, a missing or broken test env is a failure, never a skip.
package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

var (
	jdashBin string
	repoRoot string
)

func TestMain(m *testing.M) {
	if os.Getenv("JDASH_INTEGRATION") == "" {
		fmt.Println("integration tests skipped: set JDASH_INTEGRATION=1 (the README's test command does)")
		os.Exit(m.Run())
	}
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Dir(filepath.Dir(file))
	dir, err := os.MkdirTemp("", "jdash-it-")
	if err != nil {
		panic(err)
	}
	// World-readable so that scenarios run as another user can execute it.
	_ = os.Chmod(dir, 0o755)
	jdashBin = filepath.Join(dir, "jdash")
	if prebuilt := os.Getenv("JDASH_TEST_BINARY"); prebuilt != "" {
		// another build (an older commit's, to show what a suite catches): copied, so that a
		// scenario run as another user can execute it
		data, err := os.ReadFile(prebuilt)
		if err == nil {
			err = os.WriteFile(jdashBin, data, 0o755)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "JDASH_TEST_BINARY:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "integration: testing the prebuilt", prebuilt)
	} else {
		build := exec.Command("go", "build", "-o", jdashBin, ".")
		build.Dir = repoRoot
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building jdash:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func integration(t *testing.T) {
	t.Helper()
	if os.Getenv("JDASH_INTEGRATION") == "" {
		t.Skip("set JDASH_INTEGRATION=1")
	}
}

// buildDir is where testenvs/build.sh put the envs.
func buildDir() string {
	if d := os.Getenv("JDASH_BUILD_DIR"); d != "" {
		return d
	}
	return filepath.Join(repoRoot, "build")
}

// requireEnv returns the prefix of a built test env, failing the test when it is missing.
func requireEnv(t *testing.T, name string) string {
	t.Helper()
	prefix := filepath.Join(buildDir(), "testenvs", name)
	if _, err := os.Stat(filepath.Join(prefix, ".jdash-stamp")); err != nil {
		t.Fatalf("test env %q is not built (%v); run testenvs/build.sh", name, err)
	}
	if out, err := exec.Command(filepath.Join(prefix, "bin", "python"), "-c", "import jupyter_core").CombinedOutput(); err != nil {
		t.Fatalf("test env %q is broken: %v\n%s", name, err, out)
	}
	return prefix
}

// TestEnvNames are every env testenvs/build.sh builds.
var TestEnvNames = []string{"classic", "modern", "gateway", "voila", "core4", "core50", "syssite", "conda"}
