package integration

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// brokenByNotebook7 are modules of the classic extensions that import what notebook 7 removed.
var brokenByNotebook7 = []string{
	"jupyter_dashboards.extensionapp", "dashboards_bundlers.server_upload", "jupyter_contrib_nbextensions.install",
	"jupyter_contrib_core.notebook_compat.nbextensions", "jupyter_contrib_nbextensions.migrate",
	"jupyter_contrib_nbextensions.nbconvert_support.execute_time",
}

// importResults imports each module with the env's Python and returns module -> "ok" or the error.
func importResults(t *testing.T, py string, mods []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range mods {
		b, err := exec.Command(py, "-c", "import "+m).CombinedOutput()
		if err != nil {
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			out[m] = lines[len(lines)-1]
		} else {
			out[m] = "ok"
		}
	}
	return out
}

// pySums is the sha256 of every .py file of the patched packages.
func pySums(t *testing.T, sp string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	for _, pkg := range []string{"jupyter_dashboards", "dashboards_bundlers", "jupyter_contrib_core", "jupyter_contrib_nbextensions", "jupyter_nbextensions_configurator"} {
		_ = filepath.Walk(filepath.Join(sp, pkg), func(p string, info os.FileInfo, err error) error {
			if err == nil && strings.HasSuffix(p, ".py") {
				b, _ := os.ReadFile(p)
				sums[p] = fmt.Sprintf("%x", sha256.Sum256(b))
			}
			return nil
		})
	}
	return sums
}

func TestPatchNotebook7Env(t *testing.T) {
	integration(t)
	env := copyTestEnv(t, "nb7compat")
	py := filepath.Join(env, "bin", "python")
	sp := filepath.Join(env, "lib", "python3.11", "site-packages")
	// A module with the pre-4.2 _get_nbext_dir import (I-1), added to jupyter_contrib_core in
	// this copy: no PyPI release we could fetch still carries that import.
	demo := filepath.Join(sp, "jupyter_contrib_core", "jdash_i1_demo.py")
	os.WriteFile(demo, []byte("from notebook.nbextensions import _get_nbext_dir as get_nbext_dir\n\nNBEXT_DIR = get_nbext_dir(None, False, None)\n"), 0o644)
	record := filepath.Join(sp, "jupyter_contrib_core-0.4.2.dist-info", "RECORD")
	rec, _ := os.ReadFile(record)
	os.WriteFile(record, append(rec, []byte("jupyter_contrib_core/jdash_i1_demo.py,,\n")...), 0o644)

	before := importResults(t, py, brokenByNotebook7)
	for m, r := range before {
		if r == "ok" {
			t.Errorf("%s imports before patching; the test env is not broken as expected", m)
		}
	}
	t.Logf("before: %v", before)
	sumsBefore := pySums(t, sp)

	list, err := runEnv(os.Environ(), jdashBin, "patch", "--list", "--env", env)
	if err != nil {
		t.Fatalf("patch --list: %v\n%s", err, list)
	}
	for _, id := range []string{"I-3", "I-4", "I-5", "I-7", "I-8", "I-9"} {
		if !strings.Contains(string(list), id+"   needs-patch") && !strings.Contains(string(list), id+"  needs-patch") {
			t.Errorf("--list does not say %s needs a patch:\n%s", id, list)
		}
	}
	dry, err := runEnv(os.Environ(), jdashBin, "patch", "--env", env, "--rule", "I-1", "--dry-run")
	if err != nil || !strings.Contains(string(dry), "+    from notebook.nbextensions import _get_nbextension_dir as _jdash_get_nbextension_dir") {
		t.Fatalf("I-1 dry run: %v\n%s", err, dry)
	}
	t.Logf("jdash patch --rule I-1 --dry-run:\n%s", dry)

	out, err := runEnv(os.Environ(), jdashBin, "patch", "--env", env)
	if err != nil {
		t.Fatalf("patch: %v\n%s", err, out)
	}
	after := importResults(t, py, brokenByNotebook7)
	for m, r := range after {
		if r != "ok" {
			t.Errorf("%s still fails after jdash patch: %s", m, r)
		}
	}
	// --verify imports the patched modules in a sandbox; contrib's spellchecker download
	// script (it writes a dictionary into HOME and downloads when imported) is a script outside
	// any package: only the imports the rules patched in it run, and they pass (issue 21:
	// verify exited 3 on every contrib env). Nothing reaches the real HOME.
	home := t.TempDir()
	vcmd := exec.Command(jdashBin, "patch", "--env", env, "--verify", "--json")
	vcmd.Env = append(os.Environ(), "HOME="+home)
	vout, verr := vcmd.Output()
	var ver struct {
		Modules []struct {
			Module, Result, Detail string
			Script                 bool
		} `json:"modules"`
		Wrote []string `json:"wrote"`
	}
	if err := json.Unmarshal(vout, &ver); err != nil || verr != nil {
		t.Fatalf("patch --verify --json: %v %v\n%s", verr, err, vout)
	}
	const download = "jupyter_contrib_nbextensions.nbextensions.spellchecker.download_new_dict"
	for _, m := range ver.Modules {
		if m.Result != "ok" || m.Script != (m.Module == download) {
			t.Errorf("%s: %s %s (script %v)", m.Module, m.Result, m.Detail, m.Script)
		}
	}
	if len(ver.Wrote) > 0 {
		t.Errorf("verify ran the download script: it wrote %v", ver.Wrote)
	}
	if ents, _ := os.ReadDir(home); len(ents) != 0 {
		t.Errorf("verify wrote into HOME: %v", ents)
	}
	t.Logf("jdash patch --verify: %d modules ok, the download script verified by its patched imports only", len(ver.Modules))
	if out, err := runEnv(os.Environ(), jdashBin, "patch", "--env", env); err != nil || !strings.Contains(string(out), "nothing to patch") {
		t.Errorf("a second patch must change nothing: %v\n%s", err, out)
	}

	if out, err := runEnv(os.Environ(), jdashBin, "patch", "--env", env, "--revert"); err != nil {
		t.Fatalf("revert: %v\n%s", err, out)
	}
	sumsAfter := pySums(t, sp)
	var diff []string
	for p, s := range sumsBefore {
		if sumsAfter[p] != s {
			diff = append(diff, p)
		}
	}
	sort.Strings(diff)
	if len(diff) > 0 || len(sumsAfter) != len(sumsBefore) {
		t.Errorf("after --revert %d files differ from the originals: %v", len(diff), diff)
	}
	t.Logf("revert: %d .py files byte-identical to the originals (sha256)", len(sumsBefore))
	if r := importResults(t, py, brokenByNotebook7[:1]); r[brokenByNotebook7[0]] == "ok" {
		t.Error("after revert the module must fail again")
	}
	if out, err := runEnv(os.Environ(), jdashBin, "patch", "--env", env); err != nil || !strings.Contains(string(out), "patched") {
		t.Fatalf("re-applying after a revert: %v\n%s", err, out)
	}
	for m, r := range importResults(t, py, brokenByNotebook7) {
		if r != "ok" {
			t.Errorf("after re-applying %s fails: %s", m, r)
		}
	}
	faultInjectPatch(t, env, sp, sumsBefore)
}

