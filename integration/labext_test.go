package integration

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// labFarm is a private copy of the modern env (JupyterLab 4, Notebook 7) with third-party
// prebuilt extensions copied in from the voila env: Voilà's preview at the env's level, the
// widgets manager and a second jupyterlab_pygments at the user's.
func labFarm(t *testing.T, home string) string {
	t.Helper()
	env := farm(t, "modern")
	vo := filepath.Join(requireEnv(t, "voila"), "share", "jupyter", "labextensions")
	for src, dst := range map[string]string{
		filepath.Join(vo, "@voila-dashboards", "jupyterlab-preview"): filepath.Join(env, "share", "jupyter", "labextensions", "@voila-dashboards", "jupyterlab-preview"),
		filepath.Join(vo, "@jupyter-widgets", "jupyterlab-manager"):  filepath.Join(home, ".local", "share", "jupyter", "labextensions", "@jupyter-widgets", "jupyterlab-manager"),
		filepath.Join(vo, "jupyterlab_pygments"):                     filepath.Join(home, ".local", "share", "jupyter", "labextensions", "jupyterlab_pygments"),
	} {
		if err := copyTree(src, dst); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

var labLine = regexp.MustCompile(`^\s+(\S+) v(\S+) (enabled|disabled) `)

// theirList is `jupyter labextension list` of env: name -> "version enabled|disabled", and the
// dir each is listed under.
func theirList(t *testing.T, env []string, prefix string) (map[string]string, map[string]string, string) {
	t.Helper()
	out, err := runEnv(env, filepath.Join(prefix, "bin", "python"), "-m", "jupyterlab.labextensions", "list")
	if err != nil {
		t.Fatalf("jupyter labextension list: %v\n%s", err, out)
	}
	clean := ansi.ReplaceAllString(string(out), "")
	got, where := map[string]string{}, map[string]string{}
	dir := ""
	for _, l := range strings.Split(clean, "\n") {
		if strings.HasPrefix(l, "/") {
			dir = strings.TrimSpace(l)
		}
		if m := labLine.FindStringSubmatch(l); m != nil {
			got[m[1]], where[m[1]] = m[2]+" "+m[3], dir
		}
	}
	return got, where, clean
}

type labListing struct {
	Lab        string `json:"jupyterlab"`
	Extensions []struct {
		Name, Version, Level string
		DataDir              string `json:"labextensions_dir"`
		Enabled              bool
		DisabledBy           *struct{ File, Level string } `json:"disabled_by"`
		Shadows              []struct {
			Version string
			DataDir string `json:"labextensions_dir"`
		}
		RemoteEntry bool `json:"remote_entry"`
		Compatible  *bool
	} `json:"extensions"`
}

func ourList(t *testing.T, env []string, prefix string) (labListing, map[string]string, map[string]string) {
	t.Helper()
	out, err := runEnv(env, jdashBin, "labext", "list", "--json", "--env", prefix)
	if err != nil {
		t.Fatalf("jdash labext list: %v\n%s", err, out)
	}
	var l labListing
	if err := json.Unmarshal(out, &l); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got, where := map[string]string{}, map[string]string{}
	for _, e := range l.Extensions {
		got[e.Name], where[e.Name] = e.Version+" "+map[bool]string{true: "enabled", false: "disabled"}[e.Enabled], e.DataDir
	}
	return l, got, where
}

// jdash labext list beside JupyterLab's own, on the real modern env with extensions at the
// user's and the env's level, a shadowed copy and a disabled one; disable and enable write
// what `jupyter labextension disable|enable` writes, byte for byte; undo restores it.
func TestLabextMatchesJupyterLab(t *testing.T) {
	integration(t)
	home := t.TempDir()
	mine, theirs := labFarm(t, home), labFarm(t, home)
	env := []string{"HOME=" + home, "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "NO_COLOR=1"}
	compare := func(step string) labListing {
		t.Helper()
		want, wantWhere, raw := theirList(t, env, theirs)
		l, got, gotWhere := ourList(t, env, mine)
		rel := func(m map[string]string, root string) map[string]string {
			out := map[string]string{}
			for k, v := range m {
				out[k] = strings.Replace(v, root, "<env>", 1)
			}
			return out
		}
		if !maps.Equal(got, want) || !maps.Equal(rel(gotWhere, mine), rel(wantWhere, theirs)) {
			t.Fatalf("%s: jdash %v %v\njupyter %v %v\n%s", step, got, gotWhere, want, wantWhere, raw)
		}
		t.Logf("%s: jdash and JupyterLab list %d extensions alike: %v\n%s", step, len(got), got, raw)
		return l
	}
	l := compare("as installed")
	for _, e := range l.Extensions {
		if e.Name == "jupyterlab_pygments" && len(e.Shadows) != 1 {
			t.Errorf("jupyterlab_pygments is at the user's and the env's level: one copy wins, shadowing the other: %+v", e)
		}
		if !e.RemoteEntry {
			t.Errorf("%s: remoteEntry not found", e.Name)
		}
	}

	pc := func(prefix string) string {
		b, _ := os.ReadFile(filepath.Join(prefix, "etc", "jupyter", "labconfig", "page_config.json"))
		return string(b)
	}
	for _, step := range [][]string{{"disable", "@voila-dashboards/jupyterlab-preview"}, {"disable", "@jupyter-widgets/jupyterlab-manager"}, {"enable", "@voila-dashboards/jupyterlab-preview"}} {
		if out, err := runEnv(env, jdashBin, "labext", step[0], step[1], "--env", mine); err != nil {
			t.Fatalf("jdash labext %v: %v\n%s", step, err, out)
		}
		if out, err := runEnv(env, filepath.Join(theirs, "bin", "python"), "-m", "jupyterlab.labextensions", step[0], "--level=sys_prefix", step[1]); err != nil {
			t.Fatalf("jupyter labextension %v: %v\n%s", step, err, out)
		}
		if a, b := pc(mine), pc(theirs); a != b || a == "" {
			t.Fatalf("after %v the page_config.json differ:\n jdash:   %q\n jupyter: %q", step, a, b)
		}
		l = compare(strings.Join(step, " "))
	}
	t.Logf("page_config.json after disable, disable, enable (identical to JupyterLab's):\n%s", pc(mine))
	for _, e := range l.Extensions {
		if e.Name == "@jupyter-widgets/jupyterlab-manager" && (e.Enabled || e.DisabledBy == nil || e.DisabledBy.Level != "sys-prefix") {
			t.Errorf("the widgets manager must be disabled by the env's page config: %+v", e)
		}
	}
	// undo: the last enable's change is restored exactly
	before := pc(mine)
	if out, err := runEnv(env, jdashBin, "labext", "enable", "--undo", "--env", mine); err != nil {
		t.Fatalf("undo: %v\n%s", err, out)
	}
	if after := pc(mine); after == before || !strings.Contains(after, `"@voila-dashboards/jupyterlab-preview": true`) {
		t.Errorf("the undo did not restore the disable:\n%s", after)
	}
	// a name no dir has is refused, naming the closest
	out, err := runEnv(env, jdashBin, "labext", "disable", "@voila-dashboards/jupyterlab-previw", "--env", mine)
	if err == nil || !strings.Contains(string(out), "did you mean @voila-dashboards/jupyterlab-preview") {
		t.Errorf("a misspelt name: %v\n%s", err, out)
	}
}

// doctorFindings runs jdash doctor --json on prefix and returns the findings by check.
func doctorFindings(t *testing.T, env []string, prefix string) map[string][]string {
	t.Helper()
	out, _ := runEnv(env, jdashBin, "doctor", "--json", "--env", prefix)
	var doc struct {
		Findings []struct {
			ID, Title string
		} `json:"findings"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, out)
	}
	got := map[string][]string{}
	for _, f := range doc.Findings {
		got[f.ID] = append(got[f.ID], f.Title)
	}
	return got
}

// Doctor's lab findings, each confirmed by what the real JupyterLab says in the same
// situation: a user-level copy of the widgets manager served instead of the env's (L7), the
// user's page config disabling an extension the env enables, a labextension whose Python
// package the env lacks, Lab settings in both settings dirs (L16), a kernel with ipywidgets
// and no widgets frontend in the server's env (L12).
func TestDoctorLabFindingsMatchJupyterLab(t *testing.T) {
	integration(t)
	home := t.TempDir()
	env := []string{"HOME=" + home, "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "NO_COLOR=1", "JUPYTER_PREFER_ENV_PATH=0"}
	lab := farm(t, "modern")
	vo := filepath.Join(requireEnv(t, "voila"), "share", "jupyter", "labextensions")
	envExt, userExt := filepath.Join(lab, "share", "jupyter", "labextensions"), filepath.Join(home, ".local", "share", "jupyter", "labextensions")
	for src, dst := range map[string]string{
		filepath.Join(vo, "@jupyter-widgets", "jupyterlab-manager"):  filepath.Join(envExt, "@jupyter-widgets", "jupyterlab-manager"),
		filepath.Join(vo, "@voila-dashboards", "jupyterlab-preview"): filepath.Join(envExt, "@voila-dashboards", "jupyterlab-preview"),
	} {
		if err := copyTree(src, dst); err != nil {
			t.Fatal(err)
		}
	}
	// L7: an older copy at the user level, first on the data path (JUPYTER_PREFER_ENV_PATH=0)
	old := filepath.Join(userExt, "@jupyter-widgets", "jupyterlab-manager")
	if err := copyTree(filepath.Join(vo, "@jupyter-widgets", "jupyterlab-manager"), old); err != nil {
		t.Fatal(err)
	}
	pj, _ := os.ReadFile(filepath.Join(old, "package.json"))
	os.WriteFile(filepath.Join(old, "package.json"), regexp.MustCompile(`"version": "[^"]*"`).ReplaceAll(pj, []byte(`"version": "5.0.0"`)), 0o644)
	// the user's page config disables Voilà's preview; the env's enables it
	os.MkdirAll(filepath.Join(home, ".jupyter", "labconfig"), 0o755)
	os.WriteFile(filepath.Join(home, ".jupyter", "labconfig", "page_config.json"), []byte(`{"disabledExtensions": {"@voila-dashboards/jupyterlab-preview": true}}`), 0o644)
	os.MkdirAll(filepath.Join(lab, "etc", "jupyter", "labconfig"), 0o755)
	os.WriteFile(filepath.Join(lab, "etc", "jupyter", "labconfig", "page_config.json"), []byte(`{"disabledExtensions": {"@voila-dashboards/jupyterlab-preview": false}}`), 0o644)
	// L16: settings in both dirs
	for _, d := range []string{filepath.Join(home, ".jupyter", "lab", "user-settings", "@jupyterlab", "apputils-extension"), filepath.Join(home, ".config", "jupyter", "lab", "user-settings", "@jupyterlab", "apputils-extension")} {
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "themes.jupyterlab-settings"), []byte(`{"theme": "JupyterLab Dark"}`), 0o644)
	}

	theirs, _, raw := theirList(t, env, lab)
	_, wantWhere, _ := theirList(t, env, lab)
	found := doctorFindings(t, env, lab)
	t.Logf("JupyterLab:\n%s\ndoctor: %v", raw, found)
	// L7: JupyterLab serves the user's 5.0.0; doctor names it
	if theirs["@jupyter-widgets/jupyterlab-manager"] != "5.0.0 enabled" || !strings.HasPrefix(wantWhere["@jupyter-widgets/jupyterlab-manager"], userExt) {
		t.Errorf("JupyterLab does not serve the user's copy: %v %v", theirs, wantWhere)
	}
	if f := found["labext-user-shadow"]; len(f) != 1 || !strings.Contains(f[0], "5.0.0 (user) shadows this env's 5.0.16") {
		t.Errorf("labext-user-shadow: %v", f)
	}
	// the user's disable wins over the env's enable
	if theirs["@voila-dashboards/jupyterlab-preview"] != "2.3.13 disabled" {
		t.Errorf("JupyterLab does not show the preview disabled: %v", theirs)
	}
	if f := found["labext-user-disabled"]; len(f) != 1 || !strings.Contains(f[0], "@voila-dashboards/jupyterlab-preview") {
		t.Errorf("labext-user-disabled: %v", f)
	}
	// loaded, but voila and jupyterlab_widgets are not installed here
	if f := found["labext-package-missing"]; len(f) != 2 {
		t.Errorf("labext-package-missing: %v", f)
	}
	// L16: the two dirs are those JupyterLab uses with and without JUPYTER_PLATFORM_DIRS
	wantDirs := []string{filepath.Join(home, ".jupyter", "lab", "user-settings"), filepath.Join(home, ".config", "jupyter", "lab", "user-settings")}
	for i, mode := range [][]string{nil, {"JUPYTER_PLATFORM_DIRS=1"}} {
		out, err := runEnv(append(slices.Clone(env), mode...), filepath.Join(lab, "bin", "python"), "-m", "jupyterlab", "paths")
		if err != nil {
			t.Fatalf("jupyterlab paths: %v\n%s", err, out)
		}
		m := regexp.MustCompile(`User Settings directory: (\S+)`).FindSubmatch(out)
		if m == nil || string(m[1]) != wantDirs[i] {
			t.Fatalf("jupyterlab paths %v: want %s (doctor's dir)\n%s", mode, wantDirs[i], out)
		}
		t.Logf("JupyterLab %v reads settings from %s", mode, m[1])
	}
	if len(found["lab-settings-split"]) != 1 {
		t.Errorf("lab-settings-split: %v", found["lab-settings-split"])
	}

	// L12: a kernel whose env has ipywidgets, in a server env without the widgets frontend
	// (another HOME: this one holds a copy of it)
	env = []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "NO_COLOR=1"}
	srv := farm(t, "modern")
	widgets := filepath.Join(t.TempDir(), "widgets")
	if out, err := runEnv(env, "/usr/bin/python3", "-m", "venv", widgets); err != nil {
		t.Skipf("python3 -m venv: %v\n%s", err, out)
	}
	if out, err := runEnv(append(slices.Clone(env), "PIP_FIND_LINKS="+filepath.Join(buildDir(), "wheelhouse")), filepath.Join(widgets, "bin", "python"), "-m", "pip", "install", "-q", "--no-deps", "ipywidgets", "ipykernel"); err != nil {
		t.Fatalf("pip: %v\n%s", err, out)
	}
	if out, err := runEnv(env, jdashBin, "kernel", "add", widgets, "--env", srv); err != nil {
		t.Fatalf("kernel add: %v\n%s", err, out)
	}
	srvList, _, srvRaw := theirList(t, env, srv)
	if _, ok := srvList["@jupyter-widgets/jupyterlab-manager"]; ok {
		t.Fatalf("the server env has the widgets frontend:\n%s", srvRaw)
	}
	if f := doctorFindings(t, env, srv)["frontend-ext-missing"]; len(f) != 1 {
		t.Errorf("frontend-ext-missing: %v (JupyterLab lists no @jupyter-widgets/jupyterlab-manager:\n%s)", f, srvRaw)
	}
}

