package pydist

import (
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// Install writes a distribution pip can verify: RECORD's hashes and sizes match the files.
func TestInstallWritesAVerifiableDistribution(t *testing.T) {
	site := filepath.Join(t.TempDir(), "site-packages")
	os.MkdirAll(site, 0o755)
	m := Module{Name: "mod", Dist: "mod_dist", Version: "2", Summary: "s", Source: []byte("x = 1\n")}
	if err := Install(&fsx.Real{Roots: fsx.NewRoots(site)}, site, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(site, "mod.py")); string(got) != "x = 1\n" {
		t.Fatalf("mod.py: %q", got)
	}
	if !Ours(fsx.Disk{}, filepath.Join(site, m.InfoDir())) || Ours(fsx.Disk{}, site) {
		t.Error("Ours does not tell jdash's distribution")
	}
	record, err := os.ReadFile(filepath.Join(site, "mod_dist-2.dist-info", "RECORD"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(record)), "\n")
	if len(lines) != 4 || lines[3] != "mod_dist-2.dist-info/RECORD,," {
		t.Fatalf("RECORD:\n%s", record)
	}
	for _, l := range lines[:3] {
		parts := strings.Split(l, ",")
		data, err := os.ReadFile(filepath.Join(site, filepath.FromSlash(parts[0])))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if parts[1] != "sha256="+base64.RawURLEncoding.EncodeToString(sum[:]) || parts[2] != strconv.Itoa(len(data)) {
			t.Errorf("RECORD line %q does not match the file", l)
		}
	}
}
