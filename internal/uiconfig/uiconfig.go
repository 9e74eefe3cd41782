// Package uiconfig keeps what a notebook's UI saves at the env's level. Jupyter's
// ConfigManager (notebook 6 and jupyter_server alike) reads the frontend config from every
// config dir but writes it into jupyter_config_dir()/nbconfig, the user's ~/.jupyter, which
// every env reads; its write_config_dir is not configurable. The one place that is, is the
// app's config_manager_class: jdash_nbconfig (embedded here) subclasses the manager so that
// writes go to the env's own etc/jupyter/nbconfig, with write_config_dir configurable for a
// user who wants another place. `jdash setup` installs it into the env (a distribution pip
// knows) and names it in the env's config; `jdash up` names it on the command line.
package uiconfig

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
)

//go:embed jdash_nbconfig.py
var source []byte

// Module is the Python module's name, and Dist its distribution (name and version).
const (
	Module  = "jdash_nbconfig"
	Dist    = "jdash_nbconfig"
	Version = "1"
)

// Source is the module's code.
func Source() []byte { return source }

// Class is the config_manager_class for a server app (NotebookApp or ServerApp).
func Class(app string) string {
	if app == "NotebookApp" {
		return Module + ".NotebookConfigManager"
	}
	return Module + ".ServerConfigManager"
}

// Trait is the app's config trait that names the class.
const Trait = "config_manager_class"

// Install writes the module into siteDir as a distribution pip can list and uninstall:
// the module, and a dist-info with METADATA, INSTALLER and RECORD.
func Install(w fsx.Writer, siteDir string) error {
	info := filepath.Join(siteDir, Dist+"-"+Version+".dist-info")
	files := []struct {
		rel  string
		data []byte
	}{
		{Module + ".py", source},
		{filepath.Base(info) + "/METADATA", []byte("Metadata-Version: 2.1\nName: " + Dist + "\nVersion: " + Version +
			"\nSummary: the notebook frontend's config written at the env's level (installed by jdash setup)\n")},
		{filepath.Base(info) + "/INSTALLER", []byte("jdash\n")},
	}
	var record strings.Builder
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f.rel, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.data))
	}
	fmt.Fprintf(&record, "%s/RECORD,,\n", filepath.Base(info))
	files = append(files, struct {
		rel  string
		data []byte
	}{filepath.Base(info) + "/RECORD", []byte(record.String())})
	if err := w.MkdirAll(info, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if _, err := w.WriteFile(filepath.Join(siteDir, filepath.FromSlash(f.rel)), f.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
