package integration

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stackEnv is a clean machine for a stack: its own HOME and state dir.
func stackEnv(t *testing.T) []string {
	home := filepath.Join(t.TempDir(), "home")
	os.MkdirAll(home, 0o755)
	return []string{"HOME=" + home, "PATH=/usr/bin:/bin", "XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"JDASH_SYSTEM_ROOT=" + filepath.Join(home, "..", "sysroot"), "NO_COLOR=1"}
}

// jdashIn runs jdash in dir and returns stdout, stderr, exit code.
func jdashIn(t *testing.T, env []string, dir string, args ...string) (string, string, int) {
	t.Helper()
	c := exec.Command(jdashBin, args...)
	c.Env, c.Dir = env, dir
	return runCaptured(t, c)
}

// runCaptured runs c and returns stdout, stderr, exit code (failing the test when it could
// not run at all).
func runCaptured(t *testing.T, c *exec.Cmd) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

type psDoc struct {
	Supervisor int  `json:"supervisor_pid"`
	Running    bool `json:"running"`
	Services   []struct {
		Name, Kind, Status, URL, Error string
		PID, Port                      int
	}
}

func (d psDoc) url(name string) string {
	for _, s := range d.Services {
		if s.Name == name {
			return s.URL
		}
	}
	return ""
}

func token(url string) string { _, t, _ := strings.Cut(url, "token="); return t }

func ps(t *testing.T, env []string, dir string) psDoc {
	t.Helper()
	out, errs, code := jdashIn(t, env, dir, "ps", "--json")
	var d psDoc
	if code != 0 || json.Unmarshal([]byte(out), &d) != nil {
		t.Fatalf("ps: %d %s %s", code, out, errs)
	}
	return d
}

// marker is the stack's marker, read from its state file.
func marker(t *testing.T, env []string) string {
	t.Helper()
	var home string
	for _, kv := range env {
		if strings.HasPrefix(kv, "XDG_STATE_HOME=") {
			home = strings.TrimPrefix(kv, "XDG_STATE_HOME=")
		}
	}
	files, _ := filepath.Glob(filepath.Join(home, "jdash", "stacks", "*", "state.json"))
	if len(files) != 1 {
		t.Fatalf("state files: %v", files)
	}
	var st struct{ Marker string }
	b, _ := os.ReadFile(files[0])
	json.Unmarshal(b, &st)
	return st.Marker
}

// marked lists the live processes carrying the stack's marker (servers and kernels).
func marked(m string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err != nil || !bytes.Contains(append(env, 0), []byte(m+"\x00")) {
			continue
		}
		if st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); bytes.Contains(st, []byte(") Z ")) {
			continue
		}
		cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		out = append(out, fmt.Sprintf("%d %s", pid, bytes.ReplaceAll(cmd, []byte{0}, []byte{' '})))
	}
	return out
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func get(t *testing.T, url, tok string) (int, string) {
	t.Helper()
	return getWith(t, url, tok, nil)
}

