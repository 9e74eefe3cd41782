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
	for _, c := range changes {
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

// Jupyter writes JSON without a final newline; a diff still needs line ends to read well.
func withNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(append([]byte(nil), b...), '\n')
	}
	return b
}

func isBinary(b []byte) bool { return bytes.IndexByte(b, 0) >= 0 }
