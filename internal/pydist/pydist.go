// Package pydist writes a distribution of one Python module into a site dir the way an
// installer does (the module, and a dist-info with METADATA, INSTALLER and RECORD), so that
// pip lists it, verifies it and can uninstall it. jdash installs its own small modules
// (uiconfig's config manager, deployext's Deploy endpoint) this way.
package pydist

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// Module is one single-file module and its distribution.
type Module struct {
	Name, Dist, Version, Summary string
	Source                       []byte
}

// installer is what INSTALLER says of the distributions jdash writes: pip lists them, but no
// index has them.
const installer = "jdash"

// Ours reports a distribution jdash installed, from its dist-info (or egg-info) dir info.
func Ours(fsys fsx.FS, info string) bool {
	b, err := fsys.ReadFile(filepath.Join(info, "INSTALLER"))
	return err == nil && strings.TrimSpace(string(b)) == installer
}

// InfoDir is the dist-info dir's name.
func (m Module) InfoDir() string { return m.Dist + "-" + m.Version + ".dist-info" }

// Install writes m into siteDir through w.
func Install(w fsx.Writer, siteDir string, m Module) error {
	info := m.InfoDir()
	files := []struct {
		rel  string
		data []byte
	}{
		{m.Name + ".py", m.Source},
		{info + "/METADATA", []byte("Metadata-Version: 2.1\nName: " + m.Dist + "\nVersion: " + m.Version + "\nSummary: " + m.Summary + "\n")},
		{info + "/INSTALLER", []byte(installer + "\n")},
	}
	var record strings.Builder
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f.rel, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.data))
	}
	fmt.Fprintf(&record, "%s/RECORD,,\n", info)
	files = append(files, struct {
		rel  string
		data []byte
	}{info + "/RECORD", []byte(record.String())})
	if err := w.MkdirAll(filepath.Join(siteDir, info), 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if _, err := w.WriteFile(filepath.Join(siteDir, filepath.FromSlash(f.rel)), f.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
