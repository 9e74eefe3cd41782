package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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

// checkClassicPages uses the classic UI under base+root (notebook 6: "", nbclassic:
// "/nbclassic") as a person would, in a driven Chromium: the notebook shows the dashboards
// toolbar, the Widgets menu and the dashboards bundler, and a cell typed and run prints its
// result; the tree's Nbextensions tab lists the extensions with none greyed out; a click
// enables Table of Contents (2), which must land in the env's nbconfig (envNBConfig) and
// not in HOME; after a reload the notebook loads it. It returns what the tab showed first.
func (s *server) checkClassicPages(t *testing.T, root, shots, envNBConfig, home string) configurator {
	t.Helper()
	d := newDriver(t)
	nbURL := s.base + root + "/notebooks/test.ipynb?token=jdash-test"
	if out := d.runClassicCell(nbURL, "print(6*7)", shots+"-cell"); out != "42" {
		t.Errorf("the cell printed %q, want 42", out)
	}
	var has map[string]bool
	d.eval("read the notebook page", `({toolbar: !!document.querySelector('#jupyter-dashboard-view-toolbar-buttons'),
		widgets: [...document.querySelectorAll('#menubar .dropdown-toggle')].some(a => a.textContent.trim() === 'Widgets'),
		deploy: document.body.textContent.includes('Dashboard on Jupyter Dashboards Server')})`, &has)
	for k, ok := range has {
		if !ok {
			t.Errorf("the notebook page lacks its %s", k)
		}
	}
	first := d.openConfigurator(s.base+root+"/tree?token=jdash-test#nbextensions_configurator", shots+"-configurator")
	if first.Listed < 50 || len(first.Greyed) > 0 {
		t.Errorf("the Nbextensions tab lists %d extensions and greys out %v", first.Listed, first.Greyed)
	}
	if !slices.Contains(first.Compatible, "Table of Contents (2)") {
		t.Errorf("Table of Contents (2) is not shown as compatible: %v", first.Incompatible)
	}
	d.toggleExtension("Table of Contents (2)")
	d.shot(shots + "-configurator-clicked")
	written := filepath.Join(envNBConfig, "notebook.json")
	waitFor(t, 10*time.Second, "the click saved toc2/main in "+written, func() bool {
		b, _ := os.ReadFile(written)
		return strings.Contains(string(b), `"toc2/main": true`)
	})
	if leaked, _ := filepath.Glob(filepath.Join(home, ".jupyter", "nbconfig", "*")); len(leaked) > 0 {
		t.Errorf("the UI wrote at the user level: %v", leaked)
	}
	d.do("reload the notebook", 60*time.Second, chromedp.Navigate(nbURL),
		chromedp.Poll(`window.requirejs && requirejs.defined('nbextensions/toc2/main') && !!document.querySelector('#toc_button, .toc-item, #toc-wrapper')`, nil,
			chromedp.WithPollingInterval(250*time.Millisecond)))
	d.shot(shots + "-toc2-loaded")
	s.checkErrors(t)
	return first
}

// uiChangeBlocksUndo checks that `setup --undo` refuses while the file the UI changed
// differs from what setup wrote (naming it, changing nothing), then puts setup's bytes back,
// as a user who drops the UI change would, so that the test's undo can go on.
func uiChangeBlocksUndo(t *testing.T, env []string, venv, file string, setupBytes []byte) {
	t.Helper()
	before := listTree(t, venv+"/etc")
	out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--undo")
	if err == nil || !strings.Contains(string(out), file+" changed since") {
		t.Errorf("undo after a UI change must refuse and name %s: %v\n%s", file, err, out)
	}
	if listTree(t, venv+"/etc") != before {
		t.Errorf("the refused undo changed the env's config")
	}
	if err := os.WriteFile(file, setupBytes, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds, failing the test after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out: %s", what)
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
