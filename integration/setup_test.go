package integration

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// freshClassic builds a new venv with the classic lock (notebook 6.5.7 and its pins) and
// nothing else: `jdash setup --install` must bring the rest.
func freshClassic(t *testing.T) string {
	t.Helper()
	requireEnv(t, "classic") // the lock's wheels are in the wheelhouse once it is built
	venv := filepath.Join(t.TempDir(), "classic-fresh")
	if out, err := exec.Command("python3", "-m", "venv", venv).CombinedOutput(); err != nil {
		t.Fatalf("venv: %v\n%s", err, out)
	}
	args := []string{"-m", "pip", "install", "-q", "--disable-pip-version-check", "--find-links", filepath.Join(buildDir(), "wheelhouse"),
		"-r", filepath.Join(repoRoot, "testenvs", "classic.txt")}
	if out, err := exec.Command(filepath.Join(venv, "bin", "python"), args...).CombinedOutput(); err != nil {
		t.Fatalf("installing the classic lock: %v\n%s", err, out)
	}
	return venv
}

// listTree is one digest of every file (path, mode, bytes) and link under dir.
func listTree(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		info, _ := d.Info()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			lines = append(lines, rel+" -> "+l)
		case d.IsDir():
			lines = append(lines, rel+"/")
		default:
			b, _ := os.ReadFile(p)
			lines = append(lines, fmt.Sprintf("%s %v %x", rel, info.Mode(), sha256.Sum256(b)))
		}
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// homeTree is listTree of HOME without jdash's registry of the envs it knows (the one thing
// jdash keeps there: ~/.local/state/jdash/envs.json).
func homeTree(t *testing.T, home string) string {
	var keep []string
	for _, l := range strings.Split(listTree(t, home), "\n") {
		if l != ".local/" && !strings.HasPrefix(l, ".local/state") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// treeDiff names the entries two listings of listTree do not share.
func treeDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for l := range ma {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range mb {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func TestSetupClassic(t *testing.T) {
	integration(t)
	venv := freshClassic(t)
	py := filepath.Join(venv, "bin", "python")
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".jupyter"), 0o755)
	os.WriteFile(filepath.Join(home, ".bashrc"), []byte("# user file\n"), 0o644)
	env := []string{"HOME=" + home, "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "PIP_FIND_LINKS=" + filepath.Join(buildDir(), "wheelhouse")}
	homeBefore := homeTree(t, home)
	etcBefore, shareBefore := listTree(t, filepath.Join(venv, "etc")), listTree(t, filepath.Join(venv, "share"))

	out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--install")
	if err != nil {
		t.Fatalf("jdash setup --install: %v\n%s", err, out)
	}
	t.Logf("jdash setup --sys-prefix --install:\n%s", tail(string(out), 8))
	if h := homeTree(t, home); h != homeBefore {
		t.Fatalf("setup wrote under HOME:\n%s", treeDiff(homeBefore, h))
	}

	// The env's own nbextension listing: every profile extension enabled at the env level
	// and validating OK.
	list, err := runEnv(env, py, "-m", "notebook.nbextensions", "list")
	if err != nil {
		t.Fatalf("nbextension list: %v\n%s", err, list)
	}
	clean := ansi.ReplaceAllString(string(list), "")
	requires := []string{"nbextensions_configurator/config_menu/main", "nbextensions_configurator/tree_tab/main",
		"contrib_nbextensions_help_item/main", "jupyter_dashboards/notebook/main", "jupyter-js-widgets/extension"}
	if !strings.Contains(clean, "config dir: "+filepath.Join(venv, "etc", "jupyter", "nbconfig")) {
		t.Errorf("no env-level config dir in:\n%s", clean)
	}
	for _, r := range requires {
		if !regexp.MustCompile(regexp.QuoteMeta(r) + `\s+enabled`).MatchString(clean) {
			t.Errorf("%s not enabled:\n%s", r, clean)
		}
	}
	if strings.Contains(clean, "problems found") {
		t.Errorf("validation problems:\n%s", clean)
	}
	t.Logf("python -m notebook.nbextensions list:\n%s", clean)
	srv, err := runEnv(env, py, "-m", "notebook.serverextensions", "list")
	if err != nil || !regexp.MustCompile(`jupyter_nbextensions_configurator \S+ OK`).MatchString(ansi.ReplaceAllString(string(srv), "")) {
		t.Errorf("serverextension list does not validate the configurator: %v\n%s", err, srv)
	}
	nbconvert, _ := os.ReadFile(filepath.Join(venv, "etc", "jupyter", "jupyter_nbconvert_config.json"))
	for _, k := range []string{`"extra_template_paths"`, "jupyter_contrib_nbextensions/templates", "CodeFoldingPreprocessor", "PyMarkdownPreprocessor"} {
		if !strings.Contains(string(nbconvert), k) {
			t.Errorf("jupyter_nbconvert_config.json lacks %s:\n%s", k, nbconvert)
		}
	}
	bundlers, _ := os.ReadFile(filepath.Join(venv, "etc", "jupyter", "nbconfig", "notebook.json"))
	if !strings.Contains(string(bundlers), `"dashboards_server_upload"`) {
		t.Errorf("bundlers not enabled:\n%s", bundlers)
	}

	// A second run changes nothing; a dry run would change nothing.
	out, err = runEnv(env, jdashBin, "setup", "--env", venv)
	if err != nil || !strings.Contains(string(out), "nothing changed") {
		t.Errorf("second run: %v\n%s", err, out)
	}
	out, err = runEnv(env, jdashBin, "setup", "--env", venv, "--dry-run")
	if err != nil || !strings.Contains(string(out), "nothing would change") {
		t.Errorf("dry run on a set-up env: %v\n%s", err, out)
	}
	if h := homeTree(t, home); h != homeBefore {
		t.Fatalf("jdash or the listings wrote under HOME:\n%s", treeDiff(homeBefore, h))
	}

	// A real notebook server on that env serves every enabled extension's JS, and shows a
	// person the pages they open.
	port := freePort(t)
	nb := startServer(t, py, env, port, "-m", "notebook", "--no-browser", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port), "--NotebookApp.token=jdash-test")
	for _, r := range requires {
		resp, err := http.Get(nb.base + "/nbextensions/" + r + ".js?token=jdash-test")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET /nbextensions/%s.js: %d", r, resp.StatusCode)
		} else {
			t.Logf("GET /nbextensions/%s.js: 200", r)
		}
	}
	uiFile := filepath.Join(venv, "etc", "jupyter", "nbconfig", "notebook.json")
	setupBytes, _ := os.ReadFile(uiFile)
	tab := nb.checkClassicPages(t, "", "classic", filepath.Join(venv, "etc", "jupyter", "nbconfig"), home)
	t.Logf("browser: a cell run prints 42; the notebook page has the dashboards toolbar, Widgets menu and bundler; the configurator tab lists %d extensions, none greyed out, %d shown possibly incompatible %v; the click on Table of Contents (2) wrote the env's nbconfig, and the reloaded notebook loads it; screenshots in %s",
		tab.Listed, len(tab.Incompatible), tab.Incompatible, filepath.Join(buildDir(), "artifacts"))
	nb.stop()
	uiChangeBlocksUndo(t, env, venv, uiFile, setupBytes)

	// --undo restores every file jdash wrote, exactly: what is left is what pip installed.
	// Set up again and undo again: the same bytes, modes and links both times.
	setUp := listTree(t, venv+"/etc") + listTree(t, venv+"/share")
	undo := func() string {
		if out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--undo"); err != nil {
			t.Fatalf("undo: %v\n%s", err, out)
		}
		return listTree(t, venv+"/etc") + listTree(t, venv+"/share")
	}
	first := undo()
	if first == setUp || first == etcBefore+shareBefore {
		t.Errorf("undo left the set-up state, or removed what pip installed")
	}
	// Runs killed at any point leave every config file old or new and parseable, and a
	// journal that undoes exactly what they did.
	for _, delay := range []time.Duration{20, 60, 120, 250, 500} {
		c := exec.Command(jdashBin, "setup", "--env", venv)
		c.Env = env
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay * time.Millisecond)
		c.Process.Kill()
		c.Wait()
		checkJSONFiles(t, venv)
		if out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--undo"); err != nil && !strings.Contains(string(out), "no setup to undo") {
			t.Fatalf("undo after a kill at %v: %v\n%s", delay*time.Millisecond, err, out)
		}
		if got := listTree(t, venv+"/etc") + listTree(t, venv+"/share"); got != first {
			t.Fatalf("undo after a kill at %v did not restore the files:\n%s", delay*time.Millisecond, treeDiff(first, got))
		}
	}
	if out, err = runEnv(env, jdashBin, "setup", "--env", venv); err != nil || !strings.Contains(string(out), "files written") {
		t.Fatalf("setup after undo: %v\n%s", err, out)
	}
	if listTree(t, venv+"/etc")+listTree(t, venv+"/share") != setUp {
		t.Errorf("setting up again gave other files")
	}
	if second := undo(); second != first {
		t.Errorf("the second undo left other files than the first")
	}
	if _, err := os.Stat(filepath.Join(venv, "etc", "jupyter", "jupyter_nbconvert_config.json")); !os.IsNotExist(err) {
		t.Errorf("undo left jupyter_nbconvert_config.json")
	}
	faultInjectSetup(t, env, venv, first, setUp)
}

