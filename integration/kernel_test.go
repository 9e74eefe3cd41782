package integration

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// kernelEnv is a machine for the kernel tests: its own HOME, the host's system dirs (Debian's
// /usr/share/jupyter/kernels/python3 is the system level), no Jupyter variables.
func kernelEnv(t *testing.T) (env []string, home string) {
	home = filepath.Join(t.TempDir(), "home")
	os.MkdirAll(home, 0o755)
	return []string{"HOME=" + home, "PATH=/usr/bin:/bin", "XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"), "NO_COLOR=1"}, home
}

// writeKernel plants a kernel.json.
func writeKernel(t *testing.T, dir, python, display string) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	spec := fmt.Sprintf(`{"argv": [%q, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": %q, "language": "python"}`, python, display)
	if err := os.WriteFile(filepath.Join(dir, "kernel.json"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
}

// jupyterKernels is A's own `jupyter kernelspec list --json`: name -> resource dir.
func jupyterKernels(t *testing.T, env []string, a string) map[string]string {
	t.Helper()
	// the module, not `jupyter kernelspec`: the jupyter-kernelspec script of a copied env
	// names the original env's interpreter in its #! line
	c := exec.Command(filepath.Join(a, "bin", "python"), "-m", "jupyter_client.kernelspecapp", "list", "--json")
	c.Env = env
	out, err := c.Output()
	if err != nil {
		t.Fatalf("jupyter kernelspec list: %v", err)
	}
	var doc struct {
		Kernelspecs map[string]struct {
			ResourceDir string `json:"resource_dir"`
		} `json:"kernelspecs"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for n, k := range doc.Kernelspecs {
		got[n] = k.ResourceDir
	}
	return got
}

type kernelListing struct {
	Kernels []struct {
		Name        string `json:"name"`
		ResourceDir string `json:"resource_dir"`
		Level       string `json:"level"`
		Active      bool   `json:"active"`
		ShadowedBy  string `json:"shadowed_by"`
		Interpreter string `json:"interpreter"`
		Env         string `json:"env"`
		Ipykernel   string `json:"ipykernel"`
		Error       string `json:"error"`
	} `json:"kernels"`
}

func jdashKernels(t *testing.T, env []string, a string) (kernelListing, map[string]string) {
	t.Helper()
	out, errs, code := jdashIn(t, env, t.TempDir(), "kernel", "list", "--env", a, "--json")
	var l kernelListing
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil {
		t.Fatalf("kernel list: %d\n%s\n%s", code, out, errs)
	}
	active := map[string]string{}
	for _, k := range l.Kernels {
		if k.Active {
			active[k.Name] = k.ResourceDir
		}
	}
	return l, active
}

// The kernels jdash lists as offered are the ones A's jupyter_client offers, from the same
// dirs: a user kernel, a user python3 shadowing the env's (or shadowed by it: jupyter_core's
// order decides), the env's own, Debian's system python3, on notebook 6 / jupyter_client 7 and
// on jupyter_server 2 / jupyter_client 8.
func TestKernelListParity(t *testing.T) {
	integration(t)
	gateway := requireEnv(t, "gateway")
	for _, name := range []string{"classic", "modern"} {
		t.Run(name, func(t *testing.T) {
			a := requireEnv(t, name)
			env, home := kernelEnv(t)
			user := filepath.Join(home, ".local", "share", "jupyter", "kernels")
			writeKernel(t, filepath.Join(user, "gw-by-hand"), filepath.Join(gateway, "bin", "python"), "gateway by hand")
			writeKernel(t, filepath.Join(user, "python3"), "/usr/bin/python3", "user python3")
			writeKernel(t, filepath.Join(user, "gone"), "/nonexistent/bin/python", "gone")
			want := jupyterKernels(t, env, a)
			l, got := jdashKernels(t, env, a)
			if !maps.Equal(got, want) {
				t.Fatalf("jdash offers %v\njupyter offers %v", got, want)
			}
			levels := map[string]bool{}
			shadowed := false
			for _, k := range l.Kernels {
				levels[k.Level] = true
				shadowed = shadowed || (k.Name == "python3" && k.ShadowedBy != "")
				if k.Name == "gw-by-hand" && (k.Env != gateway || k.Ipykernel == "") {
					t.Errorf("gw-by-hand: env %q ipykernel %q", k.Env, k.Ipykernel)
				}
			}
			if !levels["user"] || !levels["sys-prefix"] || !levels["system"] || !shadowed {
				t.Errorf("levels %v, a shadowed python3 %v: %+v", levels, shadowed, l.Kernels)
			}
			t.Logf("%s: %d kernels offered, as jupyter kernelspec list --json: %v", name, len(got), slices.Sorted(maps.Keys(got)))
		})
	}
}

// runInKernel starts a kernel by name through A's own KernelManager and returns what it
// printed: sys.prefix, the first PATH entry, VIRTUAL_ENV, CONDA_PREFIX.
func runInKernel(t *testing.T, env []string, a, name string) []string {
	t.Helper()
	script := `import sys
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name=sys.argv[1], startup_timeout=120)
try:
    mid = kc.execute("import sys, os; print(sys.prefix); print(os.environ['PATH'].split(os.pathsep)[0]); print(os.environ.get('VIRTUAL_ENV')); print(os.environ.get('CONDA_PREFIX'))")
    out = ""
    while True:
        m = kc.get_iopub_msg(timeout=60)
        if m['msg_type'] == 'stream':
            out += m['content']['text']
        if m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle' and m['parent_header'].get('msg_id') == mid:
            break
    print(out, end="")
finally:
    kc.stop_channels(); km.shutdown_kernel(now=True)
`
	c := exec.Command(filepath.Join(a, "bin", "python"), "-c", script, name)
	c.Env = env
	out, err := c.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("starting kernel %s in %s: %v\n%s", name, a, err, stderr)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// B's kernel in A: A's own jupyter lists it, A's KernelManager starts it in B with B
// activated; remove and the undos leave A's tree byte for byte as it was. B is a venv (the
// gateway env) or a conda layout without ipykernel (installed with --install-ipykernel).
func TestKernelAddRunsB(t *testing.T) {
	integration(t)
	gateway := requireEnv(t, "gateway")
	conda := copyTestEnv(t, "conda")
	for _, aName := range []string{"classic", "modern"} {
		a := copyTestEnv(t, aName)
		for _, b := range []string{gateway, conda} {
			t.Run(aName+"/"+filepath.Base(b), func(t *testing.T) {
				env, home := kernelEnv(t)
				before := listTree(t, filepath.Join(a, "share"))
				args := []string{"kernel", "add", b, "--env", a}
				if b == conda {
					args = append(args, "--install-ipykernel")
				}
				out, errs, code := jdashIn(t, env, t.TempDir(), args...)
				if code != 0 {
					t.Fatalf("kernel add: %d\n%s\n%s", code, out, errs)
				}
				name := ""
				l, _ := jdashKernels(t, env, a)
				for _, k := range l.Kernels {
					if k.Env == b && k.Level == "sys-prefix" {
						name = k.Name
					}
				}
				if got := jupyterKernels(t, env, a); got[name] != filepath.Join(a, "share", "jupyter", "kernels", name) {
					t.Fatalf("A's jupyter does not list %s: %v", name, got)
				}
				lines := runInKernel(t, env, a, name)
				if len(lines) != 4 || lines[0] != b || lines[1] != filepath.Join(b, "bin") {
					t.Fatalf("kernel %s: sys.prefix, PATH[0], VIRTUAL_ENV, CONDA_PREFIX = %q", name, lines)
				}
				if (b == gateway && lines[2] != b) || (b == conda && lines[3] != b) {
					t.Errorf("not activated: %q", lines)
				}
				noKernelspecs(t, home)
				t.Logf("%s in %s: sys.prefix %s, PATH[0] %s", name, aName, lines[0], lines[1])
				for _, step := range [][]string{{"kernel", "remove", name}, {"kernel", "remove", "--undo"}, {"kernel", "add", "--undo"}} {
					if out, errs, code := jdashIn(t, env, t.TempDir(), append(step, "--env", a)...); code != 0 {
						t.Fatalf("%v: %d\n%s\n%s", step, code, out, errs)
					}
					if step[2] == "remove" {
						if _, ok := jupyterKernels(t, env, a)[name]; ok {
							t.Fatalf("still listed after remove")
						}
					}
				}
				if d := treeDiff(before, listTree(t, filepath.Join(a, "share"))); d != "" {
					t.Errorf("A's share/ is not as it was: %s", d)
				}
			})
		}
	}
}

// One case through the browser: the classic notebook of A, a notebook whose kernel is B's,
// a cell run that prints B's sys.prefix.
func TestKernelInBrowser(t *testing.T) {
	integration(t)
	a, b := copyTestEnv(t, "classic"), requireEnv(t, "gateway")
	env := stackEnv(t)
	if out, errs, code := jdashIn(t, env, t.TempDir(), "kernel", "add", b, "--env", a, "--name", "gw"); code != 0 {
		t.Fatalf("kernel add: %d\n%s\n%s", code, out, errs)
	}
	dir := filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(dir, 0o755)
	port := freePort(t)
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf("services:\n  nb: {env: %s, kind: classic, port: %d}\n", a, port)), 0o644)
	os.WriteFile(filepath.Join(dir, "in-b.ipynb"), []byte(`{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ""}],
 "metadata": {"kernelspec": {"name": "gw", "display_name": "gateway", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}`), 0o644)
	upStack(t, env, dir)
	url := ps(t, env, dir).url("nb")
	d := newDriver(t)
	got := d.runClassicCell(strings.Replace(url, "/tree?", "/notebooks/in-b.ipynb?", 1), "import sys; print(sys.prefix)", "kernel-in-b")
	if got != b {
		t.Fatalf("the cell ran in %q, want B's prefix %s", got, b)
	}
	t.Logf("browser: a cell of A's classic notebook ran in B: sys.prefix %s", got)
}

// kernel_envs: every listed env's kernel in the stack's server, generated in the state dir and
// on that process's path only: nothing in HOME, A or B; one of them starts.
func TestKernelEnvsStack(t *testing.T) {
	integration(t)
	a, b := requireEnv(t, "modern"), requireEnv(t, "gateway")
	env := stackEnv(t)
	home := strings.TrimPrefix(env[0], "HOME=")
	aBefore, bBefore := listTree(t, filepath.Join(a, "share")), listTree(t, filepath.Join(b, "share"))
	dir := filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(dir, 0o755)
	port := freePort(t)
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf("services:\n  nb: {env: %s, kind: notebook7, port: %d, kernel_envs: [%s]}\n", a, port, b)), 0o644)
	m := upStack(t, env, dir)
	tok := token(ps(t, env, dir).url("nb"))
	api := func(method, path, body string) map[string]any {
		req, _ := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d%s", port, path), strings.NewReader(body))
		req.Header.Set("Authorization", "token "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		var v map[string]any
		json.Unmarshal(data, &v)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %s %s", method, path, resp.Status, data)
		}
		return v
	}
	specs := api("GET", "/api/kernelspecs", "")["kernelspecs"].(map[string]any)
	if _, ok := specs["venv-gateway-py3.11"]; !ok {
		t.Fatalf("/api/kernelspecs: %v", slices.Sorted(maps.Keys(specs)))
	}
	api("POST", "/api/kernels", `{"name": "venv-gateway-py3.11"}`)
	var running string
	waitFor(t, 60*time.Second, "B's kernel process", func() bool {
		for _, k := range kernels(m) {
			if strings.Contains(k, filepath.Join(b, "bin", "python")) {
				running = k
			}
		}
		return running != ""
	})
	t.Logf("kernel_envs: /api/kernelspecs %v; started: %s", slices.Sorted(maps.Keys(specs)), running)
	noKernelspecs(t, home)
	for what, pair := range map[string][2]string{"A": {aBefore, listTree(t, filepath.Join(a, "share"))}, "B": {bBefore, listTree(t, filepath.Join(b, "share"))}} {
		if d := treeDiff(pair[0], pair[1]); d != "" {
			t.Errorf("%s changed: %s", what, d)
		}
	}
	// the kernels live as long as the stack
	if out, errs, code := jdashIn(t, env, dir, "down"); code != 0 {
		t.Fatalf("down: %d\n%s\n%s", code, out, errs)
	}
	if left, _ := filepath.Glob(filepath.Join(stateHome(env), "stacks", "*", "kernels")); len(left) > 0 {
		t.Errorf("kernel_envs' kernelspecs outlive the stack: %v", left)
	}
}

// noKernelspecs fails when a kernelspec landed in HOME (the user's kernels dirs, Jupyter's and
// IPython's). A running kernel writes its connection file and IPython its profile there: those
// are the kernel's own, not a kernelspec.
func noKernelspecs(t *testing.T, home string) {
	t.Helper()
	for _, d := range []string{filepath.Join(home, ".local", "share", "jupyter", "kernels"), filepath.Join(home, ".ipython", "kernels")} {
		if names, _ := os.ReadDir(d); len(names) > 0 {
			t.Errorf("a kernelspec landed in HOME: %s holds %v", d, names)
		}
	}
}

// With a gateway, the notebook offers the gateway's kernels, and with them the gateway's
// kernel_envs.
func TestKernelEnvsThroughGateway(t *testing.T) {
	integration(t)
	nb, gw, other := requireEnv(t, "classic"), requireEnv(t, "gateway"), requireEnv(t, "modern")
	env := stackEnv(t)
	dir := filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(dir, 0o755)
	port := freePort(t)
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf(`services:
  nb: {env: %s, kind: classic, port: %d}
  gw: {env: %s, kind: kernel_gateway, port: %d, kernel_envs: [%s]}
`, nb, port, gw, freePort(t), other)), 0o644)
	upStack(t, env, dir)
	tok := token(ps(t, env, dir).url("nb"))
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/api/kernelspecs", port), nil)
	req.Header.Set("Authorization", "token "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Kernelspecs map[string]any `json:"kernelspecs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: %v", resp.Status, err)
	}
	if _, ok := doc.Kernelspecs["venv-modern-py3.11"]; !ok {
		t.Fatalf("the notebook does not offer the gateway's kernel_envs: %v", slices.Sorted(maps.Keys(doc.Kernelspecs)))
	}
	t.Logf("the notebook, its kernels on the gateway, offers %v", slices.Sorted(maps.Keys(doc.Kernelspecs)))
}
