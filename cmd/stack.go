package cmd

import (
	"github.com/jdash-dev/jdash/internal/proc"

	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/compose/supervisor"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/stack"
)

// currentState is the state of the stack of this dir (nil when it never ran; a
// *stack.Damaged error when its state file cannot be trusted).
func (f *Factory) currentState() (*project, *compose.State, error) {
	s, err := f.loadStack()
	if err != nil {
		return nil, nil, err
	}
	st, err := s.state.State()
	return s, st, err
}

func newPsCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ps",
		Short: "Show the services of the stack of this dir: status, pid, port, URL with its token",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			s, st, err := f.currentState()
			var damaged *stack.Damaged
			if errors.As(err, &damaged) {
				return psDamaged(f, s, damaged, asJSON)
			}
			if err != nil {
				return err
			}
			if st == nil {
				if asJSON {
					return writeJSON(f.IO.Out, psDoc{Dir: s.st.Dir, Services: []psService{}})
				}
				if h, ok := s.state.Holder(); ok {
					fmt.Fprintf(f.IO.ErrOut, "the stack of %s is starting (jdash up, PID %d)\n", s.st.Dir, h.PID)
				} else {
					fmt.Fprintf(f.IO.ErrOut, "the stack of %s is not up (jdash up)\n", s.st.Dir)
				}
				return nil
			}
			return psPrint(f, st, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (schema in docs/json.md)")
	return cmd
}

// psDamaged shows what can still be known of a stack whose state file is damaged: the
// processes that carry its marker.
func psDamaged(f *Factory, s *project, damaged *stack.Damaged, asJSON bool) error {
	doc := psDoc{Dir: s.st.Dir, Services: []psService{}, Damaged: damaged.Error(), Marked: []psProcess{}}
	for _, pid := range proc.Marked(compose.MarkerPrefix(string(s.state))) {
		doc.Marked = append(doc.Marked, psProcess{PID: pid, Command: proc.Command(pid)})
	}
	if asJSON {
		return writeJSON(f.IO.Out, doc)
	}
	fmt.Fprintf(f.IO.ErrOut, "%s; %d processes carry the stack's marker; jdash down stops them\n", doc.Damaged, len(doc.Marked))
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PID\tCOMMAND")
	for _, p := range doc.Marked {
		fmt.Fprintf(tw, "%d\t%s\n", p.PID, p.Command)
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
}

func psRows(st *compose.State) psDoc {
	doc := psDoc{Dir: st.Dir, Supervisor: st.Supervisor, Running: st.Running(), Services: []psService{}}
	for _, p := range st.Procs {
		row := psService{Name: p.Name, Kind: p.Kind, Port: p.Port, URL: p.URL, Status: "not started"}
		if i := slices.IndexFunc(st.Services, func(s supervisor.Status) bool { return s.Name == p.Name }); i >= 0 {
			s := st.Services[i]
			row.Status, row.ExitCode, row.Signal, row.PID, row.Restarts, row.Error = s.State, s.ExitCode, s.Signal, s.PID, s.Restarts, s.Error
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
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSTATUS\tPID\tPORT\tUPTIME\tRESTARTS\tURL")
	for _, s := range doc.Services {
		status := s.Status
		switch {
		case s.Status == supervisor.Stopped && s.Error != "":
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
			s, err := f.loadStack()
			if err != nil {
				return err
			}
			all := logNames(s)
			if len(all) == 0 {
				return fmt.Errorf("the stack of %s never ran (jdash up)", s.st.Dir)
			}
			for _, n := range names {
				if !slices.Contains(all, n) {
					return flagErrorf("no service %q (the services are %s)", n, strings.Join(all, ", "))
				}
			}
			if len(names) == 0 {
				names = all
			}
			return showLogs(f, s, names, tail, follow)
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new lines until interrupted or the stack stops")
	cmd.Flags().IntVar(&tail, "tail", -1, "only the last `N` lines of each service (-1: all)")
	return cmd
}

// logNames are the services of a stack that has logs: from its state, else its plan, else
// the log files themselves (a damaged state still shows its logs).
func logNames(s *project) []string {
	var out []string
	for _, p := range s.state.Procs() {
		out = append(out, p.Name)
	}
	if len(out) > 0 {
		return out
	}
	names, _ := fsx.ReadDirNames(compose.LogDir(string(s.state)))
	for _, n := range names {
		if name, ok := strings.CutSuffix(n, ".log"); ok {
			out = append(out, name)
		}
	}
	return out
}

func showLogs(f *Factory, s *project, names []string, tail int, follow bool) error {
	w := 0
	for _, n := range names {
		w = max(w, len(n))
	}
	offsets := map[string]int64{}
	for _, n := range names {
		path := filepath.Join(compose.LogDir(string(s.state)), n+".log")
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
			path := filepath.Join(compose.LogDir(string(s.state)), n+".log")
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
		if cur, _ := s.state.State(); cur == nil || !cur.Running() {
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
			s, err := f.loadStack()
			if err != nil {
				return err
			}
			if !s.state.Exists() {
				fmt.Fprintf(f.IO.ErrOut, "the stack of %s is not up\n", s.st.Dir)
				return nil
			}
			start := time.Now()
			out, err := stack.Stop(s.state, grace)
			if out.Damaged != "" {
				fmt.Fprintf(f.IO.ErrOut, "%s: stopped what carries the stack's marker\n", out.Damaged)
			}
			if err != nil {
				return err
			}
			took := time.Since(start).Round(time.Millisecond)
			if len(out.Held) > 0 {
				return &ExitError{Code: ExitFailed, Err: fmt.Errorf("stopped the stack of %s in %s, no process of it left, but not every port is free:\n  %s", s.st.Dir, took, strings.Join(out.Held, "\n  "))}
			}
			fmt.Fprintf(f.IO.ErrOut, "stopped the stack of %s in %s: no process of it left, every port free\n", s.st.Dir, took)
			return nil
		},
	}
}