// setup --profile modern sets the lab side up at the env's level: the widgets' manager, Voilà's
// preview and the gridstack editor, installed by their packages, are there and enabled (a
// disable at the env's level is undone, and the dry run shows it), as JupyterLab lists them.
func TestSetupModernLabSide(t *testing.T) {
	integration(t)
	venv := copyTestEnv(t, "modern")
	env := []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "NO_COLOR=1", "PIP_FIND_LINKS=" + filepath.Join(buildDir(), "wheelhouse")}
	if out, err := runEnv(env, jdashBin, "setup", "--profile", "modern", "--install", "--yes", "--env", venv); err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	want := []string{"@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/jupyterlab-preview", "@voila-dashboards/jupyterlab-gridstack"}
	check := func(step string) {
		t.Helper()
		theirs, where, raw := theirList(t, env, venv)
		for _, n := range want {
			if !strings.HasSuffix(theirs[n], " enabled") || !strings.HasPrefix(where[n], venv) {
				t.Fatalf("%s: JupyterLab does not list %s enabled in the env:\n%s", step, n, raw)
			}
		}
		t.Logf("%s: JupyterLab lists the profile's extensions enabled in the env:\n%s", step, raw)
	}
	check("after setup")
	// disabled at the env's level (by hand, or an old jupyter labextension disable): setup's dry
	// run shows the page config it would write, and setup enables it again
	if out, err := runEnv(env, jdashBin, "labext", "disable", "@voila-dashboards/jupyterlab-preview", "--env", venv); err != nil {
		t.Fatalf("labext disable: %v\n%s", err, out)
	}
	dry, err := runEnv(env, jdashBin, "setup", "--env", venv, "--dry-run")
	if err != nil || !strings.Contains(string(dry), filepath.Join(venv, "etc", "jupyter", "labconfig", "page_config.json")) || !strings.Contains(string(dry), `+    "@voila-dashboards/jupyterlab-preview": false`) {
		t.Fatalf("setup --dry-run does not show the lab change: %v\n%s", err, dry)
	}
	if out, err := runEnv(env, jdashBin, "setup", "--env", venv); err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	check("after a disable and setup again")
}

