package envdetect

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// scanWithin fails the test if a scan takes longer than a generous bound: it must never hang.
func scanWithin(t *testing.T, tr *tree, h Host) map[string]*Env {
	t.Helper()
	done := make(chan map[string]*Env, 1)
	go func() { done <- tr.scan(h) }()
	select {
	case m := <-done:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("scan hung")
		return nil
	}
}

func TestBadInputIsReportedNotFatal(t *testing.T) {
	tr := newTree(t)
	base := tr.python("opt/py", "3.11.7")
	tr.venv("home/envs/good", base, "3.11.7", "")
	// garbage and binary pyvenv.cfg
	tr.write("home/envs/binary/pyvenv.cfg", "home = /x\x00\x01\x02")
	tr.link(base+"/bin/python3.11", "home/envs/binary/bin/python")
	tr.write("home/envs/garbage/pyvenv.cfg", "][ this is not = a cfg\n\n=\n===\nversion\n")
	tr.link(base+"/bin/python3.11", "home/envs/garbage/bin/python")
	// pyvenv.cfg that is a FIFO (reading it would block forever) and one that is a dir
	tr.mkdir("home/envs/fifo/bin")
	if err := syscall.Mkfifo(tr.p("home/envs/fifo/pyvenv.cfg"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr.mkdir("home/envs/dircfg/pyvenv.cfg")
	// symlink loops: an env dir and an interpreter
	tr.link("loop", "home/envs/loop")
	tr.write("home/envs/pyloop/pyvenv.cfg", "home = /x\nversion = 3.11.7\n")
	tr.link("python3", "home/envs/pyloop/bin/python")
	tr.link("python", "home/envs/pyloop/bin/python3")
	// truncated conda-meta records
	tr.conda("home/envs/trunc", "3.12.1")
	tr.write("home/envs/trunc/conda-meta/notebook-6.5.json", `{"name": "note`)
	tr.write("home/envs/trunc/conda-meta/-.json", "")
	tr.write("home/envs/trunc/conda-meta/._python-3.12.1-h_0.json", "")
	tr.write("home/envs/trunc/conda-meta/jupyter_core-5.7.1-py_0.json", `{"trunc`)
	// non-UTF-8 directory name
	tr.venv("home/envs/caf\xe9-\xff", base, "3.11.7", "")
	// a workspace with a dir loop
	tr.mkdir("ws/a")
	tr.link(tr.p("ws"), "ws/a/up")

	h := tr.host(nil)
	h.Workspaces = []string{tr.p("ws")}
	envs := scanWithin(t, tr, h)

	if e := mustEnv(t, envs, "home/envs/good"); e.Broken {
		t.Errorf("good env broken: %s", e.Error)
	}
	bin := mustEnv(t, envs, "home/envs/binary")
	if !bin.Broken || !strings.Contains(bin.Error, "pyvenv.cfg") || !strings.Contains(bin.Error, "not a text file") {
		t.Errorf("binary cfg: %v %q", bin.Broken, bin.Error)
	}
	if g := mustEnv(t, envs, "home/envs/garbage"); g.Kind != KindVenv {
		t.Errorf("garbage cfg still a venv: %+v", g)
	}
	for _, rel := range []string{"home/envs/fifo", "home/envs/dircfg"} {
		if e := mustEnv(t, envs, rel); !e.Broken || !strings.Contains(e.Error, "not a regular file") {
			t.Errorf("%s: %v %q", rel, e.Broken, e.Error)
		}
	}
	if e := mustEnv(t, envs, "home/envs/loop"); !e.Broken || !strings.Contains(e.Error, "loop") {
		t.Errorf("loop dir: %+v", e)
	}
	if e := mustEnv(t, envs, "home/envs/pyloop"); !e.Broken {
		t.Errorf("interpreter loop must be broken: %+v", e)
	}
	tr2 := mustEnv(t, envs, "home/envs/trunc")
	if tr2.Broken || tr2.PythonVersion != "3.12.1" || tr2.Packages["jupyter_core"] != "5.7.1" {
		t.Errorf("truncated records: %+v", tr2)
	}
	odd := mustEnv(t, envs, "home/envs/caf\xe9-\xff")
	if odd.Broken {
		t.Errorf("non-UTF-8 path: %s", odd.Error)
	}
	if _, err := json.Marshal(odd); err != nil {
		t.Errorf("non-UTF-8 path must still encode: %v", err)
	}
}

func TestEnormousEnvironmentsTxt(t *testing.T) {
	tr := newTree(t)
	tr.conda("real/env", "3.12.1")
	var b strings.Builder
	b.WriteString(tr.p("real/env") + "\n")
	for i := 0; i < MaxEnvironmentsLines+50_000; i++ {
		b.WriteString("/nonexistent/env/" + strconv.Itoa(i%1000) + "\n")
	}
	tr.write("home/.conda/environments.txt", b.String())
	start := time.Now()
	res := Scan(tr.host(nil))
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "environments.txt") {
		t.Errorf("warnings %v", res.Warnings)
	}
	found := false
	for _, e := range res.Envs {
		found = found || e.Prefix == tr.p("real/env")
	}
	if !found {
		t.Error("the listed env must still be found")
	}
	t.Logf("scan with a %d-line environments.txt: %v", MaxEnvironmentsLines+50_000, time.Since(start))
}

// Unreadable dirs: root reads everything, so as root the check re-runs this test as nobody.
func TestUnreadableDirs(t *testing.T) {
	if os.Geteuid() == 0 && os.Getenv("JDASH_AS_NOBODY") == "" {
		rerunAsNobody(t, "TestUnreadableDirs")
		return
	}
	tr := newTree(t)
	base := tr.python("opt/py", "3.11.7")
	tr.venv("home/envs/ok", base, "3.11.7", "")
	tr.venv("home/envs/locked", base, "3.11.7", "")
	tr.venv("home/.virtualenvs/v", base, "3.11.7", "")
	for _, d := range []string{"home/envs/locked", "home/.virtualenvs"} {
		if err := os.Chmod(tr.p(d), 0); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(tr.p(d), 0o755)
	}
	envs := scanWithin(t, tr, tr.host(nil))
	mustEnv(t, envs, "home/envs/ok")
	if e, ok := envs["home/envs/locked"]; ok && !e.Broken {
		t.Errorf("unreadable env dir listed as healthy: %+v", e)
	}
}

func rerunAsNobody(t *testing.T, name string) {
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no nobody user to drop root privileges to")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "jdash-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	_ = os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "envdetect.test")
	if err := copyFile(self, bin); err != nil {
		t.Fatal(err)
	}
	c := exec.Command(bin, "-test.run", "^"+name+"$", "-test.v")
	c.Env = append(os.Environ(), "JDASH_AS_NOBODY=1", "TMPDIR="+os.TempDir())
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, err := c.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
