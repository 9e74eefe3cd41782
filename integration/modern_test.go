package integration

import (
	"fmt"
	"net/http"
	"os"
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
	py := filepath.Join(venv, "bin", "python")
	nb := startServer(t, py, env, port, "-m", "notebook", "--ServerApp.token=jdash-test")
	page := browse(t, nb.base+"/tree?token=jdash-test", "modern-tree.png")
	for _, want := range []string{"jp-LabShell", "jp-DirListing"} {
		if !strings.Contains(page, want) {
			t.Errorf("the Notebook 7 tree page lacks %q (a blank or failed app)", want)
		}
	}
	out2 := newDriver(t).runLabCell(nb.base+"/notebooks/test.ipynb?token=jdash-test", "print(6*7)", "modern-notebook7-cell")
	if out2 != "42" {
		t.Errorf("a Notebook 7 cell printed %q", out2)
	}
	// what a frontend saves (PATCH /api/config/<section>) lands in the env's nbconfig
	home := strings.TrimPrefix(env[0], "HOME=")
	patchConfig(t, nb.base, "jdash-test", `{"jdash_ui_probe": 7}`)
	if b, _ := os.ReadFile(filepath.Join(venv, "etc", "jupyter", "nbconfig", "notebook.json")); !strings.Contains(string(b), `"jdash_ui_probe": 7`) {
		t.Errorf("the frontend's config did not land in the env's nbconfig: %s", b)
	}
	if _, err := os.Stat(filepath.Join(home, ".jupyter", "nbconfig")); err == nil {
		t.Error("the frontend's config was written at the user level")
	}
	nb.checkErrors(t)
	nb.stop()
	// a user who wants the user level asks for it explicitly
	nb = startServer(t, py, env, port, "-m", "notebook", "--ServerApp.token=jdash-test", "--ConfigManager.write_config_dir="+filepath.Join(home, ".jupyter", "nbconfig"))
	patchConfig(t, nb.base, "jdash-test", `{"jdash_ui_probe": 8}`)
	if b, _ := os.ReadFile(filepath.Join(home, ".jupyter", "nbconfig", "notebook.json")); !strings.Contains(string(b), `"jdash_ui_probe": 8`) {
		t.Errorf("--ConfigManager.write_config_dir was not honoured: %s", b)
	}
	t.Logf("browser on the modern profile: Notebook 7 on the port setup wrote (%d), its shell and file browser rendered, a typed cell printed %s; the frontend's config went to the env's nbconfig, and to ~/.jupyter only when asked", port, out2)
}

// patchConfig saves frontend config as a frontend does: PATCH /api/config/notebook.
func patchConfig(t *testing.T, base, tok, body string) {
	t.Helper()
	req, _ := http.NewRequest("PATCH", base+"/api/config/notebook", strings.NewReader(body))
	req.Header.Set("Authorization", "token "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PATCH /api/config/notebook: %s", resp.Status)
	}
}
