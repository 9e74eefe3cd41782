package integration

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/jdash-dev/jdash/internal/doctor"
)

// doctorEnv is a clean machine for doctor: a fresh HOME, machine-wide dirs under a root of
// their own, the envs dirs given, the env's own bin first on PATH.
func doctorEnv(t *testing.T, home, bin string, envDirs ...string) []string {
	t.Helper()
	env := []string{"HOME=" + home, "PATH=" + bin + ":/usr/bin:/bin", "JDASH_SYSTEM_ROOT=" + filepath.Join(home, "..", "sysroot"), "NO_COLOR=1"}
	if len(envDirs) > 0 {
		env = append(env, "JDASH_ENV_DIRS="+strings.Join(envDirs, ":"))
	}
	return env
}

// runDoctor runs jdash doctor and returns stdout, stderr and the exit code.
func runDoctor(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	return jdashIn(t, env, "", append([]string{"doctor"}, args...)...)
}

func doctorJSON(t *testing.T, env []string, args ...string) (doctor.Report, int) {
	t.Helper()
	out, errs, code := runDoctor(t, env, append(args, "--json")...)
	var r doctor.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("doctor --json: %v\n%s\n%s", err, out, errs)
	}
	return r, code
}

func find(r doctor.Report, id, inTitle string) *doctor.Finding {
	for i, f := range r.Findings {
		if f.ID == id && strings.Contains(f.Title, inTitle) {
			return &r.Findings[i]
		}
	}
	return nil
}

func titles(r doctor.Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "  %s %s: %s\n", f.Severity, f.ID, f.Title)
	}
	return b.String()
}

// A clean env of each real kind in a clean HOME: exit 0, no error or warning, and the env's
// own interpreter (--deep) agrees with jdash's model on every real env.
func TestDoctorCleanRealEnvs(t *testing.T) {
	integration(t)
	for _, name := range TestEnvNames {
		t.Run(name, func(t *testing.T) {
			prefix := requireEnv(t, name)
			home := filepath.Join(t.TempDir(), "home")
			os.MkdirAll(home, 0o755)
			env := append(doctorEnv(t, home, filepath.Join(prefix, "bin")), "VIRTUAL_ENV="+prefix)
			for _, deep := range []bool{false, true} {
				args := []string{"--env", prefix}
				if deep {
					args = append(args, "--deep")
				}
				r, code := doctorJSON(t, env, args...)
				if code != 0 || r.Summary.Errors != 0 || r.Summary.Warnings != 0 {
					t.Errorf("doctor %v: exit %d, %+v\n%s", args, code, r.Summary, titles(r))
				}
			}
		})
	}
}

