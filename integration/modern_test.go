package integration

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// The modern profile on its real env (notebook 7, JupyterLab 4): setup writes the stack
// config, the server starts from it on the chosen port, and a person's browser gets the
// Notebook 7 app (its JupyterLab shell and the file browser), not a blank or error page.
func TestSetupModernInTheBrowser(t *testing.T) {
	integration(t)
	venv := copyTestEnv(t, "modern")
	env := []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "PIP_FIND_LINKS=" + filepath.Join(buildDir(), "wheelhouse")}
	port := freePort(t)
	out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--profile", "modern", "--install", "--port", fmt.Sprint(port))
	if err != nil {
		t.Fatalf("setup --profile modern: %v\n%s", err, tail(string(out), 6))
	}
	// ip, port and no browser come from the env's config that setup wrote
	nb := startServer(t, filepath.Join(venv, "bin", "python"), env, port, "-m", "notebook", "--ServerApp.token=jdash-test")
	page := browse(t, nb.base+"/tree?token=jdash-test", "modern-tree.png")
	for _, want := range []string{"jp-LabShell", "jp-DirListing"} {
		if !strings.Contains(page, want) {
			t.Errorf("the Notebook 7 tree page lacks %q (a blank or failed app)", want)
		}
	}
	nb.checkErrors(t)
	t.Logf("browser on the modern profile: Notebook 7 on the port setup wrote (%d), its shell and file browser rendered", port)
}
