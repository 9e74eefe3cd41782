package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The same sequence of nbextension operations, done by jdash in one private copy of the
// classic env and by notebook 6.5.7's own CLI in another, must leave identical files.
func TestNbextToggleMatchesNotebook(t *testing.T) {
	integration(t)
	mine, theirs := farm(t, "classic"), farm(t, "classic")
	home := t.TempDir()
	env := []string{"HOME=" + home, "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8"}
	// A packaged default in a .d file, as extensions ship them: disabling must write false.
	for _, p := range []string{mine, theirs} {
		d := filepath.Join(p, "etc", "jupyter", "nbconfig", "notebook.d")
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "pkg.json"), []byte(`{"load_extensions": {"pkg/main": true}}`), 0o644)
	}
	src := filepath.Join(t.TempDir(), "myext")
	os.MkdirAll(filepath.Join(src, "sub"), 0o755)
	os.WriteFile(filepath.Join(src, "main.js"), []byte("define([], function() { return {load_ipython_extension: function() {}}; });\n"), 0o644)
	os.WriteFile(filepath.Join(src, "sub", "x.js"), []byte("// x\n"), 0o600)
	steps := [][]string{
		{"install", src},
		{"install", src, "--destination", "other"},
		{"enable", "myext/main"},
		{"enable", "foo/main"},
		{"enable", "bar/main", "--section", "tree"},
		{"enable", "caf\u00e9/main"},
		{"disable", "foo/main"},
		{"disable", "pkg/main"},
		{"enable", "pkg/main"},
		{"enable", "foo/main"},
	}
	for _, s := range steps {
		jd := append([]string{"nbext", s[0], "--env", mine}, s[1:]...)
		if out, err := runEnv(env, jdashBin, jd...); err != nil {
			t.Fatalf("jdash %v: %v\n%s", jd, err, out)
		}
		py := append([]string{"-m", "notebook.nbextensions", s[0], "--sys-prefix"}, s[1:]...)
		if out, err := runEnv(env, filepath.Join(theirs, "bin", "python"), py...); err != nil {
			t.Fatalf("notebook %v: %v\n%s", py, err, out)
		}
		for _, sub := range []string{"etc", "share/jupyter/nbextensions"} {
			a, b := treeFiles(t, filepath.Join(mine, sub)), treeFiles(t, filepath.Join(theirs, sub))
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("after %v the %s trees differ:\n jdash:    %q\n notebook: %q", s, sub, a, b)
			}
		}
	}
	// uninstall: jdash takes the require; notebook takes the name and --require.
	if out, err := runEnv(env, jdashBin, "nbext", "uninstall", "myext/main", "--env", mine); err != nil {
		t.Fatalf("jdash uninstall: %v\n%s", err, out)
	}
	if out, err := runEnv(env, filepath.Join(theirs, "bin", "python"), "-m", "notebook.nbextensions", "uninstall", "--sys-prefix", "myext", "--require", "myext/main"); err != nil {
		t.Fatalf("notebook uninstall: %v\n%s", err, out)
	}
	for _, sub := range []string{"etc", "share/jupyter/nbextensions"} {
		if a, b := treeFiles(t, filepath.Join(mine, sub)), treeFiles(t, filepath.Join(theirs, sub)); !reflect.DeepEqual(a, b) {
			t.Fatalf("after uninstall the %s trees differ:\n jdash:    %q\n notebook: %q", sub, a, b)
		}
	}
	t.Logf("%d steps and an uninstall, identical files: %v %v", len(steps), keys(treeFiles(t, filepath.Join(mine, "etc"))),
		keys(treeFiles(t, filepath.Join(mine, "share/jupyter/nbextensions"))))

	// The listings agree on (config dir, section, require, enabled, valid).
	nb, err := runEnv(env, filepath.Join(theirs, "bin", "python"), "-m", "notebook.nbextensions", "list")
	if err != nil {
		t.Fatal(err)
	}
	jdl, err := runEnv(env, jdashBin, "nbext", "list", "--env", theirs, "--color", "never")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := listingSet(string(nb), theirs), listingSet(string(jdl), theirs); !reflect.DeepEqual(a, b) {
		t.Fatalf("listings differ:\n notebook: %v\n jdash:    %v\n%s\n%s", a, b, nb, jdl)
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// listingSet reads either tool's list output into "dir|section|require|enabled|valid" rows.
func listingSet(out, prefix string) []string {
	var rows []string
	dir, section := "", ""
	lines := strings.Split(ansi.ReplaceAllString(out, ""), "\n")
	// notebook logs "- require?  X <require>" (on stderr, so anywhere in the combined output)
	// for an enabled require whose .js is missing; jdash says "(no <require>.js ...)".
	missing := map[string]bool{}
	for _, l := range lines {
		if f := strings.Fields(l); len(f) == 4 && f[1] == "require?" && f[2] == "X" {
			missing[f[3]] = true
		}
	}
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case strings.HasPrefix(strings.TrimSpace(l), "config dir:"):
			dir = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "config dir:"))
		case len(f) == 2 && f[1] == "section":
			section = f[0]
		case len(f) >= 2 && (f[1] == "enabled" || f[1] == "disabled"):
			valid := "-"
			if f[1] == "enabled" {
				// notebook logs "- Validating: OK" or "problems found" after an enabled entry;
				// jdash marks a missing .js on the entry's own line.
				valid = "ok"
				if missing[f[0]] || strings.Contains(l, "(no "+f[0]+".js") {
					valid = "missing"
				}
			}
			rows = append(rows, strings.Join([]string{dir, section, f[0], f[1], valid}, "|"))
		}
	}
	sort.Strings(rows)
	return rows
}

func runEnv(env []string, argv0 string, args ...string) ([]byte, error) {
	c := exec.Command(argv0, args...)
	c.Env = env
	return c.CombinedOutput()
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// install, enable and uninstall --py (issue 21): jdash and nbclassic's own CLI, each in a
// private copy of a notebook 7 env with nbclassic, leave identical files at every step.
func TestNbextPyMatchesNbclassic(t *testing.T) {
	integration(t)
	mine, theirs := farm(t, "nb7compat"), farm(t, "nb7compat")
	env := []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8"}
	for _, verb := range []string{"install", "enable", "uninstall"} {
		jd := []string{"nbext", verb, "--py", "jupyter_highlight_selected_word", "--env", mine}
		if out, err := runEnv(env, jdashBin, jd...); err != nil {
			t.Fatalf("jdash %v: %v\n%s", jd, err, out)
		}
		py := []string{"-m", "nbclassic.nbextensions", verb, "--py", "jupyter_highlight_selected_word", "--sys-prefix"}
		if out, err := runEnv(env, filepath.Join(theirs, "bin", "python"), py...); err != nil {
			t.Fatalf("nbclassic %v: %v\n%s", py, err, out)
		}
		for _, sub := range []string{"etc", "share/jupyter/nbextensions"} {
			if a, b := treeFiles(t, filepath.Join(mine, sub)), treeFiles(t, filepath.Join(theirs, sub)); !reflect.DeepEqual(a, b) {
				t.Fatalf("after %s --py the %s trees differ:\n jdash:    %q\n nbclassic: %q", verb, sub, a, b)
			}
		}
		t.Logf("%s --py: identical files", verb)
	}
}
