package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// host is one of two "hosts" on this machine: a network namespace of its own, joined to the
// other by a veth pair and nothing else (no route out, no link to this one's namespace).
type host struct {
	ns, addr string
	ip       string // ip(8)
}

// twoHosts makes the namespaces and the link between them, and removes them (and every
// process left in them) at the end. It skips where namespaces cannot be made (not root, no
// kernel support).
func twoHosts(t *testing.T) (a, b host) {
	t.Helper()
	ip, err := exec.LookPath("ip")
	if err != nil {
		for _, p := range []string{"/usr/sbin/ip", "/sbin/ip"} {
			if _, e := os.Stat(p); e == nil {
				ip, err = p, nil
			}
		}
	}
	if err != nil || os.Geteuid() != 0 {
		t.Skip("two hosts need network namespaces: root and ip(8) from iproute2")
	}
	id := strconv.Itoa(os.Getpid())
	// 192.0.2.0/24 is TEST-NET-1 (RFC 5737): routed nowhere, whatever the machine's network
	a = host{ns: "jdash-a-" + id, addr: "192.0.2.1", ip: ip}
	b = host{ns: "jdash-b-" + id, addr: "192.0.2.2", ip: ip}
	run := func(args ...string) error {
		out, err := exec.Command(ip, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := run("netns", "add", a.ns); err != nil {
		t.Skipf("network namespaces cannot be made here: %v", err)
	}
	t.Cleanup(func() {
		for _, h := range []host{a, b} {
			for _, pid := range h.pids() {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			run("netns", "del", h.ns) // the veth pair goes with its namespaces
		}
	})
	steps := [][]string{
		{"netns", "add", b.ns},
		{"link", "add", "veth0", "netns", a.ns, "type", "veth", "peer", "name", "veth0", "netns", b.ns},
	}
	for _, h := range []host{a, b} {
		steps = append(steps,
			[]string{"-n", h.ns, "addr", "add", h.addr + "/24", "dev", "veth0"},
			[]string{"-n", h.ns, "link", "set", "veth0", "up"},
			[]string{"-n", h.ns, "link", "set", "lo", "up"})
	}
	for _, s := range steps {
		if err := run(s...); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

// pids are the processes living in the host's namespace.
func (h host) pids() []int {
	out, _ := exec.Command(h.ip, "netns", "pids", h.ns).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// jdash runs jdash on the host, in dir with env (as jdashIn).
func (h host) jdash(t *testing.T, env []string, dir string, args ...string) (string, string, int) {
	t.Helper()
	return h.command(t, env, dir, jdashBin, args...)
}

func (h host) command(t *testing.T, env []string, dir, name string, args ...string) (string, string, int) {
	t.Helper()
	c := exec.Command(h.ip, append([]string{"netns", "exec", h.ns, name}, args...)...)
	c.Env, c.Dir = env, dir
	return runCaptured(t, c)
}

func (h host) ps(t *testing.T, env []string, dir string) psDoc {
	t.Helper()
	out, errs, code := h.jdash(t, env, dir, "ps", "--json")
	var d psDoc
	if code != 0 || json.Unmarshal([]byte(out), &d) != nil {
		t.Fatalf("ps on %s: %d %s %s", h.ns, code, out, errs)
	}
	return d
}

// dial opens a connection from inside the host's namespace: the socket is made on an OS
// thread moved there, and a socket stays in the namespace it was made in.
func (h host) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	runtime.LockOSThread()
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	defer self.Close()
	target, err := os.Open("/run/netns/" + h.ns)
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	conn, err := (&net.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, network, addr)
	if unix.Setns(int(self.Fd()), unix.CLONE_NEWNET) == nil {
		runtime.UnlockOSThread() // (a thread that could not go back dies with this goroutine)
	}
	return conn, err
}

// get is a GET from the host with a token (none when empty).
func (h host) get(t *testing.T, url, tok string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: h.dial}}
	req, _ := http.NewRequest("GET", url, nil)
	if tok != "" {
		req.Header.Set("Authorization", "token "+tok)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// vethBytes is what the host's end of the link has received.
func (h host) vethBytes(t *testing.T) int64 {
	t.Helper()
	out, err := exec.Command(h.ip, "-n", h.ns, "-s", "-j", "link", "show", "veth0").Output()
	var links []struct {
		Stats struct {
			RX struct{ Bytes int64 } `json:"rx"`
		} `json:"stats64"`
	}
	if err != nil || json.Unmarshal(out, &links) != nil || len(links) != 1 {
		t.Fatalf("ip -s link on %s: %v %s", h.ns, err, out)
	}
	return links[0].Stats.RX.Bytes
}

// netnsID is the namespace's identity as /proc/PID/ns/net names it: net:[inode].
func (h host) netnsID(t *testing.T) string {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+h.ns, &st); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("net:[%d]", st.Ino)
}

// cellThroughNotebook is a person's cell, run through the notebook's API from the notebook's host: a
// new python3 kernel, one execute_request on its websocket, the stream it prints. The
// notebook's URL and token come in NB_URL and NB_TOKEN.
const cellThroughNotebook = `
import json, os, urllib.request, uuid
from tornado import httpclient, ioloop, websocket
base, auth = os.environ["NB_URL"], {"Authorization": "token " + os.environ["NB_TOKEN"]}
req = urllib.request.Request(base + "/api/kernels", data=b'{"name": "python3"}', method="POST",
                             headers=dict(auth, **{"Content-Type": "application/json"}))
kernel = json.load(urllib.request.urlopen(req, timeout=120))["id"]
code = "import os, sys\nprint(os.readlink('/proc/self/ns/net'))\nprint(sys.prefix)"
async def run():
    ws = await websocket.websocket_connect(httpclient.HTTPRequest(
        base.replace("http", "ws", 1) + "/api/kernels/" + kernel + "/channels", headers=auth))
    msg = uuid.uuid4().hex
    ws.write_message(json.dumps({"channel": "shell", "buffers": [], "parent_header": {}, "metadata": {},
        "header": {"msg_id": msg, "msg_type": "execute_request", "username": "", "session": uuid.uuid4().hex, "version": "5.3"},
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False}}))
    out = ""
    while True:
        m = json.loads(await ws.read_message())
        if m.get("parent_header", {}).get("msg_id") != msg:
            continue
        if m["msg_type"] == "stream":
            out += m["content"]["text"]
        elif m["msg_type"] == "error":
            out += "error: " + m["content"]["ename"]
        elif m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return out
print(json.dumps({"kernel": kernel, "out": ioloop.IOLoop.current().run_sync(run, timeout=120)}))
`

// "Two hosts": jdash runs a gateway on host B (its token kept in a variable, so that it stays
// the same across ups), and a notebook on host A whose kernels run on B's gateway ({url,
// token_env}). Every connection between them crosses the veth pair; nothing is reachable
// from this machine's own namespace. A Kernel Gateway, then an Enterprise Gateway.
func TestGatewayOnAnotherHost(t *testing.T) {
	integration(t)
	t.Run("kernel_gateway", func(t *testing.T) { acrossHosts(t, "kernel_gateway", "gateway", "") })
	// (Enterprise Gateway refuses kernels for the user root, which CI is: the notebook names
	// another user, as a user's own notebook would)
	t.Run("enterprise_gateway", func(t *testing.T) {
		acrossHosts(t, "enterprise_gateway", "eg", ", environment: {KERNEL_USERNAME: jdash-test}")
	})
}

func acrossHosts(t *testing.T, kind, gwEnvName, nbExtra string) {
	a, b := twoHosts(t)
	gwEnv, nbEnv := requireEnv(t, gwEnvName), requireEnv(t, "classic")
	const secret = "c0ffee-shared-between-the-hosts" // the one token the two hosts' users share
	gwURL := "http://" + b.addr + ":8889"

	// host B: the gateway, listening on B's address
	bDir := filepath.Join(t.TempDir(), "gw-host")
	os.MkdirAll(bDir, 0o755)
	os.WriteFile(filepath.Join(bDir, "jdash.yaml"), []byte(fmt.Sprintf(
		"services:\n  gateway: {env: %s, kind: %s, ip: %s, port: 8889, token_env: JDASH_GATEWAY_TOKEN}\n", gwEnv, kind, b.addr)), 0o644)
	bEnv := append(stackEnv(t), "JDASH_GATEWAY_TOKEN="+secret)
	out, errs, code := b.jdash(t, bEnv, bDir, "up", "-d")
	if code != 0 {
		t.Fatalf("up on host B: %d\n%s\n%s", code, out, errs)
	}
	t.Logf("host B: jdash up -d\n%s%s", errs, out)
	if !strings.Contains(errs, "warning: service gateway listens on "+b.addr+" over plain HTTP") {
		t.Error("up on B does not warn that the gateway's token crosses the network unencrypted")
	}
	t.Cleanup(func() { b.jdash(t, bEnv, bDir, "down") })
	if d := b.ps(t, bEnv, bDir); d.url("gateway") != gwURL+"/api?token="+secret {
		t.Errorf("host B's ps: %+v", d)
	}
	if code, body := a.get(t, gwURL+"/api", ""); code != 401 && code != 403 {
		t.Errorf("B's gateway without a token, from A: %d %s", code, body)
	}
	if c, err := net.DialTimeout("tcp", b.addr+":8889", 3*time.Second); err == nil {
		c.Close()
		t.Fatal("B's gateway is reachable from this machine's own namespace: the hosts are not apart")
	}

	// host A: the notebook; first with a wrong token, which pre-flight refuses
	aDir := filepath.Join(t.TempDir(), "nb-host")
	os.MkdirAll(aDir, 0o755)
	os.WriteFile(filepath.Join(aDir, "jdash.yaml"), []byte(fmt.Sprintf(
		"services:\n  notebook: {env: %s, kind: classic, port: 8888%s}\n  gateway: {url: %q, token_env: REMOTE_GW_TOKEN}\n", nbEnv, nbExtra, gwURL)), 0o644)
	aHome := stackEnv(t)
	_, errs, code = a.jdash(t, append(aHome, "REMOTE_GW_TOKEN=not-the-token"), aDir, "up", "-d")
	if code != 1 || !strings.Contains(errs, "the gateway at "+gwURL+" does not answer with the token of $REMOTE_GW_TOKEN") || !strings.Contains(errs, "401") {
		t.Errorf("a wrong token: %d\n%s", code, errs)
	}
	t.Logf("host A: jdash up -d, with a wrong token: exit %d\n%s", code, errs)
	if code, _ := a.get(t, "http://127.0.0.1:8888/api/status", ""); code != 0 {
		t.Error("the notebook started on A although pre-flight failed")
	}
	aEnv := append(aHome, "REMOTE_GW_TOKEN="+secret)
	out, errs, code = a.jdash(t, aEnv, aDir, "up", "-d")
	if code != 0 {
		t.Fatalf("up on host A: %d\n%s\n%s", code, out, errs)
	}
	t.Logf("host A: jdash up -d\n%s%s", errs, out)
	if !strings.Contains(errs, "warning: service gateway: the gateway at "+gwURL+" is plain HTTP") {
		t.Error("up on A does not warn that the gateway's token crosses the network unencrypted")
	}
	t.Cleanup(func() { a.jdash(t, aEnv, aDir, "down") })
	d := a.ps(t, aEnv, aDir)
	for _, s := range d.Services {
		if s.Name == "gateway" && (s.Status != "external" || s.URL != gwURL || s.Error != "") {
			t.Errorf("A's ps shows B's gateway as %+v", s)
		}
	}
	out, _, _ = a.jdash(t, aEnv, aDir, "ps")
	t.Logf("host A: jdash ps\n%s", out)

	// a cell run through A's notebook runs in a kernel on B
	before := b.vethBytes(t)
	out, errs, code = a.command(t, []string{"NB_URL=http://127.0.0.1:8888", "NB_TOKEN=" + token(d.url("notebook"))}, aDir,
		filepath.Join(nbEnv, "bin", "python"), "-c", cellThroughNotebook)
	var cell struct{ Kernel, Out string }
	if code != 0 || json.Unmarshal([]byte(out), &cell) != nil {
		t.Fatalf("running a cell through A's notebook: %d\n%s\n%s", code, out, errs)
	}
	if want := b.netnsID(t) + "\n" + gwEnv + "\n"; cell.Out != want {
		t.Errorf("the cell ran in %q, want B's namespace and the gateway env's Python %q", cell.Out, want)
	}
	if code, body := a.get(t, gwURL+"/api/kernels", secret); code != 200 || !strings.Contains(body, cell.Kernel) {
		t.Errorf("the kernel %s is not on B's gateway: %d %s", cell.Kernel, code, body)
	}
	if got := b.vethBytes(t) - before; got < 1000 {
		t.Errorf("B's end of the link received %d bytes while the cell ran", got)
	}
	t.Logf("the cell's kernel %s on B's gateway printed %q; B's link received %d bytes meanwhile", cell.Kernel, cell.Out, b.vethBytes(t)-before)

	// down on A stops A's notebook, which shuts its kernels on B down; B's gateway stays
	if _, errs, code := a.jdash(t, aEnv, aDir, "down"); code != 0 {
		t.Fatalf("down on A: %s", errs)
	}
	if code, body := a.get(t, gwURL+"/api/kernels", secret); code != 200 || strings.Contains(body, cell.Kernel) {
		t.Errorf("after down on A, B's gateway: %d %s", code, body)
	}
	if pids := a.pids(); len(pids) != 0 {
		t.Errorf("processes left on A after down: %v", pids)
	}

	// B goes away while A is up: A's ps says the gateway does not answer
	if out, errs, code := a.jdash(t, aEnv, aDir, "up", "-d"); code != 0 {
		t.Fatalf("up on A again: %d\n%s\n%s", code, out, errs)
	}
	if _, errs, code := b.jdash(t, bEnv, bDir, "down"); code != 0 {
		t.Fatalf("down on B: %s", errs)
	}
	if pids := b.pids(); len(pids) != 0 {
		t.Errorf("processes left on B after down: %v", pids)
	}
	for _, s := range a.ps(t, aEnv, aDir).Services {
		if s.Name == "gateway" && (s.Status != "unreachable" || !strings.Contains(s.Error, "connection refused")) {
			t.Errorf("A's ps with B's gateway down: %+v", s)
		}
	}
	out, _, _ = a.jdash(t, aEnv, aDir, "ps")
	t.Logf("host A: jdash ps, with B's gateway down\n%s", out)
	if _, errs, code := a.jdash(t, aEnv, aDir, "down"); code != 0 {
		t.Fatalf("down on A: %s", errs)
	}
}
