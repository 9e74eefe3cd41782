package runner

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEnvironIsDeliberate(t *testing.T) {
	r := &Runner{Env: map[string]string{"PATH": "/bin", "PYTHONPATH": "/evil", "PYTHONHOME": "/x", "PYTHONSTARTUP": "/s.py",
		"PYTHONUSERBASE": "/ub", "HOME": "/h", "PIP_NO_CACHE_DIR": "0"}}
	env := r.Environ("EXTRA=1", "HOME=/other")
	for _, bad := range []string{"PYTHONPATH=", "PYTHONHOME=", "PYTHONSTARTUP=", "PYTHONUSERBASE=", "PIP_NO_CACHE_DIR=0", "HOME=/h"} {
		for _, kv := range env {
			if strings.HasPrefix(kv, bad) {
				t.Errorf("child gets %s", kv)
			}
		}
	}
	for _, want := range []string{"PATH=/bin", "PIP_NO_CACHE_DIR=1", "UV_NO_CACHE=1", "EXTRA=1", "HOME=/other"} {
		if !slices.Contains(env, want) {
			t.Errorf("child lacks %s: %v", want, env)
		}
	}
}

func TestRunOutputErrorsAndLookPath(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "tool")
	os.WriteFile(script, []byte("#!/bin/sh\necho \"out $PYTHONPATH\"\necho first >&2\necho 'ValueError: last' >&2\n[ \"$1\" = ok ]\n"), 0o755)
	r := &Runner{Env: map[string]string{"PATH": "relative:" + dir, "PYTHONPATH": "/evil"}}
	p, err := r.LookPath("tool")
	if err != nil || p != script {
		t.Fatalf("LookPath: %q %v", p, err)
	}
	out, err := r.Run(context.Background(), Cmd{Path: p, Args: []string{"ok"}})
	if err != nil || string(out) != "out \n" {
		t.Fatalf("run: %q %v", out, err)
	}
	if _, err := r.Run(context.Background(), Cmd{Path: p}); err == nil || !strings.HasSuffix(err.Error(), "ValueError: last") {
		t.Errorf("failure: %v", err)
	}
}

func TestTimeoutStopsTheGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "child.pid")
	script := filepath.Join(dir, "slow")
	// the child starts a grandchild; both must be gone after the timeout
	os.WriteFile(script, []byte("#!/bin/sh\nsleep 30 &\necho $! > "+pidFile+"\nwait\n"), 0o755)
	r := &Runner{Env: map[string]string{"PATH": "/usr/bin:/bin"}}
	start := time.Now()
	_, err := r.Run(context.Background(), Cmd{Path: script, Timeout: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "no answer") {
		t.Fatalf("timeout: %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
	data, _ := os.ReadFile(pidFile)
	pid := strings.TrimSpace(string(data))
	time.Sleep(100 * time.Millisecond)
	if pid != "" {
		if _, err := os.Stat("/proc/" + pid); err == nil {
			st, _ := os.ReadFile("/proc/" + pid + "/stat")
			if !strings.Contains(string(st), ") Z ") {
				t.Errorf("grandchild %s still running", pid)
			}
		}
	}
}
