package ui

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/jdash-dev/jdash/internal/clierr"
)

// Confirm asks before a change that reaches beyond one env: yes (--yes) answers it; without a
// terminal it is a usage error naming what needs the answer.
func (s *IO) Confirm(yes bool, warning, what string) error {
	fmt.Fprintln(s.ErrOut, "warning: "+warning)
	if yes {
		return nil
	}
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return clierr.Usagef("%s needs --yes (or answer the question on a terminal)", what)
	}
	fmt.Fprint(s.ErrOut, "continue? [y/N] ")
	line, _ := bufio.NewReader(s.In).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		return clierr.Exit(clierr.Failed, "not confirmed")
	}
	return nil
}

// WriteJSON writes v as indented JSON with a trailing newline: jdash's own JSON convention
// (Jupyter-compatible bytes are produced by the jupyter package where parity matters).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// TildeHome shortens paths under the home dir for human output.
func TildeHome(p, home string) string {
	if home != "" && home != "/" && (p == home || strings.HasPrefix(p, home+"/")) {
		return "~" + p[len(home):]
	}
	return p
}

// Plural is "1 file" / "3 files".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
