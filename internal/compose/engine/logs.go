package engine

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/compose/supervisor"
	"github.com/jdash-dev/jdash/internal/fsx"
)

// LogsOptions are one `jdash logs` run.
type LogsOptions struct {
	Names  []string // the services (none: all)
	Tail   int      // only the last N lines of each (-1: all)
	Follow bool     // keep printing until interrupted or the stack stops
}

// Logs shows the services' logs through the same view as up in the foreground.
func Logs(d Deps, p *Project, o LogsOptions) error {
	if o.Tail < -1 {
		return clierr.Usagef("--tail must be a number of lines >= 0")
	}
	all := logNames(p.Store)
	if len(all) == 0 {
		return fmt.Errorf("the stack of %s never ran (jdash up)", p.Stack.Dir)
	}
	for _, n := range o.Names {
		if !slices.Contains(all, n) {
			return clierr.Usagef("no service %q (the services are %s)", n, strings.Join(all, ", "))
		}
	}
	names := o.Names
	if len(names) == 0 {
		names = all
	}
	out := printer(d, names)
	offsets := map[string]int64{}
	for _, n := range names {
		path := filepath.Join(p.Store.LogDir(), n+".log")
		if o.Tail < 0 { // all of it, a chunk at a time
			for lines := newLines(path, offsets, n); len(lines) > 0; lines = newLines(path, offsets, n) {
				for _, line := range lines {
					out.Log(n, line)
				}
			}
			continue
		}
		if o.Tail > 0 {
			for _, line := range splitLines(supervisor.TailFile(path, o.Tail)) {
				out.Log(n, line)
			}
		}
		if fi, err := os.Stat(path); err == nil {
			offsets[n] = fi.Size()
		}
	}
	for o.Follow {
		time.Sleep(200 * time.Millisecond)
		for _, n := range names {
			for _, line := range newLines(filepath.Join(p.Store.LogDir(), n+".log"), offsets, n) {
				out.Log(n, line)
			}
		}
		if cur, _ := p.Store.State(); cur == nil || !cur.Running() {
			return nil
		}
	}
	return nil
}

// newLines are the whole lines written to a log since offsets[n], which they advance.
func newLines(path string, offsets map[string]int64, n string) []string {
	fh, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	fh.Seek(offsets[n], io.SeekStart)
	data, _ := io.ReadAll(io.LimitReader(fh, 1<<20))
	i := strings.LastIndexByte(string(data), '\n')
	if i < 0 {
		return nil
	}
	offsets[n] += int64(i + 1)
	return strings.Split(string(data[:i]), "\n")
}

// logNames are the services of a stack that has logs: from its state, else its plan, else
// the log files themselves (a damaged state still shows its logs).
func logNames(store Store) []string {
	var out []string
	for _, p := range store.Procs() {
		out = append(out, p.Name)
	}
	if len(out) > 0 {
		return out
	}
	names, _ := fsx.ReadDirNames(store.LogDir())
	for _, n := range names {
		if name, ok := strings.CutSuffix(n, ".log"); ok {
			out = append(out, name)
		}
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
