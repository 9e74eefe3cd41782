package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// reportNotebook is laid out with the dashboards extension (its grid view) and prints a
// known value.
const reportNotebook = `{
 "cells": [
  {"cell_type": "markdown", "metadata": {"extensions": {"jupyter_dashboards": {"version": 1, "views": {"grid_default": {"col": 0, "row": 0, "width": 6, "height": 2, "hidden": false}}}}}, "source": ["# Quarterly report"]},
  {"cell_type": "code", "execution_count": null, "metadata": {"extensions": {"jupyter_dashboards": {"version": 1, "views": {"grid_default": {"col": 6, "row": 0, "width": 6, "height": 4, "hidden": false}}}}}, "outputs": [], "source": ["print('jdash-dashboard-' + str(6*7))"]}
 ],
 "metadata": {
  "extensions": {"jupyter_dashboards": {"version": 1, "activeView": "grid_default", "views": {"grid_default": {"name": "grid", "type": "grid", "cellMargin": 10, "defaultCellHeight": 20, "maxColumns": 12}}}},
  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
 },
 "nbformat": 4, "nbformat_minor": 5
}`

// The seed's deploy loop: a classic notebook set up by jdash, File > Deploy as > Dashboard
// (the bundler's endpoint, called as the menu calls it), the dashboard stored in the
// dashboards root, its link rendered by Voilà with the gridstack layout in a real browser.
func TestDeployAsDashboard(t *testing.T) {
	integration(t)
	venv := freshClassic(t)
	env := append(stackEnv(t), "PIP_FIND_LINKS="+filepath.Join(buildDir(), "wheelhouse"))
	if out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--install"); err != nil {
		t.Fatalf("setup: %v\n%s", err, tail(string(out), 10))
	}
	deployLoop(t, env, venv, "classic", "/bundle/", "deploy-dashboard.png")
}

