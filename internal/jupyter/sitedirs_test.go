package jupyter

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/pkgindex"
)

// Python's import order (site.main): in a venv its own site-packages, then the user site
// (only with system site packages), then the base's dirs, Debian's dist-packages included;
// outside a venv the user site comes first. jupyter_core is taken from the first that has it.
func TestSiteDirsImportOrder(t *testing.T) {
	root := t.TempDir()
	mk := func(rel string) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	home := mk("home")
	user := mk("home/.local/lib/python3.11/site-packages")
	venvSite := mk("venv/lib/python3.11/site-packages")
	apt := mk("usr/lib/python3/dist-packages")
	mk("usr/lib/python3.11/os")
	mk("usr/local/lib/python3.11/dist-packages")
	mk("usr/bin")
	mk(filepath.Join("usr/lib/python3/dist-packages", "jupyter_core-4.12.0.dist-info"))

	venv := &envdetect.Env{Prefix: filepath.Join(root, "venv"), PythonVersion: "3.11.2", SitePackages: []string{venvSite},
		Venv: &envdetect.VenvInfo{Home: filepath.Join(root, "usr/bin"), IncludeSystemSitePackages: true}}
	f := Facts{OS: "linux", Prefix: venv.Prefix, IsVenv: true, SystemSitePackages: true, Env: map[string]string{"HOME": home},
		Home: home, RealHome: home, PythonVersion: "3.11"}
	want := []string{venvSite, user, filepath.Join(root, "usr/local/lib/python3.11/dist-packages"), apt}
	if got := SiteDirs(venv, f); !slices.Equal(got, want) {
		t.Errorf("system-site venv:\n got  %v\n want %v", got, want)
	}
	if v := coreVersion(venv, pkgindex.New(SiteDirs(venv, f))); v != "4.12.0" {
		t.Errorf("jupyter_core from apt's dist-packages: %q", v)
	}
	f.SystemSitePackages, venv.Venv.IncludeSystemSitePackages = false, false
	if got := SiteDirs(venv, f); !slices.Equal(got, []string{venvSite}) {
		t.Errorf("isolated venv: %v", got)
	}
	conda := &envdetect.Env{Prefix: filepath.Join(root, "conda"), PythonVersion: "3.11.7", SitePackages: []string{"/c/site"}}
	cf := Facts{OS: "linux", Prefix: conda.Prefix, SystemSitePackages: true, Env: map[string]string{"HOME": home}, Home: home, RealHome: home, PythonVersion: "3.11"}
	if got := SiteDirs(conda, cf); !slices.Equal(got, []string{user, "/c/site"}) {
		t.Errorf("conda: %v", got)
	}
}
