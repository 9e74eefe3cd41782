//go:build unix

package runner

import (
	"os/exec"
	"syscall"
	"time"
)

// ownGroup starts the child in its own process group; cancelling sends SIGTERM to the whole
// group (pip's build subprocesses, a server's kernels), and SIGKILL after a grace period.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
	cmd.WaitDelay = 5 * time.Second
}

// detach puts a started child in its own process group, or its own session (setsid: no
// controlling terminal, its own group), so that a whole service can be signalled at once.
func detach(cmd *exec.Cmd, session bool) {
	if session {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		return
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