// getWith is a GET with a token (none when empty) and extra headers, redirects not followed.
func getWith(t *testing.T, url, tok string, headers map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if tok != "" {
		req.Header.Set("Authorization", "token "+tok)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const helloNotebook = `{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ["print('jdash-voila-' + str(6*7))"]}], "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}`

// project writes a jdash.yaml with the three services on free ports and a notebook.
func project(t *testing.T, notebookEnv, notebookKind string) (dir string, nbPort, gwPort, voPort int) {
	dir = filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(dir, 0o755)
	nbPort, gwPort, voPort = freePort(t), freePort(t), freePort(t)
	yaml := fmt.Sprintf("root_dir: .\nservices:\n  notebook:   {env: %s, kind: %s, port: %d}\n  gateway:    {env: %s, kind: kernel_gateway, port: %d}\n  dashboards: {env: %s, kind: voila, port: %d}\n",
		requireEnv(t, notebookEnv), notebookKind, nbPort, requireEnv(t, "gateway"), gwPort, requireEnv(t, "voila"), voPort)
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(yaml), 0o644)
	os.WriteFile(filepath.Join(dir, "hello.ipynb"), []byte(helloNotebook), 0o644)
	return
}

// The seed's stack from real envs: up -d, ps, the tokens, a kernel through the notebook on
// the gateway, Voilà rendering, down with nothing left; the supervisor SIGKILLed, then down.
func TestStackUpPsLogsDown(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	dir, nbPort, gwPort, voPort := project(t, "classic", "classic")
	out, errs, code := jdashIn(t, env, dir, "up", "-d")
	if code != 0 {
		t.Fatalf("up -d: %d\n%s\n%s", code, out, errs)
	}
	t.Logf("jdash up -d:\n%s", out)
	d := ps(t, env, dir)
	for _, s := range d.Services {
		if s.Status != "ready" || s.PID == 0 {
			t.Errorf("%s: %+v", s.Name, s)
		}
	}
	m := marker(t, env)
	nb, gw, vo := token(d.url("notebook")), token(d.url("gateway")), token(d.url("dashboards"))
	base := func(p int) string { return fmt.Sprintf("http://127.0.0.1:%d", p) }
	// each endpoint refuses requests without its token (or with another's) and accepts them with it
	for _, c := range []struct {
		url, tok, wrong string
		refused         int
	}{
		{base(nbPort) + "/api/kernelspecs", nb, gw, 403},
		{base(gwPort) + "/api/kernelspecs", gw, nb, 401},
		{base(voPort) + "/voila/render/hello.ipynb", vo, nb, 302},
	} {
		if code, _ := get(t, c.url, ""); code != c.refused {
			t.Errorf("%s without a token: %d, want %d", c.url, code, c.refused)
		}
		if code, _ := get(t, c.url, c.wrong); code != c.refused {
			t.Errorf("%s with another service's token: %d, want %d", c.url, code, c.refused)
		}
		if code, _ := get(t, c.url, c.tok); code != 200 {
			t.Errorf("%s with its token: %d", c.url, code)
		}
	}
	// Voilà renders the notebook
	if _, body := get(t, base(voPort)+"/voila/render/hello.ipynb", vo); !strings.Contains(body, "jdash-voila-42") {
		t.Errorf("Voilà did not render the notebook's output")
	}
	// a kernel started through the notebook runs on the gateway, in the notebook's env (the
	// gateway's python3 is the notebook env's Python: its packages are the notebook's)
	kernel := startKernel(t, nbPort, nb)
	if _, body := get(t, base(gwPort)+"/api/kernels", gw); !strings.Contains(body, kernel) {
		t.Fatalf("kernel %q not on the gateway: %s", kernel, body)
	}
	kernelPython := filepath.Join(requireEnv(t, "classic"), "bin", "python")
	var onGateway bool
	for end := time.Now().Add(20 * time.Second); !onGateway && time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		for _, p := range marked(m) {
			onGateway = onGateway || strings.Contains(p, kernelPython+" -m ipykernel_launcher") && strings.Contains(p, kernel)
		}
	}
	if !onGateway {
		t.Errorf("no kernel process %s of the gateway runs the notebook env's Python:\n%s", kernel, strings.Join(marked(m), "\n"))
	}
	// In a browser: a cell typed and run in the notebook prints on the gateway's kernel, which
	// runs in the notebook's env (the gateway's python3 is the notebook env's Python), and
	// what the frontend saves (PATCH /api/config/notebook, as the UI's settings do) lands in
	// the notebook env's nbconfig, not in HOME, although that env was never set up by jdash.
	nbEnvConfig := filepath.Join(requireEnv(t, "classic"), "etc", "jupyter", "nbconfig")
	if _, err := os.Stat(nbEnvConfig); os.IsNotExist(err) {
		t.Cleanup(func() { os.RemoveAll(nbEnvConfig) }) // the shared test env stays as built
	}
	br := newDriver(t)
	if out := br.runClassicCell(base(nbPort)+"/notebooks/hello.ipynb?token="+nb, "import sys; print(6*7, sys.prefix)", "stack-classic-cell"); out != "42 "+requireEnv(t, "classic") {
		t.Errorf("the cell printed %q, want 42 and the notebook env's prefix", out)
	}
	br.eval("save a frontend setting", `Jupyter.notebook.config.update({jdash_ui_probe: 42}).then(() => true)`, nil)
	waitFor(t, 10*time.Second, "the frontend's setting in "+nbEnvConfig, func() bool {
		b, _ := os.ReadFile(filepath.Join(nbEnvConfig, "notebook.json"))
		return strings.Contains(string(b), `"jdash_ui_probe": 42`)
	})
	if leaked, _ := filepath.Glob(filepath.Join(strings.TrimPrefix(env[0], "HOME="), ".jupyter", "nbconfig", "*")); len(leaked) > 0 {
		t.Errorf("the UI of a server jdash up started wrote at the user level: %v", leaked)
	}
	t.Logf("browser through jdash up: the cell ran on the gateway's kernel; the frontend's setting landed in %s", filepath.Join(nbEnvConfig, "notebook.json"))
	logs, _, _ := jdashIn(t, env, dir, "logs", "--tail", "3", "notebook")
	if !strings.HasPrefix(logs, "notebook | ") {
		t.Errorf("logs:\n%s", logs)
	}
	for _, f := range []string{"plan.json", "state.json"} {
		matches, _ := filepath.Glob(filepath.Join(strings.TrimPrefix(env[2], "XDG_STATE_HOME="), "jdash", "stacks", "*", f))
		if st, err := os.Stat(matches[0]); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, st.Mode(), err)
		}
	}
	// no token in any process's argv
	for _, p := range marked(m) {
		for _, tok := range []string{nb, gw, vo} {
			if strings.Contains(p, tok) {
				t.Errorf("a token in argv: %s", p)
			}
		}
	}
	// a second up says so
	if out, _, code := jdashIn(t, env, dir, "up", "-d"); code != 0 || !strings.Contains(out, "ready") {
		t.Errorf("second up: %d %s", code, out)
	}

	start := time.Now()
	if _, errs, code := jdashIn(t, env, dir, "down"); code != 0 {
		t.Fatalf("down: %d %s", code, errs)
	}
	t.Logf("down took %s", time.Since(start))
	if left := marked(m); len(left) > 0 {
		t.Errorf("processes left after down:\n%s", strings.Join(left, "\n"))
	}
	// the notebook stops before its gateway (it shuts its kernels down there): no error in
	// the logs of a start, a kernel and a down (it used to log 503s from a gone gateway)
	if all, _, _ := jdashIn(t, env, dir, "logs"); regexp.MustCompile(`\[E |HTTP 503| 503 (GET|POST|DELETE) `).MatchString(all) {
		t.Errorf("errors in the stack's logs:\n%s", all)
	}
	for _, p := range []int{nbPort, gwPort, voPort} {
		if !portFree(p) {
			t.Errorf("port %d still taken after down", p)
		}
	}

	// the supervisor SIGKILLed: down still cleans everything, kernels included; up works again
	if _, errs, code := jdashIn(t, env, dir, "up", "-d"); code != 0 {
		t.Fatalf("up again: %s", errs)
	}
	m = marker(t, env)
	d = ps(t, env, dir)
	startKernel(t, nbPort, token(d.url("notebook")))
	for end := time.Now().Add(20 * time.Second); len(marked(m)) < 4 && time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
	}
	if n := len(marked(m)); n < 4 {
		t.Fatalf("the 3 servers and the kernel should be running, found %d:\n%s", n, strings.Join(marked(m), "\n"))
	}
	syscall.Kill(d.Supervisor, syscall.SIGKILL)
	// the signal is delivered asynchronously: ps must see the supervisor gone once it is
	running := true
	for end := time.Now().Add(5 * time.Second); running && time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		running = ps(t, env, dir).Running
	}
	if running {
		t.Error("ps: the killed supervisor is reported running 5 s after SIGKILL")
	}
	// (services whose output went to the dead supervisor die on their next write; whatever
	// is still alive, down must find)
	if _, errs, code := jdashIn(t, env, dir, "down"); code != 0 {
		t.Fatalf("down after SIGKILL: %s", errs)
	}
	if left := marked(m); len(left) > 0 {
		t.Errorf("orphans after down:\n%s", strings.Join(left, "\n"))
	}
	if _, errs, code := jdashIn(t, env, dir, "up", "-d"); code != 0 {
		t.Fatalf("up after the cleanup: %s", errs)
	}
	jdashIn(t, env, dir, "down")
}