// faultInjectSetup kills `jdash setup` (built with the jdashfault tag) at every k-th fault
// point of a full classic setup: before a change is journaled, after it is journaled but
// before it is made, between a temp file and its rename. After each kill, alternately:
// `setup --undo` must give back the original tree exactly; or `setup` again must finish it
// (the set-up tree exactly), and its undo the original. Then the undo itself is killed at
// every k-th point, and running it again must finish it.
func faultInjectSetup(t *testing.T, env []string, venv, original, setUp string) {
	bin := faultBinary(t)
	tree := func() string { return listTree(t, venv+"/etc") + listTree(t, venv+"/share") }
	out, err := runEnv(append(env, "JDASH_FAULT_COUNT=1"), bin, "setup", "--env", venv)
	if err != nil {
		t.Fatalf("counting fault points: %v\n%s", err, out)
	}
	total := faultCount(t, out)
	if _, err := runEnv(env, bin, "setup", "--env", venv, "--undo"); err != nil {
		t.Fatal(err)
	}
	stride := max(1, total/40)
	kills, exact := 0, 0
	for at := 1; at <= total; at += stride {
		out, _ := runEnv(append(env, fmt.Sprintf("JDASH_FAULT_AT=%d", at)), bin, "setup", "--env", venv)
		if !strings.Contains(string(out), "fault: killed at point") {
			t.Fatalf("point %d of %d: not killed:\n%s", at, total, tail(string(out), 3))
		}
		kills++
		checkJSONFiles(t, venv)
		if kills%2 == 0 { // finish by running again, then undo
			if out, err := runEnv(env, bin, "setup", "--env", venv); err != nil {
				t.Fatalf("point %d: setup again: %v\n%s", at, err, out)
			}
			if got := tree(); got != setUp {
				t.Fatalf("point %d: setup again did not finish the killed run:\n%s", at, treeDiff(setUp, got))
			}
		}
		if out, err := runEnv(env, bin, "setup", "--env", venv, "--undo"); err != nil && !strings.Contains(string(out), "no setup to undo") {
			t.Fatalf("point %d: undo: %v\n%s", at, err, out)
		}
		if got := tree(); got != original {
			t.Fatalf("point %d: the undo is not exact:\n%s", at, treeDiff(original, got))
		}
		exact++
	}
	// the undo killed half-way, then run again
	if out, err := runEnv(env, bin, "setup", "--env", venv); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err = runEnv(append(env, "JDASH_FAULT_COUNT=1"), bin, "setup", "--env", venv, "--undo")
	if err != nil {
		t.Fatalf("counting the undo's points: %v\n%s", err, out)
	}
	undoTotal := faultCount(t, out)
	undoKills := 0
	for at := 1; at <= undoTotal; at += max(1, undoTotal/20) {
		if out, err := runEnv(env, bin, "setup", "--env", venv); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		out, _ := runEnv(append(env, fmt.Sprintf("JDASH_FAULT_AT=%d", at)), bin, "setup", "--env", venv, "--undo")
		if !strings.Contains(string(out), "fault: killed at point") {
			t.Fatalf("undo point %d of %d: not killed:\n%s", at, undoTotal, tail(string(out), 3))
		}
		if out, err := runEnv(env, bin, "setup", "--env", venv, "--undo"); err != nil {
			t.Fatalf("undo point %d: running the undo again: %v\n%s", at, err, out)
		}
		if got := tree(); got != original {
			t.Fatalf("undo point %d: the resumed undo is not exact:\n%s", at, treeDiff(original, got))
		}
		undoKills++
	}
	t.Logf("fault injection: setup has %d fault points; killed at %d of them (every %d-th), %d exact recoveries; undo has %d, killed at %d, all resumed exactly",
		total, kills, stride, exact, undoTotal, undoKills)
	interruptSetup(t, bin, env, venv, original, setUp, total/2)
}

