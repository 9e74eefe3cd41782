package supervisor

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jdash-dev/jdash/internal/proc"
	"github.com/jdash-dev/jdash/internal/runner"
)

// The test binary doubles as the fake services (FAKE_SERVICE=mode).
func TestMain(m *testing.M) {
	if mode := os.Getenv("FAKE_SERVICE"); mode != "" {
		fake(mode)
		return
	}
	os.Exit(m.Run())
}

func fake(mode string) {
	fmt.Println("hello from", mode, "at http://127.0.0.1/?token=sekrit")
	switch mode {
	case "crash":
		fmt.Fprintln(os.Stderr, "boom: cannot start")
		os.Exit(3)
	case "sleep":
		time.Sleep(time.Hour)
	case "exit-after-up":
		serve(func() { time.Sleep(1500 * time.Millisecond); os.Exit(1) })
	case "exit-later":
		serve(func() { time.Sleep(500 * time.Millisecond); os.Exit(1) })
	case "stubborn":
		signal.Ignore(syscall.SIGTERM)
		serve(nil)
	case "kernel":
		// a child in a session of its own, as a Jupyter kernel is: not in the service's group
		c := exec.Command(os.Args[0], os.Args[1:]...)
		c.Env = append(os.Environ(), "FAKE_SERVICE=sleep")
		c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		c.Start()
		os.WriteFile(os.Getenv("KERNEL_PID_FILE"), []byte(fmt.Sprint(c.Process.Pid)), 0o644)
		serve(nil)
	case "kernel-noenv":
		// a kernel started with an empty environment: no marker, only its ancestry tells
		c := exec.Command(os.Args[0], os.Args[1:]...)
		c.Env = []string{"FAKE_SERVICE=sleep"}
		c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		c.Start()
		os.WriteFile(os.Getenv("KERNEL_PID_FILE"), []byte(fmt.Sprint(c.Process.Pid)), 0o644)
		serve(nil)
	case "never-ready":
		time.Sleep(time.Hour)
	default:
		serve(nil)
	}
}

func serve(after func()) {
	l, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PORT"))
	if err != nil {
		os.Exit(4)
	}
	if after != nil {
		go after()
	}
	http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "token t" {
			w.WriteHeader(401)
		}
	}))
}

// freePort is a free port below the kernel's ephemeral range (32768 and up on Linux): a port
// of that range, once closed, can be taken by any outgoing connection of the parallel test
// processes before the fake service binds it.
func freePort(t *testing.T) int {
	for range 200 {
		port := 20000 + rand.IntN(12000)
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no free port in 20000-31999")
	return 0
}

func spec(t *testing.T, name, mode string, set ...string) Spec {
	port := freePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	return Spec{Name: name, Cmd: runner.Cmd{Path: os.Args[0], Args: []string{"-test.run=^$"},
		Set: append([]string{"FAKE_SERVICE=" + mode, fmt.Sprintf("PORT=%d", port)}, set...)},
		StartupTimeout: 5 * time.Second,
		Probe: func(ctx context.Context, _ int) error {
			req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
			req.Header.Set("Authorization", "token t")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return fmt.Errorf("%d", resp.StatusCode)
			}
			return nil
		}}
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newSup(t *testing.T, specs ...Spec) (*Supervisor, *syncBuf) {
	out := &syncBuf{}
	s := &Supervisor{Runner: &runner.Runner{Env: map[string]string{"PATH": os.Getenv("PATH")}}, Specs: specs, LogDir: t.TempDir(), Logs: &Printer{W: out}, Redact: []string{"sekrit"},
		Marker: "JDASH_STACK=test:" + fmt.Sprint(time.Now().UnixNano())}
	// a test that fails half-way leaves nothing running for the next one to count
	t.Cleanup(func() { s.Stop(time.Second, nil); Reap(s.Marker, time.Second, nil) })
	return s, out
}

func TestUpReadyLogsAndStop(t *testing.T) {
	s, out := newSup(t, spec(t, "a", "serve"), spec(t, "b", "serve"))
	if err := s.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, st := range s.Statuses() {
		if st.State != Ready || st.PID == 0 {
			t.Errorf("%+v", st)
		}
	}
	if left := s.Stop(2*time.Second, nil); len(left) > 0 {
		t.Errorf("left %v", left)
	}
	if got := proc.Marked(s.Marker); len(got) > 0 {
		t.Errorf("marked processes after Stop: %v", got)
	}
	if strings.Contains(out.String(), "sekrit") || strings.Contains(s.Tail("a", 5), "sekrit") {
		t.Errorf("a token reached the logs:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "a | hello from serve at http://127.0.0.1/?token=***") || !strings.Contains(out.String(), "b | hello from serve") {
		t.Errorf("output:\n%s", out.String())
	}
	if !strings.Contains(s.Tail("a", 5), "hello from serve") {
		t.Errorf("log file: %q", s.Tail("a", 5))
	}
}

func TestFailFastWithTheLogTail(t *testing.T) {
	never := spec(t, "never", "serve")
	never.DependsOn = []string{"bad"}
	s, _ := newSup(t, spec(t, "ok", "serve"), spec(t, "bad", "crash"), never)
	start := time.Now()
	err := s.Up(context.Background())
	if err == nil || !strings.Contains(err.Error(), "bad exited with code 3 while starting") || !strings.Contains(err.Error(), "boom: cannot start") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 4*time.Second {
		t.Errorf("not fast: %s", time.Since(start))
	}
	s.Stop(2*time.Second, nil)
	if got := proc.Marked(s.Marker); len(got) > 0 {
		t.Errorf("left running: %v", got)
	}
	if st := s.Statuses()[2]; st.PID != 0 {
		t.Errorf("a service depending on the failed one was started: %+v", st)
	}
}

func TestNotReadyWithinItsBudget(t *testing.T) {
	sp := spec(t, "slow", "never-ready")
	sp.StartupTimeout = 300 * time.Millisecond
	s, _ := newSup(t, sp)
	if err := s.Up(context.Background()); err == nil || !strings.Contains(err.Error(), "not ready within 300ms") {
		t.Fatalf("err = %v", err)
	}
	s.Stop(time.Second, nil)
}

func TestStopEscalatesAndReapsKernels(t *testing.T) {
	pidFile := t.TempDir() + "/kernel.pid"
	s, _ := newSup(t, spec(t, "stubborn", "stubborn"), spec(t, "server", "kernel", "KERNEL_PID_FILE="+pidFile))
	if err := s.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	kernel := kernelPID(pidFile)
	if !proc.Alive(kernel, 0) || len(proc.Marked(s.Marker)) != 3 {
		t.Fatalf("kernel %d alive %v; marked %v", kernel, proc.Alive(kernel, 0), proc.Marked(s.Marker))
	}
	start := time.Now()
	if left := s.Stop(300*time.Millisecond, nil); len(left) > 0 {
		t.Fatalf("left %v", left)
	}
	if proc.Alive(kernel, 0) {
		st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", kernel))
		env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", kernel))
		t.Errorf("the kernel (its own session) survived: %s\nmarker %s in env: %v; marked now %v", st, s.Marker, strings.Contains(string(env), s.Marker), proc.Marked(s.Marker))
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("stop took %s", time.Since(start))
	}
}

func TestRestartOnFailure(t *testing.T) {
	sp := spec(t, "flaky", "exit-later")
	sp.Restart = true
	s, _ := newSup(t, sp)
	if err := s.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Watch(ctx); close(done) }()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end) && s.Statuses()[0].Restarts == 0; time.Sleep(50 * time.Millisecond) {
	}
	if st := s.Statuses()[0]; st.Restarts < 1 {
		t.Errorf("not restarted: %+v", st)
	}
	cancel()
	s.Stop(time.Second, nil)
	<-done
}

