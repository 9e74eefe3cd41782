package integration

// The hostile suite: what another site, another local user, a second jdash up, a damaged
// state file and a repeated export can do to a stack jdash runs, on the real notebook,
// kernel gateway and Voilà, driven through a real Chromium where a browser is the attacker.

import (
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// dashStack writes a project with a Voilà service and jdash's dashboards service (extra
// settings appended to the dashboards service) and one deployed dashboard.
func dashStack(t *testing.T, dashExtra string) (dir string, dashPort int) {
	dir = filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(filepath.Join(dir, "dashboards"), 0o755)
	dashPort = freePort(t)
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf(`root_dir: .
services:
  voila:      {env: %s, kind: voila, port: %d}
  dashboards: {kind: dashboards, port: %d, render: voila%s}
`, requireEnv(t, "voila"), freePort(t), dashPort, dashExtra)), 0o644)
	os.WriteFile(filepath.Join(dir, "dashboards", "report.ipynb"), []byte(reportNotebook), 0o644)
	return dir, dashPort
}

// upStack brings the stack of dir up (detached), to be taken down when the test ends, and
// returns its marker.
func upStack(t *testing.T, env []string, dir string) string {
	t.Helper()
	if out, errs, code := jdashIn(t, env, dir, "up", "-d"); code != 0 {
		t.Fatalf("up: %d\n%s\n%s", code, out, errs)
	}
	t.Cleanup(func() { jdashIn(t, env, dir, "down") })
	return marker(t, env)
}

// kernels are the live kernel processes of the stack (marker m).
func kernels(m string) []string {
	var out []string
	for _, p := range marked(m) {
		if strings.Contains(p, "ipykernel_launcher") {
			out = append(out, p)
		}
	}
	return out
}

// attackPage is what a page of another site tries against the dashboards at dash: read a
// dashboard and Voilà's contents listing, open a leaked kernel's channels, shut it down,
// and start kernels with <img> tags.
const attackPage = `<!DOCTYPE html><html><body><h1>evil.example</h1><script>
async function attack(dash, kernel) {
  const r = {};
  try { const res = await fetch(dash + '/dashboards/report', {credentials: 'include'}); const b = await res.text(); r.readDashboard = 'READ ' + res.status + ' ' + b.length + ' bytes' + (b.includes('kernelId') ? ' with a kernel id' : ''); } catch (e) { r.readDashboard = 'blocked (' + e.message + ')'; }
  try { const res = await fetch(dash + '/voila/api/contents', {credentials: 'include'}); r.readContents = 'READ ' + res.status + ' ' + (await res.text()).slice(0, 120); } catch (e) { r.readContents = 'blocked (' + e.message + ')'; }
  r.socket = await new Promise(ok => {
    const ws = new WebSocket(dash.replace('http', 'ws') + '/api/kernels/' + kernel + '/channels');
    ws.onopen = () => { ws.close(); ok('OPENED'); };
    ws.onerror = () => ok('refused');
    setTimeout(() => ok('no answer'), 8000);
  });
  try { await fetch(dash + '/voila/api/shutdown/' + kernel, {method: 'POST', mode: 'no-cors', credentials: 'include'}); r.shutdown = 'sent'; } catch (e) { r.shutdown = 'blocked (' + e.message + ')'; }
  for (let i = 0; i < 5; i++) { const img = new Image(); img.src = dash + '/dashboards/report?img=' + i; document.body.appendChild(img); }
  await new Promise(ok => setTimeout(ok, 4000));
  return r;
}
</script></body></html>`

