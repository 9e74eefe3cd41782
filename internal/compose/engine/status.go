package engine

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/compose/supervisor"
	"github.com/jdash-dev/jdash/internal/proc"
	"github.com/jdash-dev/jdash/internal/ui"
)

// Ps shows the services of the stack: status, pid, port, URL with its token (JSON with
// asJSON, schema in docs/json.md).
func Ps(d Deps, p *Project, asJSON bool) error {
	st, err := p.Store.State()
	var damaged *Damaged
	if errors.As(err, &damaged) {
		return psDamaged(d, p, damaged, asJSON)
	}
	if err != nil {
		return err
	}
	if st == nil {
		if asJSON {
			return ui.WriteJSON(d.IO.Out, psDoc{Dir: p.Stack.Dir, Services: []psService{}})
		}
		if h, ok := p.Store.Holder(); ok {
			fmt.Fprintf(d.IO.ErrOut, "the stack of %s is starting (jdash up, PID %d)\n", p.Stack.Dir, h.PID)
		} else {
			fmt.Fprintf(d.IO.ErrOut, "the stack of %s is not up (jdash up)\n", p.Stack.Dir)
		}
		return nil
	}
	return printStatus(d, st, askRemotes(d, p, st), asJSON)
}

// askRemotes probes the remote gateways of a running stack as up did, with the token from
// the caller's variable, so that ps says whether the notebook's kernels can start there: a
// name maps to nil (answers), errNotAsked (no token here) or what went wrong.
func askRemotes(d Deps, p *Project, st *State) map[string]error {
	out := map[string]error{}
	if !st.Running() {
		return out
	}
	for _, info := range st.Procs {
		svc := p.Stack.Service(info.Name)
		if info.Kind != compose.RemoteKind || svc == nil {
			continue
		}
		tok := d.Envs.Environ[svc.TokenEnv]
		if tok == "" {
			out[info.Name] = fmt.Errorf("%w: $%s is not set here", errNotAsked, svc.TokenEnv)
			continue
		}
		remote := compose.Proc{Name: info.Name, Remote: info.URL, Probe: compose.Probe{Path: compose.KindOf(compose.RemoteKind).Probe, Token: tok}}
		ctx, cancel := context.WithTimeout(d.Context(), 3*time.Second)
		err := Probe(remote)(ctx, 0)
		cancel()
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // (the row names the URL)
		}
		out[info.Name] = err
	}
	return out
}

var errNotAsked = errors.New("not asked")

// psDamaged shows what can still be known of a stack whose state file is damaged: the
// processes that carry its marker.
func psDamaged(d Deps, p *Project, damaged *Damaged, asJSON bool) error {
	doc := psDoc{Dir: p.Stack.Dir, Services: []psService{}, Damaged: damaged.Error(), Marked: []psProcess{}}
	for _, pid := range proc.Marked(MarkerPrefix(string(p.Store))) {
		doc.Marked = append(doc.Marked, psProcess{PID: pid, Command: proc.Command(pid)})
	}
	if asJSON {
		return ui.WriteJSON(d.IO.Out, doc)
	}
	fmt.Fprintf(d.IO.ErrOut, "%s; %d processes carry the stack's marker; jdash down stops them\n", doc.Damaged, len(doc.Marked))
	tw := tabwriter.NewWriter(d.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PID\tCOMMAND")
	for _, m := range doc.Marked {
		fmt.Fprintf(tw, "%d\t%s\n", m.PID, m.Command)
	}
	return tw.Flush()
}

type psDoc struct {
	Dir        string      `json:"dir"`
	Supervisor int         `json:"supervisor_pid"`
	Running    bool        `json:"running"`
	Services   []psService `json:"services"`
	// Damaged says why the state file cannot be trusted; Marked are then the processes
	// that carry the stack's marker.
	Damaged string      `json:"damaged,omitempty"`
	Marked  []psProcess `json:"marked,omitempty"`
}

type psProcess struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
}

type psService struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Status   string `json:"status"`
	ExitCode *int   `json:"exit_code,omitempty"`
	Signal   string `json:"signal,omitempty"`
	PID      int    `json:"pid"`
	Port     int    `json:"port"`
	URL      string `json:"url"`
	Uptime   int64  `json:"uptime_seconds"`
	Restarts int    `json:"restarts"`
	Error    string `json:"error,omitempty"`
	Kernels  string `json:"kernels,omitempty"`
}

func psRows(st *State, remotes map[string]error) psDoc {
	doc := psDoc{Dir: st.Dir, Supervisor: st.Supervisor, Running: st.Running(), Services: []psService{}}
	for _, p := range st.Procs {
		row := psService{Name: p.Name, Kind: p.Kind, Port: p.Port, URL: p.URL, Status: "not started", Kernels: p.Kernels}
		if i := slices.IndexFunc(st.Services, func(s supervisor.Status) bool { return s.Name == p.Name }); i >= 0 {
			s := st.Services[i]
			row.Status, row.ExitCode, row.Signal, row.PID, row.Restarts, row.Error = s.State, s.ExitCode, s.Signal, s.PID, s.Restarts, s.Error
			if s.State == supervisor.Ready || s.State == supervisor.Starting {
				row.Uptime = int64(time.Since(s.Started).Seconds())
			}
		}
		if p.Kind == compose.RemoteKind {
			row.Status = "external"
			if err := remotes[p.Name]; err != nil {
				row.Error = err.Error()
				if !errors.Is(err, errNotAsked) {
					row.Status = "unreachable"
				}
			}
		}
		if !doc.Running && (row.Status == supervisor.Ready || row.Status == supervisor.Starting) {
			row.Status = "unknown (supervisor gone)"
		}
		doc.Services = append(doc.Services, row)
	}
	return doc
}

func printStatus(d Deps, st *State, remotes map[string]error, asJSON bool) error {
	doc := psRows(st, remotes)
	if asJSON {
		return ui.WriteJSON(d.IO.Out, doc)
	}
	tw := tabwriter.NewWriter(d.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSTATUS\tPID\tPORT\tUPTIME\tRESTARTS\tURL")
	for _, s := range doc.Services {
		status := s.Status
		switch {
		case (s.Status == supervisor.Stopped || s.Kind == compose.RemoteKind) && s.Error != "":
			status = fmt.Sprintf("%s (%s)", s.Status, s.Error)
		case s.Signal != "":
			status = fmt.Sprintf("%s (%s)", s.Status, s.Signal)
		case s.ExitCode != nil:
			status = fmt.Sprintf("%s (%d)", s.Status, *s.ExitCode)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%d\t%s\n", s.Name, s.Kind, status, s.PID, s.Port,
			(time.Duration(s.Uptime) * time.Second).String(), s.Restarts, s.URL)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	printKernels(d.IO.Out, st.Procs)
	if !doc.Running {
		fmt.Fprintf(d.IO.ErrOut, "the supervisor (PID %d) is not running: jdash down cleans up\n", st.Supervisor)
	}
	return nil
}
