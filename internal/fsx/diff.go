package fsx

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
)

// WriteDiffs prints every recorded change as a unified diff (created dirs and binary files
// as one line each).
func WriteDiffs(w io.Writer, changes []Change) {
	for _, c := range coalesce(changes) {
		switch {
		case c.Dir && c.Removed:
			fmt.Fprintf(w, "rmdir %s\n", c.Path)
		case c.Dir:
			fmt.Fprintf(w, "mkdir %s\n", c.Path)
		case c.From != "":
			fmt.Fprintf(w, "rename %s -> %s\n", c.From, c.Path)
		case c.Symlink != "":
			fmt.Fprintf(w, "symlink %s -> %s\n", c.Path, c.Symlink)
		case c.Removed:
			fmt.Fprintf(w, "remove %s\n", c.Path)
		case strings.Contains(c.Path, string(filepath.Separator)+".jdash"+string(filepath.Separator)):
			fmt.Fprintf(w, "write %s (jdash's own record, %d bytes)\n", c.Path, len(c.New))
		case isBinary(c.Old) || isBinary(c.New):
			fmt.Fprintf(w, "write %s (%d bytes, binary)\n", c.Path, len(c.New))
		default:
			old := "/dev/null"
			if c.Existed {
				old = "a" + c.Path
			}
			w.Write(diff.Diff(old, withNewline(c.Old), "b"+c.Path, withNewline(c.New)))
		}
	}
}

// coalesce folds the writes of one file into one change, from its first old bytes to its last
// new ones (a run that writes a file twice, such as JupyterLab's lock migration then a
// toggle, shows one diff).
func coalesce(changes []Change) []Change {
	var out []Change
	at := map[string]int{}
	for _, c := range changes {
		i, seen := at[c.Path]
		plain := !c.Dir && !c.Removed && c.From == "" && c.Symlink == ""
		if seen && plain {
			prev := out[i]
			if !prev.Dir && !prev.Removed && prev.From == "" && prev.Symlink == "" {
				c.Old, c.OldMode, c.Existed, c.OldSum = prev.Old, prev.OldMode, prev.Existed, prev.OldSum
				out[i] = c
				continue
			}
		}
		at[c.Path] = len(out)
		out = append(out, c)
	}
	return out
}

// WriteSummary is WriteDiffs for a dry run that copies many files (the contrib nbextensions,
// templates): the copies are counted under the top-most dir the run creates around them (else
// their own dir), one line each; every other change is shown as a diff.
func WriteSummary(w io.Writer, changes []Change) {
	changes = coalesce(changes)
	created := map[string]bool{}
	for _, c := range changes {
		if c.Dir && !c.Removed {
			created[c.Path] = true
		}
	}
	type group struct {
		files, bytes int
		replaced     int
	}
	groups := map[string]*group{}
	var order []string
	var rest []Change
	for _, c := range changes {
		switch {
		case c.Src != "":
			key := filepath.Dir(c.Path)
			for d := key; created[d]; d = filepath.Dir(d) {
				key = d
			}
			g := groups[key]
			if g == nil {
				g = &group{}
				groups[key] = g
				order = append(order, key)
			}
			g.files++
			g.bytes += len(c.New)
			if c.Existed {
				g.replaced++
			}
		case c.Dir && !c.Removed && created[filepath.Dir(c.Path)]:
			// implied by the dir above it
		default:
			rest = append(rest, c)
		}
	}
	var shown []Change
	for _, c := range rest {
		if !(c.Dir && !c.Removed && groups[c.Path] != nil) { // a copy group's root: its line says it
			shown = append(shown, c)
		}
	}
	WriteDiffs(w, shown)
	for _, k := range order {
		g := groups[k]
		replaced := ""
		if g.replaced > 0 {
			replaced = fmt.Sprintf(", %d of them replacing older copies", g.replaced)
		}
		files := "files"
		if g.files == 1 {
			files = "file"
		}
		fmt.Fprintf(w, "copy %d %s (%s) into %s%c%s\n", g.files, files, humanBytes(g.bytes), k, filepath.Separator, replaced)
	}
	if len(order) > 0 {
		fmt.Fprintln(w, "(--diff shows every copied file)")
	}
}

func humanBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// Jupyter writes JSON without a final newline; a diff still needs line ends to read well.
func withNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(append([]byte(nil), b...), '\n')
	}
	return b
}

func isBinary(b []byte) bool { return bytes.IndexByte(b, 0) >= 0 }
