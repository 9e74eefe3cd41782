package cmd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/compose/supervisor"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/ports"
)

// currentState is the state of the stack of this dir (nil when it never ran).
func (f *Factory) currentState() (*stack, *compose.State, error) {
	s, err := f.loadStack()
	if err != nil {
		return nil, nil, err
	}
	st, err := loadState(s.state)
	return s, st, err
}

func newPsCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ps",
		Short: "Show the services of the stack of this dir: status, pid, port, URL with its token",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, st, err := f.currentState()
			if err != nil {
				return err
			}
			if st == nil {
				if asJSON {
					return writeJSON(f.IO.Out, psDoc{Services: []psService{}})
				}
				fmt.Fprintln(f.IO.ErrOut, "the stack of this dir is not up (jdash up)")
				return nil
			}
			return psPrint(f, st, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (schema in docs/json.md)")
	return cmd
}

type psDoc struct {
	Dir        string      `json:"dir"`
	Supervisor int         `json:"supervisor_pid"`
	Running    bool        `json:"running"`
	Services   []psService `json:"services"`
}

type psService struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Status   string `json:"status"`
	ExitCode *int   `json:"exit_code,omitempty"`
	PID      int    `json:"pid"`
	Port     int    `json:"port"`
	URL      string `json:"url"`
	Uptime   int64  `json:"uptime_seconds"`
	Restarts int    `json:"restarts"`
	Error    string `json:"error,omitempty"`
}

func psRows(st *compose.State) psDoc {
	doc := psDoc{Dir: st.Dir, Supervisor: st.Supervisor, Running: st.Running(), Services: []psService{}}
	for _, p := range st.Procs {
		row := psService{Name: p.Name, Kind: p.Kind, Port: p.Port, URL: p.URL, Status: "not started"}
		if i := slices.IndexFunc(st.Services, func(s supervisor.Status) bool { return s.Name == p.Name }); i >= 0 {
			s := st.Services[i]
			row.Status, row.ExitCode, row.PID, row.Restarts, row.Error = s.State, s.ExitCode, s.PID, s.Restarts, s.Error
			if s.State == supervisor.Ready || s.State == supervisor.Starting {
				row.Uptime = int64(time.Since(s.Started).Seconds())
			}
		}
		if p.Kind == compose.RemoteKind {
			row.Status = "external"
		}
		if !doc.Running && (row.Status == supervisor.Ready || row.Status == supervisor.Starting) {
			row.Status = "unknown (supervisor gone)"
		}
		doc.Services = append(doc.Services, row)
	}
	return doc
}

func psPrint(f *Factory, st *compose.State, asJSON bool) error {
	doc := psRows(st)
	if asJSON {
		return writeJSON(f.IO.Out, doc)
	}
	w := f.IO.Out
	fmt.Fprintf(w, "%-12s %-15s %-10s %-8s %-6s %-8s %-8s %s\n", "NAME", "KIND", "STATUS", "PID", "PORT", "UPTIME", "RESTARTS", "URL")
	for _, s := range doc.Services {
		status := s.Status
		if s.ExitCode != nil {
			status = fmt.Sprintf("%s (%d)", s.Status, *s.ExitCode)
		}
		fmt.Fprintf(w, "%-12s %-15s %-10s %-8d %-6d %-8s %-8d %s\n", s.Name, s.Kind, status, s.PID, s.Port,
			(time.Duration(s.Uptime) * time.Second).String(), s.Restarts, s.URL)
	}
	if !doc.Running {
		fmt.Fprintf(f.IO.ErrOut, "the supervisor (PID %d) is not running: jdash down cleans up\n", st.Supervisor)
	}
	return nil
}

