package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium is Debian's headless browser (scripts/test.sh installs it when missing).
func chromium(t *testing.T) string {
	t.Helper()
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Fatalf("no chromium: scripts/test.sh installs Debian's chromium")
	return ""
}

// browse opens url in headless Chromium as a person would (scripts run, 15 s of virtual time
// for the page's requests), saves a screenshot under build/artifacts, and returns the DOM.
func browse(t *testing.T, url, shot string) string {
	t.Helper()
	bin := chromium(t)
	args := []string{"--headless=new", "--disable-gpu", "--no-first-run", "--virtual-time-budget=15000", "--window-size=1280,800",
		"--user-data-dir=" + t.TempDir()}
	if os.Geteuid() == 0 {
		args = append(args, "--no-sandbox") // CI runs as root
	}
	dom, err := exec.Command(bin, append(args, "--dump-dom", url)...).Output()
	if err != nil {
		t.Fatalf("chromium %s: %v", url, err)
	}
	dir := filepath.Join(buildDir(), "artifacts")
	os.MkdirAll(dir, 0o755)
	if out, err := exec.Command(bin, append(args, "--screenshot="+filepath.Join(dir, shot), url)...).CombinedOutput(); err != nil {
		t.Errorf("screenshot %s: %v\n%s", shot, err, out)
	}
	return string(dom)
}

// serverErrors are the 4xx/5xx lines of a notebook server log for extension assets, the
// configurator's API and the nbextension config API.
func serverErrors(log string) []string {
	var out []string
	re := regexp.MustCompile(`\s[45]\d\d\s+(GET|POST|PUT|PATCH|DELETE)\s+(\S+)`)
	for _, l := range strings.Split(log, "\n") {
		if m := re.FindStringSubmatch(l); m != nil && (strings.Contains(m[2], "/nbextensions/") || strings.Contains(m[2], "/api/config/")) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// server is a Jupyter server started for a browser test, stopped with the test.
type server struct {
	base, log string
	cmd       *exec.Cmd
}

// startServer runs the env's python with args (the app, its port and token jdash-test; a
// --allow-root is added as root) in a dir holding test.ipynb, and waits until it answers.
func startServer(t *testing.T, py string, env []string, port int, args ...string) *server {
	t.Helper()
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root") // CI runs as root
	}
	rt := t.TempDir()
	c := exec.Command(py, args...)
	c.Env = append(env, "JUPYTER_RUNTIME_DIR="+rt)
	c.Dir = t.TempDir()
	os.WriteFile(filepath.Join(c.Dir, "test.ipynb"), []byte(`{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ["1+1"]}], "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}`), 0o644)
	s := &server{base: fmt.Sprintf("http://127.0.0.1:%d", port), log: filepath.Join(rt, "server.log"), cmd: c}
	logf, _ := os.Create(s.log)
	c.Stdout, c.Stderr = logf, logf
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	waitHTTP(t, s.base+"/api/status?token=jdash-test", 60*time.Second, s.log)
	return s
}

func (s *server) stop() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

// checkErrors fails the test on 4xx/5xx for extension assets and config APIs in the log.
func (s *server) checkErrors(t *testing.T) {
	t.Helper()
	logText, _ := os.ReadFile(s.log)
	if errs := serverErrors(string(logText)); len(errs) > 0 {
		t.Errorf("the server answered errors:\n%s", strings.Join(errs, "\n"))
	}
}

// checkClassicPages opens the classic UI under base+root (notebook 6: "", nbclassic:
// "/nbclassic") as a person would: the notebook with the dashboards toolbar, the widgets menu
// and the dashboards bundler; the tree's Nbextensions tab listing the extensions, not a
// spinner. It returns how many extensions the tab lists.
func (s *server) checkClassicPages(t *testing.T, root, shots string) int {
	t.Helper()
	page := browse(t, s.base+root+"/notebooks/test.ipynb?token=jdash-test", shots+"-notebook.png")
	for _, want := range []string{`id="jupyter-dashboard-view-toolbar-buttons"`, "Dashboard View:", ">Widgets<", "Dashboard on Jupyter Dashboards Server"} {
		if !strings.Contains(page, want) {
			t.Errorf("the notebook page lacks %q", want)
		}
	}
	tree := browse(t, s.base+root+"/tree?token=jdash-test#nbextensions_configurator", shots+"-configurator.png")
	listed := strings.Count(tree, "nbext-enable-toggle")
	if listed < 5 || strings.Contains(tree, "nbext-selector-loading") {
		t.Errorf("the Nbextensions tab shows %d extensions (spinner: %v)", listed, strings.Contains(tree, "nbext-selector-loading"))
	}
	s.checkErrors(t)
	return listed
}

// copyTestEnv copies a built test env to a temp dir (tests change it).
func copyTestEnv(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := copyTree(requireEnv(t, name), dst); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dst, ".jdash-stamp"))
	return dst
}