// faultInjectPatch kills `jdash patch` and `jdash patch --revert` (jdashfault builds) at
// every k-th fault point. After a killed patch, --revert must give back the original bytes of
// every file (and leave no backup behind), or a rerun must finish the patch; after a killed
// revert, running it again must finish it exactly.
func faultInjectPatch(t *testing.T, env, sp string, original map[string]string) {
	bin := faultBinary(t)
	run := func(extra []string, args ...string) string {
		out, _ := runEnv(append(os.Environ(), extra...), bin, append([]string{"patch", "--env", env}, args...)...)
		return string(out)
	}
	exact := func(when string) {
		t.Helper()
		got := pySums(t, sp)
		for p, s := range original {
			if got[p] != s {
				t.Fatalf("%s: %s is not the original", when, p)
			}
		}
		if len(got) != len(original) {
			t.Fatalf("%s: %d files, want %d", when, len(got), len(original))
		}
		if names, _ := os.ReadDir(filepath.Join(env, ".jdash", "patch", "backups")); len(names) != 0 {
			t.Fatalf("%s: %d backups left", when, len(names))
		}
	}
	if out := run(nil, "--revert"); !strings.Contains(out, "reverted") {
		t.Fatalf("revert: %s", out)
	}
	exact("before the fault runs")
	total := faultCount(t, []byte(run([]string{"JDASH_FAULT_COUNT=1"})))
	run(nil, "--revert")
	stride := max(1, total/30)
	kills := 0
	for at := 1; at <= total; at += stride {
		if out := run([]string{fmt.Sprintf("JDASH_FAULT_AT=%d", at)}); !strings.Contains(out, "fault: killed at point") {
			t.Fatalf("patch point %d of %d: not killed: %s", at, total, tail(out, 3))
		}
		kills++
		if kills%2 == 0 {
			if out := run(nil); strings.Contains(out, "jdash:") {
				t.Fatalf("patch point %d: running again: %s", at, out)
			}
			if out := run(nil); !strings.Contains(out, "nothing to patch") {
				t.Fatalf("patch point %d: a rerun did not finish the patch: %s", at, out)
			}
		}
		if out := run(nil, "--revert"); strings.Contains(out, "jdash:") {
			t.Fatalf("patch point %d: revert: %s", at, out)
		}
		exact(fmt.Sprintf("patch killed at point %d, reverted", at))
	}
	run(nil)
	revertTotal := faultCount(t, []byte(run([]string{"JDASH_FAULT_COUNT=1"}, "--revert")))
	revertKills := 0
	for at := 1; at <= revertTotal; at += max(1, revertTotal/20) {
		run(nil)
		if out := run([]string{fmt.Sprintf("JDASH_FAULT_AT=%d", at)}, "--revert"); !strings.Contains(out, "fault: killed at point") {
			t.Fatalf("revert point %d of %d: not killed: %s", at, revertTotal, tail(out, 3))
		}
		if out := run(nil, "--revert"); strings.Contains(out, "jdash:") {
			t.Fatalf("revert point %d: running it again: %s", at, out)
		}
		exact(fmt.Sprintf("revert killed at point %d, run again", at))
		revertKills++
	}
	t.Logf("fault injection: patch has %d fault points, killed at %d (every %d-th), all reverted exactly; revert has %d, killed at %d, all finished exactly",
		total, kills, stride, revertTotal, revertKills)
}