// Pre-flight and fail fast: a taken port names its holder and nothing starts; a service that
// crashes at start fails up with its log tail and nothing is left.
func TestStackRefusals(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	dir, _, gwPort, _ := project(t, "classic", "classic")
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", gwPort))
	if err != nil {
		t.Fatal(err)
	}
	_, errs, code := jdashIn(t, env, dir, "up", "-d")
	l.Close()
	if code != 1 || !strings.Contains(errs, fmt.Sprintf("port %d is held by PID %d", gwPort, os.Getpid())) || !strings.Contains(errs, "nothing was started") {
		t.Errorf("taken port: %d\n%s", code, errs)
	}
	if out, _, _ := jdashIn(t, env, dir, "ps"); strings.Contains(out, "ready") {
		t.Errorf("something started: %s", out)
	}

	crash := filepath.Join(t.TempDir(), "crash")
	os.MkdirAll(crash, 0o755)
	os.WriteFile(filepath.Join(crash, "jdash.yaml"), []byte(fmt.Sprintf("services:\n  gateway: {env: %s, kind: kernel_gateway, port: %d}\n  notebook: {env: %s, kind: classic, port: %d, args: [--no-such-option]}\n",
		requireEnv(t, "gateway"), freePort(t), requireEnv(t, "classic"), freePort(t))), 0o644)
	start := time.Now()
	_, errs, code = jdashIn(t, env, crash, "up", "-d")
	if code != 1 || !strings.Contains(errs, "notebook exited with code") || !strings.Contains(errs, "unrecognized arguments: --no-such-option") {
		t.Errorf("crash at start: %d\n%s", code, errs)
	}
	t.Logf("a crash at start failed up in %s", time.Since(start))
	if left := marked(marker(t, env)); len(left) > 0 {
		t.Errorf("left running after a failed up:\n%s", strings.Join(left, "\n"))
	}
}

