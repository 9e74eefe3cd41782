package deployext

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/fsx"
)

func TestInstallEndpointWritesTheModuleAndEnablesIt(t *testing.T) {
	root := t.TempDir()
	site, etc := filepath.Join(root, "site"), filepath.Join(root, "etc")
	w := &fsx.Real{Roots: fsx.NewRoots(root)}
	if err := InstallEndpoint(w, site, etc); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(site, Module+".py")); string(b) != string(source) {
		t.Error("the module is not the embedded source")
	}
	b, err := os.ReadFile(filepath.Join(etc, "jupyter_server_config.d", Module+".json"))
	if err != nil || !strings.Contains(string(b), `"jdash_deploy": true`) || !strings.Contains(string(b), "jpserver_extensions") {
		t.Errorf("the server extension is not enabled: %v\n%s", err, b)
	}
}

// InstallLab copies the embedded build and drops the assets of an earlier build; a jdash
// built without Node says so.
func TestInstallLab(t *testing.T) {
	dir := t.TempDir()
	w := &fsx.Real{Roots: fsx.NewRoots(dir)}
	if !Built() {
		if err := InstallLab(w, dir); !errors.Is(err, ErrNotBuilt) || !strings.Contains(err.Error(), "built without") {
			t.Fatalf("unbuilt: %v", err)
		}
		return
	}
	stale := filepath.Join(dir, LabName, "static", "remoteEntry.0000.js")
	os.MkdirAll(filepath.Dir(stale), 0o755)
	os.WriteFile(stale, []byte("old"), 0o644)
	if err := InstallLab(w, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("an earlier build's asset stayed")
	}
	pkg, err := os.ReadFile(filepath.Join(dir, LabName, "package.json"))
	if err != nil || !strings.Contains(string(pkg), `"_build"`) {
		t.Fatalf("package.json of the built extension: %v\n%s", err, pkg)
	}
}
