package patch

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/jdash-dev/jdash/internal/pyrun"
)

// verifyScript imports each module. Modules may print while importing: their output goes to
// stderr, the JSON alone to stdout.
const verifyScript = `import importlib, json, sys
out, sys.stdout = sys.stdout, sys.stderr
res = {}
for m in sys.argv[1:]:
    try:
        importlib.import_module(m)
        res[m] = "ok"
    except BaseException as e:
        res[m] = "%s: %s" % (type(e).__name__, e)
out.write(json.dumps(res) + "\n")
`

// Outcome is one module's verification.
type Outcome struct {
	Module string `json:"module"`
	Result string `json:"result"` // ok or failed
	Detail string `json:"detail,omitempty"`
}

// Verification is a verify run: each module's outcome, and what the imports wrote.
type Verification struct {
	Modules []Outcome `json:"modules"`
	// Wrote lists the files the imports created in the sandbox (paths under its HOME, XDG,
	// Jupyter, temp and working dirs, relative to the sandbox): none of them reached yours.
	Wrote []string `json:"wrote"`
}

// VerifyModules are the modules to import: every patched one and every one a rule would
// touch now.
func (e *Env) VerifyModules(rules []Rule, python string) ([]string, error) {
	mods, err := e.PatchedModules()
	if err != nil {
		return nil, err
	}
	sts, err := Plan(e, rules, python)
	if err != nil {
		return nil, err
	}
	for _, s := range sts {
		for _, fl := range s.Files {
			if m := e.ModuleOf(fl.Path); m != "" {
				mods = append(mods, m)
			}
		}
	}
	slices.Sort(mods)
	return slices.Compact(mods), nil
}

// Verify imports the modules with the env's own interpreter, once, in a sandbox: HOME, the
// XDG dirs, the Jupyter and IPython dirs, the temp dir and the working dir are a throwaway
// dir, and every proxy variable points at a closed local port, so that a download fails at
// once. A module that raises while it is imported has failed, whatever it raised; what the
// imports wrote is reported, and removed with the sandbox.
func Verify(ctx context.Context, py pyrun.Interpreter, mods []string) (*Verification, error) {
	box, err := os.MkdirTemp("", "jdash-verify-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(box)
	dirs := map[string]string{"HOME": "home", "XDG_CONFIG_HOME": "xdg/config", "XDG_DATA_HOME": "xdg/data", "XDG_CACHE_HOME": "xdg/cache",
		"XDG_STATE_HOME": "xdg/state", "XDG_RUNTIME_DIR": "xdg/runtime", "JUPYTER_CONFIG_DIR": "jupyter/config",
		"JUPYTER_DATA_DIR": "jupyter/data", "JUPYTER_RUNTIME_DIR": "jupyter/runtime", "IPYTHONDIR": "ipython", "TMPDIR": "tmp"}
	var set []string
	for k, d := range dirs {
		p := filepath.Join(box, d)
		if err := os.MkdirAll(p, 0o700); err != nil {
			return nil, err
		}
		set = append(set, k+"="+p)
	}
	const noNet = "http://127.0.0.1:9" // discard port: connection refused
	for _, k := range []string{"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"} {
		set = append(set, k+"="+noNet)
	}
	set = append(set, "no_proxy=", "NO_PROXY=", "PYTHONDONTWRITEBYTECODE=1")
	cwd := filepath.Join(box, "cwd")
	if err := os.MkdirAll(cwd, 0o700); err != nil {
		return nil, err
	}
	out, err := py.RunIn(ctx, set, cwd, append([]string{"-c", verifyScript}, mods...)...)
	if err != nil {
		return nil, err
	}
	var res map[string]string
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("verify: reading the interpreter's answer: %w", err)
	}
	v := &Verification{Modules: []Outcome{}, Wrote: []string{}}
	for _, m := range mods {
		if r := res[m]; r == "ok" {
			v.Modules = append(v.Modules, Outcome{Module: m, Result: "ok"})
		} else {
			v.Modules = append(v.Modules, Outcome{Module: m, Result: "failed", Detail: r})
		}
	}
	_ = filepath.WalkDir(box, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(box, p)
			v.Wrote = append(v.Wrote, rel)
		}
		return nil
	})
	return v, nil
}

// Advice lists what the env's installed packages need: the rules with a file to patch now
// (needs-patch) and the pin-only ones that apply. This is what `jdash setup` reports for
// `jdash patch` to repair.
func Advice(e *Env, rules []Rule, python string) ([]Status, error) {
	sts, err := Plan(e, rules, python)
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, s := range sts {
		if s.State == "needs-patch" || s.State == "pin-only" {
			out = append(out, s)
		}
	}
	return out, nil
}
