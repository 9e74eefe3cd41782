package doctor

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// DeepScript is what `doctor --deep` runs, once, in the env's own interpreter: jupyter_core's
// paths, jupyter_client's kernelspecs, the user site and sys.path, as JSON.
const DeepScript = `import json, site, sys
out = {"executable": sys.executable, "prefix": sys.prefix, "path": sys.path,
       "user_site_enabled": bool(site.ENABLE_USER_SITE), "user_site": site.getusersitepackages()}
try:
    from jupyter_core import paths as p
    out["jupyter_path"] = p.jupyter_path()
    out["config_path"] = p.jupyter_config_path()
    out["runtime_dir"] = p.jupyter_runtime_dir()
except Exception as e:
    out["jupyter_core_error"] = repr(e)
try:
    from jupyter_client.kernelspec import KernelSpecManager
    specs = KernelSpecManager().get_all_specs()
    out["kernels"] = {k: {"resource_dir": v["resource_dir"], "argv": v["spec"].get("argv", [])} for k, v in specs.items()}
except Exception as e:
    out["kernels_error"] = repr(e)
print(json.dumps(out))
`

// Deep is the interpreter's answer.
type Deep struct {
	Executable      string                `json:"executable"`
	Prefix          string                `json:"prefix"`
	Path            []string              `json:"path"`
	UserSiteEnabled bool                  `json:"user_site_enabled"`
	UserSite        string                `json:"user_site"`
	JupyterPath     []string              `json:"jupyter_path"`
	ConfigPath      []string              `json:"config_path"`
	RuntimeDir      string                `json:"runtime_dir"`
	CoreError       string                `json:"jupyter_core_error"`
	Kernels         map[string]DeepKernel `json:"kernels"`
	KernelsError    string                `json:"kernels_error"`
}

// DeepKernel is one spec as jupyter_client found it.
type DeepKernel struct {
	ResourceDir string   `json:"resource_dir"`
	Argv        []string `json:"argv"`
}

// ParseDeep reads the script's output (its last line: imports may print before it).
func ParseDeep(out []byte) (*Deep, error) {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var d Deep
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &d); err != nil {
		return nil, fmt.Errorf("the interpreter's answer is not the expected JSON: %w", err)
	}
	return &d, nil
}

// DeepDiff is one disagreement between the interpreter and jdash's model.
type DeepDiff struct {
	What   string
	Python string
	Native string
}

// Diffs compares the interpreter's answer with the snapshot's native model.
func (d *Deep) Diffs(s *Snapshot) []DeepDiff {
	var out []DeepDiff
	add := func(what string, py, native any) {
		out = append(out, DeepDiff{What: what, Python: fmt.Sprint(py), Native: fmt.Sprint(native)})
	}
	if d.CoreError == "" {
		if py := underRoot(d.JupyterPath, s.SystemRoot); !slices.Equal(py, s.Paths.DataDirs()) {
			add("the data path (jupyter_path())", py, s.Paths.DataDirs())
		}
		if py := underRoot(d.ConfigPath, s.SystemRoot); !isSet(s.Vars, "JUPYTER_NO_CONFIG") && !slices.Equal(py, s.Paths.ConfigDirs()) {
			add("the config path (jupyter_config_path())", py, s.Paths.ConfigDirs())
		}
		if d.RuntimeDir != s.Paths.Runtime.Path {
			add("the runtime dir", d.RuntimeDir, s.Paths.Runtime.Path)
		}
	}
	if d.UserSiteEnabled != s.Paths.UserSite {
		add("whether the user site is enabled", d.UserSiteEnabled, s.Paths.UserSite)
	}
	if s.Paths.UserSite && s.PythonVersion != "" {
		if native := filepath.Join(s.Paths.UserBase, "lib", "python"+s.PythonVersion, "site-packages"); d.UserSite != native {
			add("the user site dir", d.UserSite, native)
		}
	}
	// every existing site dir of the model is on sys.path, in the model's order, and sys.path
	// has no site dir the model lacks
	var onPath []string
	for _, p := range d.Path {
		if isSiteDir(p) {
			onPath = append(onPath, p)
		}
	}
	if !slices.Equal(onPath, s.SiteDirs) {
		add("the site dirs on sys.path", onPath, s.SiteDirs)
	}
	if d.KernelsError == "" && d.Kernels != nil {
		native := map[string]string{}
		for _, k := range s.Kernels {
			if k.Wins && k.Err == "" {
				native[k.Name] = k.Dir
			}
		}
		var names []string
		for n := range d.Kernels {
			names = append(names, n)
		}
		for n := range native {
			if _, ok := d.Kernels[n]; !ok {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		for _, n := range names {
			pk, inPy := d.Kernels[n]
			dir, inNative := native[n]
			switch {
			case !inPy:
				add(fmt.Sprintf("kernel %q", n), "not listed", dir)
			case !inNative:
				add(fmt.Sprintf("kernel %q", n), pk.ResourceDir, "not found")
			case dir != "" && pk.ResourceDir != dir:
				add(fmt.Sprintf("kernel %q's dir", n), pk.ResourceDir, dir)
			}
		}
	}
	return out
}

func isSiteDir(p string) bool {
	b := filepath.Base(p)
	return b == "site-packages" || b == "dist-packages"
}

// systemDirs are the machine-wide dirs that system_root moves (jupyter.Resolve).
var systemDirs = []string{"/usr/local/share/jupyter", "/usr/share/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"}

// underRoot maps the interpreter's machine-wide dirs under system_root, as the model has them.
func underRoot(dirs []string, root string) []string {
	if root == "" {
		return dirs
	}
	out := make([]string, len(dirs))
	for i, d := range dirs {
		out[i] = d
		if slices.Contains(systemDirs, d) {
			out[i] = filepath.Join(root, d)
		}
	}
	return out
}

func isSet(vars map[string]string, k string) bool { return vars[k] != "" }
