package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/doctor"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/ports"
	"github.com/jdash-dev/jdash/internal/runner"
)

// Grace is how long a service has to stop after SIGTERM before SIGKILL.
const Grace = 10 * time.Second

// UpOptions are one `jdash up` run.
type UpOptions struct {
	Detach      bool // leave a supervisor running
	DryRun      bool // print the plan, start nothing
	WriteConfig bool // write the zero-config stack to ./jdash.yaml
	Strict      bool // doctor's errors in the services' envs stop the start
}

// Up starts the stack: planned, checked before anything starts, then supervised in this
// process (the foreground) or by a detached supervisor. One up per stack: its lock is held
// by this up, then by the supervisor it starts.
func Up(d Deps, p *Project, o UpOptions) error {
	if p.Why != "" {
		fmt.Fprintln(d.IO.ErrOut, p.Why)
	}
	pl, facts, err := p.plan(d)
	if err != nil {
		return err
	}
	switch {
	case o.WriteConfig:
		return writeStackFile(d, p, o.DryRun)
	case o.DryRun:
		printPlan(d, pl)
		warnKernels(d, pl, facts)
		return nil
	}
	lock, err := p.Store.TryLock()
	if errors.Is(err, ErrBusy) {
		return alreadyUp(d, p)
	}
	if err != nil {
		return err
	}
	defer func() {
		if lock != nil { // not handed to a supervisor: this up ends, and its claim with it
			p.Store.ClearHolder()
			lock.Release()
		}
	}()
	if err := cleanLeftovers(d, p); err != nil {
		return err
	}
	if err := p.Store.SetHolder(os.Getpid()); err != nil {
		return err
	}
	if err := preflight(d, pl, facts, o.Strict); err != nil {
		return err
	}
	if err := p.Store.WritePlan(pl); err != nil {
		return err
	}
	if o.Detach {
		handed, err := detach(d, p, pl, lock)
		if handed {
			lock = nil // the supervisor holds it now
		}
		return err
	}
	return supervise(d, p.Store, pl, false)
}

// alreadyUp is what a second up says: the stack is up (ps), or another up is starting it.
func alreadyUp(d Deps, p *Project) error {
	st, err := p.Store.State()
	if st.Running() {
		fmt.Fprintf(d.IO.ErrOut, "the stack of %s is already up (supervisor PID %d)\n", p.Stack.Dir, st.Supervisor)
		return printStatus(d, st, askRemotes(d, p, st), false)
	}
	who := ""
	if h, ok := p.Store.Holder(); ok {
		who = fmt.Sprintf(" (PID %d)", h.PID)
	}
	if err != nil {
		fmt.Fprintf(d.IO.ErrOut, "jdash: %v\n", err)
	}
	fmt.Fprintf(d.IO.ErrOut, "the stack of %s is being started by another jdash up%s: jdash ps shows it, jdash down stops it\n", p.Stack.Dir, who)
	return nil
}

// cleanLeftovers stops what a previous run left (a supervisor that is gone, a failed up, a
// damaged state), with the stack's lock held by this up.
func cleanLeftovers(d Deps, p *Project) error {
	if !p.Store.Exists() {
		return nil
	}
	st, err := p.Store.State()
	switch {
	case err != nil:
		fmt.Fprintf(d.IO.ErrOut, "%v: stopping what carries the stack's marker\n", err)
	case st == nil:
		fmt.Fprintln(d.IO.ErrOut, "cleaning up after an up that did not finish")
	case st.Error != "":
		first, _, _ := strings.Cut(st.Error, "\n")
		fmt.Fprintf(d.IO.ErrOut, "the last up failed (%s); starting afresh\n", strings.TrimSuffix(strings.TrimSpace(first), ":"))
	default:
		fmt.Fprintf(d.IO.ErrOut, "cleaning up after a supervisor that is gone (PID %d)\n", st.Supervisor)
	}
	out, err := StopHeld(p.Store, Grace)
	if err != nil {
		return err
	}
	if len(out.Held) > 0 {
		return clierr.Exit(clierr.Failed, "after the last run, %s", strings.Join(out.Held, "; "))
	}
	return nil
}

