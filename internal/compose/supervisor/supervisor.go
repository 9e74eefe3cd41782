// Package supervisor runs a set of long-lived processes as one unit, knowing nothing of
// Jupyter: start in dependency order, each in its own process group, ready when its probe
// passes within a startup budget, fail fast (stopping what started) when one exits or misses
// its budget, logs to a file per process and, in the foreground, to one stream as
// "name | line", restart on failure when asked, and stop: SIGTERM to each group, a grace
// period, SIGKILL, then every process that carries the stack's marker in its environment
// (kernels run in sessions of their own, so their group is not the service's).
package supervisor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jdash-dev/jdash/internal/proc"
	"github.com/jdash-dev/jdash/internal/runner"
)

// Spec is one process to run.
type Spec struct {
	Name      string
	DependsOn []string // started once these are ready; the others start at once
	Cmd       runner.Cmd
	// Probe checks readiness of the process with pid (the service's leader); nil: ready once
	// started.
	Probe          func(ctx context.Context, pid int) error
	StartupTimeout time.Duration
	Restart        bool // restart when it exits after it was ready
}

// States of a process.
const (
	Starting = "starting"
	Ready    = "ready"
	Exited   = "exited"
	Failed   = "failed"
	Stopped  = "stopped"
)

// Status is one process's state, as `jdash ps` shows it.
type Status struct {
	Name       string    `json:"name"`
	State      string    `json:"status"`
	PID        int       `json:"pid,omitempty"`
	StartTicks uint64    `json:"start_ticks,omitempty"` // the kernel's start time of PID (a reused PID differs)
	Started    time.Time `json:"started"`
	ExitCode   *int      `json:"exit_code,omitempty"`
	Signal     string    `json:"signal,omitempty"` // the signal that ended it ("killed")
	Restarts   int       `json:"restarts"`
	Error      string    `json:"error,omitempty"`
}

// Supervisor runs specs.
type Supervisor struct {
	Runner *runner.Runner
	Specs  []Spec // in start order
	LogDir string
	// Logs receives every process's output line by line (the foreground view); nil: the log
	// files only.
	Logs LogConsumer
	// Marker ("K=V") goes into every child's environment; children's children (kernels)
	// inherit it, so Reap finds them all.
	Marker string
	// Redact are secrets (tokens) a process may print (a server logs its own URL): they are
	// written as *** in the logs and on Out.
	Redact []string
	// Changed is called with every status change (to save the state).
	Changed func([]Status)

	mu     sync.Mutex
	status []Status
	procs  map[string]*runner.Process
	logs   map[string]*os.File
	// drained closes when an exited process's output has all reached its log
	drained map[string]chan struct{}
	outMu   sync.Mutex
	stop    chan struct{}
	once    sync.Once
	// cut are processes stopped because one they depend on exited (name: why).
	cut map[string]string
}

// Statuses is a copy of the current statuses.
func (s *Supervisor) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Status(nil), s.status...)
}

func (s *Supervisor) set(name string, f func(*Status)) {
	s.mu.Lock()
	for i := range s.status {
		if s.status[i].Name == name {
			f(&s.status[i])
		}
	}
	st := append([]Status(nil), s.status...)
	s.mu.Unlock()
	if s.Changed != nil {
		s.Changed(st)
	}
}

func (s *Supervisor) init() {
	s.once.Do(func() {
		s.procs = map[string]*runner.Process{}
		s.logs = map[string]*os.File{}
		s.drained = map[string]chan struct{}{}
		s.stop = make(chan struct{})
		for _, sp := range s.Specs {
			s.status = append(s.status, Status{Name: sp.Name, State: Starting})
		}
	})
}

// Up starts the specs, each as soon as the ones it depends on are ready (the others at
// once, side by side), and waits until every one is ready. On the first failure it stops
// waiting and returns an error carrying that process's last log lines; the caller stops what
// started (Stop).
func (s *Supervisor) Up(ctx context.Context) error {
	s.init()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := map[string]chan struct{}{}
	for _, sp := range s.Specs {
		ready[sp.Name] = make(chan struct{})
	}
	errc := make(chan error, len(s.Specs))
	died := make(chan error, len(s.Specs)) // a ready process that exits while the rest start
	upDone := make(chan struct{})
	defer close(upDone)
	for _, sp := range s.Specs {
		go func(sp Spec) {
			for _, d := range sp.DependsOn {
				select {
				case <-ready[d]:
				case <-ctx.Done():
					errc <- ctx.Err()
					return
				}
			}
			if err := s.start(sp); err != nil {
				errc <- err
				return
			}
			if err := s.waitReady(ctx, sp); err != nil {
				errc <- err
				return
			}
			close(ready[sp.Name])
			errc <- nil
			p := s.proc(sp.Name)
			select {
			case <-p.Done():
				code := p.ExitCode()
				s.set(sp.Name, func(st *Status) {
					st.State, st.ExitCode, st.Signal, st.Error = Failed, &code, p.Signal(), "exited after it was ready"
				})
				died <- fmt.Errorf("%s %s after it was ready, while the others started:\n%s", sp.Name, ExitText(code, p.Signal()), s.Tail(sp.Name, 15))
			case <-upDone:
			}
		}(sp)
	}
	var first error
	keep := func(err error) {
		if err != nil && (first == nil || errors.Is(first, context.Canceled) && !errors.Is(err, context.Canceled)) {
			first = err
			cancel()
		}
	}
	for n := 0; n < len(s.Specs); {
		select {
		case err := <-errc:
			n++
			keep(err)
		case err := <-died:
			keep(err)
		}
	}
	return first
}

