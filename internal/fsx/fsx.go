// Package fsx is jdash's one writer for every file change: atomic replace (temp file in the
// same dir, fsync, rename), no write when the bytes would not change, the original mode
// kept, 0600 for secrets, a per-env lock, a journal of what changed so that it can be
// undone exactly, and a dry-run recorder that writes nothing and shows diffs.
package fsx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
)

// Change is one file (or directory) change.
//
// A journal keeps no bytes in itself: the old bytes of an overwritten or removed file go to
// a content-addressed blob (each distinct content once), the new bytes only as their hash.
type Change struct {
	Path    string      `json:"path"`
	Dir     bool        `json:"dir,omitempty"` // a directory created (removed, with Removed)
	Existed bool        `json:"existed"`       // the file was there before
	Old     []byte      `json:"-"`             // its bytes before (when it existed)
	OldSum  string      `json:"old_sha256,omitempty"`
	OldMode fs.FileMode `json:"old_mode,omitempty"`
	New     []byte      `json:"-"` // nil when removed
	NewSum  string      `json:"new_sha256,omitempty"`
	Removed bool        `json:"removed,omitempty"`
	Mode    fs.FileMode `json:"mode,omitempty"`
	Symlink string      `json:"symlink,omitempty"`      // a symlink created, pointing here
	From    string      `json:"renamed_from,omitempty"` // Path was renamed from here (a file or a whole dir)
	// Src is the file a dry run's copy came from (its summary counts copies, not their lines).
	Src string `json:"-"`
}

// FS is the read side: what jdash reads of the files it may also write. Disk reads the
// disk; a Writer reads what it has made of it (a dry run sees its own pending changes).
type FS interface {
	// ReadFile reads a regular file (bounded by MaxRead).
	ReadFile(path string) ([]byte, error)
	// Exists reports whether path is there, and whether it is a dir.
	Exists(path string) (exists, dir bool, err error)
	// ReadDirNames lists a directory, sorted.
	ReadDirNames(dir string) ([]string, error)
}

// Disk is the FS of the real disk.
type Disk struct{}

func (Disk) ReadFile(path string) ([]byte, error) { return ReadRegular(path, MaxRead) }

func (Disk) Exists(path string) (bool, bool, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return true, st.IsDir(), nil
}

func (Disk) ReadDirNames(dir string) ([]string, error) {
	names, err := ReadDirNames(dir)
	slices.Sort(names)
	return names, err
}

// Writer is what commands read and write through. Real writes; DryRun only records, and
// its reads see its own pending changes, so that code cannot tell the two apart.
type Writer interface {
	FS
	// RemoveDir removes an empty directory (recorded, so that undo recreates it).
	RemoveDir(path string) (changed bool, err error)
	// WriteFile replaces path with data unless it already holds exactly data. perm applies
	// to new files; an existing file keeps its mode unless Secret is used.
	WriteFile(path string, data []byte, perm fs.FileMode) (changed bool, err error)
	// Remove deletes a file; a missing file is not an error (changed is false).
	Remove(path string) (changed bool, err error)
	// Symlink makes path a symlink to target (replacing a file there).
	Symlink(target, path string) (changed bool, err error)
	// CopyFile copies src to dst with src's mode and modification time (shutil.copy2).
	CopyFile(src, dst string) (changed bool, err error)
	// Rename moves a file or a whole dir to dst (which must not exist) in one atomic step, on
	// one file system: a kill leaves it either here or there, and undo moves it back.
	Rename(src, dst string) (changed bool, err error)
	// MkdirAll creates missing dirs, recording each one created.
	MkdirAll(path string, perm fs.FileMode) error
	// Changes are the changes made so far, in order.
	Changes() []Change
}

// SecretMode is the mode of any file holding a token or password.
const SecretMode fs.FileMode = 0o600

// current reads what is at path now: (bytes, mode, exists). A symlink is its target's
// text; a regular file is read up to MaxRead; anything else (a FIFO, a device, a socket) is
// an error, never opened: jdash neither blocks on it nor replaces it.
func current(path string) ([]byte, fs.FileMode, bool, error) { return currentUpTo(path, MaxRead) }

