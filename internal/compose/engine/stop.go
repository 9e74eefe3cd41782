package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/compose/supervisor"
	"github.com/jdash-dev/jdash/internal/ports"
	"github.com/jdash-dev/jdash/internal/proc"
)

// Stopped is what Stop did, and what it found afterwards.
type Stopped struct {
	// Waited: a live up or supervisor held the stack and was asked to stop it.
	Waited bool
	// Damaged is why the state could not be trusted ("" when it could): the stack was then
	// stopped by its marker alone.
	Damaged string
	// Held are the stack's ports something still listens on, each with its holder.
	Held []string
	// Left are processes of the stack alive after SIGKILL.
	Left []int
}

// Free reports a stack with no process left and every port free.
func (s Stopped) Free() bool { return len(s.Held) == 0 && len(s.Left) == 0 }

// Stop stops the stack of d whatever state it is in, and signals only what it can prove is
// the stack's:
//   - a live holder of the lock (a foreground up, a detached supervisor, an up that is still
//     starting) is asked to stop (SIGTERM) and stops what it started; Stop waits for it;
//   - then, holding the lock, the recorded services that are still the same processes (PID
//     and start time) and carry the stack's marker are stopped with everything below them
//     (kernels, whatever their environment), and every process that carries the marker;
//   - a damaged or missing state stops nothing else: the marker is the proof.
//
// It waits for the stack's ports to be free and names what still holds one, then removes the
// state (the logs stay).
func Stop(d Store, grace time.Duration) (Stopped, error) {
	var out Stopped
	known := d.Procs() // read first: a supervisor that stops cleanly removes its state
	lock, err := d.TryLock()
	if errors.Is(err, ErrBusy) {
		out.Waited = true
		h, known := d.Holder()
		if known {
			supervisor.Terminate(h.PID)
		}
		for end := time.Now().Add(grace + 15*time.Second); errors.Is(err, ErrBusy) && time.Now().Before(end); {
			time.Sleep(50 * time.Millisecond)
			lock, err = d.TryLock()
		}
		if errors.Is(err, ErrBusy) {
			if !known {
				return out, fmt.Errorf("the stack's lock (%s) is held by a process that did not write itself down: not stopping what cannot be proven", d.lockFile())
			}
			return out, fmt.Errorf("the stack's supervisor (PID %d) did not stop within %s", h.PID, grace+15*time.Second)
		}
	}
	if err != nil {
		return out, err
	}
	defer lock.Release()
	held, err := stopHeld(d, grace, known)
	held.Waited = out.Waited
	return held, err
}

// StopHeld is Stop for a caller that holds the stack's lock (an up cleaning up after the
// last run).
func StopHeld(d Store, grace time.Duration) (Stopped, error) { return stopHeld(d, grace, nil) }

// Procs are the stack's services as its state, else its plan, lists them.
func (d Store) Procs() []ProcInfo {
	if st, err := d.State(); err == nil && st != nil {
		return st.Procs
	}
	if pl, err := d.Plan(); err == nil {
		return procInfo(pl)
	}
	return nil
}

// stopHeld stops the stack; procs are its services as read before its supervisor was asked
// to stop (nil: as its state, else its plan, lists them now).
func stopHeld(d Store, grace time.Duration, procs []ProcInfo) (Stopped, error) {
	var out Stopped
	prefix := MarkerPrefix(string(d))
	st, serr := d.State()
	var damaged *Damaged
	if errors.As(serr, &damaged) {
		out.Damaged = damaged.Error()
	} else if serr != nil {
		return out, serr
	}
	switch {
	case procs != nil:
	case st != nil:
		procs = st.Procs
	default:
		procs = d.Procs() // the plan's
	}
	if st != nil {
		for _, svc := range st.Services {
			if svc.PID > 0 && svc.StartTicks != 0 && proc.Alive(svc.PID, svc.StartTicks) && proc.HasMarker(svc.PID, prefix) {
				supervisor.StopGroup(svc.PID, grace, nil)
			}
		}
	}
	out.Left = supervisor.Reap(prefix, grace, nil)
	for _, p := range procs {
		if p.Port == 0 || p.Kind == compose.RemoteKind {
			continue
		}
		taken, h := true, ports.Holder{}
		for end := time.Now().Add(5 * time.Second); taken && time.Now().Before(end); {
			if taken, h = ports.Taken(p.IP, p.Port); taken {
				time.Sleep(50 * time.Millisecond)
			}
		}
		if taken {
			out.Held = append(out.Held, fmt.Sprintf("port %d (service %s) is held by %s", p.Port, p.Name, h))
		}
	}
	if len(out.Left) > 0 {
		return out, fmt.Errorf("processes of the stack still alive after SIGKILL: %v", out.Left)
	}
	return out, d.Clear()
}
