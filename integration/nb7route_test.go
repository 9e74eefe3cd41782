package integration

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
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
	src := requireEnv(t, "nb7compat")
	venv := filepath.Join(t.TempDir(), "nb7")
	if err := copyTree(src, venv); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(venv, ".jdash-stamp"))
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
	sumsAfterInstall := pySums(t, sp) // the patch step's edits are in the journal too
	_ = sumsAfterInstall
	t.Logf("jdash setup on notebook 7:\n%s", tail(string(out), 4))

	port := freePort(t)
	rt := t.TempDir()
	args := []string{"-m", "nbclassic", "--no-browser", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port), "--ServerApp.token=jdash-test"}
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root")
	}
	nb := exec.Command(filepath.Join(venv, "bin", "python"), args...)
	nb.Env = append(env, "JUPYTER_RUNTIME_DIR="+rt)
	nb.Dir = t.TempDir()
	os.WriteFile(filepath.Join(nb.Dir, "test.ipynb"), []byte(`{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ["1+1"]}], "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}`), 0o644)
	logf, _ := os.Create(filepath.Join(rt, "server.log"))
	nb.Stdout, nb.Stderr = logf, logf
	if err := nb.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { nb.Process.Kill(); nb.Wait() }()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHTTP(t, base+"/api/status?token=jdash-test", 60*time.Second, filepath.Join(rt, "server.log"))
	resp, err := http.Get(base + "/nbclassic/notebooks/test.ipynb?token=jdash-test")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("nbclassic notebook page: %v %v", err, resp)
	}
	resp.Body.Close()
	page := browse(t, base+"/nbclassic/notebooks/test.ipynb?token=jdash-test", "nbclassic-notebook.png")
	for _, want := range []string{`id="jupyter-dashboard-view-toolbar-buttons"`, "Dashboard View:", ">Widgets<", "Dashboard on Jupyter Dashboards Server"} {
		if !strings.Contains(page, want) {
			t.Errorf("the nbclassic notebook page lacks %q", want)
		}
	}
	tree := browse(t, base+"/nbclassic/tree?token=jdash-test#nbextensions_configurator", "nbclassic-configurator.png")
	listed := strings.Count(tree, "nbext-enable-toggle")
	if listed < 5 || strings.Contains(tree, "nbext-selector-loading") {
		t.Errorf("the nbclassic Nbextensions tab shows %d extensions (spinner: %v)", listed, strings.Contains(tree, "nbext-selector-loading"))
	}
	logText, _ := os.ReadFile(filepath.Join(rt, "server.log"))
	if errs := serverErrors(string(logText)); len(errs) > 0 {
		t.Errorf("the server answered errors:\n%s", strings.Join(errs, "\n"))
	}
	t.Logf("browser on nbclassic: notebook page with the dashboards toolbar, Widgets menu and bundler; configurator tab lists %d extensions", listed)
	nb.Process.Kill()
	nb.Wait()

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
