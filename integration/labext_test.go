package integration

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// labFarm is a private copy of the modern env (JupyterLab 4, Notebook 7) with third-party
// prebuilt extensions copied in from the voila env: Voilà's preview at the env's level, the
// widgets manager and a second jupyterlab_pygments at the user's.
func labFarm(t *testing.T, home string) string {
	t.Helper()
	env := farm(t, "modern")
	vo := filepath.Join(requireEnv(t, "voila"), "share", "jupyter", "labextensions")
	for src, dst := range map[string]string{
		filepath.Join(vo, "@voila-dashboards", "jupyterlab-preview"): filepath.Join(env, "share", "jupyter", "labextensions", "@voila-dashboards", "jupyterlab-preview"),
		filepath.Join(vo, "@jupyter-widgets", "jupyterlab-manager"):  filepath.Join(home, ".local", "share", "jupyter", "labextensions", "@jupyter-widgets", "jupyterlab-manager"),
		filepath.Join(vo, "jupyterlab_pygments"):                     filepath.Join(home, ".local", "share", "jupyter", "labextensions", "jupyterlab_pygments"),
	} {
		if err := copyTree(src, dst); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

var labLine = regexp.MustCompile(`^\s+(\S+) v(\S+) (enabled|disabled) `)

// theirList is `jupyter labextension list` of env: name -> "version enabled|disabled", and the
// dir each is listed under.
func theirList(t *testing.T, env []string, prefix string) (map[string]string, map[string]string, string) {
	t.Helper()
	out, err := runEnv(env, filepath.Join(prefix, "bin", "python"), "-m", "jupyterlab.labextensions", "list")
	if err != nil {
		t.Fatalf("jupyter labextension list: %v\n%s", err, out)
	}
	clean := ansi.ReplaceAllString(string(out), "")
	got, where := map[string]string{}, map[string]string{}
	dir := ""
	for _, l := range strings.Split(clean, "\n") {
		if strings.HasPrefix(l, "/") {
			dir = strings.TrimSpace(l)
		}
		if m := labLine.FindStringSubmatch(l); m != nil {
			got[m[1]], where[m[1]] = m[2]+" "+m[3], dir
		}
	}
	return got, where, clean
}

type labListing struct {
	Lab        string `json:"jupyterlab"`
	Extensions []struct {
		Name, Version, Level string
		DataDir              string `json:"data_dir"`
		Enabled              bool
		DisabledBy           *struct{ File, Level string } `json:"disabled_by"`
		Shadows              []struct {
			Version string
			DataDir string `json:"data_dir"`
		}
		RemoteEntry bool `json:"remote_entry"`
		Compatible  *bool
	} `json:"extensions"`
}

func ourList(t *testing.T, env []string, prefix string) (labListing, map[string]string, map[string]string) {
	t.Helper()
	out, err := runEnv(env, jdashBin, "labext", "list", "--json", "--env", prefix)
	if err != nil {
		t.Fatalf("jdash labext list: %v\n%s", err, out)
	}
	var l labListing
	if err := json.Unmarshal(out, &l); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got, where := map[string]string{}, map[string]string{}
	for _, e := range l.Extensions {
		got[e.Name], where[e.Name] = e.Version+" "+map[bool]string{true: "enabled", false: "disabled"}[e.Enabled], e.DataDir
	}
	return l, got, where
}

// jdash labext list beside JupyterLab's own, on the real modern env with extensions at the
// user's and the env's level, a shadowed copy and a disabled one; disable and enable write
// what `jupyter labextension disable|enable` writes, byte for byte; undo restores it.
func TestLabextMatchesJupyterLab(t *testing.T) {
	integration(t)
	home := t.TempDir()
	mine, theirs := labFarm(t, home), labFarm(t, home)
	env := []string{"HOME=" + home, "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "NO_COLOR=1"}
	compare := func(step string) labListing {
		t.Helper()
		want, wantWhere, raw := theirList(t, env, theirs)
		l, got, gotWhere := ourList(t, env, mine)
		rel := func(m map[string]string, root string) map[string]string {
			out := map[string]string{}
			for k, v := range m {
				out[k] = strings.Replace(v, root, "<env>", 1)
			}
			return out
		}
		if !maps.Equal(got, want) || !maps.Equal(rel(gotWhere, mine), rel(wantWhere, theirs)) {
			t.Fatalf("%s: jdash %v %v\njupyter %v %v\n%s", step, got, gotWhere, want, wantWhere, raw)
		}
		t.Logf("%s: jdash and JupyterLab list %d extensions alike: %v\n%s", step, len(got), got, raw)
		return l
	}
	l := compare("as installed")
	for _, e := range l.Extensions {
		if e.Name == "jupyterlab_pygments" && len(e.Shadows) != 1 {
			t.Errorf("jupyterlab_pygments is at the user's and the env's level: one copy wins, shadowing the other: %+v", e)
		}
		if !e.RemoteEntry {
			t.Errorf("%s: remoteEntry not found", e.Name)
		}
	}

	pc := func(prefix string) string {
		b, _ := os.ReadFile(filepath.Join(prefix, "etc", "jupyter", "labconfig", "page_config.json"))
		return string(b)
	}
	for _, step := range [][]string{{"disable", "@voila-dashboards/jupyterlab-preview"}, {"disable", "@jupyter-widgets/jupyterlab-manager"}, {"enable", "@voila-dashboards/jupyterlab-preview"}} {
		if out, err := runEnv(env, jdashBin, "labext", step[0], step[1], "--env", mine); err != nil {
			t.Fatalf("jdash labext %v: %v\n%s", step, err, out)
		}
		if out, err := runEnv(env, filepath.Join(theirs, "bin", "python"), "-m", "jupyterlab.labextensions", step[0], "--level=sys_prefix", step[1]); err != nil {
			t.Fatalf("jupyter labextension %v: %v\n%s", step, err, out)
		}
		if a, b := pc(mine), pc(theirs); a != b || a == "" {
			t.Fatalf("after %v the page_config.json differ:\n jdash:   %q\n jupyter: %q", step, a, b)
		}
		l = compare(strings.Join(step, " "))
	}
	t.Logf("page_config.json after disable, disable, enable (identical to JupyterLab's):\n%s", pc(mine))
	for _, e := range l.Extensions {
		if e.Name == "@jupyter-widgets/jupyterlab-manager" && (e.Enabled || e.DisabledBy == nil || e.DisabledBy.Level != "sys-prefix") {
			t.Errorf("the widgets manager must be disabled by the env's page config: %+v", e)
		}
	}
	// undo: the last enable's change is restored exactly
	before := pc(mine)
	if out, err := runEnv(env, jdashBin, "labext", "enable", "--undo", "--env", mine); err != nil {
		t.Fatalf("undo: %v\n%s", err, out)
	}
	if after := pc(mine); after == before || !strings.Contains(after, `"@voila-dashboards/jupyterlab-preview": true`) {
		t.Errorf("the undo did not restore the disable:\n%s", after)
	}
	// a name no dir has is refused, naming the closest
	out, err := runEnv(env, jdashBin, "labext", "disable", "@voila-dashboards/jupyterlab-previw", "--env", mine)
	if err == nil || !strings.Contains(string(out), "did you mean @voila-dashboards/jupyterlab-preview") {
		t.Errorf("a misspelt name: %v\n%s", err, out)
	}
}
