package engine

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/compose/supervisor"
	"github.com/jdash-dev/jdash/internal/runner"
)

// detach starts the supervisor in a session of its own, hands it the stack's lock, and waits
// until the stack is ready (or failed), then shows ps. handed reports that the supervisor
// took the lock over.
func detach(d Deps, p *Project, pl *compose.Plan, lock *Lock) (handed bool, err error) {
	self, err := os.Executable()
	if err != nil {
		return false, err
	}
	if _, err := p.Store.Writer().Remove(p.Store.stateFile()); err != nil {
		return false, err
	}
	logPath := p.Store.SupervisorLogPath()
	logf, err := p.Store.SupervisorLog()
	if err != nil {
		return false, err
	}
	defer logf.Close()
	args := []string{"__supervise", string(p.Store)}
	if d.ConfigFile != "" {
		args = append([]string{"--config", d.ConfigFile}, args...)
	}
	// the supervisor carries the stack's marker too: down finds it without the state
	sp, err := d.Envs.Runner.Start(runner.Cmd{Path: self, Args: args, Dir: p.Stack.Dir, Stdout: logf, Stderr: logf, Session: true,
		ExtraFiles: []*os.File{lock.File()}, Set: []string{MarkerPrefix(string(p.Store)) + "supervisor"}})
	if err != nil {
		return false, err
	}
	lock.Close()
	var budget time.Duration
	for _, pr := range pl.Procs {
		budget += pr.StartupTimeout
	}
	deadline := time.Now().Add(budget + 10*time.Second)
	progress := d.IO.Progress()
	failed := func(st *State) error {
		fmt.Fprintln(progress)
		if st.Error == stoppedWhileStarting {
			return clierr.Exit(clierr.Interrupted, "the stack was %s; everything started was stopped", st.Error)
		}
		return clierr.Exit(clierr.Failed, "up failed, everything started was stopped: %s", st.Error)
	}
	for time.Now().Before(deadline) {
		st, _ := p.Store.State()
		switch {
		case st != nil && st.Error != "":
			<-sp.Done()
			return true, failed(st)
		case st != nil && allReady(st):
			fmt.Fprintln(progress)
			return true, printStatus(d, st, nil, false) // (pre-flight has just asked the remotes)
		}
		select {
		case <-sp.Done():
			if st, _ := p.Store.State(); st != nil && st.Error != "" {
				return true, failed(st)
			}
			why := supervisor.TailFile(logPath, 15)
			if why == "" {
				why = fmt.Sprintf("it %s and wrote nothing", supervisor.ExitText(sp.ExitCode(), sp.Signal()))
			}
			return true, clierr.Exit(clierr.Failed, "the supervisor (PID %d) ended before the stack was up: %s\njdash down stops whatever it left", sp.PID, why)
		case <-time.After(50 * time.Millisecond):
		}
		if st != nil {
			fmt.Fprintf(progress, "\rstarting: %s", readiness(st))
		}
	}
	st, _ := p.Store.State()
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
	return true, clierr.Exit(clierr.Failed, "the stack was not ready in %s: still waiting for %s; it keeps starting: jdash ps, jdash logs, jdash down", budget, waiting)
}

func allReady(st *State) bool {
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

func readiness(st *State) string {
	var parts []string
	for _, s := range st.Services {
		parts = append(parts, s.Name+" "+s.State)
	}
	return strings.Join(parts, ", ")
}
