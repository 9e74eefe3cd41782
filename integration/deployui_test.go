package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// gridSliderNotebook is widgetNotebook laid out as voila-gridstack's Lab editor lays a
// notebook out (the metadata its editor writes: the view's name, type, columns, margin and
// cell height; each cell's place, size, hidden and locked): a title at the top left, the
// slider and its output at column 6, row 2, and a cell the author left off the grid.
const gridSliderNotebook = `{"cells": [
 {"cell_type": "markdown", "id": "title", "metadata": {"extensions": {"jupyter_dashboards": {"activeView": "grid_default", "views": {"grid_default": {"hidden": false, "row": 0, "col": 0, "width": 6, "height": 2, "locked": true}}}}}, "source": ["# Squares"]},
 {"cell_type": "code", "id": "slider", "execution_count": null, "metadata": {"extensions": {"jupyter_dashboards": {"activeView": "grid_default", "views": {"grid_default": {"hidden": false, "row": 2, "col": 6, "width": 6, "height": 4, "locked": true}}}}}, "outputs": [], "source": [
 "import sys, ipywidgets as w\n",
 "s = w.IntSlider(value=3, description='n')\n",
 "o = w.Label()\n",
 "def f(_=None): o.value = 'square: %d (ipywidgets %s in %s)' % (s.value ** 2, w.__version__, sys.prefix)\n",
 "s.observe(f, names='value'); f()\n",
 "w.VBox([s, o])"]},
 {"cell_type": "code", "id": "offgrid", "execution_count": null, "metadata": {"extensions": {"jupyter_dashboards": {"activeView": "grid_default", "views": {"grid_default": {"hidden": true, "row": null, "col": null, "width": 2, "height": 2, "locked": true}}}}}, "outputs": [], "source": ["print('jdash-not-on-the-grid')"]}],
 "metadata": {"extensions": {"jupyter_dashboards": {"version": 1, "activeView": "grid_default", "views": {"grid_default": {"name": "grid", "type": "grid", "maxColumns": 12, "cellMargin": 2, "defaultCellHeight": 40}}}},
  "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}`

// seeDashboard waits in tab for the deployed dashboard: the slider's output in its grid
// place (gs-x 6, gs-y 2), the off-grid cell absent; then a person moves the slider and the
// dependent output follows. It returns the page's text.
func seeDashboard(t *testing.T, tab *driver, venv, widgets, shot string) string {
	t.Helper()
	const label = `.grid-stack-item[gs-x="6"][gs-y="2"] .widget-label`
	tab.waitJS("the dashboard's output in its grid place", `[...document.querySelectorAll('`+label+`')].some(e => e.innerText.includes('square: 9 (ipywidgets `+widgets+`'))`, 120*time.Second)
	tab.shot(shot + "-dashboard")
	var text, where string
	var offGrid bool
	tab.eval("read the dashboard", `[...document.querySelectorAll('`+label+`')].map(e => e.innerText).join('\n')`, &text)
	tab.eval("where", `location.pathname`, &where)
	tab.eval("the off-grid cell", `document.documentElement.textContent.includes('jdash-not-on-the-grid')`, &offGrid)
	if !strings.HasPrefix(where, "/dashboards/") || !strings.Contains(text, "in "+venv+")") || offGrid {
		t.Errorf("the tab shows %s, which is not the dashboard run in %s with the off-grid cell left out (shown: %v):\n%s", where, venv, offGrid, text)
	}
	tab.do("move the slider", 20*time.Second,
		chromedp.Click(`.widget-slider .ui-slider-handle, .widget-slider .noUi-handle`, chromedp.ByQuery),
		chromedp.KeyEvent(kb.ArrowRight))
	tab.waitJS("the dependent output", `[...document.querySelectorAll('`+label+`')].some(e => e.innerText.includes('square: 16'))`, 30*time.Second)
	tab.shot(shot + "-dashboard-after")
	return text
}

// deployProject writes a project with the notebook file and a stack of the notebook service of
// venv (kind), Voilà and jdash's dashboards service (viewers need no login).
func deployProject(t *testing.T, venv, kind, file, notebook string) string {
	dir := filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, file), []byte(notebook), 0o644)
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf(`services:
  notebook:   {env: %s, kind: %s, port: %d}
  voila:      {env: %s, kind: voila, port: %d}
  dashboards: {kind: dashboards, port: %d, render: voila, viewer_auth: none}
`, venv, kind, freePort(t), requireEnv(t, "voila"), freePort(t), freePort(t))), 0o644)
	return dir
}

