package cmd

import (
	"encoding/json"
	"io"
	"strings"
)

// writeJSON writes v as indented JSON with a trailing newline: jdash's own JSON convention
// (Jupyter-compatible bytes are produced by the jupyter package where parity matters).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// tildeHome shortens paths under the home dir for human output.
func tildeHome(p, home string) string {
	if home != "" && home != "/" && (p == home || strings.HasPrefix(p, home+"/")) {
		return "~" + p[len(home):]
	}
	return p
}
