package cmd

import (
	"github.com/jdash-dev/jdash/internal/proc"

	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/compose/supervisor"
	"github.com/jdash-dev/jdash/internal/doctor"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/ports"
	"github.com/jdash-dev/jdash/internal/runner"
	"github.com/jdash-dev/jdash/internal/setup"
	"github.com/jdash-dev/jdash/internal/stack"
)

type upOptions struct {
	Detach, DryRun, WriteConfig, Strict, Force bool
	Export, Out, Gateway                       string
}

// grace is how long a service has to stop after SIGTERM before SIGKILL.
const grace = 10 * time.Second

func newUpCmd(f *Factory, runF func(*upOptions) error) *cobra.Command {
	o := &upOptions{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Run the stack of jdash.yaml (notebook, kernel gateway, dashboards), wired with matching ports and tokens",
		Long: `Start the services of ./jdash.yaml (root_dir, services), each from its own env, in
depends_on order, each ready only when its real endpoint answers with its token. Tokens are
fresh per run, per link, passed in environment variables or 0600 files, never in argv. Every
service gets port_retries=0: a taken port is an error naming its holder, found before anything
starts. Without jdash.yaml the stack is the active env's notebook server, plus a kernel
gateway and Voilà when that env has them (--write-config writes it down).

In the foreground the services' logs are shown as "name | line"; the first Ctrl-C stops the
stack gracefully, a second forces it. -d leaves a supervisor running: jdash ps, jdash logs and
jdash down work on it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return upRun(f, o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&o.Detach, "detach", "d", false, "leave the stack running in the background (jdash ps, logs, down)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "print the plan (argv, environment with tokens masked, cwd, port, probe) and start nothing")
	fl.BoolVar(&o.WriteConfig, "write-config", false, "write the zero-config stack to ./jdash.yaml")
	fl.BoolVar(&o.Strict, "strict", false, "let doctor's errors in the services' envs stop the start")
	fl.StringVar(&o.Export, "export", "", "write the stack for another engine instead of starting it: compose or kubernetes")
	fl.StringVar(&o.Gateway, "gateway", "", "with --export kubernetes: helm takes the Enterprise Gateway from its Helm chart (values written)")
	fl.StringVarP(&o.Out, "output", "o", "", "the dir --export writes (default ./jdash-export/ENGINE)")
	fl.BoolVar(&o.Force, "force", false, "with --export: write into a dir that holds files and is not a previous export")
	return cmd
}

// project is a loaded stack and its state dir.
type project struct {
	st    *compose.Stack
	state stack.Dir
}

func (f *Factory) stateHome() string { return f.dirs().State }

// loadStack reads the stack of jdash.yaml (the --config file, else the jdash.yaml of this dir
// or the nearest dir above it), or makes the zero-config default from the active env for
// that dir (the nearest dir above with a stack that ran, else this one).
func (f *Factory) loadStack() (*project, error) {
	file := f.V.ConfigFileUsed()
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	dir := stack.Find(cwd, f.stateHome())
	if file == "" {
		if fi, err := os.Stat(filepath.Join(dir, "jdash.yaml")); err == nil && fi.Mode().IsRegular() {
			file = filepath.Join(dir, "jdash.yaml")
		}
	}
	var st *compose.Stack
	if file != "" {
		abs, err := filepath.Abs(file)
		if err != nil {
			return nil, err
		}
		data, err := fsx.ReadRegular(abs, maxConfigFile)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", abs, err)
		}
		if st, err = compose.Parse(abs, data); err != nil {
			var ce *compose.Error
			if errors.As(err, &ce) {
				return nil, &FlagError{err}
			}
			return nil, err
		}
	}
	if st == nil {
		ec, err := f.envContext("")
		if err != nil {
			return nil, fmt.Errorf("no jdash.yaml here, and no active env for a default stack: %w", err)
		}
		if st, err = compose.Default(envFacts(ec), dir); err != nil {
			return nil, err
		}
		// setup's remembered choices and up agree on the notebook's ip and port
		if c, _ := setup.LoadChoices(f.FS, ec.Env.Prefix); c != nil && c.Port > 0 {
			st.Services[0].Port, st.Services[0].IP = c.Port, c.IP
		}
	}
	return &project{st: st, state: stack.Dir(compose.StateDir(f.stateHome(), st.Dir))}, nil
}

func envFacts(ec *envContext) compose.EnvFacts {
	v := map[string]string{}
	for _, d := range ec.Packages.All() {
		v[pkgindex.NormalizeName(d.Name)] = d.Version
	}
	return compose.EnvFacts{Prefix: ec.Env.Prefix, Python: ec.Env.Python, Versions: v}
}

func (f *Factory) plan(s *project) (*compose.Plan, map[string]compose.EnvFacts, error) {
	facts := map[string]compose.EnvFacts{}
	pl, err := compose.Build(s.st, compose.Options{
		Resolve: func(ref string) (compose.EnvFacts, error) {
			ec, err := f.envContext(ref)
			if err != nil {
				return compose.EnvFacts{}, err
			}
			ef := envFacts(ec)
			facts[ef.Prefix] = ef
			return ef, nil
		},
		Token:     compose.NewToken,
		StateDir:  string(s.state),
		AllowRoot: os.Geteuid() == 0,
		Getenv:    f.getenv,
	})
	return pl, facts, err
}

func upRun(f *Factory, o *upOptions) error {
	switch {
	case o.Export != "" && o.Export != "compose" && o.Export != "kubernetes":
		return flagErrorf("--export %q: compose or kubernetes", o.Export)
	case o.Gateway != "" && (o.Gateway != "helm" || o.Export != "kubernetes"):
		return flagErrorf("--gateway %q: helm, with --export kubernetes", o.Gateway)
	case o.Out != "" && o.Export == "":
		return flagErrorf("--output goes with --export")
	case o.Force && o.Export == "":
		return flagErrorf("--force goes with --export")
	}
	s, err := f.loadStack()
	if err != nil {
		return err
	}
	pl, facts, err := f.plan(s)
	if err != nil {
		return err
	}
	if o.WriteConfig {
		return writeStackConfig(f, s, o.DryRun)
	}
	if o.Export != "" {
		return exportStack(f, s, pl, o)
	}
	if o.DryRun {
		printPlan(f, pl)
		return nil
	}
	// one up per stack: the lock is held by this up, then by the supervisor it starts
	lock, err := s.state.TryLock()
	if errors.Is(err, stack.ErrBusy) {
		return alreadyUp(f, s)
	}
	if err != nil {
		return err
	}
	defer func() {
		if lock != nil { // not handed to a supervisor: this up ends, and its claim with it
			s.state.ClearHolder()
			lock.Release()
		}
	}()
	if err := cleanLeftovers(f, s); err != nil {
		return err
	}
	if err := s.state.SetHolder(os.Getpid()); err != nil {
		return err
	}
	if err := preflight(f, pl, facts, o.Strict); err != nil {
		return err
	}
	if err := s.state.WritePlan(pl); err != nil {
		return err
	}
	if o.Detach {
		handed, err := upDetached(f, s, pl, lock)
		if handed {
			lock = nil // the supervisor holds it now
		}
		return err
	}
	return supervise(f, s, pl, false)
}

// alreadyUp is what a second up says: the stack is up (ps), or another up is starting it.
func alreadyUp(f *Factory, s *project) error {
	st, err := s.state.State()
	if st.Running() {
		fmt.Fprintf(f.IO.ErrOut, "the stack of %s is already up (supervisor PID %d)\n", s.st.Dir, st.Supervisor)
		return psPrint(f, st, false)
	}
	who := ""
	if h, ok := s.state.Holder(); ok {
		who = fmt.Sprintf(" (PID %d)", h.PID)
	}
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "jdash: %v\n", err)
	}
	fmt.Fprintf(f.IO.ErrOut, "the stack of %s is being started by another jdash up%s: jdash ps shows it, jdash down stops it\n", s.st.Dir, who)
	return nil
}

// cleanLeftovers stops what a previous run left (a supervisor that is gone, a failed up, a
// damaged state), with the stack's lock held by this up.
func cleanLeftovers(f *Factory, s *project) error {
	if !s.state.Exists() {
		return nil
	}
	st, err := s.state.State()
	switch {
	case err != nil:
		fmt.Fprintf(f.IO.ErrOut, "%v: stopping what carries the stack's marker\n", err)
	case st == nil:
		fmt.Fprintln(f.IO.ErrOut, "cleaning up after an up that did not finish")
	case st.Error != "":
		fmt.Fprintf(f.IO.ErrOut, "the last up failed (%s); starting afresh\n", strings.TrimSuffix(firstLine(st.Error), ":"))
	default:
		fmt.Fprintf(f.IO.ErrOut, "cleaning up after a supervisor that is gone (PID %d)\n", st.Supervisor)
	}
	out, err := stack.StopHeld(s.state, grace)
	if err != nil {
		return err
	}
	if len(out.Held) > 0 {
		return &ExitError{Code: ExitFailed, Err: fmt.Errorf("after the last run, %s", strings.Join(out.Held, "; "))}
	}
	return nil
}

// preflight checks everything before anything starts: ports free (naming the holder), each
// env has what its kind needs, and doctor's errors in the envs (blocking with --strict).
func preflight(f *Factory, pl *compose.Plan, facts map[string]compose.EnvFacts, strict bool) error {
	var problems []string
	for _, p := range pl.Procs {
		if p.Remote != "" {
			// a gateway elsewhere: it must answer with the token now, or nothing starts
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := stack.Probe(p)(ctx, 0)
			cancel()
			if err != nil {
				problems = append(problems, fmt.Sprintf("service %s: the gateway at %s does not answer with the token of $%s: %v", p.Name, p.Remote, p.Secrets[0], err))
			}
			continue
		}
		if taken, h := ports.Taken(p.IP, p.Port); taken {
			problems = append(problems, fmt.Sprintf("service %s: port %d is held by %s", p.Name, p.Port, h))
		}
		if p.Env != "" && !p.Satisfied(facts[p.Env].Versions) {
			problems = append(problems, fmt.Sprintf("service %s: %s has no %s (kind %s); fix: %s", p.Name, p.Env, p.Needs, p.Kind, p.Fix))
		} else if _, err := serviceCmd(f, p); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return &ExitError{Code: ExitFailed, Err: fmt.Errorf("pre-flight failed, nothing was started:\n  %s", strings.Join(problems, "\n  "))}
	}
	d := newDoctorRun(f, &doctorOptions{})
	blocked := false
	var seen []string
	for _, p := range pl.Procs {
		if p.Env == "" || slices.Contains(seen, p.Env) {
			continue
		}
		seen = append(seen, p.Env)
		ec, err := f.envContext(p.Env)
		if err != nil {
			return err
		}
		fs, _, err := d.inspect(ec)
		if err != nil {
			return err
		}
		for _, fd := range fs {
			if fd.Severity == doctor.Error {
				fmt.Fprintf(f.IO.ErrOut, "doctor: %s: [%s] %s\n", p.Env, fd.ID, fd.Title)
				blocked = blocked || strict
			}
		}
	}
	if blocked {
		return &ExitError{Code: ExitCheckFailed, Err: fmt.Errorf("doctor found errors in the stack's envs (--strict): nothing was started; see jdash doctor --env ENV")}
	}
	return nil
}

// serviceCmd is how a local service starts: its program found (jdash itself for the
// services jdash serves, else absolute or on the runner's PATH) and executable.
func serviceCmd(f *Factory, p compose.Proc) (runner.Cmd, error) {
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
		path, err := f.Runner.LookPath(c.Path)
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

// supervise runs the plan in this process until a signal (or, detached, until jdash down
// sends one): the foreground `up` and the detached supervisor are this one function. The
// caller holds the stack's lock.
func supervise(f *Factory, s *project, pl *compose.Plan, detached bool) error {
	nonce := compose.NewToken()[:12]
	ticks, _ := proc.StartTicks(os.Getpid())
	st := &compose.State{Dir: s.st.Dir, Marker: compose.MarkerPrefix(string(s.state)) + nonce, Supervisor: os.Getpid(),
		Ticks: ticks, Started: time.Now(), Detached: detached, Procs: pl.Info()}
	var secrets []string
	for _, p := range pl.Procs {
		secrets = append(secrets, p.Secret()...)
	}
	save := func() { _ = s.state.SaveState(st) } // best effort: ps reads it; down finds the stack without it
	sup := &supervisor.Supervisor{Runner: f.Runner, LogDir: compose.LogDir(string(s.state)), Marker: st.Marker, Redact: secrets,
		Changed: func(ss []supervisor.Status) { st.Services = ss; save() }}
	if !detached {
		sup.Out = f.IO.Out
		sup.Prefix = prefixer(f, pl)
	}
	for _, p := range pl.Procs {
		if p.Remote != "" {
			continue // runs elsewhere
		}
		c, err := serviceCmd(f, p)
		if err != nil {
			return err
		}
		sup.Specs = append(sup.Specs, supervisor.Spec{Name: p.Name, DependsOn: p.DependsOn, Cmd: c, Probe: stack.Probe(p), StartupTimeout: p.StartupTimeout, Restart: p.Restart == "on-failure"})
	}
	save()

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	force := make(chan struct{})
	go func() {
		<-sigs
		if !detached {
			fmt.Fprintln(f.IO.ErrOut, "jdash: stopping the stack gracefully... (press Ctrl+C again to force)")
		}
		cancel()
		<-sigs
		close(force)
	}()

	if err := sup.Up(ctx); err != nil {
		sup.Stop(grace, force)
		st.Services = sup.Statuses()
		if errors.Is(err, context.Canceled) {
			st.Error = stoppedWhileStarting
			save()
			return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("interrupted: the stack was stopped")}
		}
		st.Error = err.Error()
		save()
		return &ExitError{Code: ExitFailed, Err: fmt.Errorf("up failed, everything started was stopped: %w", err)}
	}
	if !detached {
		for _, p := range pl.Procs {
			if p.Remote == "" {
				fmt.Fprintf(f.IO.ErrOut, "jdash: %s ready: %s\n", p.Name, p.URL())
			}
		}
	}
	sup.Watch(ctx)
	left := sup.Stop(grace, force)
	st.Services = sup.Statuses()
	save()
	if len(left) > 0 {
		return fmt.Errorf("processes still alive after SIGKILL: %v", left)
	}
	if err := s.state.Clear(); err != nil { // a clean stop leaves only the logs
		return err
	}
	if !detached {
		fmt.Fprintln(f.IO.ErrOut, "jdash: the stack is stopped")
	}
	return nil
}

// stoppedWhileStarting is the state's error when a signal (jdash down, Ctrl-C) stopped a
// stack that was starting.
const stoppedWhileStarting = "stopped while starting (jdash down, or a signal)"

// prefixer is "name | " padded to the longest name, a stable colour per service on a terminal.
func prefixer(f *Factory, pl *compose.Plan) func(string) string {
	colours := f.IO.Colors().Service
	w := 0
	for _, p := range pl.Procs {
		w = max(w, len(p.Name))
	}
	return func(name string) string {
		i := slices.IndexFunc(pl.Procs, func(p compose.Proc) bool { return p.Name == name })
		return colours[max(i, 0)%len(colours)](fmt.Sprintf("%-*s |", w, name)) + " "
	}
}

// upDetached starts the supervisor in a session of its own, hands it the stack's lock, and
// waits until the stack is ready (or failed), then shows ps. handed reports that the
// supervisor took the lock over.
func upDetached(f *Factory, s *project, pl *compose.Plan, lock *stack.Lock) (handed bool, err error) {
	self, err := os.Executable()
	if err != nil {
		return false, err
	}
	if _, err := s.state.Writer().Remove(compose.StateFile(string(s.state))); err != nil {
		return false, err
	}
	logPath := s.state.SupervisorLogPath()
	logf, err := s.state.SupervisorLog()
	if err != nil {
		return false, err
	}
	defer logf.Close()
	args := []string{"__supervise", string(s.state)}
	if cf := f.V.ConfigFileUsed(); cf != "" {
		args = append([]string{"--config", cf}, args...)
	}
	// the supervisor carries the stack's marker too: down finds it without the state
	p, err := f.Runner.Start(runner.Cmd{Path: self, Args: args, Dir: s.st.Dir, Stdout: logf, Stderr: logf, Session: true,
		ExtraFiles: []*os.File{lock.File()}, Set: []string{compose.MarkerPrefix(string(s.state)) + "supervisor"}})
	if err != nil {
		return false, err
	}
	lock.Close()
	var budget time.Duration
	for _, pr := range pl.Procs {
		budget += pr.StartupTimeout
	}
	deadline := time.Now().Add(budget + 10*time.Second)
	progress := f.IO.Progress()
	failed := func(st *compose.State) error {
		fmt.Fprintln(progress)
		if st.Error == stoppedWhileStarting {
			return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("the stack was %s; everything started was stopped", st.Error)}
		}
		return &ExitError{Code: ExitFailed, Err: fmt.Errorf("up failed, everything started was stopped: %s", st.Error)}
	}
	for time.Now().Before(deadline) {
		st, _ := s.state.State()
		switch {
		case st != nil && st.Error != "":
			<-p.Done()
			return true, failed(st)
		case st != nil && allReady(st):
			fmt.Fprintln(progress)
			return true, psPrint(f, st, false)
		}
		select {
		case <-p.Done():
			if st, _ := s.state.State(); st != nil && st.Error != "" {
				return true, failed(st)
			}
			why := supervisor.TailFile(logPath, 15)
			if why == "" {
				why = fmt.Sprintf("it %s and wrote nothing", supervisor.ExitText(p.ExitCode(), p.Signal()))
			}
			return true, &ExitError{Code: ExitFailed, Err: fmt.Errorf("the supervisor (PID %d) ended before the stack was up: %s\njdash down stops whatever it left", p.PID, why)}
		case <-time.After(50 * time.Millisecond):
		}
		if st != nil {
			fmt.Fprintf(progress, "\rstarting: %s", readiness(st))
		}
	}
	st, _ := s.state.State()
	waiting := "?"
	if st != nil {
		var names []string
		for _, svc := range st.Services {
			if svc.State != supervisor.Ready {
				names = append(names, svc.Name+" ("+svc.State+")")
			}
		}
		waiting = strings.Join(names, ", ")
	}
	return true, &ExitError{Code: ExitFailed, Err: fmt.Errorf("the stack was not ready in %s: still waiting for %s; it keeps starting: jdash ps, jdash logs, jdash down", budget, waiting)}
}

func allReady(st *compose.State) bool {
	local := 0
	for _, p := range st.Procs {
		if p.Kind != compose.RemoteKind {
			local++
		}
	}
	if len(st.Services) != local {
		return false
	}
	for _, s := range st.Services {
		if s.State != supervisor.Ready {
			return false
		}
	}
	return true
}

func readiness(st *compose.State) string {
	var parts []string
	for _, s := range st.Services {
		parts = append(parts, s.Name+" "+s.State)
	}
	return strings.Join(parts, ", ")
}

// newSuperviseCmd is the detached supervisor `up -d` starts (hidden).
func newSuperviseCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "__supervise STATEDIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			d := stack.Dir(args[0])
			lock, err := d.Adopt(os.NewFile(3, "lock")) // handed down by up -d
			if err != nil {
				return err
			}
			defer lock.Release()
			if err := d.SetHolder(os.Getpid()); err != nil {
				return err
			}
			pl, err := d.Plan()
			if err != nil {
				return err
			}
			return supervise(f, &project{st: pl.Stack, state: d}, pl, true)
		},
	}
}

func printPlan(f *Factory, pl *compose.Plan) {
	w := f.IO.Out
	fmt.Fprintf(w, "stack: %s (root_dir %s)\n", pl.Stack.Dir, pl.Stack.RootDir)
	for _, p := range pl.Procs {
		fmt.Fprintf(w, "\n%s (%s)\n", p.Name, p.Kind)
		if p.Remote != "" {
			fmt.Fprintf(w, "  remote:  %s (started elsewhere; its token from $%s)\n  ready:   GET %s with Authorization: token *** before anything starts\n", p.Remote, p.Secrets[0], p.Probe.Path)
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
	}
}

func writeStackConfig(f *Factory, s *project, dryRun bool) error {
	if s.st.File != "" {
		return fmt.Errorf("%s exists: --write-config writes the zero-config stack where there is none", s.st.File)
	}
	path := filepath.Join(s.st.Dir, "jdash.yaml")
	data := s.st.YAML()
	if dryRun {
		f.IO.Out.Write(data)
		return nil
	}
	w := &fsx.Real{Roots: fsx.NewRoots(s.st.Dir)}
	if _, err := w.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "wrote %s\n", path)
	return nil
}

// exportStack writes the plan for another engine: image recipes from the envs' installed
// distributions, the engine's file, the tokens in 0600 env files only.
func exportStack(f *Factory, s *project, pl *compose.Plan, o *upOptions) error {
	envs := map[string]compose.ExportEnv{}
	for _, p := range pl.Procs {
		if p.Env == "" || envs[p.Env].PythonVersion != "" {
			continue
		}
		ec, err := f.envContext(p.Env)
		if err != nil {
			return err
		}
		e := compose.ExportEnv{PythonVersion: ec.Env.PythonVersion}
		for _, d := range ec.Packages.All() {
			switch pkgindex.NormalizeName(d.Name) {
			case "pip", "setuptools", "wheel", "distribute": // as pip freeze leaves them out
				continue
			}
			e.Pins = append(e.Pins, d.Name+"=="+d.Version)
		}
		if c, _ := setup.LoadChoices(f.FS, ec.Env.Prefix); c != nil {
			e.Profile = c.Profile
		}
		envs[p.Env] = e
	}
	ex := compose.ExportCompose(pl, envs)
	if o.Export == "kubernetes" {
		ex = compose.ExportKubernetes(pl, envs, o.Gateway == "helm")
	}
	out := o.Out
	if out == "" {
		out = filepath.Join(s.st.Dir, "jdash-export", o.Export)
	}
	out, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if o.DryRun {
		names := sortedNames(ex.Files)
		if ex.Self {
			names = append(names, "jdash")
		}
		for _, name := range names {
			fmt.Fprintf(f.IO.Out, "%s/%s\n", out, name)
		}
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if _, err := ex.Write(out, o.Force, self); err != nil {
		return err
	}
	for _, n := range ex.Notes {
		fmt.Fprintln(f.IO.ErrOut, "note: "+n)
	}
	if ex.Self {
		fmt.Fprintln(f.IO.ErrOut, "note: the images copy jdash (the setup step or the dashboards service): the export wrote this jdash as ./jdash")
	}
	how := "docker-compose build && docker-compose up"
	if o.Export == "kubernetes" {
		how = "build the images, then kubectl apply -f secrets/ -f ."
	}
	fmt.Fprintf(f.IO.ErrOut, "wrote the %s export to %s (%s)\n", o.Export, out, how)
	return nil
}

func sortedNames(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
