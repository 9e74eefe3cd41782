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
