package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// driver is a headless Chromium driven as a person drives it: it opens pages, clicks, types,
// runs cells and reads what the page then shows. Every step has a deadline, so a page that
// loads but never responds fails the test instead of hanging it. Screenshots go to
// build/artifacts.
type driver struct {
	t   *testing.T
	ctx context.Context
	// console collects the page's console errors and uncaught exceptions.
	console []string
}

func newDriver(t *testing.T, extra ...chromedp.ExecAllocatorOption) *driver {
	t.Helper()
	// the profile dir is removed after the browser has gone (t.TempDir's cleanup can race
	// Chromium's last writes)
	profile, err := os.MkdirTemp("", "jdash-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("headless", "new"),
	)
	opts = append(opts, extra...)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // CI runs as root
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	// cdproto lags Chromium's protocol: events it cannot decode are noise, not failures
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithErrorf(func(f string, a ...any) {
		if msg := fmt.Sprintf(f, a...); !strings.Contains(msg, "could not unmarshal event") {
			t.Logf("chromedp: %s", msg)
		}
	}))
	d := &driver{t: t, ctx: ctx}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			d.console = append(d.console, "exception: "+e.ExceptionDetails.Error())
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, strings.Trim(string(a.Value), `"`))
				}
				d.console = append(d.console, "console.error: "+strings.Join(parts, " "))
			}
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		cancelC()
		cancelA()
		os.RemoveAll(profile)
		t.Fatalf("starting chromium: %v", err)
	}
	t.Cleanup(func() {
		cancelC()
		cancelA()
		for i := 0; i < 50 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	return d
}

// do runs actions within limit; on failure it keeps a screenshot named after the step.
func (d *driver) do(step string, limit time.Duration, actions ...chromedp.Action) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(d.ctx, limit)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		d.shot("failed-" + step)
		d.t.Fatalf("browser: %s: %v\nconsole:\n%s", step, err, strings.Join(d.console, "\n"))
	}
}

// shot saves a full-page screenshot as build/artifacts/<name>.png.
func (d *driver) shot(name string) string {
	dir := filepath.Join(buildDir(), "artifacts")
	os.MkdirAll(dir, 0o755)
	var buf []byte
	ctx, cancel := context.WithTimeout(d.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		d.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		d.t.Logf("screenshot %s: %v", name, err)
	}
	return p
}

// eval returns a JavaScript expression's value, evaluated in the page.
func (d *driver) eval(step, js string, out any) {
	d.t.Helper()
	d.do(step, 20*time.Second, chromedp.Evaluate(js, out))
}

// await evaluates js, which gives a promise, and stores what the promise resolves to.
func (d *driver) await(step, js string, out any, limit time.Duration) {
	d.t.Helper()
	d.do(step, limit, chromedp.Evaluate(js, out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
}

// waitJS polls a JavaScript condition until it holds or limit passes, across page loads (a
// form that navigates, a redirect).
func (d *driver) waitJS(step, cond string, limit time.Duration) {
	d.t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(d.ctx, 5*time.Second)
		var ok bool
		err := chromedp.Run(ctx, chromedp.Evaluate(`!!(`+cond+`)`, &ok))
		cancel()
		if err == nil && ok {
			return
		}
	}
	d.shot("failed-" + step)
	d.t.Fatalf("browser: %s: not seen within %s\nconsole:\n%s", step, limit, strings.Join(d.console, "\n"))
}

// runClassicCell opens a classic notebook (notebook 6 or nbclassic) at url, types code into
// its first cell, runs it with Shift+Enter and returns the text the cell printed.
func (d *driver) runClassicCell(url, code, shot string) string {
	d.t.Helper()
	d.do("open "+url, 60*time.Second,
		chromedp.Navigate(url),
		chromedp.Poll(`window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()`, nil,
			chromedp.WithPollingInterval(250*time.Millisecond)))
	d.do("type into the first cell", 20*time.Second,
		chromedp.Click(`.cell.code_cell .CodeMirror`, chromedp.ByQuery),
		chromedp.Evaluate(`(() => { const nb = Jupyter.notebook, i = nb.get_cells().findIndex(c => c.cell_type === 'code');
			nb.get_cell(i).set_text(""); nb.select(i); nb.edit_mode(); })()`, nil),
		chromedp.SendKeys(`.cell.code_cell .CodeMirror textarea`, code, chromedp.ByQuery),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(input.ModifierShift)))
	var out string
	d.do("read the cell's output", 60*time.Second,
		chromedp.WaitVisible(`.cell.code_cell .output_subarea`, chromedp.ByQuery),
		chromedp.Text(`.cell.code_cell .output_subarea`, &out, chromedp.ByQuery))
	d.shot(shot)
	// the run made the notebook dirty: its "leave page?" prompt would block the next page
	d.eval("let the page go", `Jupyter.notebook.set_dirty(false); window.onbeforeunload = null; true`, nil)
	return strings.TrimSpace(out)
}

