package engine

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/compose/supervisor"
	"github.com/jdash-dev/jdash/internal/proc"
)

// State is what a running stack keeps in its state dir (0600: its URLs carry tokens).
type State struct {
	Dir        string              `json:"dir"` // the project dir
	Marker     string              `json:"marker"`
	Supervisor int                 `json:"supervisor_pid"`
	Ticks      uint64              `json:"supervisor_start_ticks"`
	Started    time.Time           `json:"started"`
	Detached   bool                `json:"detached"`
	Services   []supervisor.Status `json:"services"`
	Procs      []ProcInfo          `json:"procs"`
	Error      string              `json:"error,omitempty"` // why up failed
}

// ProcInfo is what ps shows of a service besides its status.
type ProcInfo struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	IP   string `json:"ip"`
	Port int    `json:"port"`
	URL  string `json:"url"`
	// Kernels says where its python3 kernel runs (compose.Proc.KernelsWhere).
	Kernels string `json:"kernels,omitempty"`
}

// Running reports a live supervisor (the recorded process, not a reused PID).
func (s *State) Running() bool {
	return s != nil && s.Ticks != 0 && proc.Alive(s.Supervisor, s.Ticks)
}

// MarkerPrefix is what every process of the stack of a state dir carries in its
// environment, whichever run started it: compose.MarkerVar=<state dir name>:.
func MarkerPrefix(stateDir string) string {
	return compose.MarkerVar + "=" + filepath.Base(stateDir) + ":"
}

// ParseState reads a state file of the stack of stateDir, and refuses one that could make
// jdash signal a process it cannot prove is the stack's: every PID comes with its start time,
// the marker is the stack's.
func ParseState(stateDir string, data []byte) (*State, error) {
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	switch {
	case !filepath.IsAbs(st.Dir):
		return nil, fmt.Errorf("dir %q is not an absolute path", st.Dir)
	case !strings.HasPrefix(st.Marker, MarkerPrefix(stateDir)) || len(st.Marker) == len(MarkerPrefix(stateDir)):
		return nil, fmt.Errorf("marker %q is not this stack's", st.Marker)
	case st.Supervisor <= 0 || st.Ticks == 0:
		return nil, fmt.Errorf("no supervisor PID with its start time")
	case len(st.Procs) == 0:
		return nil, fmt.Errorf("no services")
	}
	for _, s := range st.Services {
		if s.PID < 0 || s.PID > 0 && s.StartTicks == 0 {
			return nil, fmt.Errorf("service %s: PID %d without its start time", s.Name, s.PID)
		}
	}
	return &st, nil
}

// Info is what ps shows of the plan's services.
func procInfo(pl *compose.Plan) []ProcInfo {
	var out []ProcInfo
	for _, p := range pl.Procs {
		info := ProcInfo{Name: p.Name, Kind: p.Kind, IP: p.IP, Port: p.Port, URL: p.URL()}
		if p.KernelsIn != "" || p.KernelsOn != "" {
			info.Kernels = p.KernelsWhere()
		}
		out = append(out, info)
	}
	return out
}
