package integration

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Server extension toggles by jdash and by the env's own CLI leave identical files: notebook
// 6.5.7's serverextension (jupyter_notebook_config.json) and jupyter_server 2's
// (jupyter_server_config.d/<module>.json).
func TestServerextToggleMatches(t *testing.T) {
	integration(t)
	home := t.TempDir()
	env := []string{"HOME=" + home, "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8"}
	for _, c := range []struct {
		envName, app string
		cli          []string
		steps        [][]string
	}{
		{"classic", "notebook", []string{"-m", "notebook.serverextensions"},
			[][]string{{"enable", "nbclassic"}, {"enable", "notebook_shim"}, {"disable", "nbclassic"}, {"enable", "nbclassic"}}},
		{"modern", "server", []string{"-m", "jupyter_server.extension.serverextension"},
			[][]string{{"disable", "jupyterlab"}, {"enable", "jupyterlab"}, {"disable", "notebook"}}},
	} {
		mine, theirs := farm(t, c.envName), farm(t, c.envName)
		for _, s := range c.steps {
			if out, err := runEnv(env, jdashBin, "serverext", s[0], s[1], "--app", c.app, "--env", mine); err != nil {
				t.Fatalf("jdash %v: %v\n%s", s, err, out)
			}
			args := append(append([]string{}, c.cli...), s[0], "--sys-prefix", s[1])
			out, err := runEnv(env, filepath.Join(theirs, "bin", "python"), args...)
			if err != nil || strings.Contains(string(out), "Validation failed") {
				t.Fatalf("%s %v: %v\n%s", c.envName, args, err, out)
			}
			a, b := treeFiles(t, filepath.Join(mine, "etc")), treeFiles(t, filepath.Join(theirs, "etc"))
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s after %v the etc trees differ:\n jdash:   %q\n jupyter: %q", c.envName, s, a, b)
			}
		}
		t.Logf("%s: %d toggles, identical etc trees", c.envName, len(c.steps))
	}
}
