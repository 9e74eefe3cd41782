package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/compose/supervisor"
	"github.com/jdash-dev/jdash/internal/proc"
)

// stoppedWhileStarting is the state's error when a signal (jdash down, Ctrl-C) stopped a
// stack that was starting.
const stoppedWhileStarting = "stopped while starting (jdash down, or a signal)"

// Supervise is the detached supervisor `up -d` starts (jdash __supervise STORE): it adopts the
// stack's lock handed down as fd 3 and runs the plan the up wrote.
func Supervise(d Deps, store Store) error {
	lock, err := store.Adopt(os.NewFile(3, "lock"))
	if err != nil {
		return err
	}
	defer lock.Release()
	if err := store.SetHolder(os.Getpid()); err != nil {
		return err
	}
	pl, err := store.Plan()
	if err != nil {
		return err
	}
	return supervise(d, store, pl, true)
}

// supervise runs the plan in this process until a signal (or, detached, until jdash down
// sends one): the foreground `up` and the detached supervisor are this one function. The
// caller holds the stack's lock.
func supervise(d Deps, store Store, pl *compose.Plan, detached bool) error {
	nonce := compose.NewToken()[:12]
	ticks, _ := proc.StartTicks(os.Getpid())
	st := &State{Dir: pl.Stack.Dir, Marker: MarkerPrefix(string(store)) + nonce, Supervisor: os.Getpid(),
		Ticks: ticks, Started: time.Now(), Detached: detached, Procs: procInfo(pl)}
	var secrets []string
	for _, p := range pl.Procs {
		secrets = append(secrets, p.SecretValues()...)
	}
	save := func() { _ = store.SaveState(st) } // best effort: ps reads it; down finds the stack without it
	sup := &supervisor.Supervisor{Runner: d.Envs.Runner, LogDir: store.LogDir(), Marker: st.Marker, Redact: secrets,
		Changed: func(ss []supervisor.Status) { st.Services = ss; save() }}
	if !detached {
		names := make([]string, len(pl.Procs))
		for i, p := range pl.Procs {
			names[i] = p.Name
		}
		sup.Logs = printer(d, names)
	}
	for _, p := range pl.Procs {
		if p.Remote != "" {
			continue // runs elsewhere
		}
		c, err := serviceCmd(d, p)
		if err != nil {
			return err
		}
		sup.Specs = append(sup.Specs, supervisor.Spec{Name: p.Name, DependsOn: p.DependsOn, Cmd: c, Probe: Probe(p), StartupTimeout: p.StartupTimeout, Restart: p.Restart == "on-failure"})
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
			fmt.Fprintln(d.IO.ErrOut, "jdash: stopping the stack gracefully... (press Ctrl+C again to force)")
		}
		cancel()
		<-sigs
		close(force)
	}()

	if err := sup.Up(ctx); err != nil {
		sup.Stop(Grace, force)
		st.Services = sup.Statuses()
		if errors.Is(err, context.Canceled) {
			st.Error = stoppedWhileStarting
			save()
			return clierr.Exit(clierr.Interrupted, "interrupted: the stack was stopped")
		}
		st.Error = err.Error()
		save()
		return &clierr.ExitError{Code: clierr.Failed, Err: fmt.Errorf("up failed, everything started was stopped: %w", err)}
	}
	if !detached {
		for _, p := range pl.Procs {
			if p.Remote == "" {
				fmt.Fprintf(d.IO.ErrOut, "jdash: %s ready: %s\n", p.Name, p.URL())
			}
		}
	}
	sup.Watch(ctx)
	left := sup.Stop(Grace, force)
	st.Services = sup.Statuses()
	save()
	if len(left) > 0 {
		return fmt.Errorf("processes still alive after SIGKILL: %v", left)
	}
	if err := store.Clear(); err != nil { // a clean stop leaves only the logs
		return err
	}
	if !detached {
		fmt.Fprintln(d.IO.ErrOut, "jdash: the stack is stopped")
	}
	return nil
}

// printer is the one view of the services' output, for up in the foreground and jdash logs:
// "name | line", the names padded to the longest, a stable colour per service on a terminal.
func printer(d Deps, names []string) *supervisor.Printer {
	colours := d.IO.Colors().Service
	w := 0
	for _, n := range names {
		w = max(w, len(n))
	}
	return &supervisor.Printer{W: d.IO.Out, Width: w, Colour: func(name, s string) string {
		return colours[max(slices.Index(names, name), 0)%len(colours)](s)
	}}
}
