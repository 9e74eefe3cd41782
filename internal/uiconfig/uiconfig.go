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
	_ "embed"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pydist"
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

// Install writes the module into siteDir as a distribution pip can list and uninstall.
func Install(w fsx.Writer, siteDir string) error {
	return pydist.Install(w, siteDir, pydist.Module{Name: Module, Dist: Dist, Version: Version, Source: source,
		Summary: "the notebook frontend's config written at the env's level (installed by jdash setup)"})
}