// ExitText says how a process ended: "exited with code 3", "was killed (signal killed)".
func ExitText(code int, signal string) string {
	if signal != "" {
		return "was ended by a signal (" + signal + ")"
	}
	return fmt.Sprintf("exited with code %d", code)
}

func (s *Supervisor) start(sp Spec) error {
	if err := os.MkdirAll(s.LogDir, 0o700); err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(s.LogDir, sp.Name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	c := sp.Cmd
	c.Set = append(append([]string(nil), c.Set...), s.Marker)
	out := s.lineWriter(sp.Name, logf)
	c.Stdout, c.Stderr = out, out
	p, err := s.Runner.Start(c)
	drained := make(chan struct{})
	if err == nil {
		go func() { <-p.Done(); out.Close(); close(drained) }() // ends the line reader once the output is copied
	}
	if err != nil {
		logf.Close()
		s.set(sp.Name, func(st *Status) { st.State, st.Error = Failed, err.Error() })
		return fmt.Errorf("%s: %w", sp.Name, err)
	}
	s.mu.Lock()
	if old := s.logs[sp.Name]; old != nil {
		old.Close()
	}
	s.procs[sp.Name], s.logs[sp.Name], s.drained[sp.Name] = p, logf, drained
	s.mu.Unlock()
	ticks, _ := proc.StartTicks(p.PID)
	s.set(sp.Name, func(st *Status) {
		st.State, st.PID, st.StartTicks, st.Started, st.ExitCode, st.Error = Starting, p.PID, ticks, time.Now(), nil, ""
	})
	return nil
}

// waitReady polls the probe until it passes, the process exits, or the budget is spent.
func (s *Supervisor) waitReady(ctx context.Context, sp Spec) error {
	p := s.proc(sp.Name)
	budget := sp.StartupTimeout
	if budget <= 0 {
		budget = 60 * time.Second
	}
	deadline := time.Now().Add(budget)
	for {
		var last error
		if sp.Probe != nil {
			last = sp.Probe(ctx, p.PID)
		}
		if last == nil {
			s.set(sp.Name, func(st *Status) { st.State = Ready })
			return nil
		}
		select {
		case <-p.Done():
			code := p.ExitCode()
			s.set(sp.Name, func(st *Status) {
				st.State, st.ExitCode, st.Signal, st.Error = Failed, &code, p.Signal(), "exited while starting"
			})
			return fmt.Errorf("%s %s while starting (the last readiness check: %v):\n%s", sp.Name, ExitText(code, p.Signal()), last, s.Tail(sp.Name, 15))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.set(sp.Name, func(st *Status) { st.State, st.Error = Failed, "not ready in "+budget.String() })
			return fmt.Errorf("%s was not ready within %s (the last readiness check: %v):\n%s", sp.Name, budget, last, s.Tail(sp.Name, 15))
		}
	}
}

func (s *Supervisor) proc(name string) *runner.Process {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.procs[name]
}

// Watch follows the processes until ctx is done: an exit is recorded, and a process with
// Restart that exits is started again (and must be ready again).
func (s *Supervisor) Watch(ctx context.Context) {
	s.init()
	var wg sync.WaitGroup
	for _, sp := range s.Specs {
		wg.Add(1)
		go func(sp Spec) {
			defer wg.Done()
			for {
				p := s.proc(sp.Name)
				if p == nil {
					return
				}
				select {
				case <-ctx.Done():
					return
				case <-s.stop:
					return
				case <-p.Done():
				}
				select {
				case <-s.stop:
					return
				default:
				}
				code := p.ExitCode()
				if why := s.cutReason(sp.Name); why != "" {
					s.set(sp.Name, func(st *Status) { st.State, st.ExitCode, st.Signal, st.Error = Stopped, &code, p.Signal(), why })
					return
				}
				s.set(sp.Name, func(st *Status) { st.State, st.ExitCode, st.Signal = Exited, &code, p.Signal() })
				if !sp.Restart || code == 0 {
					s.cutDependents(sp.Name)
					return
				}
				time.Sleep(time.Second)
				s.set(sp.Name, func(st *Status) { st.Restarts++ })
				if s.start(sp) != nil || s.waitReady(ctx, sp) != nil {
					return
				}
			}
		}(sp)
	}
	wg.Wait()
}

func (s *Supervisor) cutReason(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cut[name]
}

// cutDependents stops the processes that depend on one that exited for good, and theirs:
// they would send its token to whatever takes its port next.
func (s *Supervisor) cutDependents(name string) {
	for _, sp := range s.Specs {
		if !slices.Contains(sp.DependsOn, name) || s.cutReason(sp.Name) != "" {
			continue
		}
		s.mu.Lock()
		if s.cut == nil {
			s.cut = map[string]string{}
		}
		s.cut[sp.Name] = name + " exited" // a dependency, gone for good
		s.mu.Unlock()
		if p := s.proc(sp.Name); p != nil {
			StopGroup(p.PID, 10*time.Second, nil)
		}
		s.cutDependents(sp.Name)
	}
}

// Stop stops every process, last started first: SIGTERM to its group, then SIGKILL after
// grace (or at once when force is closed), and waits until the group is empty; then every
// process carrying the marker (kernels) the same way. It returns what was still alive.
func (s *Supervisor) Stop(grace time.Duration, force <-chan struct{}) []int {
	s.init()
	s.mu.Lock()
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.mu.Unlock()
	for i := len(s.Specs) - 1; i >= 0; i-- {
		name := s.Specs[i].Name
		p := s.proc(name)
		if p == nil {
			continue
		}
		StopGroup(p.PID, grace, force)
		select {
		case <-p.Done():
		case <-time.After(2 * time.Second):
		}
		s.set(name, func(st *Status) {
			if st.State != Failed {
				st.State = Stopped
			}
		})
	}
	left := Reap(s.Marker, grace, force)
	s.mu.Lock()
	for _, f := range s.logs {
		f.Close()
	}
	s.mu.Unlock()
	return left
}

// lineWriter writes a process's output, line by line with secrets redacted, to its log file
// and, in the foreground, to Logs.
func (s *Supervisor) lineWriter(name string, logf *os.File) io.WriteCloser {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	var pairs []string
	for _, r := range s.Redact {
		if r != "" {
			pairs = append(pairs, r, "***")
		}
	}
	redact := strings.NewReplacer(pairs...)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		for sc.Scan() {
			line := redact.Replace(sc.Text())
			logf.WriteString(line + "\n")
			if s.Logs != nil {
				s.outMu.Lock()
				s.Logs.Log(name, line)
				s.outMu.Unlock()
			}
		}
		io.Copy(io.Discard, pr)
		close(done)
	}()
	return &lineOut{pw, done}
}

