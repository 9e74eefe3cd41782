package fsx

import (
	"bytes"
	"strings"
	"testing"
)

// A dry run's summary counts copies under the top-most dir the run creates, and shows every
// other change as a diff.
func TestWriteSummary(t *testing.T) {
	changes := []Change{
		{Path: "/r/a", Dir: true},
		{Path: "/r/a/b", Dir: true},
		{Path: "/r/a/b/x.js", New: []byte("x\n"), Src: "/src/x.js"},
		{Path: "/r/a/b/y.js", New: []byte("yy\n"), Src: "/src/y.js"},
		{Path: "/r/old/z.js", New: []byte("z\n"), Existed: true, Old: []byte("w\n"), Src: "/src/z.js"},
		{Path: "/r/c.json", New: []byte("{}\n")},
	}
	var b bytes.Buffer
	WriteSummary(&b, changes)
	out := b.String()
	for _, want := range []string{"+++ b/r/c.json\n", "copy 2 files (5 bytes) into /r/a/\n", "copy 1 file (2 bytes) into /r/old/, 1 of them replacing older copies\n", "(--diff shows every copied file)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "x.js") || strings.Contains(out, "mkdir") {
		t.Errorf("a copy or an implied dir is shown:\n%s", out)
	}
}

// Two writes of one file in a run show as one diff, from the first old bytes to the last new.
func TestWriteDiffsCoalesces(t *testing.T) {
	var b bytes.Buffer
	WriteDiffs(&b, []Change{
		{Path: "/r/p.json", Existed: true, Old: []byte("a\n"), New: []byte("b\n")},
		{Path: "/r/p.json", Existed: true, Old: []byte("b\n"), New: []byte("c\n")},
	})
	out := b.String()
	if strings.Count(out, "+++ b/r/p.json") != 1 || !strings.Contains(out, "-a\n+c\n") {
		t.Errorf("not one diff from a to c:\n%s", out)
	}
}