func deployLoop(t *testing.T, env []string, venv, kind, bundle, shot string) {
	dir := filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "report.ipynb"), []byte(reportNotebook), 0o644)
	nbPort, voPort, dashPort := freePort(t), freePort(t), freePort(t)
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf(`root_dir: .
services:
  notebook:   {env: %s, kind: %s, port: %d}
  voila:      {env: %s, kind: voila, port: %d}
  dashboards: {kind: dashboards, port: %d, render: voila, viewer_auth: token}
`, venv, kind, nbPort, requireEnv(t, "voila"), voPort, dashPort)), 0o644)
	if out, errs, code := jdashIn(t, env, dir, "up", "-d"); code != 0 {
		t.Fatalf("up: %d\n%s\n%s", code, out, errs)
	}
	defer jdashIn(t, env, dir, "down")
	d := ps(t, env, dir)
	viewerToken := token(d.url("dashboards"))
	if u := d.url("dashboards"); u != fmt.Sprintf("http://127.0.0.1:%d/?token=%s", dashPort, viewerToken) || len(viewerToken) != 32 {
		t.Errorf("ps lists dashboards at %q", u)
	}

	// The author lays the notebook out: the dashboards toolbar switches the notebook between
	// its views (a driven browser clicks them), and a cell runs.
	br := newDriver(t)
	nbURL := fmt.Sprintf("http://127.0.0.1:%d/notebooks/report.ipynb?token=%s", nbPort, token(d.url("notebook")))
	if out := br.runClassicCell(nbURL, "print('jdash-dashboard-' + str(6*7))", shot+"-notebook"); out != "jdash-dashboard-42" {
		t.Errorf("the notebook's cell printed %q", out)
	}
	br.switchDashboardView("grid", shot+"-grid-layout")
	br.switchDashboardView("preview", shot+"-preview")
	br.eval("keep the layout", `Jupyter.notebook.set_dirty(false); window.onbeforeunload = null; true`, nil)
	// a click in the Nbextensions tab of the server jdash up started lands in the env's nbconfig
	envNB := filepath.Join(venv, "etc", "jupyter", "nbconfig", "notebook.json")
	before, _ := os.ReadFile(envNB)
	tab := br.openConfigurator(fmt.Sprintf("http://127.0.0.1:%d/tree?token=%s#nbextensions_configurator", nbPort, token(d.url("notebook"))), shot+"-configurator")
	if len(tab.Greyed) > 0 {
		t.Errorf("the Nbextensions tab greys out %v", tab.Greyed)
	}
	br.toggleExtension("Table of Contents (2)")
	waitFor(t, 10*time.Second, "toc2/main in "+envNB, func() bool {
		b, _ := os.ReadFile(envNB)
		return strings.Contains(string(b), `"toc2/main": true`)
	})
	if leaked, _ := filepath.Glob(filepath.Join(strings.TrimPrefix(env[0], "HOME="), ".jupyter", "nbconfig", "*")); len(leaked) > 0 {
		t.Errorf("the UI of the server jdash up started wrote at the user level: %v", leaked)
	}
	after, _ := os.ReadFile(envNB)
	t.Logf("jdash up, a click on Table of Contents (2): %s\nbefore:\n%s\nafter:\n%s", envNB, before, after)

	// File > Deploy as > Dashboard on Jupyter Dashboards Server
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d%sreport.ipynb?bundler=dashboards_server_upload", nbPort, bundle), nil)
	req.Header.Set("Authorization", "token "+token(d.url("notebook")))
	client := &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	link := resp.Header.Get("Location")
	if resp.StatusCode != 302 || link != fmt.Sprintf("http://127.0.0.1:%d/dashboards/report", dashPort) {
		logs, _, _ := jdashIn(t, env, dir, "logs", "--tail", "20")
		t.Fatalf("the bundler answered %d, Location %q\n%s", resp.StatusCode, link, logs)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "dashboards", "report.ipynb")); err != nil || string(b) != reportNotebook {
		t.Fatalf("the dashboard did not land in the dashboards root: %v", err)
	}
	// the link opens: Voilà's render, gridstack layout, the value printed by the kernel
	// (gs-x="6": gridstack placed the output cell in the grid column the layout gave it)
	// A viewer opens the link: viewing needs the viewer token (viewer_auth: token), typed
	// into the login form; then Voilà's render shows, laid out by gridstack.
	viewer := newDriver(t)
	viewer.do("open the dashboard link", 30*time.Second, chromedp.Navigate(link),
		chromedp.WaitVisible(`input[name="password"]`, chromedp.ByQuery))
	viewer.shot(shot + "-login")
	viewer.do("log in", 30*time.Second,
		chromedp.SendKeys(`input[name="password"]`, viewerToken, chromedp.ByQuery),
		chromedp.Click(`button[type="submit"]`, chromedp.ByQuery))
	viewer.waitJS("see the dashboard", `document.body.innerText.includes('jdash-dashboard-42') && document.querySelector('.grid-stack [gs-x="6"]')`, 90*time.Second)
	viewer.shot(shot)
	var page struct {
		URL, HTML string
	}
	viewer.eval("read the dashboard", `({url: location.href, html: document.documentElement.outerHTML})`, &page)
	for _, want := range []string{"Quarterly report", "grid-stack"} {
		if !strings.Contains(page.HTML, want) {
			t.Errorf("the rendered dashboard lacks %q", want)
		}
	}
	if page.URL != link || strings.Contains(page.HTML, viewerToken) || strings.Contains(page.HTML, token(d.url("voila"))) {
		t.Errorf("the dashboard page (at %s) carries a token", page.URL)
	}
	// The kernel Voilà started for that page serves that viewer only.
	kernel := regexp.MustCompile(`"kernelId":\s*"([0-9a-f-]{36})"`).FindStringSubmatch(page.HTML)
	if kernel == nil {
		t.Fatalf("no kernel id in the rendered page")
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", dashPort)
	for _, c := range []struct{ method, path, auth string }{
		{"DELETE", "/api/kernels/" + kernel[1], ""},
		{"DELETE", "/api/kernels/" + kernel[1], "token " + viewerToken}, // logged in, but not that page's viewer
		{"POST", "/api/kernels/" + kernel[1] + "/restart", "token " + viewerToken},
		{"POST", "/voila/api/shutdown/" + kernel[1], "token " + viewerToken},
		{"GET", "/voila/api/contents", "token " + viewerToken},
	} {
		req, _ := http.NewRequest(c.method, base+c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 && resp.StatusCode != 403 && resp.StatusCode != 404 {
			t.Errorf("%s %s (%q) through the dashboards service: %d, want a refusal", c.method, c.path, c.auth, resp.StatusCode)
		}
	}
	if code, _ := get(t, base+"/", ""); code != http.StatusSeeOther { // to the login form
		t.Errorf("the list without a login: %d", code)
	}
	if code, body := get(t, base+"/", viewerToken); code != 200 || !strings.Contains(body, `href="/dashboards/report"`) {
		t.Errorf("the list: %d %s", code, body)
	}
	t.Logf("dashboards: the viewer logged in with the viewer token and saw the grid; another client's DELETE/restart/shutdown of that page's kernel and Voilà's contents API were refused")
}

// jdash deploy: notebooks published to the running stack's dashboards service from the
// command line, a bundle with a file the notebook reads, the list, a delete, and the
// refusals (a file that is no notebook, a stack that is down, a stack without the service).
func TestJdashDeploy(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	dir := filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	os.WriteFile(filepath.Join(dir, "report.ipynb"), []byte(reportNotebook), 0o644)
	os.WriteFile(filepath.Join(dir, "reader.ipynb"), []byte(`{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ["print('read:', open('data/sales.csv').read().strip())"]}],
 "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}`), 0o644)
	os.WriteFile(filepath.Join(dir, "data", "sales.csv"), []byte("q1,42\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.ipynb"), []byte(`{"cells": `), 0o644)
	voPort, dashPort := freePort(t), freePort(t)
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf(`services:
  voila:      {env: %s, kind: voila, port: %d}
  dashboards: {kind: dashboards, port: %d, render: voila, viewer_auth: none}
`, requireEnv(t, "voila"), voPort, dashPort)), 0o644)
	if _, errs, code := jdashIn(t, env, dir, "deploy", "report.ipynb"); code != 1 || !strings.Contains(errs, "is not up: jdash up -d starts it") {
		t.Errorf("deploy to a stack that is down: %d %s", code, errs)
	}
	upStack(t, env, dir)

	out, errs, code := jdashIn(t, env, dir, "deploy", "report.ipynb", "--json")
	var doc struct {
		Deployed []struct{ Notebook, Path, Link string } `json:"deployed"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Deployed) != 1 {
		t.Fatalf("deploy: %d\n%s\n%s", code, out, errs)
	}
	link := doc.Deployed[0].Link
	if link != fmt.Sprintf("http://127.0.0.1:%d/dashboards/report", dashPort) {
		t.Errorf("link %q", link)
	}
	out, errs, code = jdashIn(t, env, dir, "deploy", "reader.ipynb", "--with", "data/sales.csv")
	readerLink := strings.TrimSpace(out)
	if code != 0 || readerLink != fmt.Sprintf("http://127.0.0.1:%d/dashboards/reader", dashPort) {
		t.Fatalf("deploy --with: %d\n%s\n%s", code, out, errs)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "dashboards", "reader", "data", "sales.csv")); err != nil || string(b) != "q1,42\n" {
		t.Errorf("the bundle's file did not land beside the notebook: %v %q", err, b)
	}
	br := newDriver(t)
	for _, c := range []struct{ url, want, shot string }{{link, "jdash-dashboard-42", "deploy-cli-report"}, {readerLink, "read: q1,42", "deploy-cli-reader"}} {
		br.do("open "+c.url, 30*time.Second, chromedp.Navigate(c.url))
		br.waitJS("see "+c.want, `document.body.innerText.includes('`+c.want+`')`, 90*time.Second)
		br.shot(c.shot)
	}
	out, _, _ = jdashIn(t, env, dir, "deploy", "--list")
	if !strings.Contains(out, "report\t") || !strings.Contains(out, "reader\t") {
		t.Errorf("deploy --list:\n%s", out)
	}
	if _, errs, code := jdashIn(t, env, dir, "deploy", "--delete", "report"); code != 0 {
		t.Errorf("deploy --delete: %d %s", code, errs)
	}
	if out, _, _ = jdashIn(t, env, dir, "deploy", "--list"); strings.Contains(out, "report\t") {
		t.Errorf("report still listed after --delete:\n%s", out)
	}
	// refusals: no notebook, nothing, both
	if _, errs, code := jdashIn(t, env, dir, "deploy", "broken.ipynb"); code != 1 || !strings.Contains(errs, "broken.ipynb: not a notebook") {
		t.Errorf("deploy of a broken notebook: %d %s", code, errs)
	}
	if _, errs, code := jdashIn(t, env, dir, "deploy"); code != 2 || !strings.Contains(errs, "give notebooks to deploy, or --list, or --delete NAME") {
		t.Errorf("deploy without arguments: %d %s", code, errs)
	}
	if _, errs, _ := jdashIn(t, env, dir, "deploy", "report.ipynb", "--json"); strings.Contains(errs, "token") {
		t.Errorf("a token in the output: %s", errs)
	}
	// a stack without a dashboards service says what to add
	other := filepath.Join(t.TempDir(), "other")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "jdash.yaml"), []byte(fmt.Sprintf("services:\n  voila: {env: %s, kind: voila, port: %d}\n", requireEnv(t, "voila"), freePort(t))), 0o644)
	if _, errs, code := jdashIn(t, env, other, "deploy", filepath.Join(dir, "report.ipynb")); code != 1 || !strings.Contains(errs, "has no dashboards service: add one to its jdash.yaml") {
		t.Errorf("a stack without dashboards: %d %s", code, errs)
	}
	t.Logf("jdash deploy: %s and %s (with data/sales.csv) rendered in the browser; --list, --delete, and the refusals as expected", link, readerLink)
}

// widgetNotebook is a slider and an output that depends on it.
const widgetNotebook = `{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": [
 "import sys, ipywidgets as w\n",
 "s = w.IntSlider(value=3, description='n')\n",
 "o = w.Label()\n",
 "def f(_=None): o.value = 'square: %d (ipywidgets %s in %s)' % (s.value ** 2, w.__version__, sys.prefix)\n",
 "s.observe(f, names='value'); f()\n",
 "w.VBox([s, o])"]}],
 "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}`

