package fsx

import (
	"bytes"
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
	Changes []Change  `json:"changes"`
	// Pending: the run did not finish (it was killed); each change was journaled before it
	// was made, so the last one may not have happened.
	Pending bool `json:"pending,omitempty"`
}

// Recorder journals changes as they happen (one JSON line each, synced), so that a run
// killed at any point leaves a journal that undoes what it did.
type Recorder struct {
	f    *os.File
	path string
}

func journalName(command string, now time.Time) string {
	return fmt.Sprintf("%s-%s", now.UTC().Format("20060102T150405.000000000Z"), strings.ReplaceAll(command, " ", "-"))
}

// StartJournal opens the pending journal of a run.
func StartJournal(prefix, command string, now time.Time) (*Recorder, error) {
	if err := os.MkdirAll(journalDir(prefix), 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(journalDir(prefix), journalName(command, now)+".pending")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_EXCL, SecretMode)
	if err != nil {
		return nil, err
	}
	hdr, _ := json.Marshal(Journal{Command: command, Time: now.UTC()})
	if _, err := f.Write(append(hdr, '\n')); err != nil {
		f.Close()
		return nil, err
	}
	return &Recorder{f: f, path: path}, nil
}

// Record appends one change and syncs it to disk before the caller makes it.
func (r *Recorder) Record(c Change) error {
	line, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if _, err := r.f.Write(append(line, '\n')); err != nil {
		return err
	}
	return r.f.Sync()
}

// Finish turns the pending journal into the final one (or removes it when nothing changed).
func (r *Recorder) Finish(prefix, command string, changes []Change, now time.Time) error {
	r.f.Close()
	defer os.Remove(r.path)
	_, err := SaveJournal(prefix, command, changes, now)
	return err
}

func readPending(path string) (*Journal, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	var j Journal
	if err := json.Unmarshal(lines[0], &j); err != nil {
		return nil, fmt.Errorf("journal %s is damaged: %w", path, err)
	}
	j.Pending = true
	for _, l := range lines[1:] {
		var c Change
		if err := json.Unmarshal(l, &c); err != nil {
			break // a line cut by the kill: that change was never made
		}
		j.Changes = append(j.Changes, c)
	}
	return &j, nil
}

func journalDir(prefix string) string { return filepath.Join(StateDir(prefix), "journal") }

// SaveJournal records changes (if any) for a later undo.
func SaveJournal(prefix, command string, changes []Change, now time.Time) (string, error) {
	if len(changes) == 0 {
		return "", nil
	}
	j := Journal{Command: command, Time: now.UTC(), Changes: changes}
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(journalDir(prefix), journalName(command, now)+".json")
	if err := os.MkdirAll(journalDir(prefix), 0o755); err != nil {
		return "", err
	}
	// The journal holds file contents, which may include tokens: owner-only.
	return path, atomicWrite(path, append(data, '\n'), SecretMode, true)
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
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	var j Journal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, "", fmt.Errorf("journal %s is damaged: %w", path, err)
	}
	return &j, path, nil
}

// Undo restores what a journal changed, newest change first. A file changed since then
// (its bytes are no longer what the journal wrote) is left alone and reported; nothing is
// restored unless every file can be.
func Undo(w Writer, j *Journal) error {
	var conflicts []string
	last := map[string]int{}
	for i, c := range j.Changes {
		last[c.Path] = i
	}
	for i, c := range j.Changes {
		if c.Dir || last[c.Path] != i {
			continue // only the final state of each path must still be what jdash left
		}
		now, mode, exists, err := current(c.Path)
		if err != nil {
			return err
		}
		if j.Pending && exists == c.Existed && (!exists || bytes.Equal(now, c.Old)) {
			continue // the killed run journaled this change but never made it
		}
		switch {
		case c.Removed && exists:
			conflicts = append(conflicts, c.Path+" exists again")
		case c.Symlink != "" && (!exists || mode&fs.ModeSymlink == 0 || string(now) != c.Symlink):
			conflicts = append(conflicts, c.Path+" is no longer the symlink jdash made")
		case !c.Removed && c.Symlink == "" && (!exists || !bytes.Equal(now, c.New)):
			conflicts = append(conflicts, c.Path+" changed since")
		}
	}
	if len(conflicts) > 0 {
		return fmt.Errorf("cannot undo %s of %s: %s", j.Command, j.Time.Format(time.RFC3339), strings.Join(conflicts, "; "))
	}
	for i := len(j.Changes) - 1; i >= 0; i-- {
		c := j.Changes[i]
		if !c.Dir {
			// A run killed between writing a temp file and renaming it left the temp behind.
			if err := removeTemps(w, c.Path); err != nil {
				return err
			}
		}
		var err error
		switch {
		case c.Dir && c.Removed:
			err = w.MkdirAll(c.Path, 0o755)
		case c.Dir:
			// A dir jdash created goes when it is empty again; one with other files stays.
			if names, rerr := w.ReadDirNames(c.Path); rerr == nil && len(names) == 0 {
				_, err = w.RemoveDir(c.Path)
			}
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
	return nil
}

// MarkUndone renames a journal so that the next undo goes one step further back.
func MarkUndone(path string) error {
	return os.Rename(path, strings.TrimSuffix(strings.TrimSuffix(path, ".json"), ".pending")+".undone")
}

// tempsOf lists the temp files the writer may have left for path: renameio's
// ".<name><digits>" and Symlink's "<path>.jdash-tmp".
func tempsOf(w Writer, path string) []string {
	dir, base := filepath.Split(path)
	names, err := w.ReadDirNames(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, n := range names {
		rest, ok := strings.CutPrefix(n, "."+base)
		if ok && rest != "" && strings.Trim(rest, "0123456789") == "" || n == base+".jdash-tmp" {
			out = append(out, filepath.Join(dir, n))
		}
	}
	return out
}

func removeTemps(w Writer, path string) error {
	for _, t := range tempsOf(w, path) {
		if _, err := w.Remove(t); err != nil {
			return err
		}
	}
	return nil
}
