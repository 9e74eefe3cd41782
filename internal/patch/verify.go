package patch

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pyrun"
	"github.com/jdash-dev/jdash/internal/pysrc"
)

// verifyScript imports each module, or, for a script, runs only the statements the rules
// touch (the marked blocks, or the imports a rule would rewrite) in a namespace of that module:
// importing a script runs it (contrib's dictionary download). Their output goes to stderr,
// the JSON alone to stdout.
const verifyScript = `import importlib, json, sys
out, sys.stdout = sys.stdout, sys.stderr
res = {}
for job in json.loads(sys.argv[1]):
    m, f = job["module"], job["file"]
    try:
        if job["code"] is None:
            importlib.import_module(m)
        else:
            ns = {"__name__": m, "__package__": m.rpartition(".")[0], "__file__": f, "__builtins__": __builtins__}
            for code in job["code"]:
                exec(compile(code, f, "exec"), ns)
        res[m] = "ok"
    except BaseException as e:
        res[m] = "%s: %s" % (type(e).__name__, e)
out.write(json.dumps(res) + "\n")
`

// Outcome is one module's verification.
type Outcome struct {
	Module string `json:"module"`
	Result string `json:"result"` // ok, failed, or skipped (a script with nothing to run alone)
	Detail string `json:"detail,omitempty"`
	// Script: a .py file outside any package, whose import would run it; only the statements
	// the rules touch ran (Checked of them), the rest was skipped.
	Script  bool `json:"script,omitempty"`
	Checked int  `json:"checked,omitempty"`
}

// Verification is a verify run: each module's outcome, and what the statements wrote.
type Verification struct {
	Modules []Outcome `json:"modules"`
	// Wrote lists the files the statements created in the sandbox (paths under its HOME, XDG,
	// Jupyter, temp and working dirs, relative to the sandbox): none of them reached yours.
	Wrote []string `json:"wrote"`
}

// Target is a module to verify: its file, whether it is a script (a file outside any regular
// package: data dirs of .py files, such as contrib's nbextensions/), and the rules that would
// touch it now.
type Target struct {
	Module, File string
	Script       bool
	Rules        []Rule
}

// VerifyTargets are every patched module and every one a rule would touch now.
func (e *Env) VerifyTargets(rules []Rule, python string) ([]Target, error) {
	st, err := LoadState(e.Prefix)
	if err != nil {
		return nil, err
	}
	byFile := map[string]*Target{}
	add := func(path string) *Target {
		if byFile[path] == nil {
			if m := e.ModuleOf(path); m != "" {
				byFile[path] = &Target{Module: m, File: path, Script: e.outsidePackage(path)}
			}
		}
		return byFile[path]
	}
	for _, p := range sortedKeys(st.Files) {
		add(p)
	}
	sts, err := Plan(e, rules, python)
	if err != nil {
		return nil, err
	}
	for _, s := range sts {
		for _, fl := range s.Files {
			if t := add(fl.Path); t != nil {
				t.Rules = appendRule(t.Rules, s.Rule)
			}
		}
	}
	var out []Target
	for _, p := range sortedKeys(byFile) {
		out = append(out, *byFile[p])
	}
	return out, nil
}

// outsidePackage reports a file some dir of whose module path (below its site dir) has no
// __init__.py: Python imports it only as part of a namespace package, and it is a script.
func (e *Env) outsidePackage(path string) bool {
	for _, sp := range e.Packages.Dirs() {
		rel, err := filepath.Rel(sp, filepath.Dir(path))
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		for d := filepath.Dir(path); rel != "."; d, rel = filepath.Dir(d), filepath.Dir(rel) {
			if ok, isDir, _ := (fsx.Disk{}).Exists(filepath.Join(d, "__init__.py")); !ok || isDir {
				return true
			}
		}
		return false
	}
	return false
}

// touched are the statements of src the rules touch, each runnable alone: the marked blocks
// (dedented to their marker) and the imports jdash added, and the imports rules would rewrite.
func touched(src []byte, rules []Rule) []string {
	s := string(src)
	var out []string
	marked := markedRanges(s)
	for _, r := range marked {
		lineStart := strings.LastIndex(s[:r[0]], "\n") + 1
		out = append(out, dedent(s[lineStart:r[1]], s[lineStart:r[0]]))
	}
	for _, line := range strings.Split(s, "\n") {
		// an import a rule added for an attribute it rewrote: "import x  # jdash ID: title"
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "import ") && strings.Contains(t, "  # jdash ") && t == line {
			out = append(out, t)
		}
	}
	imps, err := pysrc.Imports(src)
	if err != nil {
		return out
	}
	for _, im := range imps {
		if inRanges(marked, im.Start) {
			continue
		}
		for _, r := range rules {
			if _, _, ok := r.rewrite(im); ok {
				out = append(out, s[im.Start:im.End])
				break
			}
		}
	}
	return out
}

// dedent removes indent from the start of every line of block.
func dedent(block, indent string) string {
	if indent == "" {
		return block
	}
	lines := strings.Split(block, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, indent)
	}
	return strings.Join(lines, "\n")
}

// Verify runs the statements the rules touch in each target with the env's own interpreter,
// once, in a sandbox: HOME, the XDG dirs, the Jupyter and IPython dirs, the temp dir and the
// working dir are a throwaway dir, and every proxy variable points at a closed local port, so
// that a download fails at once. A module whose statements raise has failed, whatever they
// raised; what they wrote is reported, and removed with the sandbox.
func Verify(ctx context.Context, py pyrun.Interpreter, targets []Target) (*Verification, error) {
	type job struct {
		Module string   `json:"module"`
		File   string   `json:"file"`
		Code   []string `json:"code"` // nil: import the module
	}
	var jobs []job
	for _, t := range targets {
		if !t.Script {
			jobs = append(jobs, job{t.Module, t.File, nil})
			continue
		}
		src, err := fsx.ReadRegular(t.File, fsx.MaxRead)
		if err != nil {
			return nil, err
		}
		if code := touched(src, t.Rules); len(code) > 0 {
			jobs = append(jobs, job{t.Module, t.File, code})
		}
	}
	arg, _ := json.Marshal(jobs) // strings only: cannot fail
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
	out, err := py.RunIn(ctx, set, cwd, "-c", verifyScript, string(arg))
	if err != nil {
		return nil, err
	}
	var res map[string]string
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("verify: reading the interpreter's answer: %w", err)
	}
	v := &Verification{Modules: []Outcome{}, Wrote: []string{}}
	for _, t := range targets {
		i := slices.IndexFunc(jobs, func(j job) bool { return j.Module == t.Module })
		o := Outcome{Module: t.Module, Script: t.Script}
		switch {
		case i < 0:
			o.Result, o.Detail = "skipped", "a script with no statement the rules touch that runs alone"
		case res[t.Module] == "ok":
			o.Result, o.Checked = "ok", len(jobs[i].Code)
		default:
			o.Result, o.Detail, o.Checked = "failed", res[t.Module], len(jobs[i].Code)
		}
		v.Modules = append(v.Modules, o)
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
