// Package pyrun runs Python inside a given env: always <prefix>'s own interpreter, never
// whatever "python" or "jupyter" PATH would pick (that is one of the leaks jdash stops).
package pyrun

import (
	"github.com/jdash-dev/jdash/internal/runner"

	"context"
	"encoding/json"
	"fmt"
)

// Interpreter is an env's python, started through the one runner.
type Interpreter struct {
	Path   string
	Runner *runner.Runner
	// Cache and Stamp (optional) let JSON answers about a module be reused while the
	// module's files are unchanged; Stamp returns "" for an unknown module.
	Cache *Cache
	Stamp func(module string) string
}

// Query runs a script that prints JSON about module, through the cache.
func (in Interpreter) Query(ctx context.Context, module, script string, args ...string) ([]byte, error) {
	stamp := ""
	if in.Stamp != nil {
		stamp = in.Stamp(module)
	}
	key := module + "\x00" + script
	if out, ok := in.Cache.get(key, stamp); ok {
		return out, nil
	}
	out, err := in.Run(ctx, append([]string{"-c", script}, args...)...)
	if err != nil {
		return nil, err
	}
	in.Cache.put(key, stamp, out)
	return out, nil
}

// RunIn runs the interpreter with args in dir, with the variables of set on top of the
// runner's deliberate environment.
func (in Interpreter) RunIn(ctx context.Context, set []string, dir string, args ...string) ([]byte, error) {
	if in.Path == "" {
		return nil, fmt.Errorf("this env has no Python interpreter")
	}
	if in.Runner == nil {
		return nil, fmt.Errorf("pyrun: no runner")
	}
	return in.Runner.Run(ctx, runner.Cmd{Path: in.Path, Args: args, Set: set, Dir: dir})
}

// Run runs the interpreter with args (isolated from the user's PYTHON* variables by the
// runner) and returns stdout; a failure carries the last line of stderr.
func (in Interpreter) Run(ctx context.Context, args ...string) ([]byte, error) {
	if in.Path == "" {
		return nil, fmt.Errorf("this env has no Python interpreter")
	}
	if in.Runner == nil {
		return nil, fmt.Errorf("pyrun: no runner")
	}
	return in.Runner.Run(ctx, runner.Cmd{Path: in.Path, Args: args})
}

// NBExtensionPaths is one entry of a module's _jupyter_nbextension_paths().
type NBExtensionPaths struct {
	Section string `json:"section"`
	Src     string `json:"src"`
	Dest    string `json:"dest"`
	Require string `json:"require"`
}

// ModuleNBExtensions imports module in the env once and returns its directory and its
// _jupyter_nbextension_paths().
func (in Interpreter) ModuleNBExtensions(ctx context.Context, module string) (dir string, paths []NBExtensionPaths, err error) {
	const script = `import importlib, json, os, sys
m = importlib.import_module(sys.argv[1])
f = getattr(m, "_jupyter_nbextension_paths", None)
if f is None:
    sys.exit("%s has no _jupyter_nbextension_paths()" % sys.argv[1])
print(json.dumps({"dir": os.path.dirname(os.path.abspath(m.__file__)), "paths": f()}))
`
	out, err := in.Query(ctx, module, script, module)
	if err != nil {
		return "", nil, err
	}
	var res struct {
		Dir   string             `json:"dir"`
		Paths []NBExtensionPaths `json:"paths"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return "", nil, fmt.Errorf("reading %s's nbextension paths: %w", module, err)
	}
	return res.Dir, res.Paths, nil
}