// configurator is what the Nbextensions tab showed: how many extensions it lists, and the
// names it greys out as "possibly incompatible".
type configurator struct {
	Listed       int      `json:"listed"`
	Greyed       []string `json:"greyed"`       // disabled: cannot be toggled
	Compatible   []string `json:"compatible"`   // declares this frontend's version
	Incompatible []string `json:"incompatible"` // shown "possibly incompatible"
	Enabled      []string `json:"enabled"`
}

// readConfigurator reads the Nbextensions tab of the page open in the browser.
func (d *driver) readConfigurator() configurator {
	d.t.Helper()
	var c configurator
	d.eval("read the Nbextensions tab", `(() => {
		const lis = [...document.querySelectorAll('.nbext-selector li')];
		const name = li => li.querySelector('a').textContent.trim();
		return {listed: lis.length,
			greyed: lis.filter(li => li.classList.contains('disabled')).map(name),
			compatible: lis.filter(li => !li.classList.contains('nbext-incompatible')).map(name),
			incompatible: lis.filter(li => li.classList.contains('nbext-incompatible')).map(name),
			enabled: lis.filter(li => li.querySelector('.nbext-enable-toggle.nbext-enabled')).map(name)};
	})()`, &c)
	return c
}

// openConfigurator opens the tree's Nbextensions tab under base+root (notebook 6: "",
// nbclassic: "/nbclassic") and waits until it lists extensions (a spinner fails the test).
func (d *driver) openConfigurator(url, shot string) configurator {
	d.t.Helper()
	d.do("open the Nbextensions tab", 60*time.Second, chromedp.Navigate(url),
		chromedp.Poll(`document.querySelectorAll('.nbext-selector li').length > 5`, nil, chromedp.WithPollingInterval(250*time.Millisecond)))
	d.shot(shot)
	return d.readConfigurator()
}

// toggleExtension clicks the enable box of the extension named name in the open
// Nbextensions tab and waits until the tab shows it enabled.
func (d *driver) toggleExtension(name string) {
	d.t.Helper()
	box := `//div[contains(@class,"nbext-selector")]//li[not(contains(@class,"disabled"))]/a[normalize-space(.)=` + xpathString(name) + `]/i[contains(@class,"nbext-enable-toggle")]`
	d.do("click "+name, 20*time.Second,
		chromedp.Click(box, chromedp.BySearch),
		chromedp.WaitVisible(box+`[contains(@class,"nbext-enabled")]`, chromedp.BySearch))
}

func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return `'` + s + `'`
}

// runLabCell opens a notebook in JupyterLab or Notebook 7 at url, waits for its kernel,
// replaces the first cell's text by typing code, runs it with Shift+Enter and returns what
// the cell printed.
func (d *driver) runLabCell(url, code, shot string) string {
	d.t.Helper()
	const editor = `.jp-Notebook .jp-Cell .cm-content`
	d.do("open "+url, 90*time.Second, chromedp.Navigate(url), chromedp.WaitVisible(editor, chromedp.ByQuery))
	// Lab may ask which kernel to start, a moment after the page shows: a person takes the
	// one offered. The kernel is ready once its indicator stays idle with no dialog open.
	// A kernel that stays unconnected makes a person reload the page, once.
	calm, reloaded := 0, false
	start := time.Now()
	for end := start.Add(90 * time.Second); calm < 6; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(end) {
			d.shot("failed-kernel-" + shot)
			d.t.Fatalf("browser: the notebook's kernel never became idle (reloaded once: %v)\nconsole:\n%s", reloaded, strings.Join(d.console, "\n"))
		}
		if !reloaded && time.Since(start) > 40*time.Second {
			var status string
			d.eval("kernel status", `(document.querySelector('.jp-Notebook-ExecutionIndicator') || {dataset: {}}).dataset.status || 'none'`, &status)
			d.shot(shot + "-kernel-stuck")
			d.t.Logf("browser: the kernel indicator stayed %q for 40s; reloading the page\nconsole:\n%s", status, strings.Join(d.console, "\n"))
			d.do("reload", 90*time.Second, chromedp.Reload(), chromedp.WaitVisible(editor, chromedp.ByQuery))
			reloaded, calm = true, 0
		}
		var st struct{ Dialog, Idle bool }
		d.eval("kernel state", `({dialog: !!document.querySelector('.jp-Dialog .jp-mod-accept'),
			idle: !!document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]')})`, &st)
		switch {
		case st.Dialog:
			d.shot(shot + "-select-kernel")
			d.do("select the kernel", 20*time.Second, chromedp.Click(`.jp-Dialog .jp-mod-accept`, chromedp.ByQuery))
			calm = 0
		case st.Idle:
			calm++
		default:
			calm = 0
		}
	}
	d.do("type into the first cell", 20*time.Second,
		chromedp.Click(editor, chromedp.ByQuery),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(input.ModifierCtrl)),
		chromedp.KeyEvent("\b"),
		chromedp.SendKeys(editor, code, chromedp.ByQuery),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(input.ModifierShift)))
	// Lab may still ask for a kernel after the run (the session's kernel came up late): a
	// person takes the one offered and runs the cell again.
	for end := time.Now().Add(60 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		var st struct{ Dialog, Output bool }
		d.eval("cell state", `({dialog: !!document.querySelector('.jp-Dialog .jp-mod-accept'),
			output: !!document.querySelector('.jp-Notebook .jp-Cell .jp-OutputArea-output')})`, &st)
		if st.Output {
			break
		}
		if time.Now().After(end) {
			d.shot("failed-output-" + shot)
			d.t.Fatalf("browser: the cell printed nothing within 60s\nconsole:\n%s", strings.Join(d.console, "\n"))
		}
		if st.Dialog {
			d.shot(shot + "-select-kernel-after-run")
			d.do("select the kernel and run again", 20*time.Second,
				chromedp.Click(`.jp-Dialog .jp-mod-accept`, chromedp.ByQuery),
				chromedp.WaitNotPresent(`.jp-Dialog`, chromedp.ByQuery),
				chromedp.Click(editor, chromedp.ByQuery),
				chromedp.KeyEvent("\r", chromedp.KeyModifiers(input.ModifierShift)))
		}
	}
	var out string
	d.do("read the cell's output", 10*time.Second,
		chromedp.Text(`.jp-Notebook .jp-Cell .jp-OutputArea-output`, &out, chromedp.ByQuery))
	d.shot(shot)
	return strings.TrimSpace(out)
}