// The foreground: logs as "name | line"; the first SIGINT stops gracefully (exit 0), and a
// second one forces.
func TestStackForegroundCtrlC(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	dir, _, _, _ := project(t, "classic", "classic")
	for _, presses := range []int{1, 2} {
		c := exec.Command(jdashBin, "up")
		c.Env, c.Dir = env, dir
		stdout, _ := c.StdoutPipe()
		var errb bytes.Buffer
		c.Stderr = &errb
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1000)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		var seen []string
		deadline := time.After(90 * time.Second)
	wait:
		for {
			select {
			case l := <-lines:
				seen = append(seen, l)
			case <-deadline:
				t.Fatalf("not ready:\n%s\n%s", strings.Join(seen, "\n"), errb.String())
			case <-time.After(200 * time.Millisecond):
				if strings.Count(errb.String(), " ready: http") == 3 {
					break wait
				}
			}
		}
		m := marker(t, env)
		for i := 0; i < presses; i++ {
			c.Process.Signal(os.Interrupt)
			time.Sleep(100 * time.Millisecond)
		}
		go func() {
			for range lines {
			}
		}()
		err := c.Wait()
		if err != nil || !strings.Contains(errb.String(), "press Ctrl+C again to force") || !strings.Contains(errb.String(), "the stack is stopped") {
			t.Errorf("%d Ctrl-C: %v\n%s", presses, err, errb.String())
		}
		if !strings.Contains(strings.Join(seen, "\n"), "notebook   | ") && !strings.Contains(strings.Join(seen, "\n"), "notebook | ") {
			t.Errorf("no prefixed log lines:\n%s", strings.Join(seen, "\n"))
		}
		if left := marked(m); len(left) > 0 {
			t.Errorf("%d Ctrl-C: left running:\n%s", presses, strings.Join(left, "\n"))
		}
	}
}

// A notebook-7 env (jupyter_server's GatewayClient) with the gateway; and the zero-config
// default of an env with only notebook installed.
func TestStackNotebook7AndZeroConfig(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	dir, nbPort, gwPort, _ := project(t, "modern", "notebook7")
	if _, errs, code := jdashIn(t, env, dir, "up", "-d"); code != 0 {
		t.Fatalf("up: %s", errs)
	}
	d := ps(t, env, dir)
	kernel := startKernel(t, nbPort, token(d.url("notebook")))
	if _, body := get(t, fmt.Sprintf("http://127.0.0.1:%d/api/kernels", gwPort), token(d.url("gateway"))); !strings.Contains(body, kernel) {
		t.Errorf("notebook 7's kernel %q is not on the gateway: %s", kernel, body)
	}
	// jupyter_server's ConfigManager, under jdash up, writes the frontend's config at the env's level
	modernNB := filepath.Join(requireEnv(t, "modern"), "etc", "jupyter", "nbconfig")
	if _, err := os.Stat(modernNB); os.IsNotExist(err) {
		t.Cleanup(func() { os.RemoveAll(modernNB) }) // the shared test env stays as built
	}
	patchConfig(t, fmt.Sprintf("http://127.0.0.1:%d", nbPort), token(d.url("notebook")), `{"jdash_ui_probe": 7}`)
	if b, _ := os.ReadFile(filepath.Join(modernNB, "notebook.json")); !strings.Contains(string(b), `"jdash_ui_probe": 7`) {
		t.Errorf("notebook 7 under jdash up: the frontend's config is not in %s: %s", modernNB, b)
	}
	if _, err := os.Stat(filepath.Join(strings.TrimPrefix(env[0], "HOME="), ".jupyter", "nbconfig")); err == nil {
		t.Error("notebook 7 under jdash up wrote the frontend's config at the user level")
	}
	m := marker(t, env)
	jdashIn(t, env, dir, "down")
	if left := marked(m); len(left) > 0 {
		t.Errorf("left:\n%s", strings.Join(left, "\n"))
	}

	zero := filepath.Join(t.TempDir(), "zero")
	os.MkdirAll(zero, 0o755)
	classic := requireEnv(t, "classic")
	zenv := append(stackEnv(t), "VIRTUAL_ENV="+classic)
	if !portFree(8888) {
		t.Skip("port 8888 is taken on this machine: the zero-config default uses it")
	}
	out, errs, code := jdashIn(t, zenv, zero, "up", "-d")
	if code != 0 || !strings.Contains(out, "notebook") || strings.Contains(out, "gateway") {
		t.Fatalf("zero-config up: %d\n%s\n%s", code, out, errs)
	}
	if d := ps(t, zenv, zero); len(d.Services) != 1 || d.Services[0].Kind != "classic" || d.Services[0].Status != "ready" {
		t.Errorf("zero-config stack: %+v", d)
	}
	m = marker(t, zenv)
	jdashIn(t, zenv, zero, "down")
	if left := marked(m); len(left) > 0 || !portFree(8888) {
		t.Errorf("left: %v", left)
	}
}