// deployStack brings deployProject's stack up with squares.ipynb.
func deployStack(t *testing.T, env []string, venv, kind, notebook string) (dir string, d psDoc) {
	dir = deployProject(t, venv, kind, "squares.ipynb", notebook)
	upStack(t, env, dir)
	return dir, ps(t, env, dir)
}

// File > Deploy as > Dashboard on Jupyter Dashboards Server in nbclassic on notebook 7 (issue
// 23, item 1): the route nbclassic leaves out is there once `jdash setup` took the nbclassic
// route; the click publishes the notebook and opens the dashboard, laid out on its grid, in
// a new tab; the undo takes the route away again.
func TestNbclassicDeployAs(t *testing.T) {
	integration(t)
	venv := copyTestEnv(t, "nb7compat")
	env := append(stackEnv(t), "PIP_FIND_LINKS="+filepath.Join(buildDir(), "wheelhouse"))
	out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--install", "--yes")
	if err != nil || !strings.Contains(string(out), "for nbclassic") {
		t.Fatalf("setup: %v\n%s", err, tail(string(out), 10))
	}
	dir, d := deployStack(t, env, venv, "nbclassic", gridSliderNotebook)
	nbToken := token(d.url("notebook"))
	base := strings.TrimSuffix(d.url("notebook"), "/nbclassic/tree?token="+nbToken)

	br := newDriver(t)
	br.do("open the notebook in nbclassic", 60*time.Second,
		chromedp.Navigate(base+"/nbclassic/notebooks/squares.ipynb?token="+nbToken),
		chromedp.Poll(`window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()`, nil,
			chromedp.WithPollingInterval(250*time.Millisecond)))
	br.do("Cell > Run All", 20*time.Second,
		chromedp.Click(`//ul[@id="run_cell_menu"]/../../preceding-sibling::a | //a[normalize-space(text())="Cell"]`, chromedp.BySearch),
		chromedp.Click(`#run_all_cells > a`, chromedp.ByQuery))
	br.waitJS("the cells ran", `Jupyter.notebook.get_cells().every(c => c.cell_type !== 'code' || Number.isInteger(c.input_prompt_number))`, 60*time.Second)
	br.shot("nbclassic-deploy-notebook")
	br.do("open the File menu", 10*time.Second, chromedp.Click(`//a[normalize-space(text())="File"]`, chromedp.BySearch))
	br.hover("point at Deploy as", `document.querySelector('#deploy_menu').parentElement.querySelector('a')`)
	br.do("see Deploy as", 10*time.Second, chromedp.WaitVisible(`#deploy_menu a`, chromedp.ByQuery))
	br.shot("nbclassic-deploy-menu")
	tab := br.follow("click Dashboard on Jupyter Dashboards Server",
		chromedp.Click(`//ul[@id="deploy_menu"]//a[text()="Dashboard on Jupyter Dashboards Server"]`, chromedp.BySearch))
	seeDashboard(t, tab, venv, "7.", "nbclassic-deploy")
	if _, err := os.Stat(filepath.Join(dir, "dashboards", "squares.ipynb")); err != nil {
		t.Errorf("the dashboard is not in the dashboards root: %v", err)
	}

	// the route refuses a page of another site, and answers only a logged-in user
	for _, c := range []struct {
		name, auth, site string
		want             int
	}{{"no token", "", "same-origin", 302}, {"another site", nbToken, "cross-site", 403}} { // 302: to the login page
		code, _ := getWith(t, base+"/bundle/squares.ipynb?bundler=dashboards_server_upload", c.auth, map[string]string{"Sec-Fetch-Site": c.site})
		if code != c.want {
			t.Errorf("GET /bundle with %s: %d, want %d", c.name, code, c.want)
		}
	}
	jdashIn(t, env, dir, "down")
	if out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--undo"); err != nil {
		t.Fatalf("undo: %v\n%s", err, out)
	}
	for _, f := range []string{"etc/jupyter/jupyter_server_config.d/jdash_deploy.json", "lib/python3.11/site-packages/jdash_deploy.py", "share/jupyter/labextensions/jdash-deploy"} {
		if _, err := os.Stat(filepath.Join(venv, f)); !os.IsNotExist(err) {
			t.Errorf("undo left %s", f)
		}
	}
	t.Logf("nbclassic: File > Deploy as > Dashboard opened %s in a new tab, laid out on its grid; the slider moved the output; undo removed the route", "/dashboards/squares")
}