// lineOut is a process's output pipe; Close returns once every line is written out.
type lineOut struct {
	*io.PipeWriter
	done chan struct{}
}

func (l *lineOut) Close() error {
	err := l.PipeWriter.Close()
	<-l.done
	return err
}

// Tail is the last n lines of a process's log; of a process that exited, once its output
// has all reached the log (its last words are why it failed).
func (s *Supervisor) Tail(name string, n int) string {
	s.mu.Lock()
	p, drained := s.procs[name], s.drained[name]
	s.mu.Unlock()
	if p != nil && drained != nil {
		select {
		case <-p.Done():
			select {
			case <-drained:
			case <-time.After(2 * time.Second):
			}
		default:
		}
	}
	return TailFile(filepath.Join(s.LogDir, name+".log"), n)
}

// TailFile is the last n lines of a file (at most 64 KiB read).
func TailFile(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return ""
	}
	off := max(0, st.Size()-64*1024)
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(buf), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// LogConsumer receives the services' output line by line (as docker compose's LogConsumer):
// the foreground view of up and jdash logs print through the same one.
type LogConsumer interface {
	Log(name, line string)
}

// Printer prints "name | line", the names padded to Width, each through Colour (optional).
type Printer struct {
	W      io.Writer
	Width  int
	Colour func(name, s string) string
}

// Log prints one line.
func (p *Printer) Log(name, line string) {
	prefix := fmt.Sprintf("%-*s |", p.Width, name)
	if p.Colour != nil {
		prefix = p.Colour(name, prefix)
	}
	fmt.Fprintln(p.W, prefix+" "+line)
}