// JupyterLab from jdash up, in a driven browser: open the notebook, type into its cell, run
// it; the output comes from a kernel on the gateway, in the notebook's env (its prefix).
func TestStackLabInBrowser(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	dir, nbPort, _, _ := project(t, "modern", "lab")
	if _, errs, code := jdashIn(t, env, dir, "up", "-d"); code != 0 {
		t.Fatalf("up: %s", errs)
	}
	defer jdashIn(t, env, dir, "down")
	t.Cleanup(func() { // what the services said, when the browser saw no kernel
		if t.Failed() {
			logs, _, _ := jdashIn(t, env, dir, "logs", "--tail", "80")
			t.Logf("jdash logs:\n%s", logs)
		}
	})
	tok := token(ps(t, env, dir).url("notebook"))
	out := newDriver(t).runLabCell(fmt.Sprintf("http://127.0.0.1:%d/lab/tree/hello.ipynb?token=%s", nbPort, tok), "import sys; print(6*7, sys.prefix)", "stack-lab-cell")
	if want := "42 " + requireEnv(t, "modern"); out != want {
		t.Errorf("the lab cell printed %q, want %q", out, want)
	}
	t.Logf("browser: JupyterLab ran a typed cell on the gateway's kernel: %q", out)
}

// What a person sees in a terminal (tmux): the services' lines as "name | line" in a colour
// per service, the ready URLs, and Ctrl-C typed on the keyboard stopping the stack.
func TestStackInATerminal(t *testing.T) {
	integration(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is not installed (scripts/debian-jupyter.sh installs it)")
	}
	env := stackEnv(t)
	dir, _, _, _ := project(t, "classic", "classic")
	session := fmt.Sprintf("jdash-%d", os.Getpid())
	script := filepath.Join(t.TempDir(), "run.sh")
	var exports strings.Builder
	for _, kv := range env {
		if !strings.HasPrefix(kv, "NO_COLOR=") {
			fmt.Fprintf(&exports, "export %q\n", kv)
		}
	}
	// (the shell keeps running after Ctrl-C: a trap, which jdash does not inherit)
	os.WriteFile(script, []byte(fmt.Sprintf("%strap : INT\ncd %q\n%q up\necho EXIT=$?\nsleep 60\n", exports.String(), dir, jdashBin)), 0o755)
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-s", session, "-x", "220", "-y", "60", "sh "+script)
	defer exec.Command("tmux", "kill-session", "-t", session).Run()
	screen := func() string { return tmux("capture-pane", "-p", "-e", "-S", "-200", "-t", session) }
	waitFor := func(what string, n int) string {
		for end := time.Now().Add(90 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
			if s := screen(); strings.Count(s, what) >= n {
				return s
			}
		}
		t.Fatalf("the terminal never showed %q:\n%s", what, screen())
		return ""
	}
	s := waitFor(" ready: http://127.0.0.1:", 3)
	m := marker(t, env)
	colours := map[string]bool{}
	for _, name := range []string{"notebook  ", "gateway   ", "dashboards"} {
		i := strings.Index(s, name+" |\x1b[")
		if i < 2 || s[i-1] != 'm' {
			t.Errorf("no coloured %q prefix on the terminal:\n%q", name, s)
			continue
		}
		colours[s[strings.LastIndex(s[:i], "\x1b["):i]] = true
	}
	if len(colours) != 3 {
		t.Errorf("the services do not have a colour each: %v", colours)
	}
	os.WriteFile(filepath.Join(buildDir(), "artifacts", "up-terminal.txt"), []byte(tmux("capture-pane", "-p", "-S", "-200", "-t", session)), 0o644)
	tmux("send-keys", "-t", session, "C-c")
	s = waitFor("EXIT=", 1)
	if !strings.Contains(s, "press Ctrl+C again to force") || !strings.Contains(s, "the stack is stopped") || !strings.Contains(s, "EXIT=0") {
		t.Errorf("Ctrl-C on the terminal:\n%s", s)
	}
	if left := marked(m); len(left) > 0 {
		t.Errorf("left after Ctrl-C:\n%s", strings.Join(left, "\n"))
	}
}

