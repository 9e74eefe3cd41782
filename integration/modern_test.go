package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The modern profile on its real env (notebook 7, JupyterLab 4): setup writes the stack
// config, the server starts from it on the chosen port, and a person's browser gets the
// Notebook 7 app (its JupyterLab shell and the file browser), not a blank or error page.
func TestSetupModernInTheBrowser(t *testing.T) {
	integration(t)
	src := requireEnv(t, "modern")
	venv := filepath.Join(t.TempDir(), "modern")
	if err := copyTree(src, venv); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(venv, ".jdash-stamp"))
	env := []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "PIP_FIND_LINKS=" + filepath.Join(buildDir(), "wheelhouse")}
	port := freePort(t)
	out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--profile", "modern", "--install", "--port", fmt.Sprint(port))
	if err != nil {
		t.Fatalf("setup --profile modern: %v\n%s", err, tail(string(out), 6))
	}
	rt := t.TempDir()
	args := []string{"-m", "notebook", "--ServerApp.token=jdash-test"} // ip, port, no browser: from the env's config
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root")
	}
	nb := exec.Command(filepath.Join(venv, "bin", "python"), args...)
	nb.Env = append(env, "JUPYTER_RUNTIME_DIR="+rt)
	nb.Dir = t.TempDir()
	logf, _ := os.Create(filepath.Join(rt, "server.log"))
	nb.Stdout, nb.Stderr = logf, logf
	if err := nb.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { nb.Process.Kill(); nb.Wait() }()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHTTP(t, base+"/api/status?token=jdash-test", 60*time.Second, filepath.Join(rt, "server.log"))
	page := browse(t, base+"/tree?token=jdash-test", "modern-tree.png")
	for _, want := range []string{"jp-LabShell", "jp-DirListing"} {
		if !strings.Contains(page, want) {
			t.Errorf("the Notebook 7 tree page lacks %q (a blank or failed app)", want)
		}
	}
	logText, _ := os.ReadFile(filepath.Join(rt, "server.log"))
	if errs := serverErrors(string(logText)); len(errs) > 0 {
		t.Errorf("the server answered errors:\n%s", strings.Join(errs, "\n"))
	}
	t.Logf("browser on the modern profile: Notebook 7 on the port setup wrote (%d), its shell and file browser rendered", port)
}
