package doctor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// Check is one row of the table: a pure function of the snapshot.
type Check struct {
	ID       string
	Group    string
	Severity Severity // the default; a check may report a finding lower or higher, as its rule says
	Ref      string   // the leak catalogue's row (supervisor-and-doctor.md §5) or the seed's check
	Title    string
	Deep     bool // needs --deep
	Run      func(*Snapshot) []Finding
}

// Checks is the table, in report order.
var Checks = []Check{
	{"kernel-python3-shadow", "kernels", Error, "L1", "a python3 kernelspec runs another interpreter than this env's", false, checkPython3Shadow},
	{"kernel-dangling", "kernels", Error, "L2", "a kernelspec starts an interpreter that is gone", false, checkDangling},
	{"kernel-system-user-env", "kernels", Warning, "L3", "a machine-wide kernelspec runs a user's env", false, checkSystemUserEnv},
	{"kernel-syssite-base", "kernels", Warning, "L13", "a system-site venv's kernelspec runs the base Python", false, checkSyssiteBase},
	{"kernel-duplicate", "kernels", Info, "L15", "several kernelspecs run one interpreter, or share a display name", false, checkDuplicateKernels},
	{"kernel-env-no-ipykernel", "kernels", Warning, "jdash kernel", "a kernelspec runs an env that has no ipykernel", false, checkNoIpykernel},
	{"kernel-jdash-env-gone", "kernels", Error, "jdash kernel", "a kernel jdash made runs an env that is gone", false, checkJdashEnvGone},
	{"kernel-user-replaceable", "kernels", Info, "jdash kernel", "a --user kernelspec for another env, which jdash kernel add keeps at this env's level", false, checkUserReplaceable},
	{"kernel-malformed", "kernels", Warning, "bad input", "a kernel.json Jupyter cannot read", false, checkMalformedKernels},
	{"kernel-quarantined", "kernels", Info, "fix", "kernelspecs doctor --fix quarantined", false, checkQuarantined},
	{"serverext-not-importable", "extensions", Error, "L5, I-2", "an enabled server extension is not importable in this env", false, checkServerextImportable},
	{"bundler-not-importable", "extensions", Error, "seed", "an enabled bundler is not importable in this env", false, checkBundlers},
	{"nbext-missing-js", "extensions", Error, "seed", "an enabled nbextension has no files in any nbextensions dir (404)", false, checkNbextJS},
	{"ext-shared-level", "extensions", Warning, "seed", "an extension enabled at --user or system level reaches every env", false, checkSharedLevel},
	{"ui-config-user", "extensions", Warning, "UI", "a notebook's UI saved frontend settings at the user level", false, checkUIConfig},
	{"ext-several-levels", "extensions", Warning, "L6", "the same extension is set at several levels", false, checkSeveralLevels},
	{"labext-user-shadow", "extensions", Error, "L7", "a user-level labextension shadows the env's own version", false, checkLabextShadow},
	{"labext-user-disabled", "extensions", Warning, "jdash labext", "the user's page config disables a labextension in every env", false, checkLabextUserDisabled},
	{"labext-package-missing", "extensions", Warning, "jdash labext", "a labextension's Python package is not installed in this env", false, checkLabextPackage},
	{"frontend-ext-missing", "extensions", Warning, "L12", "a kernel's widget package has no frontend extension in this server env", false, checkFrontendMissing},
	{"lab-settings-split", "extensions", Warning, "L16", "Lab settings live in both the legacy and the platformdirs dir", false, checkLabSplit},
	{"jupyter-env-vars", "paths", Warning, "L9", "a Jupyter path variable is exported for every env", false, checkJupyterVars},
	{"prefer-env-conflict", "paths", Warning, "L8", "user and env dirs disagree, and the order decides", false, checkPreferEnv},
	{"jupyter-on-path", "paths", Warning, "L14", "a jupyter command of this env resolves to another env's on PATH", false, checkPathCommands},
	{"python-vars", "python", Error, "L10", "PYTHONPATH / PYTHONHOME leak into servers and kernels", false, checkPythonVars},
	{"user-site-shadow", "python", Error, "L4", "the user site shadows this env's packages", false, checkUserSite},
	{"ipython-profile", "python", Warning, "L11", "an IPython profile loads a module this env lacks in every kernel", false, checkIPython},
	{"compat-breakage", "compat", Error, "seed, patch rules", "installed versions that break on import (a jdash patch rule or a pin repairs them)", false, checkCompat},
	{"port-in-use", "runtime", Warning, "seed", "a configured port is already in use", false, checkPorts},
	{"runtime-stale", "runtime", Warning, "seed", "a server's runtime file outlived its process", false, checkStaleRuntime},
	{"secret-in-config", "runtime", Warning, "seed", "a token or password in shared config or in a file others can read", false, checkSecrets},
	{"open-ip-no-token", "runtime", Error, "seed", "the server listens beyond loopback with an empty token", false, checkOpenIP},
	{"file-unreadable", "files", Warning, "bad input", "a Jupyter file that cannot be read or parsed", false, checkProblems},
	{"deep-mismatch", "model", Error, "--deep", "the env's own Python disagrees with jdash's model", true, checkDeep},
}

// CheckByID finds a row.
func CheckByID(id string) (Check, bool) {
	for _, c := range Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// Run runs the selected checks (all when ids is empty; deep checks only with a deep answer)
// and returns their findings, sorted. A check that panics is itself a finding: one bad
// check never hides the others.
func Run(s *Snapshot, ids []string) (fs []Finding, ran int) {
	for _, c := range Checks {
		if len(ids) > 0 && !slices.Contains(ids, c.ID) {
			continue
		}
		if c.Deep && s.Deep == nil {
			continue
		}
		ran++
		fs = append(fs, runOne(c, s)...)
	}
	sortFindings(fs)
	return fs, ran
}

func runOne(c Check, s *Snapshot) (out []Finding) {
	defer func() {
		if r := recover(); r != nil {
			out = []Finding{{ID: c.ID, Group: c.Group, Severity: Error, Title: fmt.Sprintf("check %s crashed: %v", c.ID, r),
				Evidence: []Evidence{}, Affects: []string{s.Prefix}, Fix: Fix{Commands: []string{}}}}
		}
	}()
	for _, f := range c.Run(s) {
		f.ID, f.Group = c.ID, c.Group
		if f.Severity == "" {
			f.Severity = c.Severity
		}
		if f.Affects == nil {
			f.Affects = []string{s.Prefix}
		}
		if f.Evidence == nil {
			f.Evidence = []Evidence{}
		}
		if f.Fix.Commands == nil {
			f.Fix.Commands = []string{}
		}
		f.Fix.Auto = f.Action != nil
		out = append(out, f)
	}
	return out
}

// ---- kernels ----

func normalize(n string) string {
	return strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(n))
}

func resolve(p string) string { return fsx.ResolveExisting(p) }