// currentUpTo is current for a file that may be as large as limit (a copied binary).
func currentUpTo(path string, limit int64) ([]byte, fs.FileMode, bool, error) {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	switch {
	case st.IsDir():
		return nil, 0, false, fmt.Errorf("%s is a directory", path)
	case st.Mode()&fs.ModeSymlink != 0:
		t, err := os.Readlink(path)
		return []byte(t), st.Mode(), true, err
	case !st.Mode().IsRegular():
		return nil, 0, false, fmt.Errorf("%s: %w (%s): jdash does not replace it", path, ErrNotRegular, st.Mode().Type())
	}
	data, err := ReadRegular(path, limit)
	return data, st.Mode().Perm(), true, err
}

// Real writes to disk. With a Recorder, each change is journaled (and synced) before it is
// made, so that a run killed half-way can still be undone.
type Real struct {
	Disk
	Rec   *Recorder
	Roots Roots // where it may write (empty: anywhere)
	// Ctx, when set and done, stops the writer before its next change (a safe point: every
	// change is whole, and journaled).
	Ctx     context.Context
	changes []Change
}

func (r *Real) Changes() []Change { return r.changes }

func (r *Real) RemoveDir(path string) (bool, error) {
	if err := r.Roots.check(path, true); err != nil {
		return false, err
	}
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !st.IsDir() {
		return false, fmt.Errorf("%s is not a directory", path)
	}
	return r.remove(Change{Path: path, Dir: true, Existed: true, Removed: true, Mode: st.Mode().Perm()})
}

// remove journals and makes the removal of a file or an empty dir.
func (r *Real) remove(c Change) (bool, error) {
	if err := r.intend(&c); err != nil {
		return false, err
	}
	if err := os.Remove(c.Path); err != nil {
		return false, err
	}
	r.changes = append(r.changes, c)
	return true, nil
}

// intend journals a change before it is made.
func (r *Real) intend(c *Change) error {
	if r.Ctx != nil && r.Ctx.Err() != nil {
		return r.Ctx.Err()
	}
	fault("before journaling", c.Path)
	if r.Rec != nil {
		if err := r.Rec.Record(c); err != nil {
			return err
		}
	}
	fault("journaled, not made:", c.Path)
	return nil
}

func (r *Real) WriteFile(path string, data []byte, perm fs.FileMode) (bool, error) {
	old, mode, existed, err := current(path)
	if err != nil {
		return false, err
	}
	if existed && mode&fs.ModeSymlink == 0 && bytes.Equal(old, data) && (perm != SecretMode || mode == SecretMode) {
		return false, nil // nothing written: nothing to confine
	}
	if err := r.Roots.check(path, false); err != nil {
		return false, err
	}
	newMode := perm
	if existed && perm != SecretMode && mode&fs.ModeSymlink == 0 {
		newMode = mode
	}
	if err := r.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, err
	}
	c := Change{Path: path, Existed: existed, Old: old, OldMode: mode, New: append([]byte(nil), data...), Mode: newMode}
	if err := r.intend(&c); err != nil {
		return false, err
	}
	if err := atomicWrite(path, data, newMode, existed || perm == SecretMode); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	r.changes = append(r.changes, c)
	return true, nil
}

func (r *Real) CopyFile(src, dst string) (bool, error) {
	if err := r.Roots.check(dst, false); err != nil {
		return false, err
	}
	st, err := os.Stat(src)
	if err != nil {
		return false, err
	}
	data, err := ReadRegular(src, MaxCopy)
	if err != nil {
		return false, err
	}
	old, mode, existed, err := currentUpTo(dst, MaxCopy)
	if err != nil {
		return false, err
	}
	if err := r.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return false, err
	}
	c := Change{Path: dst, Existed: existed, Old: old, OldMode: mode, New: data, Mode: st.Mode().Perm()}
	if err := r.intend(&c); err != nil {
		return false, err
	}
	if err := atomicWrite(dst, data, st.Mode().Perm(), true); err != nil {
		return false, fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	if err := os.Chtimes(dst, st.ModTime(), st.ModTime()); err != nil {
		return false, err
	}
	r.changes = append(r.changes, c)
	return true, nil
}

