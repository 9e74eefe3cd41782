package compose

import (
	"github.com/jdash-dev/jdash/internal/proc"

	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/jdash-dev/jdash/internal/compose/supervisor"
)

// StateDir is a stack's state dir under jdash's state home: one per project dir, never in
// the notebooks' dir.
func StateDir(stateHome, projectDir string) string {
	sum := sha256.Sum256([]byte(projectDir))
	name := filepath.Base(projectDir)
	if name == "/" || name == "." {
		name = "root"
	}
	return filepath.Join(stateHome, "stacks", name+"-"+hex.EncodeToString(sum[:])[:12])
}

// Files of a state dir.
func PlanFile(dir string) string  { return filepath.Join(dir, "plan.json") }
func StateFile(dir string) string { return filepath.Join(dir, "state.json") }
func LogDir(dir string) string    { return filepath.Join(dir, "logs") }

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
}

// Running reports a live supervisor (the recorded process, not a reused PID).
func (s *State) Running() bool {
	return s != nil && s.Ticks != 0 && proc.Alive(s.Supervisor, s.Ticks)
}

// MarkerPrefix is what every process of the stack of a state dir carries in its
// environment, whichever run started it: MarkerVar=<state dir name>:.
func MarkerPrefix(stateDir string) string { return MarkerVar + "=" + filepath.Base(stateDir) + ":" }

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

// Marshal serializes the plan for the detached supervisor (tokens included: the file is 0600).
func (pl *Plan) Marshal() ([]byte, error) { return json.MarshalIndent(pl, "", "  ") }

// UnmarshalPlan reads a plan Marshal wrote.
func UnmarshalPlan(data []byte) (*Plan, error) {
	var pl Plan
	if err := json.Unmarshal(data, &pl); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	return &pl, nil
}

// Info is what ps shows of the plan's services.
func (pl *Plan) Info() []ProcInfo {
	var out []ProcInfo
	for _, p := range pl.Procs {
		out = append(out, ProcInfo{Name: p.Name, Kind: p.Kind, IP: p.IP, Port: p.Port, URL: p.URL()})
	}
	return out
}

// Default is the zero-config stack: the env's notebook server, and a kernel gateway and
// Voilà when the env has them, serving dir.
func Default(env EnvFacts, dir string) (*Stack, error) {
	kind := AutoKind(env.Versions)
	if kind == "" {
		return nil, fmt.Errorf("no jdash.yaml here, and %s has no notebook server (notebook, jupyterlab or nbclassic) for a default stack: jdash setup --profile modern --install --env %s", env.Prefix, env.Prefix)
	}
	st := &Stack{Dir: dir, RootDir: dir}
	add := func(name, kind string, port int) {
		st.Services = append(st.Services, Service{Name: name, Env: env.Prefix, Kind: kind, Port: port, IP: "127.0.0.1",
			StartupTimeout: 60 * time.Second, Restart: "no"})
	}
	add("notebook", kind, 8888)
	if env.Versions["jupyter-kernel-gateway"] != "" {
		add("gateway", "kernel_gateway", 8889)
	}
	if env.Versions["voila"] != "" {
		add("dashboards", "voila", 8866)
	}
	return st, nil
}

// YAML is the stack as a jdash.yaml (what up --write-config writes).
func (st *Stack) YAML() []byte {
	var b strings.Builder
	b.WriteString("# the stack jdash up runs (jdash up --dry-run shows the plan)\n")
	root := "."
	if st.RootDir != st.Dir {
		root = st.RootDir
	}
	fmt.Fprintf(&b, "root_dir: %s\nservices:\n", quoteYAML(root))
	for _, s := range st.Services {
		fmt.Fprintf(&b, "  %s: {env: %s, kind: %s, port: %d}\n", s.Name, quoteYAML(s.Env), s.Kind, s.Port)
	}
	return []byte(b.String())
}

func quoteYAML(s string) string {
	b, _ := json.Marshal(s) // a JSON string is a YAML flow scalar
	return string(b)
}
