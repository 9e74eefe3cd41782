package patch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pkgindex"
)

// Env is what the patcher needs to know about an env.
type Env struct {
	Prefix        string
	Packages      *pkgindex.Index // the env's sys.path, in import order
	PythonVersion string
}

// Version looks a distribution up on the env's sys.path.
func (e *Env) Version(dist string) string { return e.Packages.Version(dist) }

// FileStatus is one target file.
type FileStatus struct {
	Path    string   `json:"path"`
	Hits    []Hit    `json:"hits"`
	Applied []string `json:"applied_rules,omitempty"`
}

// Status is one rule's state in an env.
type Status struct {
	Rule    Rule         `json:"rule"`
	Why     Why          `json:"why"`
	State   string       `json:"state"` // not-applicable, needs-patch, applied, anchor-absent, pin-only
	Files   []FileStatus `json:"files"`
	Pin     string       `json:"pin,omitempty"` // the pip command when a pin is the (better) fix
	Problem string       `json:"problem,omitempty"`
}

// Plan evaluates every (selected) rule against the env and scans the target packages'
// files. It reads only; nothing is written.
func Plan(e *Env, rules []Rule, python string) ([]Status, error) {
	var out []Status
	for _, r := range rules {
		st := Status{Rule: r, Why: r.Applicability(e.Version, e.PythonVersion), Files: []FileStatus{}}
		if r.Pin != "" && (r.PreferPin || r.Kind == "pin") {
			st.Pin = fmt.Sprintf("%s -m pip install '%s'", python, r.Pin)
		}
		switch {
		case !st.Why.Applies:
			st.State = "not-applicable"
		case r.Kind == "pin":
			st.State = "pin-only"
		default:
			needs, applied := false, false
			for _, pkg := range st.Why.Targets {
				files, err := e.Packages.PythonFiles(pkg)
				if err != nil {
					return nil, err
				}
				for _, f := range files {
					fs, err := scanFile(f, r)
					if err != nil {
						st.Problem = err.Error()
						continue
					}
					if len(fs.Hits) == 0 && len(fs.Applied) == 0 {
						continue
					}
					for _, h := range fs.Hits {
						needs = needs || h.Change
					}
					applied = applied || len(fs.Applied) > 0
					st.Files = append(st.Files, fs)
				}
			}
			switch {
			case needs:
				st.State = "needs-patch"
			case applied:
				st.State = "applied"
			default:
				st.State = "anchor-absent"
			}
		}
		out = append(out, st)
	}
	return out, nil
}

func scanFile(path string, r Rule) (FileStatus, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return FileStatus{}, err
	}
	fs := FileStatus{Path: path}
	// cheap pre-check: no mention of any old module, no work
	if !mentions(src, r) {
		return fs, nil
	}
	_, hits, err := Transform(src, []Rule{r})
	if err != nil {
		return fs, fmt.Errorf("%s: %w", path, err)
	}
	fs.Hits = hits
	for _, id := range AppliedRules(src) {
		if id == r.ID {
			fs.Applied = append(fs.Applied, id)
		}
	}
	return fs, nil
}

func mentions(src []byte, r Rule) bool {
	var needles []string
	for old := range r.Modules {
		needles = append(needles, lastPart(old))
	}
	for old := range r.Attrs {
		needles = append(needles, old)
	}
	if r.Module != "" {
		needles = append(needles, lastPart(r.Module))
	}
	for _, n := range needles {
		if bytes.Contains(src, []byte(n)) {
			return true
		}
	}
	return bytes.Contains(src, []byte("jdash "+r.ID))
}

func lastPart(m string) string { return m[strings.LastIndexByte(m, '.')+1:] }

// State is the record of patched files, kept in the env: the original bytes' hash (the
// backup is stored under it) and the patched bytes' hash, so that revert can check that
// a file is still what jdash left before restoring it.
type State struct {
	Files map[string]*FileState `json:"files"`
}

// FileState is one patched file.
type FileState struct {
	Rules    []string `json:"rules"`
	Original string   `json:"original_sha256"`
	Patched  string   `json:"patched_sha256"`
}

func stateDir(prefix string) string        { return filepath.Join(fsx.StateDir(prefix), "patch") }
func statePath(prefix string) string       { return filepath.Join(stateDir(prefix), "state.json") }
func backupPath(prefix, sum string) string { return filepath.Join(stateDir(prefix), "backups", sum) }

// LoadState reads the patch state (empty when there is none). A state that is not valid,
// or that names a backup that is missing or does not match, is an error: nothing is done
// on a state jdash cannot trust.
func LoadState(prefix string) (*State, error) {
	st := &State{Files: map[string]*FileState{}}
	data, err := os.ReadFile(statePath(prefix))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("%s is damaged (%w); it was not written by jdash as it is now", statePath(prefix), err)
	}
	if st.Files == nil {
		st.Files = map[string]*FileState{}
	}
	for path, f := range st.Files {
		if len(f.Original) != 64 || len(f.Patched) != 64 || len(f.Rules) == 0 {
			return nil, fmt.Errorf("%s is damaged: the entry for %s is incomplete", statePath(prefix), path)
		}
	}
	return st, nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
