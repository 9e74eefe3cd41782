package patch

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/pyrun"
)

// verifyScript imports each module and reports. Modules may print while importing: their
// output goes to stderr, the JSON alone to stdout.
const verifyScript = `import importlib, json, sys
out, sys.stdout = sys.stdout, sys.stderr
res = {}
for m in sys.argv[1:]:
    try:
        importlib.import_module(m)
        res[m] = "ok"
    except (ImportError, SyntaxError) as e:
        res[m] = "FAILED %s: %s" % (type(e).__name__, e)
    except BaseException as e:
        # the imports resolved; the module's own code raised (a script that downloads, ...)
        res[m] = "RAN %s: %s" % (type(e).__name__, e)
out.write(json.dumps(res) + "\n")
`

// Outcome is one module's verification.
type Outcome struct {
	Module string `json:"module"`
	Result string `json:"result"` // ok, failed, ran
	Detail string `json:"detail,omitempty"`
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

// Verify imports the modules with the env's own interpreter, once.
func Verify(ctx context.Context, py pyrun.Interpreter, mods []string) ([]Outcome, error) {
	out, err := py.Run(ctx, append([]string{"-c", verifyScript}, mods...)...)
	if err != nil {
		return nil, err
	}
	var res map[string]string
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("verify: reading the interpreter's answer: %w", err)
	}
	var outcomes []Outcome
	for _, m := range mods {
		r := res[m]
		switch {
		case r == "ok":
			outcomes = append(outcomes, Outcome{Module: m, Result: "ok"})
		case strings.HasPrefix(r, "RAN "):
			outcomes = append(outcomes, Outcome{Module: m, Result: "ran", Detail: strings.TrimPrefix(r, "RAN ")})
		default:
			outcomes = append(outcomes, Outcome{Module: m, Result: "failed", Detail: strings.TrimPrefix(r, "FAILED ")})
		}
	}
	return outcomes, nil
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