// A leaky HOME over real envs: each planted leak is found with its evidence and severity, and
// real Jupyter shows the same leak.
func TestDoctorFindsWhatJupyterShows(t *testing.T) {
	integration(t)
	classic, conda := farm(t, "classic"), farm(t, "conda")
	core4 := requireEnv(t, "core4")
	home := filepath.Join(t.TempDir(), "home")
	py := filepath.Join(classic, "bin", "python")
	write := func(path, content string, mode os.FileMode) {
		t.Helper()
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	kernels := filepath.Join(home, ".local", "share", "jupyter", "kernels")
	// L1: a stale python3 spec for the user, running another env's Python
	write(filepath.Join(kernels, "python3", "kernel.json"), fmt.Sprintf(`{"argv": [%q, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "Python 3", "language": "python"}`, filepath.Join(conda, "bin", "python")), 0o644)
	// L2: a spec of a deleted env
	write(filepath.Join(kernels, "gone", "kernel.json"), `{"argv": ["/nonexistent/envs/gone/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "gone", "language": "python"}`, 0o644)
	// I-2 (L5): the old --user server extension; a token in a file others can read; a port
	// that this test process holds
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldPort := held.Addr().(*net.TCPAddr).Port
	write(filepath.Join(home, ".jupyter", "jupyter_notebook_config.json"), fmt.Sprintf(`{"NotebookApp": {"nbserver_extensions": {"nbextensions": true}, "token": "leaked-token", "port": %d}}`, heldPort), 0o644)
	// L6: one nbextension at the user and the env level
	write(filepath.Join(home, ".jupyter", "nbconfig", "notebook.json"), `{"load_extensions": {"demo/main": false}}`, 0o644)
	write(filepath.Join(classic, "etc", "jupyter", "nbconfig", "notebook.json"), `{"load_extensions": {"demo/main": true}}`, 0o644)
	write(filepath.Join(classic, "share", "jupyter", "nbextensions", "demo", "main.js"), "define([], function () { return {load_ipython_extension: function () {}}; });\n", 0o644)
	// L4: the user site shadows traitlets (conda layout: not a venv, the user site comes first)
	us := filepath.Join(home, ".local", "lib", "python3.11", "site-packages")
	write(filepath.Join(us, "traitlets", "__init__.py"), "__version__ = '4.0.0'\n", 0o644)
	write(filepath.Join(us, "traitlets-4.0.0.dist-info", "METADATA"), "Metadata-Version: 2.1\nName: traitlets\nVersion: 4.0.0\n", 0o644)
	// L11: an IPython startup file importing what the env lacks
	write(filepath.Join(home, ".ipython", "profile_default", "startup", "00-tools.py"), "import missingmod_jdash\n", 0o644)
	// a stale runtime file
	write(filepath.Join(home, ".local", "share", "jupyter", "runtime", "nbserver-4000001.json"), `{"pid": 4000001}`, 0o644)

	// L14 and L9: another env's scripts dir before this env's on PATH; JUPYTER_PATH exported
	env := doctorEnv(t, home, filepath.Join(core4, "bin")+":"+filepath.Join(classic, "bin"), filepath.Dir(classic), filepath.Dir(conda))
	env = append(env, "JUPYTER_PATH="+filepath.Join(conda, "share", "jupyter"))
	userFirst := append(slices.Clone(env), "JUPYTER_PREFER_ENV_PATH=0")

	r, code := doctorJSON(t, userFirst, "--env", classic)
	if code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
	must := func(id, inTitle string, sev doctor.Severity) *doctor.Finding {
		t.Helper()
		f := find(r, id, inTitle)
		if f == nil {
			t.Fatalf("no %s finding with %q:\n%s", id, inTitle, titles(r))
		}
		if f.Severity != sev {
			t.Errorf("%s: severity %s, want %s", id, f.Severity, sev)
		}
		return f
	}

	// L1, confirmed by jupyter kernelspec list in the env under the same order
	f := must("kernel-python3-shadow", filepath.Join(conda, "bin", "python"), doctor.Error)
	if f.Evidence[0].Path != filepath.Join(kernels, "python3", "kernel.json") || f.Evidence[0].Level != "user" || !strings.Contains(f.Why, `JUPYTER_PREFER_ENV_PATH="0" is a false value`) {
		t.Errorf("L1 evidence/why: %+v / %s", f.Evidence, f.Why)
	}
	out, err := jupyterApp(userFirst, py, "jupyter_client.kernelspecapp", "KernelSpecApp", "list", "--json")
	var specs struct {
		Kernelspecs map[string]struct {
			ResourceDir string `json:"resource_dir"`
			Spec        struct{ Argv []string }
		}
	}
	if err != nil || json.Unmarshal(lastJSON(out), &specs) != nil {
		t.Fatalf("jupyter kernelspec list: %v\n%s", err, out)
	}
	if k := specs.Kernelspecs["python3"]; k.ResourceDir != filepath.Join(kernels, "python3") || k.Spec.Argv[0] != filepath.Join(conda, "bin", "python") {
		t.Errorf("jupyter kernelspec list does not show the leak doctor reports: %+v", k)
	}
	// L2, confirmed by starting the kernel the way a notebook does
	must("kernel-dangling", "/nonexistent/envs/gone/bin/python", doctor.Error)
	out, err = runEnv(userFirst, py, "-c", "from jupyter_client.manager import start_new_kernel; start_new_kernel(kernel_name='gone')")
	if err == nil || !strings.Contains(string(out), "/nonexistent/envs/gone/bin/python") {
		t.Errorf("starting the dangling kernel: %v\n%s", err, out)
	}
	// L6, confirmed by jupyter nbextension list
	f = must("ext-several-levels", "demo/main", doctor.Warning)
	if !strings.Contains(f.Title, "user wins") {
		t.Errorf("L6 title %q: the user level wins under JUPYTER_PREFER_ENV_PATH=0", f.Title)
	}
	out, _ = jupyterApp(userFirst, py, "notebook.nbextensions", "NBExtensionApp", "list")
	if strings.Count(string(out), "demo/main") < 2 {
		t.Errorf("jupyter nbextension list does not show demo/main at two levels:\n%s", out)
	}
	// L9, confirmed by jupyter --paths
	must("jupyter-env-vars", "JUPYTER_PATH", doctor.Warning)
	out, _ = runEnv(userFirst, py, "-m", "jupyter", "--paths", "--json")
	if !strings.Contains(string(out), filepath.Join(conda, "share", "jupyter")) {
		t.Errorf("jupyter --paths does not list JUPYTER_PATH:\n%s", out)
	}
	// L14, confirmed by jupyter troubleshoot run from this env
	// (one finding for core4's bin dir, listing every subcommand it takes over)
	must("jupyter-on-path", "troubleshoot", doctor.Warning)
	out, _ = runEnv(userFirst, py, "-m", "jupyter", "troubleshoot")
	if !strings.Contains(string(out), core4) {
		t.Errorf("jupyter troubleshoot from the classic env did not run core4's:\n%s", tail(string(out), 20))
	}
	// L11, confirmed by IPython itself
	must("ipython-profile", "missingmod_jdash", doctor.Warning)
	out, _ = runEnv(userFirst, py, "-m", "IPython", "-c", "pass")
	if !strings.Contains(string(out), "missingmod_jdash") {
		t.Errorf("IPython did not report the startup file:\n%s", out)
	}
	must("secret-in-config", "NotebookApp.token", doctor.Error)
	must("port-in-use", fmt.Sprintf("port %d, configured for this env's server, is held by PID %d", heldPort, os.Getpid()), doctor.Warning)
	must("runtime-stale", "4000001", doctor.Warning)
	if find(r, "user-site-shadow", "") != nil {
		t.Errorf("a plain venv got a user-site finding:\n%s", titles(r))
	}
	if strings.Contains(mustJSON(t, r), "leaked-token") {
		t.Error("the token leaked into doctor's output")
	}

	// I-2 (L5), confirmed by the real notebook server's log
	f = must("serverext-not-importable", "nbextensions", doctor.Error)
	// the conda-layout env has jupyter_core only: no server there reads server extensions
	if !slices.Contains(f.Affects, classic) || slices.Contains(f.Affects, conda) {
		t.Errorf("I-2 affects %v, want the classic env and not the conda one (no server)", f.Affects)
	}
	port := freePort(t)
	srvEnv := append(slices.Clone(userFirst), "JUPYTER_TOKEN=jdash-test")
	s := startServer(t, py, srvEnv, port, "-m", "notebook", "--no-browser", fmt.Sprintf("--port=%d", port), "--NotebookApp.token=jdash-test")
	log, _ := os.ReadFile(s.log)
	if !strings.Contains(string(log), "Error loading server extension nbextensions") {
		t.Errorf("the notebook server did not log the failing --user extension:\n%s", tail(string(log), 30))
	}
	s.stop()

	// L4 on the conda layout, confirmed by its Python's import
	rc, _ := doctorJSON(t, env, "--env", conda)
	f = find(rc, "user-site-shadow", "Jupyter packages")
	if f == nil || f.Severity != doctor.Error || !strings.Contains(f.Evidence[0].Detail, "traitlets 4.0.0") {
		t.Fatalf("no L4 error on the conda env:\n%s", titles(rc))
	}
	out, _ = runEnv(env, filepath.Join(conda, "bin", "python"), "-c", "import traitlets; print(traitlets.__file__)")
	if !strings.HasPrefix(strings.TrimSpace(string(out)), us) {
		t.Errorf("the conda env's Python imports traitlets from %s, not the user site", out)
	}
	// --deep agrees with the model on the leaky machine too
	rd, _ := doctorJSON(t, userFirst, "--env", classic, "--deep")
	if d := find(rd, "deep-mismatch", ""); d != nil {
		t.Errorf("--deep disagrees: %s %+v", d.Title, d.Evidence)
	}

	// the human report: groups, evidence with ~, the why, the fix
	text, _, _ := runDoctor(t, userFirst, "--env", classic)
	for _, want := range []string{"[✗] kernels", "~/.local/share/jupyter/kernels/python3/kernel.json (user)", "why: ", "fix: "} {
		if !strings.Contains(text, want) {
			t.Errorf("human output lacks %q:\n%s", want, text)
		}
	}
	os.WriteFile(filepath.Join(buildDir(), "artifacts", "doctor-leaky-home.txt"), []byte(text), 0o644)
}

// --fix then doctor again: clean; --undo: byte-identical; real Jupyter sees the env's own
// kernel again after the fix.
func TestDoctorFixUndoRealEnv(t *testing.T) {
	integration(t)
	classic, conda := farm(t, "classic"), farm(t, "conda")
	home := filepath.Join(t.TempDir(), "home")
	write := func(path, content string) {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kernels := filepath.Join(home, ".local", "share", "jupyter", "kernels")
	write(filepath.Join(kernels, "python3", "kernel.json"), fmt.Sprintf(`{"argv": [%q, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "Python 3", "language": "python"}`, filepath.Join(conda, "bin", "python")))
	write(filepath.Join(kernels, "gone", "kernel.json"), `{"argv": ["/nonexistent/bin/python"], "display_name": "gone", "language": "python"}`)
	write(filepath.Join(home, ".jupyter", "jupyter_notebook_config.json"), "{\n  \"NotebookApp\": {\n    \"nbserver_extensions\": {\n      \"nbextensions\": true,\n      \"nbclassic\": true\n    }\n  }\n}")
	write(filepath.Join(home, ".local", "share", "jupyter", "runtime", "nbserver-4000002.json"), `{}`)
	env := append(doctorEnv(t, home, filepath.Join(classic, "bin"), filepath.Dir(classic), filepath.Dir(conda)), "JUPYTER_PREFER_ENV_PATH=0")
	py := filepath.Join(classic, "bin", "python")

	tree := func() string { return homeTree(t, home) + listTree(t, filepath.Join(classic, "etc")) }
	before := tree()
	if _, _, code := runDoctor(t, env, "--env", classic); code != 3 {
		t.Fatalf("leaky: exit %d, want 3", code)
	}
	faultInjectDoctorFix(t, env, classic, tree, before)
	out, errs, code := runDoctor(t, env, "--env", classic, "--fix", "--yes")
	if code != 0 || !strings.Contains(out, "No issues found") {
		t.Fatalf("after --fix: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "fixed: moved server extension nbclassic from "+filepath.Join(home, ".jupyter", "jupyter_notebook_config.json")) ||
		!strings.Contains(errs, "fixed: removed server extension nbextensions") {
		t.Errorf("nbclassic (installed here) was not moved to the env level, or nbextensions (nowhere) not removed:\n%s", errs)
	}
	// real Jupyter: the env's own python3 again, the configurator enabled at the env level only
	ks, _ := jupyterApp(env, py, "jupyter_client.kernelspecapp", "KernelSpecApp", "list", "--json")
	if !strings.Contains(string(ks), filepath.Join(classic, "share", "jupyter", "kernels", "python3")) || strings.Contains(string(ks), "gone") {
		t.Errorf("jupyter kernelspec list after the fix:\n%s", ks)
	}
	se, _ := jupyterApp(env, py, "notebook.serverextensions", "ServerExtensionApp", "list")
	if !strings.Contains(string(se), filepath.Join(classic, "etc", "jupyter")) || !strings.Contains(string(se), "nbclassic") || strings.Contains(string(se), "nbextensions") {
		t.Errorf("jupyter serverextension list after the fix:\n%s", se)
	}
	if _, errs, code := runDoctor(t, env, "--env", classic, "--undo"); code != 2 || !strings.Contains(errs, "--yes") {
		t.Errorf("--undo outside the env without --yes: exit %d\n%s", code, errs)
	}
	if _, errs, code := runDoctor(t, env, "--env", classic, "--undo", "--yes"); code != 0 {
		t.Fatalf("--undo: exit %d\n%s", code, errs)
	}
	// (the real Jupyter commands above made ~/.ipython and ~/.jupyter/migrated)
	after := homeTree(t, home) + listTree(t, filepath.Join(classic, "etc"))
	var kept []string
	for _, l := range strings.Split(after, "\n") {
		if !strings.HasPrefix(l, ".ipython") && !strings.HasPrefix(l, ".jupyter/migrated") {
			kept = append(kept, l)
		}
	}
	if after = strings.Join(kept, "\n"); after != before {
		t.Errorf("--undo did not restore the exact files:\n%s", treeDiff(before, after))
	}
}

// lastJSON is the last line of output that starts a JSON document (jupyter may warn first).
func lastJSON(out []byte) []byte {
	s := string(out)
	if i := strings.Index(s, "{"); i >= 0 {
		return []byte(s[i:])
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// jupyterApp runs a Jupyter CLI app in the env's own Python (not through the jupyter command,
// which looks its subcommands up on PATH and could run another env's: L14).
func jupyterApp(env []string, py, module, class string, args ...string) ([]byte, error) {
	return runEnv(env, py, append([]string{"-c", fmt.Sprintf("from %s import %s; %s.launch_instance()", module, class, class)}, args...)...)
}

// faultInjectDoctorFix kills doctor --fix at every k-th fault point: running it again
// finishes the fix exactly, and the undo (of the killed run, or of the finished one) restores
// the leaky state byte for byte.
func faultInjectDoctorFix(t *testing.T, env []string, prefix string, tree func() string, original string) {
	bin := faultBinary(t)
	fix := []string{"doctor", "--env", prefix, "--fix", "--yes"}
	undo := []string{"doctor", "--env", prefix, "--undo", "--yes"}
	// each kill starts from the same state: the leaky HOME and no jdash state (the old bytes
	// are stored once per content: a second run has fewer points)
	fresh := func() { os.RemoveAll(filepath.Join(prefix, ".jdash")) }
	out, _ := runEnv(append(slices.Clone(env), "JDASH_FAULT_COUNT=1"), bin, fix...)
	total := faultCount(t, out)
	fixed := tree()
	if out, err := runEnv(env, bin, undo...); err != nil || tree() != original {
		t.Fatalf("undo: %v\n%s\n%s", err, out, treeDiff(original, tree()))
	}
	fresh()
	kills := 0
	for at := 1; at <= total; at++ {
		out, _ := runEnv(append(slices.Clone(env), fmt.Sprintf("JDASH_FAULT_AT=%d", at)), bin, fix...)
		if !strings.Contains(string(out), "fault: killed at point") {
			t.Fatalf("point %d of %d: not killed:\n%s", at, total, tail(string(out), 3))
		}
		kills++
		if at%2 == 0 {
			if out, err := runEnv(env, bin, fix...); err != nil || tree() != fixed {
				t.Fatalf("point %d: fix again did not finish the killed run: %v\n%s\n%s", at, err, out, treeDiff(fixed, tree()))
			}
		}
		if out, err := runEnv(env, bin, undo...); err != nil || tree() != original {
			t.Fatalf("point %d: the undo is not exact: %v\n%s\n%s", at, err, out, treeDiff(original, tree()))
		}
		fresh()
	}
	t.Logf("fault injection: doctor --fix has %d fault points; killed at each, all recovered exactly", total)
}

// Unreadable dirs and files (doctor run as nobody over root-owned 0700 dirs): findings naming
// them, never a crash, never a write.
func TestDoctorUnreadable(t *testing.T) {
	integration(t)
	uid, gid, root, prefix := rootOwnedEnv(t)
	home := filepath.Join(root, "home")
	locked := filepath.Join(home, ".local", "share", "jupyter", "kernels")
	os.MkdirAll(locked, 0o755)
	os.MkdirAll(filepath.Join(home, ".jupyter"), 0o755)
	os.WriteFile(filepath.Join(home, ".jupyter", "jupyter_notebook_config.json"), []byte(`{}`), 0o600) // root's, unreadable to nobody
	os.Chmod(locked, 0o000)
	filepath.Walk(home, func(p string, _ os.FileInfo, _ error) error { return os.Chown(p, uid, gid) })
	os.Chown(locked, 0, 0)
	os.Chown(filepath.Join(home, ".jupyter", "jupyter_notebook_config.json"), 0, 0)
	before := listTree(t, root)
	c := exec.Command(jdashBin, "doctor", "--env", prefix, "--json")
	c.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "JDASH_SYSTEM_ROOT=" + filepath.Join(root, "sys")}
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, err := c.Output()
	var r doctor.Report
	if jerr := json.Unmarshal(out, &r); jerr != nil {
		t.Fatalf("doctor as nobody: %v / %v\n%s", err, jerr, out)
	}
	for _, want := range []string{locked, filepath.Join(home, ".jupyter", "jupyter_notebook_config.json")} {
		if f := find(r, "file-unreadable", want); f == nil || !strings.Contains(f.Evidence[0].Detail, "permission denied") {
			t.Errorf("no file-unreadable finding naming %s:\n%s", want, titles(r))
		}
	}
	if after := listTree(t, root); after != before {
		t.Errorf("doctor wrote:\n%s", treeDiff(before, after))
	}
}
