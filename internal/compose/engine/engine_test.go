package engine

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/proc"
)

func stateDir(t *testing.T) Store {
	return StoreFor(t.TempDir(), "/home/u/proj")
}

// One holder at a time; a second TryLock is ErrBusy until the first is released; a child
// handed the lock file holds it after the parent closes its copy.
func TestLockIsExclusiveAndHandsOver(t *testing.T) {
	d := stateDir(t)
	a, err := d.TryLock()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.TryLock(); !errors.Is(err, ErrBusy) {
		t.Fatalf("a second lock: %v", err)
	}
	// a child inherits the lock's file (fd 3) and sleeps; the parent closes its copy
	child := exec.Command("sleep", "30")
	child.ExtraFiles = []*os.File{a.File()}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if _, err := d.TryLock(); !errors.Is(err, ErrBusy) {
		t.Fatalf("with the child holding it: %v", err)
	}
	child.Process.Kill()
	child.Wait()
	b, err := d.TryLock()
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	b.Release()
	// Adopt refuses a file that is not the stack's lock
	f, _ := os.CreateTemp(t.TempDir(), "x")
	if _, err := d.Adopt(f); err == nil {
		t.Error("adopted a file that is not the lock")
	}
}

func TestHolderIsTheSameProcess(t *testing.T) {
	d := stateDir(t)
	d.Make()
	if err := d.SetHolder(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	if h, ok := d.Holder(); !ok || h.PID != os.Getpid() {
		t.Errorf("holder %+v %v", h, ok)
	}
	os.WriteFile(d.holderFile(), []byte("1 12345\n"), 0o600) // PID 1, another start time
	if h, ok := d.Holder(); ok {
		t.Errorf("a holder with another start time: %+v", h)
	}
}

// A state that could make jdash signal what it cannot prove is the stack's is damaged.
func TestStateIsValidatedOnRead(t *testing.T) {
	d := stateDir(t)
	d.Make()
	good := State{Dir: "/home/u/proj", Marker: MarkerPrefix(string(d)) + "abc", Supervisor: 42, Ticks: 7,
		Procs: []ProcInfo{{Name: "nb", Port: 8888}}}
	data, _ := json.Marshal(good)
	for name, content := range map[string]string{
		"truncated":     string(data[:len(data)/2]),
		"empty object":  "{}",
		"no ticks":      strings.Replace(string(data), `"supervisor_start_ticks":7`, `"supervisor_start_ticks":0`, 1),
		"foreign mark":  strings.Replace(string(data), good.Marker, "JDASH_STACK=other:abc", 1),
		"service ticks": strings.Replace(string(data), `"services":null`, `"services":[{"name":"nb","status":"ready","pid":1}]`, 1),
	} {
		os.WriteFile(d.stateFile(), []byte(content), 0o600)
		var damaged *Damaged
		if st, err := d.State(); !errors.As(err, &damaged) {
			t.Errorf("%s: %+v %v, want damaged", name, st, err)
		}
	}
	os.WriteFile(d.stateFile(), data, 0o600)
	if st, err := d.State(); err != nil || st.Supervisor != 42 {
		t.Errorf("a good state: %+v %v", st, err)
	}
}

func FuzzParseState(f *testing.F) {
	f.Add([]byte(`{"dir":"/p","marker":"JDASH_STACK=p-0:x","supervisor_pid":1,"supervisor_start_ticks":2,"procs":[{"name":"a"}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseState("/s/p-0", data)
		if err == nil && (st.Ticks == 0 || st.Supervisor <= 0 || !strings.HasPrefix(st.Marker, "JDASH_STACK=p-0:")) {
			t.Errorf("accepted %q", data)
		}
	})
}

// A damaged state stops the stack by its marker, and never signals a process it cannot
// prove is the stack's (a recorded PID without the marker, or without its start time).
func TestStopWithADamagedState(t *testing.T) {
	d := stateDir(t)
	d.Make()
	marked := exec.Command("sleep", "60")
	marked.Env = []string{MarkerPrefix(string(d)) + "run1"}
	bystander := exec.Command("sleep", "60")
	for _, c := range []*exec.Cmd{marked, bystander} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		go c.Wait()
	}
	defer bystander.Process.Kill()
	defer marked.Process.Kill()
	for end := time.Now().Add(5 * time.Second); !proc.HasMarker(marked.Process.Pid, MarkerPrefix(string(d))) && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	ticks, _ := proc.StartTicks(bystander.Process.Pid)
	for _, content := range []string{"{", `{"services": [{"name": "x", "pid": ` + strconv.Itoa(bystander.Process.Pid) + `, "start_ticks": ` + strconv.FormatUint(ticks, 10) + `}]}`} {
		os.WriteFile(d.stateFile(), []byte(content), 0o600)
		out, err := Stop(d, time.Second)
		if err != nil || out.Damaged == "" {
			t.Fatalf("stop: %+v %v", out, err)
		}
	}
	if proc.Alive(marked.Process.Pid, 0) {
		t.Error("the marked process survived")
	}
	if !proc.Alive(bystander.Process.Pid, ticks) {
		t.Error("a process the state named without the stack's marker was killed")
	}
	if d.Exists() {
		t.Error("the state is still there after down")
	}
}

// down says who still holds a port of the stack.
func TestStopNamesAPortHolder(t *testing.T) {
	d := stateDir(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	pl := &compose.Plan{Stack: &compose.Stack{Dir: "/home/u/proj"}, Procs: []compose.Proc{{Name: "nb", Kind: "classic", IP: "127.0.0.1", Port: port}}}
	if err := d.WritePlan(pl); err != nil {
		t.Fatal(err)
	}
	out, err := Stop(d, time.Second)
	if err != nil || len(out.Held) != 1 || !strings.Contains(out.Held[0], "held by PID "+strconv.Itoa(os.Getpid())) || out.Free() {
		t.Errorf("%+v %v", out, err)
	}
}

// The probe sends nothing to a listener that is not the service jdash started.
func TestProbeRefusesAnImpostor(t *testing.T) {
	var asked atomic.Int32
	impostor := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { asked.Add(1) })}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go impostor.Serve(l)
	defer impostor.Close()
	port := l.Addr().(*net.TCPAddr).Port
	service := exec.Command("sleep", "60") // "the service jdash started": not the listener
	service.Start()
	defer service.Process.Kill()
	p := compose.Proc{Name: "gw", IP: "127.0.0.1", Port: port, Probe: compose.Probe{Path: "/api", Token: "sekrit"}}
	err = Probe(p)(context.Background(), service.Process.Pid)
	if err == nil || !strings.Contains(err.Error(), "not by the service jdash started") || asked.Load() != 0 {
		t.Fatalf("probe: %v; the impostor was asked %d times", err, asked.Load())
	}
	// the same listener, as the service's own (this process), is asked with the token
	if err := Probe(p)(context.Background(), os.Getpid()); err != nil || asked.Load() != 1 {
		t.Errorf("the service's own listener: %v (asked %d)", err, asked.Load())
	}
}

// ps asks a remote gateway of a running stack with the token from the caller's variable:
// answers, refuses the token, is gone, or is not asked when the variable is not set here.
func TestPsAsksRemoteGateways(t *testing.T) {
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/kernelspecs" || r.Header.Get("Authorization") != "token good" {
			http.Error(w, "no", http.StatusUnauthorized)
		}
	}))
	defer gw.Close()
	ticks, ok := proc.StartTicks(os.Getpid())
	if !ok {
		t.Skip("no process start times here")
	}
	st := &State{Dir: "/p", Supervisor: os.Getpid(), Ticks: ticks, Procs: []ProcInfo{{Name: "gw", Kind: compose.RemoteKind, URL: gw.URL}}}
	p := &Project{Stack: &compose.Stack{Services: []compose.Service{{Name: "gw", Kind: compose.RemoteKind, URL: gw.URL, TokenEnv: "T"}}}}
	row := func(environ map[string]string) psService {
		d := Deps{}
		d.Envs = &envctx.Resolver{Environ: environ}
		return psRows(st, askRemotes(d, p, st)).Services[0]
	}
	if r := row(map[string]string{"T": "good"}); r.Status != "external" || r.Error != "" {
		t.Errorf("answering: %+v", r)
	}
	if r := row(map[string]string{"T": "bad"}); r.Status != "unreachable" || !strings.Contains(r.Error, "401") {
		t.Errorf("refusing the token: %+v", r)
	}
	if r := row(nil); r.Status != "external" || r.Error != "not asked: $T is not set here" {
		t.Errorf("no token here: %+v", r)
	}
	gw.Close()
	if r := row(map[string]string{"T": "good"}); r.Status != "unreachable" || !strings.Contains(r.Error, "connection refused") {
		t.Errorf("gone: %+v", r)
	}
}
