// Package runner starts every child process jdash runs (an env's Python, pip, uv, venv
// creation, servers), each with a deliberate environment, in its own process group, and
// stops it with jdash: on cancellation the whole group is signalled, then killed.
package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// dropped are variables that would make an env's Python import or run code from outside
// the env (PYTHONPATH, PYTHONHOME, PYTHONSTARTUP), move its user site (PYTHONUSERBASE), or
// pretend to be another interpreter. A child never inherits them.
var dropped = []string{"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONEXECUTABLE",
	"PYTHONINSPECT", "PYTHONBREAKPOINT", "__PYVENV_LAUNCHER__", "PIP_USER", "PIP_TARGET", "PIP_PREFIX",
	"PIP_REQUIRE_VIRTUALENV", "PIP_CONFIG_FILE"}

// fixed are set for every child: no pip or uv cache and no pip self-check file in HOME.
var fixed = []string{"PIP_NO_CACHE_DIR=1", "PIP_DISABLE_PIP_VERSION_CHECK=1", "UV_NO_CACHE=1"}

// Runner starts children from one base environment (the caller's process environment).
type Runner struct {
	Env map[string]string
	// Timeout bounds a child that has none of its own (0: two minutes).
	Timeout time.Duration
}

// Cmd is one child.
type Cmd struct {
	Path string
	Args []string
	// Set adds or overrides variables ("K=V"); they win over the deliberate environment.
	Set []string
	Dir string
	// Stdout and Stderr stream the child's output; nil collects stdout (returned by Run)
	// and keeps the end of stderr for the error.
	Stdout, Stderr io.Writer
	Timeout        time.Duration
	// Session starts the child in a session of its own (detached from the terminal: a
	// supervisor that outlives the command that started it); otherwise a process group.
	Session bool
	// ExtraFiles are open files the child inherits as fd 3, 4, ... (a lock it takes over).
	ExtraFiles []*os.File
}

// Environ is the environment a child gets: the base less the dropped variables, plus the
// fixed ones, plus set.
func (r *Runner) Environ(set ...string) []string {
	keys := make([]string, 0, len(r.Env))
	for k := range r.Env {
		if !slices.Contains(dropped, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]string, 0, len(keys)+len(fixed)+len(set))
	over := map[string]bool{}
	for _, kv := range append(slices.Clone(set), fixed...) {
		k, _, _ := strings.Cut(kv, "=")
		over[k] = true
	}
	for _, k := range keys {
		if !over[k] {
			out = append(out, k+"="+r.Env[k])
		}
	}
	out = append(out, fixed...)
	return append(out, set...)
}

// LookPath finds an executable on the base environment's PATH (not jdash's own).
func (r *Runner) LookPath(name string) (string, error) {
	if strings.ContainsRune(name, filepath.Separator) {
		return exec.LookPath(name)
	}
	for _, dir := range filepath.SplitList(r.Env["PATH"]) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue // an empty or relative PATH entry would run whatever is in the cwd
		}
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found on PATH", name)
}

// Run starts the child, waits for it, and returns what it printed on stdout when
// c.Stdout is nil. A failure carries the last line of stderr.
func (r *Runner) Run(ctx context.Context, c Cmd) ([]byte, error) {
	if c.Path == "" {
		return nil, fmt.Errorf("no program to run")
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = r.Timeout
	}
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Path, c.Args...)
	cmd.Env = r.Environ(c.Set...)
	cmd.Dir = c.Dir
	ownGroup(cmd)
	var out, errTail bytes.Buffer
	cmd.Stdout = &out
	if c.Stdout != nil {
		cmd.Stdout = c.Stdout
	}
	cmd.Stderr = &errTail
	if c.Stderr != nil {
		cmd.Stderr = io.MultiWriter(c.Stderr, &tail{buf: &errTail})
	}
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return out.Bytes(), fmt.Errorf("%s: no answer in %s (stopped)", describe(c), timeout)
	}
	if err != nil {
		msg := strings.TrimSpace(errTail.String())
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:] // the exception line
		}
		if msg != "" {
			msg = ": " + msg
		}
		return out.Bytes(), fmt.Errorf("%s: %w%s", describe(c), err, msg)
	}
	return out.Bytes(), nil
}

func describe(c Cmd) string {
	args := strings.Join(c.Args, " ")
	if len(args) > 120 {
		args = args[:120] + "…"
	}
	return strings.TrimSpace(c.Path + " " + args)
}

// tail keeps the last 4 KiB written.
type tail struct{ buf *bytes.Buffer }

func (t *tail) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if t.buf.Len() > 4096 {
		b := t.buf.Bytes()
		keep := append([]byte(nil), b[len(b)-4096:]...)
		t.buf.Reset()
		t.buf.Write(keep)
	}
	return len(p), nil
}

// Process is a started child, in its own process group (or session).
type Process struct {
	PID  int
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Start starts the child without waiting for it: a server. Its output goes to c.Stdout and
// c.Stderr (discarded when nil).
func (r *Runner) Start(c Cmd) (*Process, error) {
	if c.Path == "" {
		return nil, fmt.Errorf("no program to run")
	}
	cmd := exec.Command(c.Path, c.Args...)
	cmd.Env = r.Environ(c.Set...)
	cmd.Dir = c.Dir
	cmd.Stdout, cmd.Stderr = c.Stdout, c.Stderr
	cmd.ExtraFiles = c.ExtraFiles
	detach(cmd, c.Session)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", describe(c), err)
	}
	p := &Process{PID: cmd.Process.Pid, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Done is closed when the child has exited (and been reaped).
func (p *Process) Done() <-chan struct{} { return p.done }

// ExitCode is the child's exit code once Done (-1 when a signal ended it).
func (p *Process) ExitCode() int {
	if p.cmd.ProcessState == nil {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}

// Signal is the signal that ended the child, once Done ("" when it exited by itself).
func (p *Process) Signal() string {
	if st := p.cmd.ProcessState; st != nil && st.ExitCode() == -1 {
		return strings.TrimPrefix(st.String(), "signal: ")
	}
	return ""
}

// Err is what Wait returned, once Done.
func (p *Process) Err() error { return p.err }
