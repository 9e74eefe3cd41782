package patch

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// FileResult is what happened to one file.
type FileResult struct {
	Path   string   `json:"path"`
	Rules  []string `json:"rules"`
	Action string   `json:"action"` // patched, reverted, left-alone, already-original
	Note   string   `json:"note,omitempty"`
}

// Apply patches the files of every needs-patch status, keeping an exact backup of each
// original and the state in the env. Every file is transformed (and checked writable)
// before anything is written, so bad input leaves no partial state.
func Apply(w fsx.Writer, e *Env, statuses []Status) ([]FileResult, error) {
	st, err := LoadState(e.Prefix)
	if err != nil {
		return nil, err
	}
	byFile := map[string][]Rule{}
	for _, s := range statuses {
		if s.State != "needs-patch" {
			continue
		}
		for _, f := range s.Files {
			for _, h := range f.Hits {
				if h.Change {
					byFile[f.Path] = appendRule(byFile[f.Path], s.Rule)
					break
				}
			}
		}
	}
	type job struct {
		path     string
		src, out []byte
		rules    []Rule
		mode     os.FileMode
	}
	var jobs []job
	for _, path := range sortedKeys(byFile) {
		info, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if info.Mode().Perm()&0o200 == 0 {
			return nil, fmt.Errorf("%s is read-only: jdash does not patch read-only files (nothing was changed)", path)
		}
		src, err := w.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out, _, err := Transform(src, byFile[path])
		if err != nil {
			return nil, fmt.Errorf("%s: %w (nothing was changed)", path, err)
		}
		if string(out) != string(src) {
			jobs = append(jobs, job{path, src, out, byFile[path], info.Mode().Perm()})
		}
	}
	var res []FileResult
	for _, j := range jobs {
		fe := st.Files[j.path]
		note := ""
		if fe != nil && fe.Patched != sum(j.src) && fe.Original != sum(j.src) {
			note = "changed since jdash last patched it (upgraded?): taken as the new original"
			fe = nil
		}
		if fe == nil {
			fe = &FileState{Original: sum(j.src)}
			if _, err := w.WriteFile(backupPath(e.Prefix, fe.Original), j.src, 0o644); err != nil {
				return res, err
			}
		}
		for _, r := range j.rules {
			if !slices.Contains(fe.Rules, r.ID) {
				fe.Rules = append(fe.Rules, r.ID)
			}
		}
		fe.Patched = sum(j.out)
		st.Files[j.path] = fe
		// The state names the file before the file changes: a run killed in between leaves a
		// file that is still its original, which revert and a rerun both recognise.
		if err := saveState(w, e.Prefix, st); err != nil {
			return res, err
		}
		if _, err := w.WriteFile(j.path, j.out, j.mode); err != nil {
			return res, err
		}
		if err := removePycache(w, j.path); err != nil {
			return res, err
		}
		res = append(res, FileResult{Path: j.path, Rules: ids(j.rules), Action: "patched", Note: note})
	}
	return res, nil
}