// interruptSetup sends SIGINT while setup is paused at a fault point half-way: jdash stops at
// the next safe point, says what state the env is in and how to finish, exits 130; running
// it again finishes the setup, and the undo is exact.
func interruptSetup(t *testing.T, bin string, env []string, venv, original, setUp string, at int) {
	tree := func() string { return listTree(t, venv+"/etc") + listTree(t, venv+"/share") }
	c := exec.Command(bin, "setup", "--env", venv)
	c.Env = append(env, fmt.Sprintf("JDASH_FAULT_PAUSE=%d", at))
	stderr, _ := c.StderrPipe()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "fault: paused at point") {
			c.Process.Signal(os.Interrupt)
		}
	}
	err := c.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("SIGINT: want exit 130, got %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "interrupted:") || !strings.Contains(log.String(), "run the same command again to finish") || !strings.Contains(log.String(), "setup --undo") {
		t.Fatalf("SIGINT: no word on the env's state:\n%s", log.String())
	}
	checkJSONFiles(t, venv)
	if out, err := runEnv(env, bin, "setup", "--env", venv); err != nil || tree() != setUp {
		t.Fatalf("setup after SIGINT did not finish it: %v\n%s", err, out)
	}
	if out, err := runEnv(env, bin, "setup", "--env", venv, "--undo"); err != nil || tree() != original {
		t.Fatalf("undo after SIGINT + finish is not exact: %v\n%s", err, out)
	}
	t.Logf("SIGINT at fault point %d: exit 130, %s", at, strings.TrimSpace(lastLine(log.String())))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// faultBinary builds jdash with the jdashfault tag (fault points that SIGKILL on demand).
func faultBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(filepath.Dir(jdashBin), "jdash-fault")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	c := exec.Command("go", "build", "-tags", "jdashfault", "-o", bin, ".")
	c.Dir = repoRoot
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("building the jdashfault binary: %v\n%s", err, out)
	}
	return bin
}

func faultCount(t *testing.T, out []byte) int {
	t.Helper()
	m := regexp.MustCompile(`fault points: (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no fault point count in:\n%s", tail(string(out), 3))
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// checkJSONFiles parses every .json file under the env's etc/.
func checkJSONFiles(t *testing.T, venv string) {
	t.Helper()
	_ = filepath.WalkDir(filepath.Join(venv, "etc"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			if b, _ := os.ReadFile(p); !json.Valid(b) {
				t.Errorf("%s is not valid JSON after a kill:\n%s", p, b)
			}
		}
		return nil
	})
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitHTTP(t *testing.T, url string, timeout time.Duration, logPath string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	log, _ := os.ReadFile(logPath)
	t.Fatalf("%s did not answer within %v\n%s", url, timeout, log)
}
