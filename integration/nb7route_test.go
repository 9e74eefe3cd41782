package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// On a notebook 7 env, `jdash setup` (the classic profile) takes the nbclassic route instead
// of downgrading: it installs what is missing, patches the extensions' imports, enables the
// nbextensions and the configurator for nbclassic and jupyter_server. A person then opens
// nbclassic in a browser: the notebook with the dashboards toolbar, the widgets menu and the
// bundler; the Nbextensions tab listing the extensions. The undo is exact, patches included.
func TestSetupNotebook7Route(t *testing.T) {
	integration(t)
	venv := copyTestEnv(t, "nb7compat")
	home := t.TempDir()
	env := []string{"HOME=" + home, "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "PIP_FIND_LINKS=" + filepath.Join(buildDir(), "wheelhouse")}
	sp := filepath.Join(venv, "lib", "python3.11", "site-packages")

	dry, err := runEnv(env, jdashBin, "setup", "--env", venv, "--dry-run")
	if err != nil || !strings.Contains(string(dry), "route: notebook 7") || !strings.Contains(string(dry), "nbclassic") {
		t.Fatalf("the dry run must say which route and why: %v\n%s", err, dry)
	}
	out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--install")
	if err != nil || !strings.Contains(string(out), "for nbclassic") {
		t.Fatalf("setup on notebook 7: %v\n%s", err, tail(string(out), 8))
	}
	if strings.Contains(string(out), "notebook==6.5.7") {
		t.Errorf("the nbclassic route must not downgrade notebook:\n%s", out)
	}
	// up without a jdash.yaml runs the server the route set up: nbclassic, at /nbclassic/tree
	if plan, errs, code := jdashIn(t, append(env, "VIRTUAL_ENV="+venv), t.TempDir(), "up", "--dry-run"); code != 0 || !strings.Contains(plan, "notebook (nbclassic)") {
		t.Errorf("up --dry-run on the nbclassic route's env: %d\n%s\n%s", code, plan, errs)
	}
	// up -d opens no browser (nbclassic reads NotebookApp.open_browser, not ServerApp's)
	proj, opened := filepath.Join(t.TempDir(), "proj"), filepath.Join(t.TempDir(), "opened")
	os.MkdirAll(proj, 0o755)
	os.WriteFile(filepath.Join(proj, "jdash.yaml"), []byte(fmt.Sprintf("services:\n  nb: {env: %s, kind: nbclassic, port: %d}\n", venv, freePort(t))), 0o644)
	browser := filepath.Join(t.TempDir(), "browser")
	os.WriteFile(browser, []byte("#!/bin/sh\necho \"$@\" >> "+opened+"\n"), 0o755)
	benv := append(stackEnv(t), "BROWSER="+browser, "DISPLAY=:0")
	if out, errs, code := jdashIn(t, benv, proj, "up", "-d"); code != 0 || !strings.Contains(out, "/nbclassic/tree?token=") {
		t.Fatalf("up -d nbclassic: %d\n%s\n%s", code, out, errs)
	}
	time.Sleep(2 * time.Second) // a browser is opened right after the server is ready
	jdashIn(t, benv, proj, "down")
	if b, err := os.ReadFile(opened); err == nil {
		t.Errorf("nbclassic under up -d opened a browser: %s", b)
	}
	sumsAfterInstall := pySums(t, sp) // the patch step's edits are in the journal too
	_ = sumsAfterInstall
	t.Logf("jdash setup on notebook 7:\n%s", tail(string(out), 4))

	port := freePort(t)
	nb := startServer(t, filepath.Join(venv, "bin", "python"), env, port, "-m", "nbclassic", "--no-browser", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port), "--ServerApp.token=jdash-test")
	uiFile := filepath.Join(venv, "etc", "jupyter", "nbconfig", "notebook.json")
	setupBytes, _ := os.ReadFile(uiFile)
	tab := nb.checkClassicPages(t, "/nbclassic", "nbclassic", filepath.Join(venv, "etc", "jupyter", "nbconfig"), home)
	t.Logf("browser on nbclassic: a cell run prints 42; the notebook page has the dashboards toolbar, Widgets menu and bundler; the configurator tab lists %d extensions, none greyed out, %d shown possibly incompatible %v; the click on Table of Contents (2) wrote the env's nbconfig, and the reloaded notebook loads it",
		tab.Listed, len(tab.Incompatible), tab.Incompatible)
	nb.stop()
	uiChangeBlocksUndo(t, env, venv, uiFile, setupBytes)

	if out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--undo"); err != nil {
		t.Fatalf("undo: %v\n%s", err, out)
	}
	for _, f := range []string{"etc/jupyter/nbconfig/notebook.json", "etc/jupyter/jupyter_server_config.d/jupyter_nbextensions_configurator.json"} {
		if _, err := os.Stat(filepath.Join(venv, f)); !os.IsNotExist(err) {
			t.Errorf("undo left %s", f)
		}
	}
	if out, err := runEnv(env, jdashBin, "patch", "--env", venv, "--list"); err != nil || strings.Contains(string(out), "applied ") {
		t.Errorf("after the undo no patch is applied: %v\n%s", err, out)
	}
}
