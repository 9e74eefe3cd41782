package doctor

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/endpoint"
)

func checkCompat(s *Snapshot) []Finding {
	var out []Finding
	for _, st := range s.Compat {
		var ev []Evidence
		for _, f := range st.Files {
			for _, h := range f.Hits {
				if h.Change {
					ev = append(ev, Evidence{Path: f.Path, Level: "sys-prefix", Line: h.Line, Detail: st.Rule.ID})
				}
			}
		}
		if len(ev) == 0 {
			ev = append(ev, Evidence{Path: s.Prefix, Level: "sys-prefix", Detail: strings.Join(st.Why.Reasons, "; ")})
		}
		cmds := []string{}
		if st.State == "needs-patch" {
			cmds = append(cmds, "jdash patch --env "+s.Prefix+"   # rule "+st.Rule.ID)
		}
		if st.Pin != "" {
			cmds = append(cmds, st.Pin)
		}
		out = append(out, Finding{Title: st.Rule.ID + ": " + st.Rule.Title, Evidence: ev,
			Why: "installed: " + strings.Join(st.Why.Reasons, "; ") + " (" + st.Rule.Link + ")", Fix: Fix{Commands: cmds}})
	}
	return out
}

// ---- runtime ----

func checkPorts(s *Snapshot) []Finding {
	var out []Finding
	for _, p := range s.Ports {
		if !p.Taken {
			continue
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("port %d, configured for this env's server, is held by %s", p.Port, p.Holder),
			Evidence: []Evidence{p.At},
			Why:      "a server started now moves to another port (port_retries defaults to 50) or fails with port_retries=0",
			Fix:      Fix{Commands: []string{"stop that process, or choose another port: jdash setup --port N --env " + s.Prefix}}})
	}
	return out
}

func checkStaleRuntime(s *Snapshot) []Finding {
	byPID := map[int][]RuntimeFile{}
	var pids []int
	for _, r := range s.Runtime {
		if r.Alive {
			continue
		}
		if _, ok := byPID[r.PID]; !ok {
			pids = append(pids, r.PID)
		}
		byPID[r.PID] = append(byPID[r.PID], r)
	}
	slices.Sort(pids)
	var out []Finding
	for _, pid := range pids {
		var ev []Evidence
		var paths []string
		for _, r := range byPID[pid] {
			ev = append(ev, Evidence{Path: r.Path, Level: "runtime", Detail: fmt.Sprintf("PID %d is not running", pid)})
			paths = append(paths, r.Path)
		}
		out = append(out, Finding{
			Title:    fmt.Sprintf("a server (PID %d) left its runtime files behind", pid),
			Evidence: ev, Why: "`jupyter notebook list` and tools that find running servers read these files and report a server that is gone",
			Affects: reach(s, filepath.Dir(s.Paths.Runtime.Path), true),
			Fix:     Fix{Commands: []string{"jdash doctor --fix --env " + s.Prefix, "rm " + strings.Join(paths, " ")}},
			Action:  &Action{Kind: "remove", Paths: paths}})
	}
	return out
}

func checkSecrets(s *Snapshot) []Finding {
	var out []Finding
	for _, sec := range s.Secrets {
		sev, why := Warning, "a credential in "+sec.At.Level+"-level config applies to every env's server and sits in a shared file"
		if sec.OthersRead {
			sev, why = Error, "the file is readable by other users: anyone on this machine can read the credential"
		}
		cmds := []string{"give the token to the server through JUPYTER_TOKEN or a 0600 file (jdash up does), and remove " + sec.Key + " from " + sec.At.Path}
		if sec.OthersRead {
			cmds = append([]string{"chmod 600 " + sec.At.Path}, cmds...)
		}
		out = append(out, Finding{Severity: sev, Title: sec.Key + " is set in " + sec.At.Path, Evidence: []Evidence{sec.At}, Why: why,
			Affects: reach(s, filepath.Dir(sec.At.Path), false), Fix: Fix{Commands: cmds}})
	}
	return out
}

func checkOpenIP(s *Snapshot) []Finding {
	ip, tok := s.Values["ip"], s.Values["token"]
	if !ip.Set || endpoint.IsLoopback(ip.Value) || !tok.Set || tok.Value != "" {
		return nil
	}
	if pw := s.Values["password"]; pw.Set && pw.Value != "" {
		return nil
	}
	return []Finding{{
		Title:    fmt.Sprintf("the server listens on %q with an empty token and no password: anyone who can reach it runs code as you", ip.Value),
		Evidence: []Evidence{ip.At, tok.At},
		Why:      onPath(s.Paths.Config, "config", ip.At.Path),
		Fix:      Fix{Commands: []string{"set ip to 127.0.0.1, or remove the empty token (Jupyter then generates one)"}},
	}}
}

// ---- files, model ----

func checkProblems(s *Snapshot) []Finding {
	var out []Finding
	for _, p := range s.Problems {
		out = append(out, Finding{Title: "cannot read " + p.Path, Evidence: []Evidence{p},
			Why: "Jupyter fails or skips this file too; doctor went on without it", Fix: Fix{Commands: []string{"fix or remove " + p.Path}}})
	}
	return out
}

func checkDeep(s *Snapshot) []Finding {
	var out []Finding
	for _, d := range s.Deep.Diffs(s) {
		out = append(out, Finding{Title: "jdash's model and " + s.Python + " disagree on " + d.What,
			Evidence: []Evidence{{Path: s.Python, Level: "python", Detail: "python: " + d.Python}, {Level: "native", Detail: "jdash: " + d.Native}},
			Why:      "doctor --deep ran the env's interpreter once and compared its answers with jdash's native model",
			Fix:      Fix{Commands: []string{"report this to jdash with: jdash doctor --deep --json --env " + s.Prefix}}})
	}
	return out
}