func (r *Real) Remove(path string) (bool, error) {
	if err := r.Roots.check(path, false); err != nil {
		return false, err
	}
	old, mode, existed, err := current(path)
	if err != nil || !existed {
		return false, err
	}
	return r.remove(Change{Path: path, Existed: true, Old: old, OldMode: mode, Removed: true})
}

func (r *Real) Rename(src, dst string) (bool, error) {
	if err := r.Roots.check(src, false); err != nil {
		return false, err
	}
	if err := r.Roots.check(dst, false); err != nil {
		return false, err
	}
	if _, err := os.Lstat(dst); err == nil {
		return false, fmt.Errorf("rename %s: %s exists", src, dst)
	}
	if _, err := os.Lstat(src); err != nil {
		return false, err
	}
	if err := r.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return false, err
	}
	c := Change{Path: dst, From: src}
	if err := r.intend(&c); err != nil {
		return false, err
	}
	if err := os.Rename(src, dst); err != nil {
		return false, err
	}
	r.changes = append(r.changes, c)
	return true, nil
}

func (r *Real) Symlink(target, path string) (bool, error) {
	if err := r.Roots.check(path, false); err != nil {
		return false, err
	}
	old, mode, existed, err := current(path)
	if err != nil {
		return false, err
	}
	if existed && mode&fs.ModeSymlink != 0 && string(old) == target {
		return false, nil
	}
	if err := r.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, err
	}
	c := Change{Path: path, Existed: existed, Old: old, OldMode: mode, Symlink: target}
	if err := r.intend(&c); err != nil {
		return false, err
	}
	tmp := path + ".jdash-tmp"
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return false, err
	}
	fault("temp link made, not renamed:", path)
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return false, err
	}
	r.changes = append(r.changes, c)
	return true, nil
}