// A page of another site (evil.example, resolved to this machine) attacks a stack whose
// dashboards need no viewer login (viewer_auth: none, the weakest setting): it reads
// nothing, opens no kernel channel, shuts no kernel down and starts no kernel; the same
// service reached under the attacker's name (DNS rebinding) answers nothing.
func TestHostileCrossOriginPage(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	dir, dashPort := dashStack(t, ", viewer_auth: none")
	m := upStack(t, env, dir)
	dash := fmt.Sprintf("http://127.0.0.1:%d", dashPort)

	// the viewer: a browser tab on the dashboard, its kernel's channel open
	viewer := newDriver(t)
	viewer.do("open the dashboard", 60*time.Second, chromedp.Navigate(dash+"/dashboards/report"))
	viewer.waitJS("see the dashboard", `document.body.innerText.includes('jdash-dashboard-42')`, 90*time.Second)
	var kernel string
	viewer.eval("read the kernel id", `(document.documentElement.outerHTML.match(/"kernelId":\s*"([0-9a-f-]{36})"/) || [])[1] || ''`, &kernel)
	viewer.shot("hostile-viewer")
	if kernel == "" {
		t.Fatal("no kernel id in the viewer's page")
	}
	before := kernels(m)

	// the attacker's site
	evil := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, attackPage)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go evil.Serve(l)
	defer evil.Close()
	evilPort := l.Addr().(*net.TCPAddr).Port
	attacker := newDriver(t, chromedp.Flag("host-resolver-rules", "MAP evil.example 127.0.0.1"))
	attacker.do("open the attacker's page", 30*time.Second, chromedp.Navigate(fmt.Sprintf("http://evil.example:%d/", evilPort)))
	var got map[string]string
	attacker.await("attack", fmt.Sprintf(`attack(%q, %q)`, dash, kernel), &got, 60*time.Second)
	attacker.shot("hostile-attacker")
	t.Logf("what the page of evil.example got: %v", got)
	for what, result := range got {
		if strings.HasPrefix(result, "READ") || result == "OPENED" {
			t.Errorf("another site's page: %s: %s", what, result)
		}
	}
	// the viewer's kernel is alive and still the viewer's; no kernel was added
	var status int
	viewer.await("the viewer's kernel", fmt.Sprintf(`fetch('/api/kernels/%s').then(r => r.status)`, kernel), &status, 20*time.Second)
	if status != 200 {
		t.Errorf("the viewer's kernel after the attack: %d (shut down by another site?)", status)
	}
	if after := kernels(m); len(after) != len(before) {
		t.Errorf("kernels before the attack %d, after %d: <img> tags of another site started kernels\n%s", len(before), len(after), strings.Join(after, "\n"))
	}
	// DNS rebinding: the attacker's name pointed at the dashboards service
	var body string
	attacker.do("rebound name", 30*time.Second, chromedp.Navigate(fmt.Sprintf("http://evil.example:%d/dashboards/report", dashPort)),
		chromedp.Evaluate(`document.body.innerText`, &body))
	attacker.shot("hostile-rebinding")
	if !strings.Contains(body, "does not answer to the host") {
		t.Errorf("the dashboards under the attacker's name: %.300q", body)
	}
	t.Logf("DNS rebinding to the dashboards: %q", strings.TrimSpace(body))
}

// A viewer's kernel nobody uses is culled; a client that keeps no cookies starts none.
func TestHostileKernelsCulled(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	dir, dashPort := dashStack(t, ", viewer_auth: none, kernel_idle_timeout: 4s, max_kernels: 2")
	m := upStack(t, env, dir)
	url := fmt.Sprintf("http://127.0.0.1:%d/dashboards/report", dashPort)
	for range 5 { // a script without cookies, five times
		if code, body := get(t, url, ""); code != 200 || !strings.Contains(body, `http-equiv="refresh"`) {
			t.Fatalf("a cookie-less view: %d %.200s", code, body)
		}
	}
	if k := kernels(m); len(k) != 0 {
		t.Fatalf("cookie-less views started kernels:\n%s", strings.Join(k, "\n"))
	}
	// a client with cookies that never opens the channel (a closed laptop): its kernel goes
	view := func() int {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 90 * time.Second}
		for range 2 {
			resp, err := c.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return resp.StatusCode
			}
		}
		return 200
	}
	for range 2 {
		if code := view(); code != 200 {
			t.Fatalf("a viewer: %d", code)
		}
	}
	waitFor(t, 30*time.Second, "two viewers' kernels", func() bool { return len(kernels(m)) == 2 })
	// at max_kernels 2, a third viewer makes room by culling the least recently used idle one
	if code := view(); code != 200 {
		t.Errorf("a third viewer at the cap (the others idle): %d", code)
	}
	start := time.Now()
	waitFor(t, 30*time.Second, "the idle kernels culled", func() bool { return len(kernels(m)) == 0 })
	logs, _, _ := jdashIn(t, env, dir, "logs", "dashboards")
	t.Logf("idle kernels culled %s after the last view (kernel_idle_timeout 4s):\n%s", time.Since(start).Round(time.Second), grepLines(logs, "idle viewer kernel"))
	if !strings.Contains(logs, "shut down the idle viewer kernel") {
		t.Errorf("the dashboards log does not say it culled: %s", logs)
	}
}

