package setup

import (
	"path/filepath"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/install"
)

// Choices are what a setup applied to an env, kept in <prefix>/.jdash/setup.json so that a
// re-run without flags keeps them: a profile, and the stack settings written into the
// level's config. (Never a token: they do not go into config.)
type Choices struct {
	Profile    string `json:"profile"`
	IP         string `json:"ip"`
	Port       int    `json:"port"`
	GatewayURL string `json:"gateway_url,omitempty"`
	// Packages are the distributions the setup's install changed: what --undo cannot undo
	// (pip has no undo), named with the command that would.
	Packages []install.Change `json:"packages,omitempty"`
}

// ChoicesFile is where an env's choices are kept.
func ChoicesFile(prefix string) string { return filepath.Join(fsx.EnvStateDir(prefix), "setup.json") }

// LoadChoices reads the env's choices (nil when it was never set up by jdash).
func LoadChoices(fsys fsx.FS, prefix string) (*Choices, error) {
	var c Choices
	if found, err := fsx.ReadJSON(fsys, ChoicesFile(prefix), &c); !found || err != nil {
		return nil, err
	}
	return &c, nil
}

// SaveChoices records them through w (journaled with the setup, so an undo restores the
// previous record too).
func SaveChoices(w fsx.Writer, prefix string, c Choices) error {
	return fsx.WriteJSON(w, ChoicesFile(prefix), c, 0o644, 0o755)
}
