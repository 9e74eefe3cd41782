package fsx

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
	"slices"
	"strings"
	"time"
)

// Journal is the record of one command's changes in one env, kept under the env's state dir
// so that `--undo` can restore every file exactly.
type Journal struct {
	Command string    `json:"command"`
	Time    time.Time `json:"time"`
	Roots   Roots     `json:"roots,omitempty"` // where the run could write: its undo writes there only
	Changes []Change  `json:"changes"`
	// Pending: the run did not finish (it was killed); each change was journaled before it
	// was made, so the last one may not have happened.
	Pending bool `json:"pending,omitempty"`
	// prefix is the env whose state dir holds the journal (and its blobs).
	prefix string
}

// Recorder journals changes as they happen (one JSON line each, synced), so that a run
// killed at any point leaves a journal that undoes what it did.
type Recorder struct {
	f       *os.File
	path    string
	prefix  string
	roots   Roots
	adopted []Change // changes of killed runs of the same command, taken over
	n       int      // changes recorded
}

func journalName(command string, now time.Time) string {
	return fmt.Sprintf("%s-%s", now.UTC().Format("20060102T150405.000000000Z"), strings.ReplaceAll(command, " ", "-"))
}

// StartJournal opens the pending journal of a run. The pending journals that killed runs of
// the same command left are taken over: their changes open this one (so that an undo after
// "killed, run again" restores the state before the killed run), the temp files their
// writes may have left beside those paths are removed, and the old journals go.
func StartJournal(prefix, command string, roots Roots, now time.Time) (*Recorder, error) {
	if err := os.MkdirAll(journalDir(prefix), 0o755); err != nil {
		return nil, err
	}
	killed, err := pendingJournals(prefix, command)
	if err != nil {
		return nil, err
	}
	// the undo of this journal also undoes the killed runs': it may write where they could
	roots = slices.Clone(roots)
	for _, k := range killed {
		for _, r := range k.j.Roots {
			if !slices.Contains(roots, r) {
				roots = append(roots, r)
			}
		}
	}
	path := filepath.Join(journalDir(prefix), journalName(command, now)+".pending")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_EXCL, SecretMode)
	if err != nil {
		return nil, err
	}
	hdr, _ := json.Marshal(Journal{Command: command, Time: now.UTC(), Roots: roots})
	if _, err := f.Write(append(hdr, '\n')); err != nil {
		f.Close()
		return nil, err
	}
	r := &Recorder{f: f, path: path, prefix: prefix, roots: roots}
	var paths []string
	for _, k := range killed {
		for _, c := range k.j.Changes {
			if err := r.Record(&c); err != nil {
				f.Close()
				return nil, err
			}
			r.adopted = append(r.adopted, c)
			if !c.Dir {
				paths = append(paths, c.Path)
			}
		}
	}
	_ = removeTemps(&Real{}, paths)
	for _, k := range killed { // only once their changes are safe in this journal
		if err := os.Remove(k.path); err != nil {
			return nil, err
		}
	}
	return r, nil
}

type pendingJournal struct {
	j    *Journal
	path string
}

// pendingJournals are the journals killed runs of command left, oldest first.
func pendingJournals(prefix, command string) ([]pendingJournal, error) {
	names, err := ReadDirNames(journalDir(prefix))
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []pendingJournal
	for _, n := range names {
		if strings.HasSuffix(n, "-"+strings.ReplaceAll(command, " ", "-")+".pending") {
			p := filepath.Join(journalDir(prefix), n)
			j, err := readPending(p)
			if err != nil {
				return nil, err
			}
			out = append(out, pendingJournal{j, p})
		}
	}
	return out, nil
}

// Record appends one change and syncs it to disk before the caller makes it: the old bytes
// to a blob first, then the line naming them.
func (r *Recorder) Record(c *Change) error {
	if err := storeBlobs(r.prefix, c); err != nil {
		return err
	}
	line, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if _, err := r.f.Write(append(line, '\n')); err != nil {
		return err
	}
	r.n++
	return r.f.Sync()
}

// Abandon closes the journal and leaves it pending, as a killed run would (or removes it
// when nothing was recorded, so that it cannot hide the journal an undo needs).
func (r *Recorder) Abandon() {
	r.f.Close()
	if r.n == 0 {
		os.Remove(r.path)
	}
}