func grepLines(text, want string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, want) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// impostorScript binds a port as soon as a jdash supervisor appears and the port is free,
// and records whatever Authorization it is sent.
const impostorScript = `import http.server, os, sys, time
port, log = int(sys.argv[1]), sys.argv[2]
def supervisor():
    for p in os.listdir('/proc'):
        try:
            if p.isdigit() and b'__supervise' in open('/proc/%s/cmdline' % p, 'rb').read():
                return True
        except OSError:
            pass
    return False
while not supervisor():
    time.sleep(0.002)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log, 'a') as f:
            f.write('%s %s\n' % (self.path, self.headers.get('Authorization')))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{}')
    def log_message(self, *a):
        pass
while True:
    try:
        s = http.server.HTTPServer(('127.0.0.1', port), H)
        break
    except OSError:
        time.sleep(0.002)
open(log + '.bound', 'w').close()
s.serve_forever()
`

// Another local user binds the gateway's port between pre-flight and the gateway's start:
// the probe sends it nothing, up fails naming the service and the holder, nothing is left.
func TestHostileImpostorListener(t *testing.T) {
	integration(t)
	if os.Geteuid() != 0 {
		t.Fatal("the impostor runs as a second Unix user: this test needs root to make one")
	}
	const other = "jdash-hostile"
	if _, err := user.Lookup(other); err != nil {
		if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", other).CombinedOutput(); err != nil {
			t.Fatalf("useradd: %v\n%s", err, out)
		}
	}
	env := stackEnv(t)
	dir, nbPort, gwPort, _ := project(t, "classic", "classic")
	work, _ := os.MkdirTemp("", "jdash-impostor-")
	defer os.RemoveAll(work)
	os.Chmod(work, 0o777)
	script, log := filepath.Join(work, "impostor.py"), filepath.Join(work, "seen.log")
	os.WriteFile(script, []byte(impostorScript), 0o644)
	impostor := func(log string) {
		imp := exec.Command("runuser", "-u", other, "--", "/usr/bin/python3", script, strconv.Itoa(gwPort), log)
		if err := imp.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { exec.Command("pkill", "-u", other).Run(); imp.Wait() })
	}
	impostor(log)
	out, errs, code := jdashIn(t, env, dir, "up", "-d")
	if _, err := os.Stat(log + ".bound"); err != nil {
		t.Fatalf("the impostor did not get the port first (the test's race was lost): up %d\n%s", code, errs)
	}
	seen, _ := os.ReadFile(log)
	t.Logf("up -d with an impostor on the gateway's port: exit %d\n%s%s\nthe impostor was sent: %q", code, out, errs, seen)
	if strings.Contains(string(seen), "token ") {
		t.Errorf("the impostor received a token: %s", seen)
	}
	if code == 0 || !strings.Contains(errs, "gateway") || !regexp.MustCompile(`port \d+ is held by PID \d+ \(\S*python3 `).MatchString(errs) {
		t.Errorf("up -d: exit %d, want a failure naming the gateway and the impostor:\n%s", code, errs)
	}
	jdashIn(t, env, dir, "down")
	if !portFree(nbPort) {
		t.Errorf("the notebook's port is still taken")
	}
	exec.Command("pkill", "-u", other).Run()

	// After the stack is up, the gateway dies and the other user takes its port: the notebook,
	// which would send the gateway's token there, is stopped with it.
	if _, errs, code := jdashIn(t, env, dir, "up", "-d"); code != 0 {
		t.Fatalf("up: %s", errs)
	}
	defer jdashIn(t, env, dir, "down")
	d := ps(t, env, dir)
	later := filepath.Join(work, "later.log")
	impostor(later)
	for _, s := range d.Services {
		if s.Name == "gateway" {
			syscall.Kill(s.PID, syscall.SIGKILL)
		}
	}
	waitFor(t, 10*time.Second, "the impostor on the gateway's port", func() bool { _, err := os.Stat(later + ".bound"); return err == nil })
	waitFor(t, 20*time.Second, "the notebook stopped", func() bool {
		for _, s := range ps(t, env, dir).Services {
			if s.Name == "notebook" {
				return s.Status == "stopped"
			}
		}
		return false
	})
	if req, err := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/api/kernels", nbPort), nil); err == nil {
		req.Header.Set("Authorization", "token "+token(d.url("notebook")))
		if resp, err := http.DefaultClient.Do(req); err == nil { // a running notebook would ask the gateway
			resp.Body.Close()
		}
	}
	time.Sleep(time.Second)
	psText, _, _ := jdashIn(t, env, dir, "ps")
	seen, _ = os.ReadFile(later)
	t.Logf("the gateway killed and its port taken by another user:\n%sthe impostor was sent: %q", psText, seen)
	if strings.Contains(string(seen), "token ") {
		t.Errorf("the impostor received a token after the gateway died: %s", seen)
	}
}

