package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Doctor on the common machine: Debian's own Jupyter installed (jupyter-notebook and
// python3-ipywidgets from apt, which scripts/debian-jupyter.sh installs: the widgets enable in
// /etc/jupyter/nbconfig/notebook.d, a python3 kernelspec for /usr/bin/python3, /usr/bin/jupyter-*).
// No system root is faked here: doctor reads the real /etc and /usr.
func TestDoctorOnDistributionJupyter(t *testing.T) {
	integration(t)
	if _, err := os.Stat("/etc/debian_version"); err != nil {
		t.Skip("not a Debian-like machine")
	}
	if out, err := exec.Command("/usr/bin/python3", "-I", "-c", "import notebook, ipywidgets").CombinedOutput(); err != nil {
		t.Fatalf("Debian's jupyter-notebook and python3-ipywidgets are not installed (scripts/debian-jupyter.sh installs them): %v\n%s", err, out)
	}
	venv := freshClassic(t)
	home := filepath.Join(t.TempDir(), "home")
	os.MkdirAll(home, 0o755)
	base := []string{"HOME=" + home, "XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"), "NO_COLOR=1", "LC_ALL=C.UTF-8"}
	setupEnv := append(base, "PATH=/usr/bin:/bin", "PIP_FIND_LINKS="+filepath.Join(buildDir(), "wheelhouse"))
	if out, err := runEnv(setupEnv, jdashBin, "setup", "--env", venv, "--install"); err != nil {
		t.Fatalf("setup: %v\n%s", err, tail(string(out), 10))
	}
	activated := append(base, "PATH="+filepath.Join(venv, "bin")+":/usr/bin:/bin", "VIRTUAL_ENV="+venv)

	// a clean, set-up, activated venv: no error, no warning
	out, _, code := runDoctor(t, activated, "--env", venv)
	if code != 0 || !strings.Contains(out, "No issues found") {
		t.Errorf("doctor on a clean set-up venv over Debian's Jupyter: exit %d\n%s", code, out)
	}
	t.Logf("doctor, clean set-up venv on a machine with Debian's Jupyter:\n%s", out)

	// the distribution's env itself: whatever it reports, a fix it calls automatic acts
	out, _, _ = runDoctor(t, activated, "--env", "/usr")
	t.Logf("doctor --env /usr:\n%s", out)
	if strings.Contains(out, "doctor --fix") {
		dry, errs, _ := runDoctor(t, activated, "--env", "/usr", "--fix", "--dry-run")
		if strings.Contains(dry+errs, "nothing to fix") {
			t.Errorf("doctor offers --fix for /usr, and --fix has nothing to do:\n%s\n%s", out, dry+errs)
		}
	}
	if strings.Contains(out, "jupyter nbextension disable --system") && !strings.Contains(out, "not: jupyter nbextension disable --system") {
		t.Errorf("doctor advises editing the package's file:\n%s", out)
	}

	// leaky: a --user enable without files, a setting the UI saved in ~/.jupyter, and the env
	// not activated (Debian's /usr/bin/jupyter-* first on PATH)
	nbconfig := filepath.Join(home, ".jupyter", "nbconfig")
	os.MkdirAll(nbconfig, 0o755)
	os.WriteFile(filepath.Join(nbconfig, "notebook.json"), []byte(`{"load_extensions": {"ghostext/main": true}}`), 0o644)
	os.WriteFile(filepath.Join(nbconfig, "common.json"), []byte(`{"nbext_hide_incompat": false}`), 0o644)
	leaky := append(base, "PATH=/usr/bin:/bin:"+filepath.Join(venv, "bin"))
	r, code := doctorJSON(t, leaky, "--env", venv)
	if code != 3 {
		t.Errorf("doctor on the leaky machine: exit %d\n%s", code, titles(r))
	}
	ghost := find(r, "nbext-missing-js", "ghostext/main")
	if ghost == nil || !ghost.Fix.Auto {
		t.Errorf("no fixable finding for the --user ghostext enable:\n%s", titles(r))
	}
	if find(r, "ui-config-user", "nbext_hide_incompat") == nil {
		t.Errorf("the setting the UI saved in ~/.jupyter is not reported as such:\n%s", titles(r))
	}
	onPath := 0
	for _, f := range r.Findings {
		if f.ID == "jupyter-on-path" {
			onPath++
			if !strings.Contains(f.Title, "/usr/bin's copies") || !strings.Contains(f.Title, "notebook") {
				t.Errorf("PATH finding: %s", f.Title)
			}
		}
	}
	if onPath != 1 {
		t.Errorf("%d jupyter-on-path findings for one cause:\n%s", onPath, titles(r))
	}
	text, _, _ := runDoctor(t, leaky, "--env", venv)
	t.Logf("doctor on the leaky machine:\n%s", text)

	// --fix drops the enable no env has files for; real Jupyter then lists no ghostext
	if out, errs, code := runDoctor(t, leaky, "--env", venv, "--fix", "--yes"); code != 0 {
		t.Fatalf("doctor --fix: %d\n%s\n%s", code, out, errs)
	}
	r, code = doctorJSON(t, leaky, "--env", venv)
	if code != 0 || find(r, "nbext-missing-js", "ghostext") != nil {
		t.Errorf("after --fix: exit %d\n%s", code, titles(r))
	}
	list, _ := runEnv(activated, filepath.Join(venv, "bin", "python"), "-m", "notebook.nbextensions", "list")
	if strings.Contains(string(list), "ghostext") {
		t.Errorf("real Jupyter still lists ghostext after --fix:\n%s", list)
	}
	if r.Findings != nil && find(r, "ui-config-user", "") == nil {
		t.Errorf("the UI-saved setting is still there and must still be reported:\n%s", titles(r))
	}
}
