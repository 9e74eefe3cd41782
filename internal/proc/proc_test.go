package proc

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
)

func TestAlive(t *testing.T) {
	if !Alive(os.Getpid(), 0) {
		t.Fatal("own pid not alive")
	}
	if Alive(0, 0) || Alive(-1, 0) || Alive(1<<22+12345, 0) {
		t.Fatal("impossible pids reported alive")
	}
}

// A PID is the same process only with the start time recorded for it: a reused PID is not.
func TestAliveTellsAReusedPID(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc")
	}
	ticks, ok := StartTicks(os.Getpid())
	if !ok || ticks == 0 {
		t.Fatal("no start time for this process")
	}
	if !Alive(os.Getpid(), ticks) || Alive(os.Getpid(), ticks+1) {
		t.Error("a start time other than this process's must not name it")
	}
	c := exec.Command("sleep", "30")
	if err := c.Start(); err != nil {
		t.Skip(err)
	}
	defer c.Process.Kill()
	if got := Descendants(os.Getpid()); len(got) == 0 {
		t.Error("the child is not among this process's descendants")
	}
	if Command(c.Process.Pid) != "sleep 30" {
		t.Errorf("command %q", Command(c.Process.Pid))
	}
}
