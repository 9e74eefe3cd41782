// Package deployext is Deploy in the notebook UIs of an env: what `jdash setup` puts into an
// env so that its notebook servers publish to the stack's dashboards service. Two parts:
//
//   - jdash_deploy (embedded Python): a jupyter_server extension that registers nbclassic's
//     bundler route (File > Deploy as, which nbclassic ships but never routes) and the
//     endpoint of JupyterLab's command (POST /jdash/deploy), which holds the upload token;
//   - jdash-deploy: the prebuilt labextension of the "Deploy as dashboard" command for
//     JupyterLab 4 and Notebook 7, built from labext/jdash-deploy by scripts/build-labext.sh
//     and embedded when it was built (a jdash built without Node has none, and says so).
package deployext

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pydist"
	"github.com/jdash-dev/jdash/internal/serverext"
)

//go:embed jdash_deploy.py
var source []byte

//go:embed labextension
var built embed.FS

// Module is the server extension's module; LabName the labextension's package name.
const (
	Module  = "jdash_deploy"
	LabName = "jdash-deploy"
)

var dist = pydist.Module{Name: Module, Dist: Module, Version: "1", Source: source,
	Summary: "Deploy as dashboard from the notebook UIs of this env to the jdash stack's dashboards service (installed by jdash setup)"}

// InstallEndpoint writes the server extension into siteDir and enables it at the level's
// config dir, as `jupyter server extension enable --sys-prefix` does.
func InstallEndpoint(w fsx.Writer, siteDir, levelDir string) error {
	if err := pydist.Install(w, siteDir, dist); err != nil {
		return err
	}
	_, _, err := serverext.Toggle(w, levelDir, serverext.Server, Module, true)
	return err
}

// ErrNotBuilt says this jdash carries no labextension (built without Node).
var ErrNotBuilt = fmt.Errorf("this jdash was built without the JupyterLab/Notebook 7 %q extension (no Node at build time: scripts/build.sh builds it where node and npm are on PATH); File > Deploy as in nbclassic and jdash deploy work without it", LabName)

// Built reports whether this jdash carries the labextension.
func Built() bool {
	_, err := fs.Stat(built, path.Join("labextension", LabName, "package.json"))
	return err == nil
}

// InstallLab copies the prebuilt labextension into a labextensions dir (the level's
// share/jupyter/labextensions), where a wheel's data files put one: JupyterLab and Notebook 7
// load it from there, enabled. The assets of an earlier build (their names carry a content
// hash) are removed.
func InstallLab(w fsx.Writer, labextensionsDir string) error {
	if !Built() {
		return ErrNotBuilt
	}
	root := path.Join("labextension", LabName)
	static := filepath.Join(labextensionsDir, LabName, "static")
	old, _ := w.ReadDirNames(static)
	for _, n := range old {
		if _, err := fs.Stat(built, path.Join(root, "static", n)); err != nil {
			if _, err := w.Remove(filepath.Join(static, n)); err != nil {
				return err
			}
		}
	}
	return fs.WalkDir(built, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		dst := filepath.Join(labextensionsDir, LabName, rel)
		if d.IsDir() {
			return w.MkdirAll(dst, 0o755)
		}
		data, err := built.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.WriteFile(dst, data, 0o644)
		return err
	})
}