func (r *Real) MkdirAll(path string, perm fs.FileMode) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil // nothing to make (the common case of a re-run)
	}
	if err := r.Roots.check(path, true); err != nil {
		return err
	}
	var missing []string
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		}
		missing = append(missing, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	if len(missing) == 0 {
		return nil
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := r.intend(&Change{Path: missing[i], Dir: true}); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(path, perm); err != nil {
		return err
	}
	for i := len(missing) - 1; i >= 0; i-- {
		r.changes = append(r.changes, Change{Path: missing[i], Dir: true})
	}
	return nil
}

// DryRun records what would change and writes nothing. Reads of files it "wrote" see the
// recorded bytes (ReadFile), so multi-step commands dry-run correctly.
type DryRun struct {
	changes []Change
	files   map[string]*Change
	dirs    map[string]bool
	// removedDirs are dirs the dry run removed.
	removedDirs map[string]bool
	Roots       Roots // where the real run would be allowed to write
}

func NewDryRun() *DryRun {
	return &DryRun{files: map[string]*Change{}, dirs: map[string]bool{}, removedDirs: map[string]bool{}}
}

func (d *DryRun) Changes() []Change { return d.changes }

func (d *DryRun) view(path string) ([]byte, fs.FileMode, bool, error) {
	if c, ok := d.files[path]; ok {
		return c.New, c.Mode, !c.Removed, nil
	}
	return current(path)
}

// ReadFile returns the file as the dry run has left it.
func (d *DryRun) ReadFile(path string) ([]byte, error) {
	data, _, ok, err := d.view(path)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	return data, nil
}

func (d *DryRun) Exists(path string) (bool, bool, error) {
	path = filepath.Clean(path)
	if c, ok := d.files[path]; ok {
		return !c.Removed, false, nil
	}
	if d.removedDirs[path] {
		return false, false, nil
	}
	if d.dirs[path] {
		return true, true, nil
	}
	return Disk{}.Exists(path)
}

func (d *DryRun) ReadDirNames(dir string) ([]string, error) {
	dir = filepath.Clean(dir)
	names, err := ReadDirNames(dir)
	if err != nil && !d.dirs[dir] {
		return nil, err
	}
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	for p, c := range d.files {
		if filepath.Dir(p) == dir {
			set[filepath.Base(p)] = !c.Removed
		}
	}
	for p := range d.dirs {
		if filepath.Dir(p) == dir {
			set[filepath.Base(p)] = true
		}
	}
	for p := range d.removedDirs {
		if filepath.Dir(p) == dir {
			set[filepath.Base(p)] = false
		}
	}
	var out []string
	for n, ok := range set {
		if ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (d *DryRun) RemoveDir(path string) (bool, error) {
	if err := d.Roots.check(path, true); err != nil {
		return false, err
	}
	path = filepath.Clean(path)
	if ok, isDir, err := d.Exists(path); err != nil || !ok || !isDir {
		return false, err
	}
	delete(d.dirs, path)
	d.removedDirs[path] = true
	d.changes = append(d.changes, Change{Path: path, Dir: true, Existed: true, Removed: true})
	return true, nil
}

func (d *DryRun) record(c Change) {
	d.changes = append(d.changes, c)
	d.files[c.Path] = &d.changes[len(d.changes)-1]
}

func (d *DryRun) WriteFile(path string, data []byte, perm fs.FileMode) (bool, error) {
	if err := d.Roots.check(path, false); err != nil {
		return false, err
	}
	old, mode, existed, err := d.view(path)
	if err != nil {
		return false, err
	}
	if existed && bytes.Equal(old, data) {
		return false, nil
	}
	newMode := perm
	if existed && perm != SecretMode {
		newMode = mode
	}
	_ = d.MkdirAll(filepath.Dir(path), 0o755)
	d.record(Change{Path: path, Existed: existed, Old: old, OldMode: mode, New: append([]byte(nil), data...), Mode: newMode})
	return true, nil
}

func (d *DryRun) CopyFile(src, dst string) (bool, error) {
	if err := d.Roots.check(dst, false); err != nil {
		return false, err
	}
	data, err := ReadRegular(src, MaxCopy)
	if err != nil {
		return false, err
	}
	st, _ := os.Stat(src)
	old, mode, existed, err := d.view(dst)
	if err != nil {
		return false, err
	}
	_ = d.MkdirAll(filepath.Dir(dst), 0o755)
	d.record(Change{Path: dst, Existed: existed, Old: old, OldMode: mode, New: data, Mode: st.Mode().Perm(), Src: src})
	return true, nil
}

func (d *DryRun) Remove(path string) (bool, error) {
	if err := d.Roots.check(path, false); err != nil {
		return false, err
	}
	old, mode, existed, err := d.view(path)
	if err != nil || !existed {
		return false, err
	}
	d.record(Change{Path: path, Existed: true, Old: old, OldMode: mode, Removed: true})
	return true, nil
}

func (d *DryRun) Rename(src, dst string) (bool, error) {
	if err := d.Roots.check(src, false); err != nil {
		return false, err
	}
	if err := d.Roots.check(dst, false); err != nil {
		return false, err
	}
	_ = d.MkdirAll(filepath.Dir(dst), 0o755)
	d.changes = append(d.changes, Change{Path: dst, From: src})
	return true, nil
}

func (d *DryRun) Symlink(target, path string) (bool, error) {
	if err := d.Roots.check(path, false); err != nil {
		return false, err
	}
	old, mode, existed, err := d.view(path)
	if err != nil {
		return false, err
	}
	if existed && mode&fs.ModeSymlink != 0 && string(old) == target {
		return false, nil
	}
	d.record(Change{Path: path, Existed: existed, Old: old, OldMode: mode, Symlink: target})
	return true, nil
}

func (d *DryRun) MkdirAll(path string, _ fs.FileMode) error {
	if err := d.Roots.check(path, true); err != nil {
		return err
	}
	var missing []string
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		if d.dirs[p] {
			break
		}
		if _, err := os.Stat(p); err == nil {
			break
		}
		missing = append(missing, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(missing)))
	for i := len(missing) - 1; i >= 0; i-- {
		d.dirs[missing[i]] = true
		d.changes = append(d.changes, Change{Path: missing[i], Dir: true})
	}
	return nil
}

// RemoveAll removes a file, a symlink (never what it points to) or a whole tree through
// the writer: every file and dir removal is journaled, so an undo restores the tree.
func RemoveAll(w Writer, p string) error {
	st, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		_, err := w.Remove(p)
		return err
	}
	names, err := w.ReadDirNames(p)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := RemoveAll(w, filepath.Join(p, n)); err != nil {
			return err
		}
	}
	_, err = w.RemoveDir(p)
	return err
}