// openLabNotebook opens a notebook in JupyterLab and waits for it, taking the kernel Lab
// offers when it asks.
func (d *driver) openLabNotebook(url, shot string) {
	d.t.Helper()
	d.do("open the notebook "+shot, 90*time.Second, chromedp.Navigate(url), chromedp.WaitVisible(`.jp-Notebook .jp-Cell`, chromedp.ByQuery))
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
		var dialog bool
		d.eval("a kernel dialog", `!!document.querySelector('.jp-Dialog .jp-mod-accept')`, &dialog)
		if dialog {
			d.do("select the kernel", 20*time.Second, chromedp.Click(`.jp-Dialog .jp-mod-accept`, chromedp.ByQuery), chromedp.WaitNotPresent(`.jp-Dialog`, chromedp.ByQuery))
		}
	}
	d.shot(shot)
}

// "Deploy as dashboard" in JupyterLab 4 (issue 23, items 3 and 4): `jdash setup --profile
// modern` installs the command (File menu, palette, notebook toolbar) and its endpoint at the
// env's level; File > Deploy as Dashboard publishes the notebook and opens the dashboard in a
// new tab; the layout voila-gridstack's Lab editor shows is the grid the dashboard renders;
// a stack without a dashboards service gets a dialog saying what to add; the undo removes it.
func TestLabDeployAsDashboard(t *testing.T) {
	integration(t)
	venv := copyTestEnv(t, "modern")
	env := append(stackEnv(t), "PIP_FIND_LINKS="+filepath.Join(buildDir(), "wheelhouse"))
	out, err := runEnv(env, jdashBin, "setup", "--profile", "modern", "--install", "--yes", "--env", venv)
	if err != nil {
		t.Fatalf("setup: %v\n%s", err, tail(string(out), 10))
	}
	if !labextBuilt(t) {
		if !strings.Contains(string(out), "built without") {
			t.Errorf("setup with a jdash built without Node does not say so:\n%s", out)
		}
		t.Skip("this jdash was built without Node: the labextension is not in it (scripts/build-labext.sh)")
	}
	if _, err := os.Stat(filepath.Join(venv, "share", "jupyter", "labextensions", "jdash-deploy", "package.json")); err != nil {
		t.Fatalf("setup did not install the labextension at the env's level: %v", err)
	}
	if list, _ := runEnv(env, jdashBin, "labext", "list", "--env", venv); !strings.Contains(string(list), "jdash-deploy") {
		t.Errorf("jdash labext list does not show jdash-deploy:\n%s", list)
	}
	dir, d := deployStack(t, env, venv, "lab", gridSliderNotebook)
	nbToken := token(d.url("notebook"))
	base := strings.TrimSuffix(d.url("notebook"), "/lab?token="+nbToken)

	br := newDriver(t)
	br.openLabNotebook(base+"/lab/tree/squares.ipynb?token="+nbToken, "lab-deploy-notebook")
	// the notebook's toolbar and the command palette carry the command too
	br.do("see the toolbar's Deploy", 20*time.Second, chromedp.WaitVisible(`.jdash-deploy-button`, chromedp.ByQuery))
	br.do("open the command palette", 20*time.Second,
		chromedp.Click(`.jp-Notebook .jp-Cell`, chromedp.ByQuery),
		chromedp.KeyEvent("c", chromedp.KeyModifiers(input.ModifierCtrl|input.ModifierShift)),
		chromedp.WaitVisible(`.lm-CommandPalette-input`, chromedp.ByQuery),
		chromedp.SendKeys(`.lm-CommandPalette-input`, "Deploy as", chromedp.ByQuery))
	br.waitJS("the palette lists it", `[...document.querySelectorAll('.lm-CommandPalette-item')].some(e => e.innerText.includes('Deploy as Dashboard'))`, 10*time.Second)
	br.shot("lab-deploy-palette")
	br.do("close the palette", 10*time.Second, chromedp.KeyEvent(kb.Escape))

	br.do("open the File menu", 10*time.Second, chromedp.Click(`//div[contains(@class,"lm-MenuBar-itemLabel") and text()="File"]`, chromedp.BySearch),
		chromedp.WaitVisible(`.lm-Menu-item[data-command="jdash:deploy-dashboard"]`, chromedp.ByQuery))
	// a keyboard user walks the menu up to the item and takes it
	item := `.lm-Menu-item[data-command="jdash:deploy-dashboard"]`
	for i := 0; ; i++ {
		var active bool
		br.eval("is it active", `!!document.querySelector('`+item+`.lm-mod-active')`, &active)
		if active {
			break
		}
		if i == 40 {
			t.Fatal("the File menu's arrow keys never reached Deploy as Dashboard")
		}
		br.do("arrow up", 5*time.Second, chromedp.KeyEvent(kb.ArrowUp))
	}
	br.shot("lab-deploy-menu")
	menuTab := br.follow("File > Deploy as Dashboard", chromedp.KeyEvent(kb.Enter))
	menuTab.waitJS("the menu's deploy opens the dashboard", `location.pathname === '/dashboards/squares' && document.querySelector('.grid-stack-item[gs-x="6"][gs-y="2"] .widget-label')`, 120*time.Second)
	menuTab.shot("lab-deploy-menu-dashboard")

	tab := br.follow("click the toolbar's Deploy", chromedp.Click(`.jdash-deploy-button`, chromedp.ByQuery))
	seeDashboard(t, tab, venv, "8.", "lab-deploy")
	const grid = `[...document.querySelectorAll('.grid-stack .grid-stack-item')].map(e => ['gs-x', 'gs-y', 'gs-w', 'gs-h'].map(a => e.getAttribute(a)).join(','))`
	var rendered, editor []string
	tab.eval("the dashboard's grid", grid, &rendered)

	// voila-gridstack's Lab editor shows the notebook with the layout the dashboard has
	br.do("open the gridstack editor", 60*time.Second,
		chromedp.Click(`.jp-NotebookPanel-toolbar [title="Open with Voilà GridStack editor"]`, chromedp.ByQuery))
	br.waitJS("the editor places the slider cell", `!!document.querySelector('.grid-stack .grid-stack-item[gs-x="6"][gs-y="2"]')`, 60*time.Second)
	br.eval("the editor's grid", grid, &editor)
	br.shot("lab-deploy-gridstack-editor")
	if fmt.Sprint(editor) != fmt.Sprint(rendered) {
		t.Errorf("voila-gridstack's editor lays the cells out at %v, the dashboard at %v", editor, rendered)
	}
	// the author takes the title off the grid in the editor, saves, deploys again: the
	// dashboard follows the editor's layout
	br.do("take the title off the grid", 20*time.Second,
		chromedp.Click(`.grid-stack .grid-stack-item[gs-x="0"][gs-y="0"] .jp-ToolbarButtonComponent:last-child, .grid-stack .grid-stack-item[gs-x="0"][gs-y="0"] button:last-of-type`, chromedp.ByQuery))
	br.waitJS("the title is off the grid", `!document.querySelector('.grid-stack .grid-stack-item[gs-x="0"][gs-y="0"]')`, 20*time.Second)
	br.do("save", 20*time.Second, chromedp.KeyEvent("s", chromedp.KeyModifiers(input.ModifierCtrl)))
	br.shot("lab-deploy-gridstack-editor-edited")
	again := br.follow("Deploy as Dashboard from the command palette", chromedp.KeyEvent("c", chromedp.KeyModifiers(input.ModifierCtrl|input.ModifierShift)),
		chromedp.WaitVisible(`.lm-CommandPalette-input`, chromedp.ByQuery),
		chromedp.SendKeys(`.lm-CommandPalette-input`, "Deploy as Dashboard", chromedp.ByQuery),
		chromedp.KeyEvent(kb.Enter))
	again.waitJS("the redeployed dashboard", `document.querySelector('.grid-stack-item[gs-x="6"][gs-y="2"] .widget-label')`, 120*time.Second)
	var titled bool
	again.eval("the title", `[...document.querySelectorAll('.grid-stack-item')].some(e => e.innerText.includes('Squares'))`, &titled)
	again.shot("lab-deploy-edited-dashboard")
	if titled {
		t.Error("the title the editor took off the grid is on the redeployed dashboard")
	}
	if _, err := os.Stat(filepath.Join(dir, "dashboards", "squares.ipynb")); err != nil {
		t.Errorf("the dashboard is not in the dashboards root: %v", err)
	}

	// Notebook 7 (the same server's /notebooks/ page) has the command in its File menu and
	// the toolbar button
	nb7 := newDriver(t)
	nb7.do("open the notebook in Notebook 7", 90*time.Second, chromedp.Navigate(base+"/notebooks/squares.ipynb?token="+nbToken),
		chromedp.WaitVisible(`.jp-Notebook .jp-Cell`, chromedp.ByQuery), chromedp.WaitVisible(`.jdash-deploy-button`, chromedp.ByQuery))
	nb7.do("open Notebook 7's File menu", 10*time.Second, chromedp.Click(`//div[contains(@class,"lm-MenuBar-itemLabel") and text()="File"]`, chromedp.BySearch),
		chromedp.WaitVisible(`.lm-Menu-item[data-command="jdash:deploy-dashboard"]`, chromedp.ByQuery))
	nb7.shot("notebook7-deploy-menu")
	nb7.do("close the menu", 10*time.Second, chromedp.KeyEvent(kb.Escape))
	nb7tab := nb7.follow("click Notebook 7's Deploy", chromedp.Click(`.jdash-deploy-button`, chromedp.ByQuery))
	nb7tab.waitJS("Notebook 7's deploy opens the dashboard", `location.pathname === '/dashboards/squares' && document.querySelector('.grid-stack-item[gs-x="6"][gs-y="2"] .widget-label')`, 120*time.Second)
	nb7tab.shot("notebook7-deploy-dashboard")

	// a stack without a dashboards service: the command says what to add
	solo := filepath.Join(t.TempDir(), "solo")
	os.MkdirAll(solo, 0o755)
	os.WriteFile(filepath.Join(solo, "squares.ipynb"), []byte(gridSliderNotebook), 0o644)
	os.WriteFile(filepath.Join(solo, "jdash.yaml"), []byte(fmt.Sprintf("services:\n  notebook: {env: %s, kind: lab, port: %d}\n", venv, freePort(t))), 0o644)
	if out, errs, code := jdashIn(t, env, solo, "up", "-d"); code != 0 {
		t.Fatalf("up: %d\n%s\n%s", code, out, errs)
	}
	defer jdashIn(t, env, solo, "down")
	sd := ps(t, env, solo)
	br = newDriver(t)
	br.openLabNotebook(strings.Replace(sd.url("notebook"), "/lab?", "/lab/tree/squares.ipynb?", 1), "lab-deploy-solo")
	br.do("Deploy as Dashboard from the command palette", 20*time.Second,
		chromedp.Click(`.jp-Notebook .jp-Cell`, chromedp.ByQuery),
		chromedp.KeyEvent("c", chromedp.KeyModifiers(input.ModifierCtrl|input.ModifierShift)),
		chromedp.WaitVisible(`.lm-CommandPalette-input`, chromedp.ByQuery),
		chromedp.SendKeys(`.lm-CommandPalette-input`, "Deploy as Dashboard", chromedp.ByQuery),
		chromedp.KeyEvent(kb.Enter))
	br.waitJS("the dialog", `document.querySelector('.jp-Dialog') && document.querySelector('.jp-Dialog').innerText.includes('has no dashboards service')`, 30*time.Second)
	var msg string
	br.eval("read the dialog", `document.querySelector('.jp-Dialog-body').innerText`, &msg)
	br.shot("lab-deploy-no-dashboards")
	jdashIn(t, env, solo, "down")
	jdashIn(t, env, dir, "down")

	if out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--profile", "modern", "--undo"); err != nil {
		t.Fatalf("undo: %v\n%s", err, out)
	}
	for _, f := range []string{"etc/jupyter/jupyter_server_config.d/jdash_deploy.json", "lib/python3.11/site-packages/jdash_deploy.py", "share/jupyter/labextensions/jdash-deploy"} {
		if _, err := os.Stat(filepath.Join(venv, f)); !os.IsNotExist(err) {
			t.Errorf("undo left %s", f)
		}
	}
	t.Logf("JupyterLab: File > Deploy as Dashboard and the toolbar's Deploy (and Notebook 7's) each opened /dashboards/squares in a new tab, the slider moved the output; the palette lists the command; the gridstack editor and the dashboard lay the cells out alike (%v); without a dashboards service the palette's Deploy showed the dialog: %s", rendered, msg)
}

// labextBuilt reports whether the jdash under test carries the labextension.
func labextBuilt(t *testing.T) bool {
	_, err := os.Stat(filepath.Join("..", "internal", "deployext", "labextension", "jdash-deploy", "package.json"))
	return err == nil
}
