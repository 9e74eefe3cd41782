package patch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/pyrun"
)

// Env is what the patcher needs to know about an env.
type Env struct {
	Prefix        string
	Packages      *pkgindex.Index // the env's sys.path, in import order
	PythonVersion string
	// Cache (optional) remembers each package's scan per rule (see scanPackage).
	Cache *pyrun.Cache
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
	// Several rules target the same packages: read each file once.
	srcs := map[string][]byte{}
	read := func(path string) ([]byte, error) {
		if src, ok := srcs[path]; ok {
			return src, nil
		}
		src, err := fsx.ReadRegular(path, fsx.MaxRead)
		if err == nil {
			srcs[path] = src
		}
		return src, err
	}
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
				found, problem, err := e.scanPackage(pkg, r, read)
				if err != nil {
					return nil, err
				}
				if problem != "" {
					st.Problem = problem
				}
				for _, fs := range found {
					for _, h := range fs.Hits {
						needs = needs || h.Change
					}
					applied = applied || len(fs.Applied) > 0
				}
				st.Files = append(st.Files, found...)
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

// Unreadable is the first target of a plan that could not be read as Python: then the whole
// run stops before anything is written.
func Unreadable(sts []Status) error {
	for _, s := range sts {
		if s.Problem != "" && s.State != "not-applicable" {
			return fmt.Errorf("rule %s: %s (nothing was changed)", s.Rule.ID, s.Problem)
		}
	}
	return nil
}

// scannedPackage is a package's scan for one rule: the files with hits or applied blocks.
type scannedPackage struct {
	Files   []FileStatus `json:"files"`
	Problem string       `json:"problem,omitempty"`
}

// scanPackage scans the files a package installed for one rule. With a cache, the answer is
// kept under the stamps of the package's RECORD and of jdash's patch state (what changes
// when pip or jdash changes the files), so that an unchanged package is not read again:
// setup reports the breakages on every run.
func (e *Env) scanPackage(pkg string, r Rule, read func(string) ([]byte, error)) ([]FileStatus, string, error) {
	key, stamp := "scan\x00"+r.ID+"\x00"+pkg, ""
	if e.Cache != nil {
		if d, ok := e.Packages.Dist(pkg); ok {
			if rec := pyrun.FileStamp(filepath.Join(d.Info, "RECORD")); rec != "" {
				stamp = rec + " " + pyrun.FileStamp(statePath(e.Prefix))
			}
		}
		var sp scannedPackage
		if out, ok := e.Cache.Get(key, stamp); ok && json.Unmarshal(out, &sp) == nil {
			return sp.Files, sp.Problem, nil
		}
	}
	files, err := e.Packages.PythonFiles(pkg)
	if err != nil {
		return nil, "", err
	}
	sp := scannedPackage{Files: []FileStatus{}}
	for _, f := range files {
		src, err := read(f)
		if err == nil {
			var fs FileStatus
			if fs, err = scanFile(f, src, r); err == nil && (len(fs.Hits) > 0 || len(fs.Applied) > 0) {
				sp.Files = append(sp.Files, fs)
			}
		}
		if err != nil {
			sp.Problem = err.Error()
		}
	}
	if e.Cache != nil {
		if out, err := json.Marshal(sp); err == nil {
			e.Cache.Put(key, stamp, out)
		}
	}
	return sp.Files, sp.Problem, nil
}

func scanFile(path string, src []byte, r Rule) (FileStatus, error) {
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

// mentions is a cheap pre-check before the import scanner runs: a file can import a dotted
// module (in any form: "import a.b", "from a import b", "from a.b import c") only if it
// holds every part of its name.
func mentions(src []byte, r Rule) bool {
	has := func(dotted string) bool {
		for _, part := range strings.Split(dotted, ".") {
			if !bytes.Contains(src, []byte(part)) {
				return false
			}
		}
		return true
	}
	for old := range r.Modules {
		if has(old) {
			return true
		}
	}
	for old := range r.Attrs {
		if bytes.Contains(src, []byte(old)) {
			return true
		}
	}
	if r.Module != "" && has(r.Module) {
		// a name rule also needs one of its names
		if r.Name == "" && len(r.Renames) == 0 {
			return true
		}
		if r.Name != "" && bytes.Contains(src, []byte(r.Name)) {
			return true
		}
		for old := range r.Renames {
			if bytes.Contains(src, []byte(old)) {
				return true
			}
		}
	}
	return bytes.Contains(src, []byte("jdash "+r.ID))
}

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

func stateDir(prefix string) string        { return filepath.Join(fsx.EnvStateDir(prefix), "patch") }
func statePath(prefix string) string       { return filepath.Join(stateDir(prefix), "state.json") }
func backupPath(prefix, sum string) string { return filepath.Join(stateDir(prefix), "backups", sum) }

// LoadState reads the patch state (empty when there is none). A state that is not valid,
// or that names a backup that is missing or does not match, is an error: nothing is done
// on a state jdash cannot trust.
func LoadState(prefix string) (*State, error) {
	st := &State{Files: map[string]*FileState{}}
	data, err := fsx.ReadRegular(statePath(prefix), fsx.MaxRead)
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
