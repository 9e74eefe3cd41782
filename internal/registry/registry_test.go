package registry

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// The env jdash set up or created last in a dir is found from that dir and the dirs below it,
// while it exists; the newest record for a dir wins; envs that are gone are forgotten.
func TestLastIn(t *testing.T) {
	root := t.TempDir()
	reg := filepath.Join(root, "state", "envs.json")
	a, b, proj := filepath.Join(root, "a"), filepath.Join(root, "b"), filepath.Join(root, "proj")
	for _, d := range []string{a, b, filepath.Join(proj, "sub")} {
		os.MkdirAll(d, 0o755)
	}
	if _, ok := LastIn(reg, proj); ok {
		t.Fatal("no registry yet, yet a record")
	}
	at := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)
	if err := Used(reg, Use{Env: a, By: "jdash setup --profile classic", At: at, Dir: proj}); err != nil {
		t.Fatal(err)
	}
	if err := Used(reg, Use{Env: b, By: "jdash env create b", At: at.Add(time.Minute), Dir: proj}); err != nil {
		t.Fatal(err)
	}
	u, ok := LastIn(reg, filepath.Join(proj, "sub"))
	if !ok || u.Env != b || u.Dir != proj || u.By != "jdash env create b" || !u.At.Equal(at.Add(time.Minute)) {
		t.Errorf("from below: %+v %v", u, ok)
	}
	if envs, _ := Load(reg); !slices.Equal(envs, []string{a, b}) {
		t.Errorf("envs %v", envs)
	}
	if _, ok := LastIn(reg, root); ok {
		t.Error("a dir above the record has none")
	}
	os.RemoveAll(b)
	if _, ok := LastIn(reg, proj); ok {
		t.Error("an env that is gone is no default")
	}
	if err := Add(reg, a); err != nil {
		t.Fatal(err)
	}
	if f, _ := load(reg); len(f.Last) != 0 || !slices.Equal(f.Envs, []string{a}) {
		t.Errorf("the gone env is still remembered: %+v", f)
	}
}
