package integration

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// What each real env's own Python says about itself: sys.prefix, its version, whether it is
// a venv, and the versions importlib.metadata gives for the Jupyter packages.
const introspect = `
import sys, json, importlib.metadata as md
names = sys.argv[1].split(",")
norm = lambda n: n.lower().replace("_", "-").replace(".", "-")
want = {norm(n): n for n in names}
pk = {}
for d in md.distributions(path=[p for p in sys.path if p.startswith(sys.prefix)]):
    n = norm(d.metadata["Name"] or "")
    if n in want and want[n] not in pk:
        pk[want[n]] = d.version
v = sys.version_info
ver = "%d.%d.%d" % v[:3] + ({"alpha": "a", "beta": "b", "candidate": "rc"}.get(v.releaselevel, "") + (str(v.serial) if v.releaselevel != "final" else ""))
print(json.dumps({"prefix": sys.prefix, "python_version": ver, "venv": sys.prefix != sys.base_prefix, "packages": pk}))
`

var jupyterPackages = "jupyter_core,jupyter_client,jupyter_server,notebook,nbclassic,jupyterlab,ipykernel,ipywidgets,jupyter_kernel_gateway,jupyter_enterprise_gateway,voila,jupyter_contrib_nbextensions,jupyter_contrib_core,jupyter_nbextensions_configurator,jupyter_dashboards,jupyter_dashboards_bundlers,tornado,traitlets,setuptools"

// TestEnvsAgainstPython checks jdash's file-only description of every real test env against
// what the env's own interpreter reports.
func TestEnvsAgainstPython(t *testing.T) {
	integration(t)
	for _, name := range TestEnvNames {
		prefix := requireEnv(t, name)
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command(filepath.Join(prefix, "bin", "python"), "-c", introspect, jupyterPackages).Output()
			if err != nil {
				t.Fatal(err)
			}
			var py struct {
				Prefix        string            `json:"prefix"`
				PythonVersion string            `json:"python_version"`
				Venv          bool              `json:"venv"`
				Packages      map[string]string `json:"packages"`
			}
			if err := json.Unmarshal(out, &py); err != nil {
				t.Fatal(err)
			}
			jd, err := exec.Command(jdashBin, "envs", "show", prefix, "--json").Output()
			if err != nil {
				t.Fatal(err)
			}
			var env struct {
				Kind          string            `json:"kind"`
				Prefix        string            `json:"prefix"`
				PythonVersion string            `json:"python_version"`
				Broken        bool              `json:"broken"`
				Venv          *json.RawMessage  `json:"venv"`
				Packages      map[string]string `json:"packages"`
			}
			if err := json.Unmarshal(jd, &env); err != nil {
				t.Fatal(err)
			}
			if env.Prefix != py.Prefix || env.PythonVersion != py.PythonVersion || env.Broken {
				t.Errorf("jdash: prefix %q python %q broken %v; python: prefix %q version %q", env.Prefix, env.PythonVersion, env.Broken, py.Prefix, py.PythonVersion)
			}
			if (env.Venv != nil) != py.Venv {
				t.Errorf("venv: jdash %v, python %v", env.Venv != nil, py.Venv)
			}
			if name == "conda" && env.Kind != "conda" {
				t.Errorf("conda layout reported as %s", env.Kind)
			}
			if !reflect.DeepEqual(env.Packages, py.Packages) {
				t.Errorf("packages differ:\n jdash:  %v\n python: %v", env.Packages, py.Packages)
			}
		})
	}
}

// TestEnvsListsRealEnvs runs `jdash envs` over the build dir and expects every test env.
func TestEnvsListsRealEnvs(t *testing.T) {
	integration(t)
	out, err := exec.Command(jdashBin, "envs", "--workspace", filepath.Join(buildDir(), "testenvs")).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range TestEnvNames {
		if !strings.Contains(string(out), filepath.Join(buildDir(), "testenvs", name)) {
			t.Errorf("jdash envs misses %s:\n%s", name, out)
		}
	}
	t.Logf("\n%s", out)
}