// startKernel asks a notebook server for a python3 kernel and returns its id.
func startKernel(t *testing.T, port int, tok string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/api/kernels", port), strings.NewReader(`{"name": "python3"}`))
	req.Header.Set("Authorization", "token "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var kernel struct{ ID string }
	if json.NewDecoder(resp.Body).Decode(&kernel); resp.StatusCode != 201 || kernel.ID == "" {
		t.Fatalf("starting a kernel: %s", resp.Status)
	}
	return kernel.ID
}

// A gateway elsewhere ({url, token_env}): probed with its token before anything starts,
// never started or stopped by jdash, and the notebook's kernels run on it. The "remote" is a
// real Enterprise Gateway 3.3.0 on loopback. Then the same gateway as a local service (kind
// enterprise_gateway).
func TestStackEnterpriseGateway(t *testing.T) {
	integration(t)
	egEnv := requireEnv(t, "eg")
	gwPort := freePort(t)
	remote := exec.Command(filepath.Join(egEnv, "bin", "python"), "-m", "enterprise_gateway",
		"--EnterpriseGatewayApp.ip=127.0.0.1", fmt.Sprintf("--EnterpriseGatewayApp.port=%d", gwPort), "--EnterpriseGatewayApp.port_retries=0")
	remote.Env = append(stackEnv(t), "EG_AUTH_TOKEN=remote-secret", "EG_LIST_KERNELS=True")
	remote.Dir = t.TempDir()
	if err := remote.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { remote.Process.Signal(syscall.SIGTERM); remote.Wait() }()
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/api?token=remote-secret", gwPort), 60*time.Second, "/dev/null")

	dir := filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(dir, 0o755)
	nbPort := freePort(t)
	// (Enterprise Gateway refuses kernels for the user root, which CI is: the notebook names
	// another user, as a user's own notebook would)
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf("services:\n  notebook: {env: %s, kind: classic, port: %d, environment: {KERNEL_USERNAME: jdash-test}}\n  gateway: {url: \"http://127.0.0.1:%d\", token_env: REMOTE_GW_TOKEN}\n",
		requireEnv(t, "classic"), nbPort, gwPort)), 0o644)

	// a wrong token: pre-flight names the gateway, nothing starts
	wrong := append(stackEnv(t), "REMOTE_GW_TOKEN=not-the-token")
	_, errs, code := jdashIn(t, wrong, dir, "up", "-d")
	if code != 1 || !strings.Contains(errs, fmt.Sprintf("the gateway at http://127.0.0.1:%d does not answer with the token of $REMOTE_GW_TOKEN", gwPort)) || !strings.Contains(errs, "401") {
		t.Errorf("wrong token: %d\n%s", code, errs)
	}
	if !portFree(nbPort) {
		t.Error("the notebook started although pre-flight failed")
	}

	env := append(stackEnv(t), "REMOTE_GW_TOKEN=remote-secret")
	if out, errs, code := jdashIn(t, env, dir, "up", "-d"); code != 0 {
		t.Fatalf("up: %d\n%s\n%s", code, out, errs)
	}
	d := ps(t, env, dir)
	for _, s := range d.Services {
		if s.Name == "gateway" && (s.Status != "external" || s.URL != fmt.Sprintf("http://127.0.0.1:%d", gwPort)) {
			t.Errorf("ps shows the remote gateway as %+v", s)
		}
	}
	kernel := startKernel(t, nbPort, token(d.url("notebook")))
	if _, body := get(t, fmt.Sprintf("http://127.0.0.1:%d/api/kernels", gwPort), "remote-secret"); !strings.Contains(body, kernel) {
		t.Errorf("the kernel %s is not on the remote gateway: %s", kernel, body)
	}
	if _, errs, code := jdashIn(t, env, dir, "down"); code != 0 {
		t.Fatalf("down: %s", errs)
	}
	if code, _ := get(t, fmt.Sprintf("http://127.0.0.1:%d/api", gwPort), "remote-secret"); code != 200 {
		t.Error("down stopped the remote gateway, which jdash did not start")
	}

	// kind enterprise_gateway: a local service like the kernel gateway
	local := filepath.Join(t.TempDir(), "local")
	os.MkdirAll(local, 0o755)
	nbPort, egPort := freePort(t), freePort(t)
	os.WriteFile(filepath.Join(local, "jdash.yaml"), []byte(fmt.Sprintf("services:\n  notebook: {env: %s, kind: classic, port: %d, environment: {KERNEL_USERNAME: jdash-test}}\n  gateway: {env: %s, kind: enterprise_gateway, port: %d}\n",
		requireEnv(t, "classic"), nbPort, egEnv, egPort)), 0o644)
	lenv := stackEnv(t)
	if out, errs, code := jdashIn(t, lenv, local, "up", "-d"); code != 0 {
		t.Fatalf("up with a local Enterprise Gateway: %d\n%s\n%s", code, out, errs)
	}
	d = ps(t, lenv, local)
	m := marker(t, lenv)
	kernel = startKernel(t, nbPort, token(d.url("notebook")))
	if _, body := get(t, fmt.Sprintf("http://127.0.0.1:%d/api/kernels", egPort), token(d.url("gateway"))); !strings.Contains(body, kernel) {
		t.Errorf("the kernel %s is not on the local Enterprise Gateway: %s", kernel, body)
	}
	jdashIn(t, lenv, local, "down")
	if left := marked(m); len(left) > 0 {
		t.Errorf("left after down:\n%s", strings.Join(left, "\n"))
	}
}