// supervisors are the live jdash supervisors of the state dirs under home.
func supervisors(home string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmd), "__supervise\x00"+home) {
			out = append(out, e.Name()+" "+strings.ReplaceAll(string(cmd), "\x00", " "))
		}
	}
	return out
}

func stateHome(env []string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_STATE_HOME="); ok {
			return v
		}
	}
	return ""
}

// Two ups at once start one supervisor; the other says so; down stops everything; ps, logs
// and down work from a subdir of the project.
func TestHostileConcurrentUps(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	dir, nbPort, gwPort, voPort := project(t, "classic", "classic")
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for range 2 {
		c := exec.Command(jdashBin, "up", "-d")
		c.Env, c.Dir = env, dir
		var b strings.Builder
		c.Stdout, c.Stderr = &b, &b
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, c), append(outs, &b)
	}
	for i, c := range cmds {
		err := c.Wait()
		t.Logf("up -d #%d: %v\n%s", i+1, err, outs[i])
		if err != nil {
			t.Errorf("up -d #%d failed: %v", i+1, err)
		}
	}
	sups := supervisors(stateHome(env))
	if len(sups) != 1 {
		t.Errorf("supervisors after two concurrent ups: %d\n%s", len(sups), strings.Join(sups, "\n"))
	}
	if !strings.Contains(outs[0].String()+outs[1].String(), "being started by another jdash up") &&
		!strings.Contains(outs[0].String()+outs[1].String(), "already up") {
		t.Errorf("neither up said the other had the stack")
	}
	sub := filepath.Join(dir, "sub", "deeper")
	os.MkdirAll(sub, 0o755)
	if d := ps(t, env, sub); !d.Running || len(d.Services) != 3 {
		t.Errorf("ps from a subdir: %+v", d)
	}
	if out, _, code := jdashIn(t, env, sub, "logs", "--tail", "1", "gateway"); code != 0 || !strings.HasPrefix(out, "gateway |") {
		t.Errorf("logs from a subdir: %d %q", code, out)
	}
	m := marker(t, env)
	_, errs, code := jdashIn(t, env, sub, "down")
	if code != 0 || !strings.Contains(errs, "every port free") {
		t.Errorf("down from a subdir: %d %s", code, errs)
	}
	if left := append(marked(m), supervisors(stateHome(env))...); len(left) > 0 {
		t.Errorf("left after down:\n%s", strings.Join(left, "\n"))
	}
	for _, p := range []int{nbPort, gwPort, voPort} {
		if !portFree(p) {
			t.Errorf("port %d still taken", p)
		}
	}
}

// A truncated, an empty and a lying state file: ps and logs still work, down stops the stack
// by its marker, and a process the state names without the marker is left alone.
func TestHostileDamagedState(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	dir, nbPort, gwPort, voPort := project(t, "classic", "classic")
	bystander := exec.Command("sleep", "300")
	bystander.Start()
	defer bystander.Process.Kill()
	for _, damage := range []string{"truncated", "{}", "lying"} {
		if _, errs, code := jdashIn(t, env, dir, "up", "-d"); code != 0 {
			t.Fatalf("up (%s): %s", damage, errs)
		}
		m := marker(t, env)
		files, _ := filepath.Glob(filepath.Join(stateHome(env), "jdash", "stacks", "*", "state.json"))
		data, _ := os.ReadFile(files[0])
		switch damage {
		case "truncated":
			data = data[:len(data)/2]
		case "{}":
			data = []byte("{}")
		case "lying": // the bystander as a service, its start time unknown
			data = []byte(fmt.Sprintf(`{"dir": %q, "marker": %q, "supervisor_pid": %d, "supervisor_start_ticks": 0, "services": [{"name": "notebook", "pid": %d}], "procs": [{"name": "notebook", "port": %d}]}`,
				dir, m, bystander.Process.Pid, bystander.Process.Pid, nbPort))
		}
		os.WriteFile(files[0], data, 0o600)
		out, errs, code := jdashIn(t, env, dir, "ps")
		t.Logf("ps with a %s state: exit %d\n%s%s", damage, code, errs, out)
		if code != 0 || !strings.Contains(errs, "damaged") || !strings.Contains(out, "__supervise") || !strings.Contains(out, "-m notebook") {
			t.Errorf("ps with a %s state: %d %s %s", damage, code, errs, out)
		}
		if out, _, code := jdashIn(t, env, dir, "logs", "--tail", "1"); code != 0 || !regexp.MustCompile(`(?m)^notebook +\| `).MatchString(out) {
			t.Errorf("logs with a %s state: %d %q", damage, code, out)
		}
		_, errs, code = jdashIn(t, env, dir, "down")
		t.Logf("down with a %s state: exit %d\n%s", damage, code, errs)
		if code != 0 {
			t.Errorf("down with a %s state: %d %s", damage, code, errs)
		}
		if left := marked(m); len(left) > 0 {
			t.Errorf("left after down (%s state):\n%s", damage, strings.Join(left, "\n"))
		}
		for _, p := range []int{nbPort, gwPort, voPort} {
			if !portFree(p) {
				t.Errorf("port %d still taken after down (%s state)", p, damage)
			}
		}
		if syscall.Kill(bystander.Process.Pid, 0) != nil {
			t.Fatalf("down (%s state) killed a process that is not the stack's", damage)
		}
	}
}