// Revert restores the original bytes of every patched file (of the given rules, or all),
// after checking that the file is still what jdash wrote and that its backup matches the
// recorded hash. A file changed since is left alone and reported.
func Revert(w fsx.Writer, e *Env, only []string, rules []Rule) ([]FileResult, error) {
	st, err := LoadState(e.Prefix)
	if err != nil {
		return nil, err
	}
	byID := map[string]Rule{}
	for _, r := range rules {
		byID[r.ID] = r
	}
	// preflight: every backup we will need must be present and exact
	type job struct {
		path   string
		fe     *FileState
		backup []byte
		keep   []Rule
	}
	var jobs []job
	var res []FileResult
	for _, path := range sortedKeys(st.Files) {
		fe := st.Files[path]
		if len(only) > 0 && !intersects(fe.Rules, only) {
			continue
		}
		cur, err := fsx.ReadRegular(path, fsx.MaxRead)
		switch {
		case err != nil:
			res = append(res, FileResult{Path: path, Rules: fe.Rules, Action: "left-alone", Note: err.Error()})
			continue
		case sum(cur) == fe.Original:
			delete(st.Files, path)
			res = append(res, FileResult{Path: path, Rules: fe.Rules, Action: "already-original"})
			continue
		case sum(cur) != fe.Patched:
			res = append(res, FileResult{Path: path, Rules: fe.Rules, Action: "left-alone",
				Note: "the file changed since jdash patched it (was the package upgraded?)"})
			continue
		}
		b, err := fsx.ReadRegular(backupPath(e.Prefix, fe.Original), fsx.MaxRead)
		if err != nil {
			return nil, fmt.Errorf("the backup of %s is missing (%s): nothing was reverted", path, backupPath(e.Prefix, fe.Original))
		}
		if sum(b) != fe.Original {
			return nil, fmt.Errorf("the backup of %s does not match its recorded checksum: nothing was reverted", path)
		}
		var keep []Rule
		for _, id := range fe.Rules {
			if len(only) > 0 && !slices.Contains(only, id) {
				if r, ok := byID[id]; ok {
					keep = append(keep, r)
				}
			}
		}
		jobs = append(jobs, job{path, fe, b, keep})
	}
	for _, j := range jobs {
		if _, err := w.WriteFile(j.path, j.backup, 0o644); err != nil {
			return res, err
		}
		if err := removePycache(w, j.path); err != nil {
			return res, err
		}
		delete(st.Files, j.path)
		res = append(res, FileResult{Path: j.path, Rules: j.fe.Rules, Action: "reverted"})
		if len(j.keep) > 0 { // other rules stay applied on the original
			out, _, err := Transform(j.backup, j.keep)
			if err != nil {
				return res, err
			}
			if _, err := w.WriteFile(j.path, out, 0o644); err != nil {
				return res, err
			}
			st.Files[j.path] = &FileState{Rules: ids(j.keep), Original: j.fe.Original, Patched: sum(out)}
		}
	}
	if err := saveState(w, e.Prefix, st); err != nil {
		return res, err
	}
	return res, removeUnusedBackups(w, e.Prefix, st)
}

// removeUnusedBackups removes the backups no state entry refers to (also those a killed
// revert left behind).
func removeUnusedBackups(w fsx.Writer, prefix string, st *State) error {
	used := map[string]bool{}
	for _, fe := range st.Files {
		used[fe.Original] = true
	}
	dir := filepath.Dir(backupPath(prefix, "x"))
	names, err := w.ReadDirNames(dir)
	if err != nil {
		return nil // no backups dir
	}
	for _, n := range names {
		if !used[n] && len(n) == 64 {
			if _, err := w.Remove(filepath.Join(dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

func saveState(w fsx.Writer, prefix string, st *State) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.WriteFile(statePath(prefix), append(data, '\n'), 0o644)
	return err
}

// removePycache deletes the compiled copies of a changed source, so that Python cannot
// keep running the old code.
func removePycache(w fsx.Writer, path string) error {
	dir, base := filepath.Split(path)
	stem := strings.TrimSuffix(base, ".py")
	matches, _ := filepath.Glob(filepath.Join(dir, "__pycache__", stem+".*.pyc"))
	for _, m := range matches {
		if _, err := w.Remove(m); err != nil {
			return err
		}
	}
	return nil
}

// ModuleOf is the dotted module name of a file under one of the site dirs.
func (e *Env) ModuleOf(path string) string {
	for _, sp := range e.Packages.Dirs() {
		rel, err := filepath.Rel(sp, path)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		m := strings.ReplaceAll(strings.TrimSuffix(filepath.ToSlash(rel), ".py"), "/", ".")
		return strings.TrimSuffix(m, ".__init__")
	}
	return ""
}

func appendRule(rs []Rule, r Rule) []Rule {
	for _, x := range rs {
		if x.ID == r.ID {
			return rs
		}
	}
	return append(rs, r)
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func ids(rs []Rule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