// The stack of up's tests exported to Docker Compose: Debian's docker-compose accepts it
// (config validates without a daemon), the Dockerfiles parse (dockerfile-parse) and pin every
// distribution, two exports are identical but for the token files, and no token is anywhere
// else.
func TestStackExportCompose(t *testing.T) {
	integration(t)
	if _, err := exec.LookPath("docker-compose"); err != nil {
		t.Fatal("docker-compose is not installed (scripts/debian-jupyter.sh installs it)")
	}
	tools := filepath.Join(buildDir(), "testenvs", "tools", "bin", "python")
	if _, err := os.Stat(tools); err != nil {
		t.Fatalf("the tools env is not built (testenvs/build.sh): %v", err)
	}
	env := stackEnv(t)
	dir, _, _, _ := project(t, "classic", "classic")
	out1, out2 := exportTwice(t, env, dir, "compose")
	if out, err := runEnv(append(os.Environ(), "COMPOSE_PROJECT_NAME=jdashtest"), "sh", "-c", "cd "+out1+" && docker-compose config -q"); err != nil {
		t.Errorf("docker-compose config rejects the export: %v\n%s", err, out)
	}
	var tokens []string
	for _, name := range []string{"notebook", "gateway", "dashboards"} {
		b, err := os.ReadFile(filepath.Join(out1, "secrets", name+".env"))
		st, _ := os.Stat(filepath.Join(out1, "secrets", name+".env"))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("secrets/%s.env: %v %v", name, err, st)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			_, v, _ := strings.Cut(line, "=")
			tokens = append(tokens, v)
		}
		df := filepath.Join(out1, name, "Dockerfile")
		check := `import sys; from dockerfile_parse import DockerfileParser
p = DockerfileParser(path=sys.argv[1]); runs = [i["value"] for i in p.structure if i["instruction"] == "RUN"]
pins = [a for r in runs if r.startswith("pip install") for a in r.split()[2:]]
assert p.baseimage.startswith("python:3.11.7"), p.baseimage
assert pins and all("==" in a for a in pins), pins
print(len(pins))`
		if out, err := runEnv(nil, tools, "-c", check, df); err != nil {
			t.Errorf("%s: %v\n%s", df, err, out)
		}
	}
	sameButSecrets(t, out1, out2, tokens)
}