// A kernel that dropped its environment (no marker) is stopped by down all the same.
func TestHostileKernelWithoutMarker(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	dir, _, _, _ := project(t, "classic", "classic")
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf("root_dir: .\nservices:\n  notebook: {env: %s, kind: classic, port: %d}\n",
		requireEnv(t, "classic"), freePort(t))), 0o644)
	if _, errs, code := jdashIn(t, env, dir, "up", "-d"); code != 0 {
		t.Fatalf("up: %s", errs)
	}
	d := ps(t, env, dir)
	br := newDriver(t)
	nb := strings.Replace(d.url("notebook"), "/tree?", "/notebooks/hello.ipynb?", 1)
	out := br.runClassicCell(nb, "import subprocess; print(subprocess.Popen(['sleep', '600'], env={}, start_new_session=True).pid)", "hostile-emptyenv")
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil || syscall.Kill(pid, 0) != nil {
		t.Fatalf("the cell printed %q", out)
	}
	env2, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if len(env2) != 0 {
		t.Fatalf("the process has an environment: %q", env2)
	}
	if _, errs, code := jdashIn(t, env, dir, "down"); code != 0 {
		t.Fatalf("down: %s", errs)
	}
	time.Sleep(200 * time.Millisecond)
	if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && !strings.Contains(string(st), ") Z ") {
		t.Errorf("a process started by a kernel with an empty environment survived down: %s", st)
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// Exporting twice into the export's own dir works; the user's own dir is refused unless
// --force; every file an image copies is there.
func TestHostileRepeatedExport(t *testing.T) {
	integration(t)
	env := stackEnv(t)
	dir, _ := dashStack(t, "")
	for _, engine := range []string{"compose", "kubernetes"} {
		for i := range 2 {
			if _, errs, code := jdashIn(t, env, dir, "up", "--export", engine); code != 0 {
				t.Fatalf("export %s #%d: %d %s", engine, i+1, code, errs)
			}
		}
		if fi, err := os.Stat(filepath.Join(dir, "jdash-export", engine, "jdash")); err != nil || fi.Mode().Perm()&0o100 == 0 {
			t.Errorf("%s: the dashboards image copies jdash, and ./jdash is not there: %v", engine, err)
		}
	}
	mine := filepath.Join(t.TempDir(), "mine")
	os.MkdirAll(mine, 0o755)
	os.WriteFile(filepath.Join(mine, "compose.yaml"), []byte("# mine\n"), 0o644)
	_, errs, code := jdashIn(t, env, dir, "up", "--export", "compose", "-o", mine)
	if b, _ := os.ReadFile(filepath.Join(mine, "compose.yaml")); code == 0 || string(b) != "# mine\n" {
		t.Errorf("export into the user's dir: %d %s; compose.yaml now %q", code, errs, b)
	}
	t.Logf("export into a dir of the user's: exit %d: %s", code, strings.TrimSpace(errs))
	if _, errs, code := jdashIn(t, env, dir, "up", "--export", "compose", "-o", mine, "--force"); code != 0 {
		t.Errorf("--force: %d %s", code, errs)
	}
}