// A deployed dashboard runs with the env it was written in (issue 23, item 0): the notebook
// service's env, not the Voilà env, with the widget manager of the kernel's ipywidgets (7 on
// a classic env, 8 on a modern one); a slider changes a dependent output.
func TestDashboardRunsInTheNotebooksEnv(t *testing.T) {
	integration(t)
	t.Run("classic", func(t *testing.T) {
		venv := freshClassic(t)
		dashboardInNotebookEnv(t, venv, "classic", []string{"setup", "--env", venv, "--install"}, "7.")
	})
	t.Run("modern", func(t *testing.T) {
		venv := copyTestEnv(t, "modern")
		dashboardInNotebookEnv(t, venv, "notebook7", []string{"setup", "--profile", "modern", "--install", "--yes", "--env", venv}, "8.")
	})
}

func dashboardInNotebookEnv(t *testing.T, venv, kind string, setup []string, widgets string) {
	env := append(stackEnv(t), "PIP_FIND_LINKS="+filepath.Join(buildDir(), "wheelhouse"))
	if out, err := runEnv(env, jdashBin, setup...); err != nil {
		t.Fatalf("setup: %v\n%s", err, tail(string(out), 10))
	}
	dir := deployProject(t, venv, kind, "slider.ipynb", widgetNotebook)
	plan, _, _ := jdashIn(t, env, dir, "up", "--dry-run")
	if !strings.Contains(plan, "kernels: python3 runs in "+venv+"\n") {
		t.Errorf("the dry run does not say Voilà's kernels run in the notebook's env:\n%s", plan)
	}
	upStack(t, env, dir)
	out, errs, code := jdashIn(t, env, dir, "deploy", "slider.ipynb")
	if code != 0 {
		t.Fatalf("deploy: %d\n%s\n%s", code, out, errs)
	}
	link := strings.TrimSpace(out)
	if !strings.Contains(errs, "slider runs in "+venv) {
		t.Errorf("deploy does not say where the dashboard runs:\n%s", errs)
	}
	br := newDriver(t)
	br.do("open the list", 30*time.Second, chromedp.Navigate(strings.TrimSuffix(link, "dashboards/slider")))
	br.waitJS("the list says where they run", `document.body.innerText.includes('They run in `+venv+`')`, 10*time.Second)
	br.do("open "+link, 30*time.Second, chromedp.Navigate(link))
	want := "square: 9 (ipywidgets " + widgets
	br.waitJS("the widget's output", `document.body.innerText.includes('`+want+`')`, 90*time.Second)
	br.shot("dashboard-widget-" + kind + "-before")
	var text string
	br.eval("read", `document.body.innerText`, &text)
	if !strings.Contains(text, "in "+venv+")") {
		t.Fatalf("the dashboard ran elsewhere than the notebook's env:\n%s", text)
	}
	br.do("move the slider", 20*time.Second,
		chromedp.Click(`.widget-slider .ui-slider-handle, .widget-slider .noUi-handle`, chromedp.ByQuery),
		chromedp.KeyEvent(kb.ArrowRight))
	br.waitJS("the dependent output", `document.body.innerText.includes('square: 16')`, 30*time.Second)
	br.shot("dashboard-widget-" + kind + "-after")
	t.Logf("the dashboard ran in %s with ipywidgets %sx; the slider moved to 4 and the output says square: 16", venv, widgets)
}
