package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Eight jdash processes enabling different nbextensions in one env at once: the env lock
// serializes them, every enable lands and the JSON stays valid.
func TestConcurrentEnables(t *testing.T) {
	integration(t)
	env := farm(t, "classic")
	home := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out, err := runEnv([]string{"HOME=" + home, "PATH=/usr/bin:/bin"}, jdashBin, "nbext", "enable", fmt.Sprintf("ext%d/main", i), "--env", env)
			if err != nil {
				errs <- fmt.Sprintf("%v: %s", err, out)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	data, err := os.ReadFile(filepath.Join(env, "etc", "jupyter", "nbconfig", "notebook.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		LoadExtensions map[string]bool `json:"load_extensions"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("notebook.json is not valid JSON: %v\n%s", err, data)
	}
	if len(cfg.LoadExtensions) != 8 {
		t.Fatalf("%d of 8 enables landed: %s", len(cfg.LoadExtensions), data)
	}
}

// A prefix the user cannot write: a clear error naming --user and its cost, nothing written.
func TestReadOnlyPrefix(t *testing.T) {
	integration(t)
	uid, gid, root, prefix := rootOwnedEnv(t)
	home := filepath.Join(root, "home")
	os.MkdirAll(home, 0o777)
	c := exec.Command(jdashBin, "nbext", "enable", "foo/main", "--env", prefix)
	c.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin"}
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, err := c.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "not writable by you") || !strings.Contains(string(out), "--user") {
		t.Fatalf("want a read-only error that explains --user: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(prefix, "etc")); !os.IsNotExist(err) {
		t.Error("something was written")
	}
	t.Logf("%s", out)
}

// jdash env create makes a venv under the managed dir, installs the profile, and jdash envs
// lists it.
func TestEnvCreate(t *testing.T) {
	integration(t)
	requireEnv(t, "gateway") // its wheels are in the wheelhouse
	dir := t.TempDir()
	env := []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "JDASH_ENVS_DIR=" + dir,
		"PIP_FIND_LINKS=" + filepath.Join(buildDir(), "wheelhouse")}
	out, err := runEnv(env, jdashBin, "env", "create", "kg", "--profile", "gateway")
	if err != nil {
		t.Fatalf("env create: %v\n%s", err, out)
	}
	list, err := runEnv(env, jdashBin, "envs", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Envs []struct {
			Prefix   string            `json:"prefix"`
			Packages map[string]string `json:"packages"`
		} `json:"envs"`
	}
	if err := json.Unmarshal(list, &doc); err != nil {
		t.Fatalf("%v\n%s", err, list)
	}
	for _, e := range doc.Envs {
		if e.Prefix == filepath.Join(dir, "kg") {
			if e.Packages["jupyter_kernel_gateway"] != "3.0.1" {
				t.Errorf("kg packages: %v", e.Packages)
			}
			return
		}
	}
	t.Errorf("jdash envs does not list %s", filepath.Join(dir, "kg"))
}

// Unreadable is not absent (issue 8, item 16): as an unprivileged user, an nbconfig dir
// mode 000 is "permission denied" naming it, not an empty listing; a prefix mode 000 is
// "permission denied", not "not a Python environment".
func TestUnreadableIsNotAbsent(t *testing.T) {
	integration(t)
	uid, gid, root, prefix := rootOwnedEnv(t)
	nbconfig := filepath.Join(prefix, "etc", "jupyter", "nbconfig")
	os.MkdirAll(nbconfig, 0o755)
	os.WriteFile(filepath.Join(nbconfig, "notebook.json"), []byte(`{"load_extensions": {"a/main": true}}`), 0o644)
	os.Chmod(nbconfig, 0o000)
	locked := filepath.Join(root, "locked")
	os.MkdirAll(filepath.Join(locked, "bin"), 0o755)
	os.WriteFile(filepath.Join(locked, "pyvenv.cfg"), []byte("home = /usr/bin\n"), 0o644)
	os.Chmod(locked, 0o000)
	home := filepath.Join(root, "home")
	os.MkdirAll(home, 0o777)
	asNobody := func(args ...string) (string, error) {
		c := exec.Command(jdashBin, args...)
		c.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin"}
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		out, err := c.CombinedOutput()
		return string(out), err
	}
	if out, err := asNobody("nbext", "list", "--env", prefix); err == nil || !strings.Contains(out, "permission denied") || !strings.Contains(out, nbconfig) {
		t.Errorf("nbext list on an unreadable nbconfig dir: %v\n%s", err, out)
	}
	if out, err := asNobody("envs", "show", locked); err == nil || !strings.Contains(out, "permission denied") || strings.Contains(out, "not a Python environment") {
		t.Errorf("envs show on an unreadable prefix: %v\n%s", err, out)
	}
}

// rootOwnedEnv makes a root-owned venv layout under a world-readable temp root, for tests that
// run jdash as nobody; it skips unless the test runs as root and nobody exists.
func rootOwnedEnv(t *testing.T) (uid, gid int, root, prefix string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("builds a root-owned env and runs jdash as nobody")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no nobody user")
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	root, err = os.MkdirTemp("", "jdash-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	os.Chmod(root, 0o755)
	prefix = filepath.Join(root, "env")
	os.MkdirAll(filepath.Join(prefix, "bin"), 0o755)
	os.WriteFile(filepath.Join(prefix, "pyvenv.cfg"), []byte("home = /usr/bin\nversion = 3.11.2\n"), 0o644)
	os.Symlink("/usr/bin/python3", filepath.Join(prefix, "bin", "python"))
	return uid, gid, root, prefix
}