func newLogsCmd(f *Factory) *cobra.Command {
	var follow bool
	var tail int
	cmd := &cobra.Command{
		Use:   "logs [SERVICE...]",
		Short: "Show the services' logs as \"name | line\" (-f follows)",
		RunE: func(_ *cobra.Command, names []string) error {
			if tail < -1 {
				return flagErrorf("--tail must be a number of lines >= 0")
			}
			s, st, err := f.currentState()
			if err != nil {
				return err
			}
			if st == nil {
				return fmt.Errorf("the stack of this dir never ran (jdash up)")
			}
			var all []string
			for _, p := range st.Procs {
				all = append(all, p.Name)
			}
			for _, n := range names {
				if !slices.Contains(all, n) {
					return flagErrorf("no service %q (the services are %s)", n, strings.Join(all, ", "))
				}
			}
			if len(names) == 0 {
				names = all
			}
			return showLogs(f, s, st, names, tail, follow)
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new lines until interrupted or the stack stops")
	cmd.Flags().IntVar(&tail, "tail", -1, "only the last `N` lines of each service (-1: all)")
	return cmd
}

func showLogs(f *Factory, s *stack, st *compose.State, names []string, tail int, follow bool) error {
	w := 0
	for _, n := range names {
		w = max(w, len(n))
	}
	offsets := map[string]int64{}
	for _, n := range names {
		path := filepath.Join(compose.LogDir(s.state), n+".log")
		text := ""
		if tail >= 0 {
			if tail > 0 {
				text = supervisor.TailFile(path, tail)
			}
		} else if data, err := os.ReadFile(path); err == nil {
			text = strings.TrimRight(string(data), "\n")
		}
		for _, line := range splitLines(text) {
			fmt.Fprintf(f.IO.Out, "%-*s | %s\n", w, n, line)
		}
		if fi, err := os.Stat(path); err == nil {
			offsets[n] = fi.Size()
		}
	}
	for follow {
		time.Sleep(200 * time.Millisecond)
		for _, n := range names {
			path := filepath.Join(compose.LogDir(s.state), n+".log")
			fh, err := os.Open(path)
			if err != nil {
				continue
			}
			fh.Seek(offsets[n], io.SeekStart)
			data, _ := io.ReadAll(io.LimitReader(fh, 1<<20))
			fh.Close()
			if i := strings.LastIndexByte(string(data), '\n'); i >= 0 {
				data = data[:i+1]
				offsets[n] += int64(len(data))
				for _, line := range splitLines(strings.TrimRight(string(data), "\n")) {
					fmt.Fprintf(f.IO.Out, "%-*s | %s\n", w, n, line)
				}
			}
		}
		if cur, _ := loadState(s.state); cur == nil || !cur.Running() {
			return nil
		}
	}
	return nil
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func newDownCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "down",
		Short: "Stop the stack of this dir: every process it started (kernels included), every port freed",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			s, st, err := f.currentState()
			if err != nil {
				return err
			}
			if st == nil {
				fmt.Fprintln(f.IO.ErrOut, "the stack of this dir is not up")
				return nil
			}
			start := time.Now()
			if err := stopStack(f, s, st); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "stopped the stack of %s in %s: no process left, every port free\n", st.Dir, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
}

// stopStack stops a stack whether its supervisor is alive (asked to stop, it stops its
// services) or gone (killed: its services and their kernels are found by the stack's marker
// and by their recorded PIDs and start times), then waits until every port is free and
// removes the state (the logs stay).
func stopStack(f *Factory, s *stack, st *compose.State) error {
	if st.Running() {
		supervisor.Terminate(st.Supervisor)
		for end := time.Now().Add(grace + 5*time.Second); time.Now().Before(end) && st.Running(); {
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, svc := range st.Services {
		if supervisor.Alive(svc.PID, svc.StartTicks) {
			supervisor.StopGroup(svc.PID, grace, nil)
		}
	}
	if left := supervisor.Reap(st.Marker, grace, nil); len(left) > 0 {
		return fmt.Errorf("processes of the stack still alive after SIGKILL: %v", left)
	}
	for _, p := range st.Procs {
		if p.Port == 0 {
			continue // a remote service
		}
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
			if taken, _ := ports.Taken(p.IP, p.Port); !taken {
				break
			}
		}
	}
	return removeState(s)
}

// removeState removes a stopped stack's state and token files; the logs stay.
func removeState(s *stack) error {
	w := stateWriter(s.state)
	for _, p := range []string{compose.StateFile(s.state), compose.PlanFile(s.state)} {
		if _, err := w.Remove(p); err != nil {
			return err
		}
	}
	return fsx.RemoveAll(w, filepath.Join(s.state, "config")) // the token files
}