// A service that was ready and exits while the others start fails the start at once, named,
// instead of the others' budgets running out.
func TestReadyThenExitFailsAtOnce(t *testing.T) {
	slow := spec(t, "slow", "never-ready")
	slow.StartupTimeout = 20 * time.Second
	s, _ := newSup(t, spec(t, "flaky", "exit-later"), slow)
	start := time.Now()
	err := s.Up(context.Background())
	if err == nil || !strings.Contains(err.Error(), "flaky exited with code 1 after it was ready") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("not fast: %s", time.Since(start))
	}
	s.Stop(time.Second, nil)
	if st := s.Statuses()[0]; st.State != Failed || st.ExitCode == nil || *st.ExitCode != 1 {
		t.Errorf("status: %+v", st)
	}
}

// A kernel that dropped its environment (no marker) is still stopped: it is below the
// service.
func TestStopReachesAKernelWithoutTheMarker(t *testing.T) {
	pidFile := t.TempDir() + "/kernel.pid"
	s, _ := newSup(t, spec(t, "server", "kernel-noenv", "KERNEL_PID_FILE="+pidFile))
	if err := s.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	kernel := kernelPID(pidFile)
	if !proc.Alive(kernel, 0) || proc.HasMarker(kernel, s.Marker) {
		t.Fatalf("kernel %d: alive %v, marked %v", kernel, proc.Alive(kernel, 0), proc.HasMarker(kernel, s.Marker))
	}
	if prefix := s.Marker[:strings.LastIndex(s.Marker, ":")+1]; len(proc.Marked(prefix)) != 1 {
		t.Errorf("proc.Marked(%q) = %v, want the server", prefix, proc.Marked(prefix))
	}
	s.Stop(300*time.Millisecond, nil)
	if proc.Alive(kernel, 0) {
		t.Errorf("the kernel without the marker survived the stop")
	}
}

// A service that exits for good after the stack is up takes down those that depend on it
// (they would send it their token wherever its port goes next); the others keep running.
func TestExitStopsDependents(t *testing.T) {
	dep := spec(t, "notebook", "serve")
	dep.DependsOn = []string{"gateway"}
	other := spec(t, "voila", "serve")
	s, _ := newSup(t, spec(t, "gateway", "exit-after-up"), dep, other)
	if err := s.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Watch(ctx); close(done) }()
	waitState := func(i int, state string) Status {
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if st := s.Statuses()[i]; st.State == state {
				return st
			}
		}
		t.Fatalf("%s never %s: %+v", s.Specs[i].Name, state, s.Statuses()[i])
		return Status{}
	}
	waitState(0, Exited)
	if st := waitState(1, Stopped); st.Error != "gateway exited" {
		t.Errorf("the notebook: %+v", st)
	}
	if st := s.Statuses()[2]; st.State != Ready {
		t.Errorf("voila, which does not depend on the gateway: %+v", st)
	}
	cancel()
	s.Stop(time.Second, nil)
	<-done
}

// kernelPID is the PID a fake server wrote for the kernel it started (0 when none in 3 s).
func kernelPID(pidFile string) int {
	var kernel int
	for end := time.Now().Add(3 * time.Second); kernel == 0 && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(pidFile)
		fmt.Sscan(string(b), &kernel)
	}
	return kernel
}
