package fsx

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRealWriteKeepsModeSkipsSameBytesAndUndoes(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "etc", "jupyter", "nbconfig", "notebook.json")
	w := &Real{}
	if changed, err := w.WriteFile(p, []byte(`{"a": 1}`), 0o644); err != nil || !changed {
		t.Fatal(changed, err)
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if changed, _ := w.WriteFile(p, []byte(`{"a": 1}`), 0o644); changed {
		t.Error("same bytes must not be written")
	}
	if _, err := w.WriteFile(p, []byte(`{"a": 2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the original 0640", st.Mode().Perm())
	}
	secret := filepath.Join(dir, "state.json")
	if _, err := w.WriteFile(secret, []byte("token"), SecretMode); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(secret); st.Mode().Perm() != 0o600 {
		t.Errorf("secret mode %v", st.Mode().Perm())
	}

	jpath, err := SaveJournal(dir, "setup", w.Changes(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	j, path, err := LastJournal(dir, "setup")
	if err != nil || path != jpath || len(j.Changes) == 0 {
		t.Fatalf("journal %v %s %v", j, path, err)
	}
	if err := Undo(&Real{}, j); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{p, secret, filepath.Join(dir, "etc")} {
		if _, err := os.Lstat(gone); !os.IsNotExist(err) {
			t.Errorf("%s should be gone after undo", gone)
		}
	}
}

func TestUndoRestoresExactBytesAndRefusesWhenChanged(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	orig := []byte("{\n  \"keep\": true\n}")
	os.WriteFile(p, orig, 0o644)
	w := &Real{}
	w.WriteFile(p, []byte(`{"new": 1}`), 0o644)
	j := &Journal{Command: "x", Changes: w.Changes()}
	os.WriteFile(p, []byte("edited by hand"), 0o644)
	if err := Undo(&Real{}, j); err == nil || !strings.Contains(err.Error(), "changed since") {
		t.Fatalf("undo over a hand edit: %v", err)
	}
	os.WriteFile(p, []byte(`{"new": 1}`), 0o644)
	if err := Undo(&Real{}, j); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, orig) {
		t.Errorf("restored %q", got)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a", "b.json")
	d := NewDryRun()
	d.WriteFile(p, []byte("one\n"), 0o644)
	d.WriteFile(p, []byte("two\n"), 0o644)
	if got, _ := d.ReadFile(p); string(got) != "two\n" {
		t.Errorf("dry run reads its own writes: %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !os.IsNotExist(err) {
		t.Fatal("dry run created a dir")
	}
	var b bytes.Buffer
	WriteDiffs(&b, d.Changes())
	if !strings.Contains(b.String(), "+two") || !strings.Contains(b.String(), "mkdir "+filepath.Join(dir, "a")) {
		t.Errorf("diff:\n%s", b.String())
	}
}

// Eight writers editing one JSON file under the env lock: every edit lands.
func TestLockSerializesConcurrentEdits(t *testing.T) {
	prefix := t.TempDir()
	p := filepath.Join(prefix, "etc", "jupyter", "nbconfig", "notebook.json")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			l, err := LockEnv(context.Background(), prefix, 10*time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			defer l.Unlock()
			m := map[string]bool{}
			if data, err := os.ReadFile(p); err == nil {
				json.Unmarshal(data, &m)
			}
			time.Sleep(5 * time.Millisecond) // widen the race window
			m[string(rune('a'+i))] = true
			data, _ := json.Marshal(m)
			if _, err := (&Real{}).WriteFile(p, data, 0o644); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	m := map[string]bool{}
	data, _ := os.ReadFile(p)
	if err := json.Unmarshal(data, &m); err != nil || len(m) != 8 {
		t.Fatalf("got %s (%v)", data, err)
	}
}

// A run killed after journaling a change but before making it: undo restores what was
// done and leaves alone what was not.
func TestUndoOfAKilledRun(t *testing.T) {
	prefix := t.TempDir()
	a, b := filepath.Join(prefix, "etc", "a.json"), filepath.Join(prefix, "etc", "b.json")
	os.MkdirAll(filepath.Dir(b), 0o755)
	os.WriteFile(b, []byte("b-old"), 0o644)
	rec, err := StartJournal(prefix, "setup", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w := &Real{Rec: rec}
	if _, err := w.WriteFile(a, []byte("a-new"), 0o644); err != nil {
		t.Fatal(err)
	}
	// journaled, then "killed" between the temp file and the rename: the temp is left
	rec.Record(&Change{Path: b, Existed: true, Old: []byte("b-old"), OldMode: 0o644, New: []byte("b-new"), Mode: 0o644})
	os.WriteFile(filepath.Join(prefix, "etc", ".b.json123456"), []byte("b-n"), 0o600)
	os.WriteFile(filepath.Join(prefix, "etc", ".b.jsonx1"), []byte("not ours"), 0o600)
	rec.f.Write([]byte(`{"path": "/cut-off`)) // a half-written line
	rec.f.Close()

	j, path, err := LastJournal(prefix, "setup")
	if err != nil || j == nil || !j.Pending || !strings.HasSuffix(path, ".pending") {
		t.Fatalf("pending journal: %+v %s %v", j, path, err)
	}
	if err := Undo(&Real{}, j); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(a); !os.IsNotExist(err) {
		t.Error("a.json was made by the killed run and must go")
	}
	if got, _ := os.ReadFile(b); string(got) != "b-old" {
		t.Errorf("b.json: %q", got)
	}
	if _, err := os.Stat(filepath.Join(prefix, "etc", ".b.json123456")); !os.IsNotExist(err) {
		t.Error("the killed write's temp file must go")
	}
	if _, err := os.Stat(filepath.Join(prefix, "etc", ".b.jsonx1")); err != nil {
		t.Error("a file that is not jdash's temp stays")
	}
	if err := MarkUndone(path); err != nil {
		t.Fatal(err)
	}
}

// Killed, run again, then undone: the undo restores the state before the killed run, and an
// undo killed half-way is finished by running it again.
func TestKilledRunTakenOverAndUndoResumed(t *testing.T) {
	prefix := t.TempDir()
	a, b := filepath.Join(prefix, "etc", "a.json"), filepath.Join(prefix, "etc", "b.json")
	os.MkdirAll(filepath.Dir(a), 0o755)
	os.WriteFile(a, []byte("a-orig"), 0o644)
	// the killed run: a written, its journal left pending, a temp file beside b
	rec, err := StartJournal(prefix, "setup", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w := &Real{Rec: rec}
	w.WriteFile(a, []byte("a-1"), 0o644)
	rec.Record(&Change{Path: b, New: []byte("b-1"), Mode: 0o644})
	os.WriteFile(filepath.Join(prefix, "etc", ".b.json42"), []byte("b-"), 0o600)
	rec.f.Close()
	// the second run takes the pending journal over and finishes the work
	rec2, err := StartJournal(prefix, "setup", nil, time.Now().Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(prefix, "etc", ".b.json42")); !os.IsNotExist(err) {
		t.Error("the killed write's temp file is cleaned when the run is taken over")
	}
	w2 := &Real{Rec: rec2}
	w2.WriteFile(a, []byte("a-2"), 0o644)
	w2.WriteFile(b, []byte("b-2"), 0o644)
	if err := rec2.Finish(prefix, "setup", w2.Changes(), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	j, path, err := LastJournal(prefix, "setup")
	if err != nil || j.Pending || strings.HasSuffix(path, ".pending") {
		t.Fatalf("final journal: %v %s %v", j, path, err)
	}
	names, _ := filepath.Glob(filepath.Join(journalDir(prefix), "*-setup.*"))
	if len(names) != 1 {
		t.Errorf("journals left: %v", names)
	}
	// an undo killed after restoring a.json: the rerun finishes it
	os.WriteFile(a, []byte("a-orig"), 0o644)
	if err := Undo(&Real{}, j); err != nil {
		t.Fatalf("resumed undo: %v", err)
	}
	if got, _ := os.ReadFile(a); string(got) != "a-orig" {
		t.Errorf("a.json: %q", got)
	}
	if _, err := os.Stat(b); !os.IsNotExist(err) {
		t.Error("b.json did not exist before the first run")
	}
	if err := Undo(&Real{}, j); err != nil {
		t.Errorf("a second undo changes nothing: %v", err)
	}
	os.WriteFile(a, []byte("hand-edited"), 0o644)
	if err := Undo(&Real{}, j); err == nil || !strings.Contains(err.Error(), "a.json changed since") {
		t.Errorf("a hand edit is a conflict: %v", err)
	}
}

// The journal keeps no bytes of new files (their hash only), each distinct old content once,
// and at most KeepJournals runs of a command; the undos kept stay exact.
func TestJournalIsBounded(t *testing.T) {
	prefix := t.TempDir()
	cfg := filepath.Join(prefix, "etc", "same.json")
	os.MkdirAll(filepath.Dir(cfg), 0o755)
	os.WriteFile(cfg, []byte("v0"), 0o644)
	big := bytes.Repeat([]byte("x"), 1<<20)
	var states [][]byte
	for i := 1; i <= KeepJournals+3; i++ {
		states = append(states, mustRead(t, cfg))
		rec, err := StartJournal(prefix, "setup", nil, time.Unix(int64(i), 0))
		if err != nil {
			t.Fatal(err)
		}
		w := &Real{Rec: rec}
		w.WriteFile(filepath.Join(prefix, "share", fmt.Sprintf("new%d.js", i)), big, 0o644)
		w.WriteFile(cfg, []byte(fmt.Sprintf("v%d", i)), 0o644)
		if err := rec.Finish(prefix, "setup", w.Changes(), time.Unix(int64(i), 0)); err != nil {
			t.Fatal(err)
		}
	}
	size := int64(0)
	filepath.Walk(journalDir(prefix), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			size += fi.Size()
		}
		return nil
	})
	if size > 64<<10 {
		t.Errorf("journals hold %d bytes for %d runs of 1 MiB new files", size, KeepJournals+3)
	}
	js, _ := filepath.Glob(filepath.Join(journalDir(prefix), "*-setup.json"))
	if len(js) != KeepJournals {
		t.Errorf("%d journals kept, want %d", len(js), KeepJournals)
	}
	for i := 0; i < KeepJournals; i++ { // undo the kept runs, newest first: each exact
		j, path, err := LastJournal(prefix, "setup")
		if err != nil || j == nil {
			t.Fatalf("undo %d: %v", i, err)
		}
		if err := Undo(&Real{}, j); err != nil {
			t.Fatal(err)
		}
		MarkUndone(path)
		if got := mustRead(t, cfg); !bytes.Equal(got, states[len(states)-1-i]) {
			t.Errorf("undo %d: %q, want %q", i, got, states[len(states)-1-i])
		}
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A renamed dir is one journaled step: undo moves it back (and removes the dirs the rename
// made), a rename journaled but never made (killed in between) is left alone, and a dry run
// only shows it.
func TestRenameIsJournaledAndUndone(t *testing.T) {
	prefix := t.TempDir()
	src := filepath.Join(prefix, "share", "kernels", "python3")
	dst := filepath.Join(prefix, "share", "jdash-quarantine", "kernels", "python3")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "kernel.json"), []byte(`{"argv": ["x"]}`), 0o644)

	d := NewDryRun()
	if _, err := d.Rename(src, dst); err != nil {
		t.Fatal(err)
	}
	var diff bytes.Buffer
	WriteDiffs(&diff, d.Changes())
	if !strings.Contains(diff.String(), "rename "+src+" -> "+dst) {
		t.Errorf("dry run shows:\n%s", diff.String())
	}
	if _, err := os.Stat(src); err != nil {
		t.Fatal("the dry run moved the dir")
	}

	rec, err := StartJournal(prefix, "doctor", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w := &Real{Rec: rec, Roots: NewRoots(filepath.Join(prefix, "share"))}
	if _, err := w.Rename(src, dst); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Rename(dst, filepath.Join(t.TempDir(), "x")); err == nil {
		t.Error("a rename out of the roots was allowed")
	}
	if err := rec.Finish(prefix, "doctor", w.Changes(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "kernel.json")); string(b) != `{"argv": ["x"]}` {
		t.Fatalf("not moved: %q", b)
	}
	j, _, err := LastJournal(prefix, "doctor")
	if err != nil || j == nil {
		t.Fatal(j, err)
	}
	for i := 0; i < 2; i++ { // idempotent: the second undo finds it back already
		if err := Undo(&Real{Roots: j.Roots}, j); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(src, "kernel.json")); string(b) != `{"argv": ["x"]}` {
		t.Fatalf("not moved back: %q", b)
	}
	if _, err := os.Stat(filepath.Join(prefix, "share", "jdash-quarantine")); !os.IsNotExist(err) {
		t.Error("the dirs the rename made must go with the undo")
	}
}
