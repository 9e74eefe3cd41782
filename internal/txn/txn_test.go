package txn

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// Two undos of one change at once (two jdash processes, each with its own Tx): one restores
// the files, the other waits for the env's lock and then finds nothing left to undo, saying
// so; neither fails on the other's journal (it used to: a raw rename error).
func TestConcurrentUndos(t *testing.T) {
	prefix := t.TempDir()
	file := filepath.Join(prefix, "etc", "x.json")
	w := &Tx{Out: io.Discard, ErrOut: io.Discard, Now: time.Now}
	if _, err := w.Write(context.Background(), Change{Prefix: prefix, Command: "setup", Roots: []string{prefix}}, func(fw fsx.Writer) error {
		_, err := fw.WriteFile(file, []byte("{}\n"), 0o644)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = (&Tx{Out: io.Discard, ErrOut: io.Discard}).Undo(prefix, "setup", false, nil)
		}()
	}
	wg.Wait()
	ok, nothing := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case strings.Contains(err.Error(), "no setup to undo in "+prefix):
			nothing++
		default:
			t.Errorf("a concurrent undo failed: %v", err)
		}
	}
	if ok != 1 || nothing != 1 {
		t.Errorf("undos: %d restored, %d found nothing: %v", ok, nothing, errs)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the undo left %s", file)
	}
}