// In a browser: JupyterLab from jdash up shows Notebook 7's interface switcher (a "Notebook"
// button, or "Open in..." with several interfaces) in a notebook's toolbar; after `jdash labext disable @jupyter-notebook/lab-extension` a
// reloaded page lacks it, and after `enable` it is back.
func TestLabextInBrowser(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	lab := farm(t, "modern")
	dir := filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(dir, 0o755)
	port := freePort(t)
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf("services:\n  lab: {env: %s, kind: lab, port: %d}\n", lab, port)), 0o644)
	os.WriteFile(filepath.Join(dir, "hello.ipynb"), []byte(helloNotebook), 0o644)
	const ext = "@jupyter-notebook/lab-extension"
	toggle := func(verb string) {
		t.Helper()
		if out, errs, code := jdashIn(t, env, dir, "labext", verb, ext, "--env", lab); code != 0 {
			t.Fatalf("labext %s: %d\n%s\n%s", verb, code, out, errs)
		}
	}
	toggle("disable")
	upStack(t, env, dir)
	url := fmt.Sprintf("http://127.0.0.1:%d/lab/tree/hello.ipynb?token=%s", port, token(ps(t, env, dir).url("lab")))
	d := newDriver(t)
	switcher := func(step, shot string) bool {
		d.do(step, 90*time.Second, chromedp.Navigate(url), chromedp.WaitVisible(`.jp-NotebookPanel-toolbar .jp-Toolbar-item`, chromedp.ByQuery))
		time.Sleep(2 * time.Second) // the toolbar's items come from every plugin's settings
		var present bool
		// one other interface: a "Notebook" button; several: an "Open in..." menu
		d.eval("the interface switcher", `!!document.querySelector('.jp-NotebookPanel-toolbar [data-jp-item-name="interfaceSwitcher"], .jp-NotebookPanel-toolbar .jp-InterfaceSwitcher') ||
			[...document.querySelectorAll('.jp-NotebookPanel-toolbar .jp-ToolbarButtonComponent-label')].some(e => e.textContent.trim() === 'Notebook')`, &present)
		d.shot(shot)
		return present
	}
	if switcher("open the notebook, the extension disabled", "labext-disabled") {
		t.Fatalf("%s is disabled, yet its interface switcher is in the notebook's toolbar", ext)
	}
	toggle("enable")
	if !switcher("reload, the extension enabled", "labext-enabled") {
		t.Fatalf("%s is enabled again, yet the notebook's toolbar has no interface switcher", ext)
	}
	t.Logf("browser: with %s disabled by jdash labext the notebook toolbar has no \"Notebook\" switcher; enabled again, a reload shows it", ext)
}
