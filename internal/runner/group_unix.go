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
