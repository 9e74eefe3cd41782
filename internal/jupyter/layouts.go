package jupyter

import (
	"fmt"
	"strings"

	"github.com/jdash-dev/jdash/internal/pyver"
)

// Layout is a release that moved Jupyter's modules or files, as a PEP 440 gate on the
// installed version of one package. Gates name the pre-release a layout arrived in, since
// jdash judges installed versions with pre-releases in PEP 440 order (pyver.Spec.Contains).
type Layout struct {
	Name, Package, Spec, Why string
}

// Layouts is the one list of these facts; code asks by name (jupyter.Has("notebook7", ...))
// and data refers to them as "@name" (internal/patch/rules.yaml).
var Layouts = map[string]Layout{
	"notebook7": {"notebook7", "notebook", ">=7.0.0.dev0",
		"notebook 7 (from 7.0.0a1) is a jupyter_server app: notebook.nbextensions, notebook.base, notebook.utils and the classic server moved to nbclassic and jupyter_server"},
}

// Holds reports whether the named layout is what an installed version (of the layout's
// package; "" when absent) has.
func (l Layout) Holds(installed string) bool {
	return installed != "" && pyver.MustSpec(l.Spec).ContainsString(installed)
}

// LayoutSpec resolves a constraint that may name a layout ("@notebook7") to its specifier.
func LayoutSpec(constraint, pkg string) (string, error) {
	name, ok := strings.CutPrefix(constraint, "@")
	if !ok {
		return constraint, nil
	}
	l, found := Layouts[name]
	if !found {
		return "", fmt.Errorf("unknown layout %q", constraint)
	}
	if l.Package != pkg {
		return "", fmt.Errorf("layout %q is about %s, not %s", constraint, l.Package, pkg)
	}
	return l.Spec, nil
}

// IsNotebook7 reports a notebook 7 (jupyter_server based) install.
func IsNotebook7(notebookVersion string) bool { return Layouts["notebook7"].Holds(notebookVersion) }
