package uiconfig

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/jdash-dev/jdash/internal/fsx"
)

func TestInstallAndClass(t *testing.T) {
	site := t.TempDir()
	if err := Install(&fsx.Real{Roots: fsx.NewRoots(site)}, site); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(site, Module+".py")); string(got) != string(Source()) {
		t.Error("the module is not the embedded source")
	}
	if _, err := os.Stat(filepath.Join(site, Dist+"-"+Version+".dist-info", "RECORD")); err != nil {
		t.Error(err)
	}
	if Class("NotebookApp") != "jdash_nbconfig.NotebookConfigManager" || Class("ServerApp") != "jdash_nbconfig.ServerConfigManager" {
		t.Error("Class")
	}
}