// The same stack exported to Kubernetes: every manifest passes kubernetes-validate --strict
// against its current schema, two exports are identical but for the Secrets, no token outside
// them; an Enterprise Gateway is exported with kernels as pods, or left to its Helm chart.
func TestStackExportKubernetes(t *testing.T) {
	integration(t)
	validate := filepath.Join(buildDir(), "testenvs", "tools", "bin", "kubernetes-validate")
	if _, err := os.Stat(validate); err != nil {
		t.Fatalf("the tools env is not built (testenvs/build.sh): %v", err)
	}
	env := stackEnv(t)
	dir, _, _, _ := project(t, "classic", "classic")
	out1, out2 := exportTwice(t, env, dir, "kubernetes")
	files, _ := filepath.Glob(filepath.Join(out1, "*.yaml"))
	secrets, _ := filepath.Glob(filepath.Join(out1, "secrets", "*.yaml"))
	out, err := runEnv(nil, validate, append(append([]string{"--strict"}, files...), secrets...)...)
	if err != nil || strings.Count(string(out), " passed for resource ") != 2*3+1+3 {
		t.Errorf("kubernetes-validate: %v\n%s", err, out)
	}
	var tokens []string
	for _, s := range secrets {
		b, _ := os.ReadFile(s)
		if st, _ := os.Stat(s); st.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v", s, st.Mode())
		}
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), ": "); ok && strings.HasSuffix(k, "TOKEN") {
				tokens = append(tokens, v)
			}
		}
	}
	if len(tokens) < 3 {
		t.Fatalf("tokens in the Secrets: %v", tokens)
	}
	sameButSecrets(t, out1, out2, tokens)
	kube := startKubeAPI(t)
	dryRun := func(files ...string) {
		t.Helper()
		results, err := kube.dryRunApply(files...)
		if err != nil {
			t.Errorf("server-side dry run: %v", err)
		}
		t.Logf("server-side dry run on kube-apiserver:\n%s", strings.Join(results, "\n"))
	}
	dryRun(append(files, secrets...)...)
	// the dry run is the server's judgement: a field Kubernetes does not have, and a value
	// its validation refuses, fail it
	nb, _ := os.ReadFile(filepath.Join(out1, "notebook.yaml"))
	for _, bad := range [][3]string{{"containerPort:", "containerPorts:", "containerPorts: field not declared in schema"}, {"replicas: 1", "replicas: -1", "spec.replicas: Invalid value: -1"}} {
		broken := filepath.Join(t.TempDir(), "notebook.yaml")
		os.WriteFile(broken, bytes.Replace(nb, []byte(bad[0]), []byte(bad[1]), 1), 0o644)
		if _, err := kube.dryRunApply(broken); err == nil || !strings.Contains(err.Error(), bad[2]) {
			t.Errorf("a Deployment with %q passed the dry run: %v", bad[1], err)
		}
	}

	// Enterprise Gateway: kernels as pods, or its Helm chart
	eg := filepath.Join(t.TempDir(), "eg")
	os.MkdirAll(eg, 0o755)
	os.WriteFile(filepath.Join(eg, "jdash.yaml"), []byte(fmt.Sprintf("services:\n  notebook: {env: %s, kind: classic}\n  gateway: {env: %s, kind: enterprise_gateway}\n",
		requireEnv(t, "classic"), requireEnv(t, "eg"))), 0o644)
	pods, helm := filepath.Join(t.TempDir(), "pods"), filepath.Join(t.TempDir(), "helm")
	if _, errs, code := jdashIn(t, env, eg, "up", "--export", "kubernetes", "-o", pods); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	if b, _ := os.ReadFile(filepath.Join(pods, "gateway.yaml")); !strings.Contains(string(b), "python_kubernetes") {
		t.Errorf("the Enterprise Gateway is not exported with kernels as pods:\n%s", b)
	}
	files, _ = filepath.Glob(filepath.Join(pods, "*.yaml"))
	secrets, _ = filepath.Glob(filepath.Join(pods, "secrets", "*.yaml"))
	dryRun(append(files, secrets...)...)
	// its service account may manage kernel pods in its own namespace, and nowhere else: the
	// account and its Role applied for real, then the authorizer asked
	var account bytes.Buffer
	gw, _ := os.ReadFile(filepath.Join(pods, "gateway.yaml"))
	for _, doc := range strings.Split(string(gw), "\n---\n") {
		if strings.Contains(doc, "kind: ServiceAccount") || strings.Contains(doc, "kind: Role") {
			account.WriteString(doc + "\n---\n")
		}
	}
	accountFile := filepath.Join(t.TempDir(), "account.yaml")
	os.WriteFile(accountFile, account.Bytes(), 0o644)
	if applied, err := kube.apply(false, accountFile); err != nil || len(applied) != 3 {
		t.Fatalf("applying the gateway's account: %v %v", applied, err)
	}
	sa := "system:serviceaccount:default:gateway"
	for _, verb := range []string{"create", "delete", "list", "watch"} {
		if !kube.can(t, sa, verb, "pods", "default") {
			t.Errorf("the gateway's service account may not %s pods in its namespace", verb)
		}
	}
	if kube.can(t, sa, "create", "pods", "kube-system") || kube.can(t, sa, "create", "namespaces", "") {
		t.Error("the gateway's service account may do more than manage kernel pods in its namespace")
	}
	if _, errs, code := jdashIn(t, env, eg, "up", "--export", "kubernetes", "--gateway", "helm", "-o", helm); code != 0 || !strings.Contains(errs, "Helm chart") {
		t.Fatalf("export --gateway helm: %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(helm, "gateway.yaml")); err == nil {
		t.Error("--gateway helm still exported a gateway Deployment")
	}
	if st, err := os.Stat(filepath.Join(helm, "secrets", "enterprise-gateway-values.yaml")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the Helm values: %v %v", err, st)
	}
	files, _ = filepath.Glob(filepath.Join(helm, "*.yaml"))
	if out, err := runEnv(nil, validate, append([]string{"--strict"}, files...)...); err != nil {
		t.Errorf("kubernetes-validate (helm variant): %v\n%s", err, out)
	}
	secrets, _ = filepath.Glob(filepath.Join(helm, "secrets", "*-tokens.yaml")) // (not the chart's values)
	dryRun(append(files, secrets...)...)
}

// exportTwice exports the stack of dir twice, to two dirs.
func exportTwice(t *testing.T, env []string, dir, engine string) (string, string) {
	t.Helper()
	out1, out2 := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	for _, out := range []string{out1, out2} {
		if _, errs, code := jdashIn(t, env, dir, "up", "--export", engine, "-o", out); code != 0 {
			t.Fatalf("export: %d %s", code, errs)
		}
	}
	return out1, out2
}

// sameButSecrets checks that two exports hold the same bytes outside secrets/, and no token
// there.
func sameButSecrets(t *testing.T, out1, out2 string, tokens []string) {
	t.Helper()
	filepath.Walk(out1, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(out1, p)
		if strings.HasPrefix(rel, "secrets/") {
			return nil
		}
		a, _ := os.ReadFile(p)
		for _, tok := range tokens {
			if tok != "" && bytes.Contains(a, []byte(tok)) {
				t.Errorf("a token in %s", rel)
			}
		}
		if b, _ := os.ReadFile(filepath.Join(out2, rel)); !bytes.Equal(a, b) {
			t.Errorf("%s differs between two exports", rel)
		}
		return nil
	})
}
