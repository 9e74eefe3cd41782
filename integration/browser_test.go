package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// chromium is Debian's headless browser (scripts/test.sh installs it when missing).
func chromium(t *testing.T) string {
	t.Helper()
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Fatalf("no chromium: scripts/test.sh installs Debian's chromium")
	return ""
}

// browse opens url in headless Chromium as a person would (scripts run, 15 s of virtual time
// for the page's requests), saves a screenshot under build/artifacts, and returns the DOM.
func browse(t *testing.T, url, shot string) string {
	t.Helper()
	bin := chromium(t)
	args := []string{"--headless=new", "--disable-gpu", "--no-first-run", "--virtual-time-budget=15000", "--window-size=1280,800",
		"--user-data-dir=" + t.TempDir()}
	if os.Geteuid() == 0 {
		args = append(args, "--no-sandbox") // CI runs as root
	}
	dom, err := exec.Command(bin, append(args, "--dump-dom", url)...).Output()
	if err != nil {
		t.Fatalf("chromium %s: %v", url, err)
	}
	dir := filepath.Join(buildDir(), "artifacts")
	os.MkdirAll(dir, 0o755)
	if out, err := exec.Command(bin, append(args, "--screenshot="+filepath.Join(dir, shot), url)...).CombinedOutput(); err != nil {
		t.Errorf("screenshot %s: %v\n%s", shot, err, out)
	}
	return string(dom)
}

// serverErrors are the 4xx/5xx lines of a notebook server log for extension assets, the
// configurator's API and the nbextension config API.
func serverErrors(log string) []string {
	var out []string
	re := regexp.MustCompile(`\s[45]\d\d\s+(GET|POST|PUT|PATCH|DELETE)\s+(\S+)`)
	for _, l := range strings.Split(log, "\n") {
		if m := re.FindStringSubmatch(l); m != nil && (strings.Contains(m[2], "/nbextensions/") || strings.Contains(m[2], "/api/config/")) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}
