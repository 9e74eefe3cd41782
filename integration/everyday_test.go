package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The stack made only from jdash's profiles (issue 21, item 1): a classic env set up with
// `setup --profile classic --install` and the gateway env of `--profile gateway`. The
// gateway runs python3 in the notebook's env, so a widget cell of a notebook saved with
// python3 imports the widgets setup installed, and the slider renders.
func TestProfileStackRunsAWidgetCell(t *testing.T) {
	integration(t)
	nb, gw := freshClassic(t), requireEnv(t, "gateway")
	env := append(stackEnv(t), "PIP_FIND_LINKS="+filepath.Join(buildDir(), "wheelhouse"))
	if out, errs, code := jdashIn(t, env, t.TempDir(), "setup", "--profile", "classic", "--install", "--env", nb); code != 0 {
		t.Fatalf("setup: %d\n%s\n%s", code, out, errs)
	}
	dir := filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(dir, 0o755)
	port := freePort(t)
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf("services:\n  nb: {env: %s, kind: classic, port: %d}\n  gw: {env: %s, kind: kernel_gateway, port: %d}\n", nb, port, gw, freePort(t))), 0o644)
	os.WriteFile(filepath.Join(dir, "widgets.ipynb"), []byte(`{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ""}],
 "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}`), 0o644)

	out, errs, code := jdashIn(t, env, dir, "up", "--dry-run")
	if code != 0 || !strings.Contains(out, "kernels: python3 runs in "+nb+" (on gateway gw)") {
		t.Fatalf("the dry run does not say the notebook's kernels run in its env: %d\n%s\n%s", code, out, errs)
	}
	if out, errs, code = jdashIn(t, env, dir, "up", "-d"); code != 0 {
		t.Fatalf("up: %d\n%s\n%s", code, out, errs)
	}
	t.Cleanup(func() { jdashIn(t, env, dir, "down") })
	if !strings.Contains(errs, "nb: python3 kernels run in "+nb+" (on gateway gw)") || strings.Contains(errs, "warning:") {
		t.Errorf("pre-flight does not say where the kernels run, or warns:\n%s", errs)
	}
	psOut, _, _ := jdashIn(t, env, dir, "ps")
	if !strings.Contains(psOut, "gw: python3 kernels run in "+nb) {
		t.Errorf("ps does not say where the gateway's kernels run:\n%s", psOut)
	}

	d := newDriver(t)
	url := strings.Replace(ps(t, env, dir).url("nb"), "/tree?", "/notebooks/widgets.ipynb?", 1)
	got := d.runClassicCell(url, "import sys, ipywidgets; print(sys.prefix, ipywidgets.__version__); ipywidgets.IntSlider(value=7, description='seven')", "profile-stack-widget")
	if !strings.HasPrefix(got, nb+" 7.") {
		t.Fatalf("the cell ran in %q, want the notebook env %s with widgets 7", got, nb)
	}
	d.waitJS("the slider renders", `[...document.querySelectorAll('.cell.code_cell .widget-slider .widget-readout')].some(e => e.textContent.trim() === '7')`, 30*time.Second)
	d.shot("profile-stack-slider")
	t.Logf("profile-only stack: the cell ran on the gateway in %q and its slider rendered", got)
}

// `jdash env create` then `jdash up` with no jdash.yaml (issue 21, item 2): up runs the env
// just created here, not the distribution's Jupyter on PATH, and says why; a cell runs in it.
func TestEnvCreateThenUp(t *testing.T) {
	integration(t)
	requireEnv(t, "modern") // its wheels are in the wheelhouse
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	if !portFree(8888) {
		t.Skip("port 8888 is taken on this machine: the zero-config default uses it")
	}
	envs := t.TempDir()
	env := append(stackEnv(t), "JDASH_ENVS_DIR="+envs, "PIP_FIND_LINKS="+filepath.Join(buildDir(), "wheelhouse"))
	dir := filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "hello.ipynb"), []byte(helloNotebook), 0o644)
	out, errs, code := jdashIn(t, env, dir, "env", "create", "mine", "--profile", "modern")
	if code != 0 || !strings.Contains(out, "next: jdash up") {
		t.Fatalf("env create: %d\n%s\n%s", code, out, errs)
	}
	mine := filepath.Join(envs, "mine")
	if out, errs, code = jdashIn(t, env, dir, "up", "-d"); code != 0 {
		t.Fatalf("up: %d\n%s\n%s", code, out, errs)
	}
	t.Cleanup(func() { jdashIn(t, env, dir, "down") })
	if !strings.Contains(errs, "the default stack runs "+mine+", the env jdash set up or created last here (jdash env create mine") {
		t.Errorf("up does not say it runs the env created here:\n%s", errs)
	}
	d := ps(t, env, dir)
	if len(d.Services) == 0 || d.Services[0].Kind != "notebook7" || d.Services[0].Status != "ready" {
		t.Fatalf("the default stack: %+v", d)
	}
	url := strings.Replace(d.url("notebook"), "/tree?", "/notebooks/hello.ipynb?", 1)
	got := newDriver(t).runLabCell(url, "import sys; print(6*7, sys.prefix)", "env-create-up-cell")
	if got != "42 "+mine {
		t.Fatalf("the cell printed %q, want 42 and %s", got, mine)
	}
	t.Logf("env create, then up with no jdash.yaml: %s; the cell printed %q", strings.TrimSpace(errs), got)
}

// The modern profile over a classic env (issue 21, item 3): pip's plan is shown before it runs,
// and changing notebook 6 to 7 waits for --yes; the undo names the package changes it leaves,
// with the pip command that reverts them.
func TestSetupModernOverClassicAsks(t *testing.T) {
	integration(t)
	venv := freshClassic(t)
	env := append(stackEnv(t), "PIP_FIND_LINKS="+filepath.Join(buildDir(), "wheelhouse"))
	version := func() string {
		out, err := runEnv(env, filepath.Join(venv, "bin", "python"), "-c", "import importlib.metadata as m; print(m.version('notebook'))")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	out, errs, code := jdashIn(t, env, t.TempDir(), "setup", "--profile", "modern", "--install", "--env", venv)
	if code != 2 || !strings.Contains(errs, "warning: installing the modern profile changes the major version of") || !strings.Contains(errs, "notebook 6.5.7 → 7.") || !strings.Contains(errs, "needs --yes") {
		t.Fatalf("modern over classic without --yes: %d\n%s\n%s", code, out, errs)
	}
	if v := version(); v != "6.5.7" {
		t.Fatalf("refused, yet notebook is %s", v)
	}
	warning := strings.TrimSpace(errs)
	if out, errs, code = jdashIn(t, env, t.TempDir(), "setup", "--profile", "modern", "--install", "--env", venv, "--yes"); code != 0 {
		t.Fatalf("with --yes: %d\n%s\n%s", code, out, errs)
	}
	if v := version(); !strings.HasPrefix(v, "7.") {
		t.Fatalf("notebook %s after the install", v)
	}
	if out, errs, code = jdashIn(t, env, t.TempDir(), "setup", "--undo", "--env", venv); code != 0 || !strings.Contains(errs, "not undone: the packages that setup's install changed (") ||
		!strings.Contains(errs, "to put the replaced versions back: "+filepath.Join(venv, "bin", "python")+" -m pip install") || !strings.Contains(errs, "'notebook==6.5.7'") {
		t.Fatalf("undo: %d\n%s\n%s", code, out, errs)
	}
	t.Logf("without --yes:\n%s\nthe undo:\n%s", warning, strings.TrimSpace(errs))
}