// Finish turns the pending journal into the final one (or removes it when nothing changed):
// the changes taken over from killed runs, then this run's.
func (r *Recorder) Finish(prefix, command string, changes []Change, now time.Time) error {
	r.f.Close()
	all := append(slices.Clone(r.adopted), changes...)
	if _, err := saveJournal(prefix, Journal{Command: command, Time: now.UTC(), Roots: r.roots, Changes: all}); err != nil {
		return err // the pending journal stays: a later run takes it over
	}
	return os.Remove(r.path)
}

func readPending(path string) (*Journal, error) {
	data, err := ReadRegular(path, maxJournal)
	if err != nil {
		return nil, err
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	var j Journal
	if err := json.Unmarshal(lines[0], &j); err != nil {
		return nil, fmt.Errorf("journal %s is damaged: %w", path, err)
	}
	j.Pending, j.prefix = true, prefixOf(path)
	for _, l := range lines[1:] {
		var c Change
		if err := json.Unmarshal(l, &c); err != nil {
			break // a line cut by the kill: that change was never made
		}
		j.Changes = append(j.Changes, c)
	}
	return &j, nil
}

func journalDir(prefix string) string { return filepath.Join(EnvStateDir(prefix), "journal") }

// SaveJournal records changes (if any) for a later undo.
func SaveJournal(prefix, command string, changes []Change, now time.Time) (string, error) {
	return saveJournal(prefix, Journal{Command: command, Time: now.UTC(), Changes: changes})
}

func saveJournal(prefix string, j Journal) (string, error) {
	command, now := j.Command, j.Time
	if len(j.Changes) == 0 {
		return "", nil
	}
	for i := range j.Changes {
		if err := storeBlobs(prefix, &j.Changes[i]); err != nil {
			return "", err
		}
	}
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(journalDir(prefix), journalName(command, now)+".json")
	if err := os.MkdirAll(journalDir(prefix), 0o755); err != nil {
		return "", err
	}
	if err := atomicWrite(path, append(data, '\n'), SecretMode, true); err != nil {
		return "", err
	}
	return path, prune(prefix, command)
}

// LastJournal returns the newest journal of command not undone yet, and its path.
func LastJournal(prefix, command string) (*Journal, string, error) {
	ents, err := os.ReadDir(journalDir(prefix))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	stem := "-" + strings.ReplaceAll(command, " ", "-")
	var names []string
	for _, e := range ents {
		if n := e.Name(); strings.HasSuffix(n, stem+".json") || strings.HasSuffix(n, stem+".pending") {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, "", nil
	}
	slices.Sort(names)
	path := filepath.Join(journalDir(prefix), names[len(names)-1])
	if strings.HasSuffix(path, ".pending") {
		j, err := readPending(path)
		return j, path, err
	}
	j, err := readFinal(path)
	return j, path, err
}

func readFinal(path string) (*Journal, error) {
	data, err := ReadRegular(path, maxJournal)
	if err != nil {
		return nil, err
	}
	var j Journal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("journal %s is damaged: %w", path, err)
	}
	j.prefix = prefixOf(path)
	return &j, nil
}

// prefixOf is the env of a journal file (<prefix>/.jdash/journal/<name>).
func prefixOf(journal string) string { return filepath.Dir(filepath.Dir(filepath.Dir(journal))) }

// Undo restores every path a journal changed to what it was before the run, exactly. It is
// idempotent, so an undo that was itself killed is finished by running it again: a path
// already back to its original is left as it is, as is one a killed run journaled but never
// changed. A path that is neither what jdash left nor the original changed since, and then
// nothing is restored at all. Temp files a killed write left beside a journaled path go.
func Undo(w Writer, j *Journal) error {
	prefix := j.prefix
	type span struct {
		first Change
		all   []Change // every change to the path, in order
	}
	var order []string
	paths := map[string]*span{}
	var madeDirs, goneDirs []string
	var renames []Change
	for _, c := range j.Changes {
		if c.From != "" {
			// a killed run's rename, journaled and made again by the run that took it over, is one
			if !slices.ContainsFunc(renames, func(r Change) bool { return r.From == c.From && r.Path == c.Path }) {
				renames = append(renames, c)
			}
			continue
		}
		if c.Dir {
			if c.Removed {
				goneDirs = append(goneDirs, c.Path)
			} else {
				madeDirs = append(madeDirs, c.Path)
			}
			continue
		}
		if sp, ok := paths[c.Path]; ok {
			sp.all = append(sp.all, c)
			continue
		}
		paths[c.Path] = &span{first: c, all: []Change{c}}
		order = append(order, c.Path)
	}
	var conflicts, restore, caches []string
	for _, p := range order {
		sp := paths[p]
		if isPycache(p) {
			// Python's own cache: it rewrites it at will, and an undo only has to make sure no
			// stale copy of a restored source is used, so it is removed, never a conflict.
			caches = append(caches, p)
			continue
		}
		now, mode, exists, err := current(p)
		if err != nil {
			return err
		}
		first := sp.first
		if first.Old, err = oldBytes(prefix, first); err != nil {
			return err
		}
		sp.first = first
		switch {
		case isOriginal(sp.first, now, mode, exists):
			// already restored by a killed undo, or never changed by a killed run
		case slices.ContainsFunc(sp.all, func(c Change) bool { return isFinal(c, now, mode, exists) }):
			// what one of the run's writes left (the last, or the one before a last change that
			// was journaled when the run was killed but never made)
			restore = append(restore, p)
		default:
			conflicts = append(conflicts, p+" changed since")
		}
	}
	// a rename is undone when its result is there and its source free; the other way round it
	// never happened (or was undone already)
	var back []Change
	for _, c := range renames {
		_, errDst := os.Lstat(c.Path)
		_, errSrc := os.Lstat(c.From)
		switch {
		case errDst == nil && errors.Is(errSrc, fs.ErrNotExist):
			back = append(back, c)
		case errSrc == nil && errors.Is(errDst, fs.ErrNotExist):
		default:
			conflicts = append(conflicts, c.Path+" and "+c.From+" both changed since")
		}
	}
	if len(conflicts) > 0 {
		return fmt.Errorf("cannot undo %s of %s: %s", j.Command, j.Time.Format(time.RFC3339), strings.Join(conflicts, "; "))
	}
	for i := len(back) - 1; i >= 0; i-- {
		if _, err := w.Rename(back[i].Path, back[i].From); err != nil {
			return err
		}
	}
	for _, d := range goneDirs { // dirs the run removed come back first, shallowest first
		if err := w.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := removeTemps(w, order); err != nil {
		return err
	}
	for _, p := range caches {
		if _, err := w.Remove(p); err != nil {
			return err
		}
	}
	for i := len(restore) - 1; i >= 0; i-- {
		c := paths[restore[i]].first
		var err error
		switch {
		case !c.Existed:
			_, err = w.Remove(c.Path)
		case c.OldMode&fs.ModeSymlink != 0:
			_, err = w.Symlink(string(c.Old), c.Path)
		default:
			_, err = w.WriteFile(c.Path, c.Old, c.OldMode.Perm())
		}
		if err != nil {
			return err
		}
	}
	// Dirs the run created go when they are empty again (deepest first); others stay.
	for i := len(madeDirs) - 1; i >= 0; i-- {
		if names, err := w.ReadDirNames(madeDirs[i]); err == nil && len(names) == 0 {
			if _, err := w.RemoveDir(madeDirs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// isOriginal: the path is as it was before the run's first change to it.
func isOriginal(c Change, now []byte, mode fs.FileMode, exists bool) bool {
	if exists != c.Existed {
		return false
	}
	if !exists {
		return true
	}
	return (mode&fs.ModeSymlink != 0) == (c.OldMode&fs.ModeSymlink != 0) && bytes.Equal(now, c.Old)
}

// isFinal: the path is what the run's last change to it left.
func isFinal(c Change, now []byte, mode fs.FileMode, exists bool) bool {
	switch {
	case c.Removed:
		return !exists
	case c.Symlink != "":
		return exists && mode&fs.ModeSymlink != 0 && string(now) == c.Symlink
	}
	if c.New != nil {
		return exists && mode&fs.ModeSymlink == 0 && bytes.Equal(now, c.New)
	}
	return exists && mode&fs.ModeSymlink == 0 && sum(now) == c.NewSum
}

// MarkUndone renames a journal so that the next undo goes one step further back.
func MarkUndone(path string) error {
	return os.Rename(path, strings.TrimSuffix(strings.TrimSuffix(path, ".json"), ".pending")+".undone")
}

// removeTemps removes the temp files the writer may have left beside paths: renameio's
// ".<name><digits>" and Symlink's "<path>.jdash-tmp". Each dir is listed once.
func removeTemps(w Writer, paths []string) error {
	byDir := map[string]map[string]bool{}
	for _, p := range paths {
		dir, base := filepath.Split(p)
		if byDir[dir] == nil {
			byDir[dir] = map[string]bool{}
		}
		byDir[dir][base] = true
	}
	for dir, bases := range byDir {
		names, err := w.ReadDirNames(dir)
		if err != nil {
			continue // a dir that is gone holds no temp file
		}
		for _, n := range names {
			if !isTempOf(n, bases) {
				continue
			}
			if _, err := w.Remove(filepath.Join(dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// isTempOf: n is ".<base><digits>" or "<base>.jdash-tmp" for one of bases.
func isTempOf(n string, bases map[string]bool) bool {
	if base, ok := strings.CutSuffix(n, ".jdash-tmp"); ok && bases[base] {
		return true
	}
	rest, ok := strings.CutPrefix(n, ".")
	if !ok {
		return false
	}
	// the base may end in digits itself: try every split of the trailing digits
	for j := len(rest) - 1; j >= 0 && '0' <= rest[j] && rest[j] <= '9'; j-- {
		if bases[rest[:j]] {
			return true
		}
	}
	return false
}

// KeepJournals is how many journals of one command an env keeps (the newest): an undo goes
// back that many runs, exactly. Older journals and the blobs only they used are removed.
const KeepJournals = 5

func blobDir(prefix string) string { return filepath.Join(journalDir(prefix), "blobs") }

// storeBlobs moves a change's bytes out of its record: the old bytes into a blob named by
// their hash (written once, synced, owner-only: they may hold tokens), the new ones to their
// hash alone (an undo only needs to know that a file is still what the run left).
//
// A change that already has its old sum was stored when it was recorded (or read back from
// a journal): nothing is hashed or written again.
func storeBlobs(prefix string, c *Change) error {
	if c.New != nil && c.NewSum == "" {
		c.NewSum = sum(c.New)
	}
	if !c.Existed || c.Dir || c.OldSum != "" {
		return nil
	}
	c.OldSum = sum(c.Old)
	p := filepath.Join(blobDir(prefix), c.OldSum)
	if _, err := os.Lstat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(blobDir(prefix), 0o700); err != nil {
		return err
	}
	return atomicWrite(p, c.Old, SecretMode, true)
}

// oldBytes are a change's old bytes, from its blob when the record was read back.
func oldBytes(prefix string, c Change) ([]byte, error) {
	if c.Old != nil || !c.Existed {
		return c.Old, nil
	}
	data, err := ReadRegular(filepath.Join(blobDir(prefix), c.OldSum), maxJournal)
	if err != nil {
		return nil, fmt.Errorf("the journal's copy of %s: %w", c.Path, err)
	}
	if sum(data) != c.OldSum {
		return nil, fmt.Errorf("the journal's copy of %s is damaged", c.Path)
	}
	return data, nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// prune keeps the newest KeepJournals journals of command (pending ones always stay) and
// removes the blobs no remaining journal refers to.
func prune(prefix, command string) error {
	names, err := ReadDirNames(journalDir(prefix))
	if err != nil {
		return err
	}
	slices.Sort(names)
	stem := "-" + strings.ReplaceAll(command, " ", "-")
	var mine []string
	for _, n := range names {
		if strings.HasSuffix(n, stem+".json") || strings.HasSuffix(n, stem+".undone") {
			mine = append(mine, n)
		}
	}
	for len(mine) > KeepJournals {
		if err := os.Remove(filepath.Join(journalDir(prefix), mine[0])); err != nil {
			return err
		}
		mine = mine[1:]
	}
	used := map[string]bool{}
	names, _ = ReadDirNames(journalDir(prefix))
	for _, n := range names {
		if n == "blobs" {
			continue
		}
		p := filepath.Join(journalDir(prefix), n)
		var j *Journal
		if strings.HasSuffix(n, ".pending") {
			j, err = readPending(p)
		} else {
			j, err = readFinal(p)
		}
		if err != nil {
			return nil // a journal jdash cannot read keeps every blob
		}
		for _, c := range j.Changes {
			used[c.OldSum] = true
		}
	}
	blobs, _ := ReadDirNames(blobDir(prefix))
	for _, b := range blobs {
		if !used[b] {
			os.Remove(filepath.Join(blobDir(prefix), b))
		}
	}
	return nil
}

// isPycache: a compiled file in a __pycache__ dir.
func isPycache(p string) bool {
	return filepath.Base(filepath.Dir(p)) == "__pycache__" && strings.HasSuffix(p, ".pyc")
}