// switchDashboardView clicks a button of the dashboards extension's "Dashboard View" toolbar
// (state notebook, grid, report or preview) and waits until the notebook is in that view:
// the button active, and in the grid layout the cells in a gridstack.
func (d *driver) switchDashboardView(state, shot string) {
	d.t.Helper()
	btn := `#jupyter-dashboard-view-toolbar-buttons button[data-dashboard-state="` + state + `"]`
	done := `document.querySelector('#view_menu [data-dashboard-state="` + state + `"].selected')` // the extension marks the view it is in
	if state == "grid" {
		done += ` && document.querySelector('#notebook-container.grid-stack, .grid-stack .grid-stack-item')`
	}
	var toolbar bool // the preview hides the toolbar: then the View menu is the way back
	d.eval("is the toolbar shown", `!!document.querySelector('`+btn+`') && document.querySelector('`+btn+`').offsetParent !== null`, &toolbar)
	if toolbar {
		d.do("click the "+state+" view button", 20*time.Second, chromedp.Click(btn, chromedp.ByQuery))
	} else {
		item := `#view_menu li[data-dashboard-state="` + state + `"] > a`
		d.do("open the View menu", 20*time.Second, chromedp.Click(`//ul[@id="view_menu"]/preceding-sibling::a`, chromedp.BySearch))
		d.do("see View > "+state, 20*time.Second, chromedp.WaitVisible(item, chromedp.ByQuery))
		d.do("click View > "+state, 20*time.Second, chromedp.Click(item, chromedp.ByQuery))
	}
	d.do("see the "+state+" view", 30*time.Second, chromedp.Poll(`!!(`+done+`)`, nil, chromedp.WithPollingInterval(200*time.Millisecond)))
	d.shot(shot)
}

// follow runs actions that open a new tab (window.open) and returns a driver of that tab.
func (d *driver) follow(step string, actions ...chromedp.Action) *driver {
	d.t.Helper()
	opened := chromedp.WaitNewTarget(d.ctx, func(i *target.Info) bool { return i.Type == "page" })
	d.do(step, 30*time.Second, actions...)
	select {
	case id := <-opened:
		ctx, _ := chromedp.NewContext(d.ctx, chromedp.WithTargetID(id))
		// the first Run attaches the tab to ctx itself (a deadline's ctx would detach it)
		if err := chromedp.Run(ctx); err != nil {
			d.t.Fatalf("browser: %s: attach to the new tab: %v", step, err)
		}
		return &driver{t: d.t, ctx: ctx}
	case <-time.After(30 * time.Second):
		d.shot("failed-" + step)
		d.t.Fatalf("browser: %s: no tab opened\nconsole:\n%s", step, strings.Join(d.console, "\n"))
		return nil
	}
}

// hover moves the mouse onto the element that the JavaScript expression elem gives (a
// menu's submenu opens on hover).
func (d *driver) hover(step, elem string) {
	d.t.Helper()
	var box []float64
	d.eval(step, `(() => { const r = (`+elem+`).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`, &box)
	d.do(step, 10*time.Second, chromedp.MouseEvent(input.MouseMoved, box[0], box[1]))
}