// preflight checks everything before anything starts: ports free (naming the holder), each
// env has what its kind needs, and doctor's errors in the envs (blocking with strict).
func preflight(d Deps, pl *compose.Plan, facts map[string]compose.EnvFacts, strict bool) error {
	var problems []string
	for _, p := range pl.Procs {
		if p.Remote != "" {
			// a gateway elsewhere: it must answer with the token now, or nothing starts
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := Probe(p)(ctx, 0)
			cancel()
			if err != nil {
				problems = append(problems, fmt.Sprintf("service %s: the gateway at %s does not answer with the token of $%s: %v", p.Name, p.Remote, p.SecretVars[0], err))
			}
			continue
		}
		if taken, h := ports.Taken(p.IP, p.Port); taken {
			problems = append(problems, fmt.Sprintf("service %s: port %d is held by %s", p.Name, p.Port, h))
		}
		if kind := compose.KindOf(p.Kind); p.Env != "" && !kind.Satisfied(facts[p.Env].Versions) {
			need, fix := kind.Needs(facts[p.Env])
			problems = append(problems, fmt.Sprintf("service %s: %s has no %s (kind %s); fix: %s", p.Name, p.Env, need, p.Kind, fix))
		} else if _, err := serviceCmd(d, p); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return clierr.Exit(clierr.Failed, "pre-flight failed, nothing was started:\n  %s", strings.Join(problems, "\n  "))
	}
	printKernels(d.IO.ErrOut, procInfo(pl))
	warnKernels(d, pl, facts)
	for _, w := range pl.InTheClear() {
		fmt.Fprintf(d.IO.ErrOut, "warning: %s\n", w)
	}
	s := doctor.NewSession(d.Envs, nil, false)
	blocked := false
	var seen []string
	for _, p := range pl.Procs {
		if p.Env == "" || slices.Contains(seen, p.Env) {
			continue
		}
		seen = append(seen, p.Env)
		ec, err := d.Envs.Resolve(p.Env)
		if err != nil {
			return err
		}
		fs, _, err := s.Inspect(ec)
		if err != nil {
			return err
		}
		for _, fd := range fs {
			if fd.Severity == doctor.Error {
				fmt.Fprintf(d.IO.ErrOut, "doctor: %s: [%s] %s\n", p.Env, fd.ID, fd.Title)
				blocked = blocked || strict
			}
		}
	}
	if blocked {
		return clierr.Exit(clierr.CheckFailed, "doctor found errors in the stack's envs (--strict): nothing was started; see jdash doctor --env ENV")
	}
	return nil
}

// serviceCmd is how a local service starts: its program found (jdash itself for the
// services jdash serves, else absolute or on the runner's PATH) and executable.
func serviceCmd(d Deps, p compose.Proc) (runner.Cmd, error) {
	c := runner.Cmd{Path: p.Argv[0], Args: p.Argv[1:], Set: p.Set, Dir: p.Dir}
	switch {
	case c.Path == compose.Self: // a service jdash serves itself
		self, err := os.Executable()
		if err != nil {
			return c, err
		}
		c.Path = self
	case c.Path == "":
		return c, fmt.Errorf("service %s: no program to run (is the env %s still there? jdash envs lists the envs)", p.Name, p.Env)
	case !filepath.IsAbs(c.Path):
		path, err := d.Envs.Runner.LookPath(c.Path)
		if err != nil {
			return c, fmt.Errorf("service %s: %w", p.Name, err)
		}
		c.Path = path
	}
	if fi, err := os.Stat(c.Path); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		where := ""
		if p.Env != "" {
			where = fmt.Sprintf(" (the env %s is broken or gone: jdash doctor --env %s)", p.Env, p.Env)
		}
		return c, fmt.Errorf("service %s: %s is not an executable file%s", p.Name, c.Path, where)
	}
	return c, nil
}

// printPlan is the dry run: every service's argv, environment (tokens masked), files, cwd,
// address, probe and order.
func printPlan(d Deps, pl *compose.Plan) {
	w := d.IO.Out
	fmt.Fprintf(w, "stack: %s (root_dir %s)\n", pl.Stack.Dir, pl.Stack.RootDir)
	for _, p := range pl.Procs {
		fmt.Fprintf(w, "\n%s (%s)\n", p.Name, p.Kind)
		if p.Remote != "" {
			fmt.Fprintf(w, "  remote:  %s (started elsewhere; its token from $%s)\n  ready:   GET %s with Authorization: token *** before anything starts\n", p.Remote, p.SecretVars[0], p.Probe.Path)
			continue
		}
		if p.Env != "" {
			fmt.Fprintf(w, "  env:     %s\n", p.Env)
		}
		fmt.Fprintf(w, "  argv:    %s\n", strings.Join(p.Argv, " "))
		fmt.Fprintf(w, "  environment (besides the runner's own):\n")
		for _, kv := range p.Masked() {
			fmt.Fprintf(w, "    %s\n", kv)
		}
		for _, file := range p.Files {
			fmt.Fprintf(w, "  file:    %s (0600, %s)\n", file.Path, file.Why)
		}
		fmt.Fprintf(w, "  cwd:     %s\n  listens: %s\n  ready:   GET %s", p.Dir, net.JoinHostPort(p.IP, strconv.Itoa(p.Port)), p.Probe.Path)
		if p.Probe.Token != "" {
			fmt.Fprint(w, " with Authorization: token ***")
		}
		fmt.Fprintf(w, " within %s\n", p.StartupTimeout)
		if len(p.DependsOn) > 0 {
			fmt.Fprintf(w, "  after:   %s\n", strings.Join(p.DependsOn, ", "))
		}
		if p.KernelsIn != "" || p.KernelsOn != "" {
			fmt.Fprintf(w, "  kernels: python3 runs in %s\n", p.KernelsWhere())
		}
	}
}

// writeStackFile writes the zero-config stack down as ./jdash.yaml.
func writeStackFile(d Deps, p *Project, dryRun bool) error {
	if p.Stack.File != "" {
		return fmt.Errorf("%s exists: --write-config writes the zero-config stack where there is none", p.Stack.File)
	}
	path := filepath.Join(p.Stack.Dir, "jdash.yaml")
	data := p.Stack.YAML()
	if dryRun {
		_, err := d.IO.Out.Write(data)
		return err
	}
	w := &fsx.Real{Roots: fsx.NewRoots(p.Stack.Dir)}
	if _, err := w.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(d.IO.ErrOut, "wrote %s\n", path)
	return nil
}
