//go:build !unix

package runner

import (
	"os/exec"
	"time"
)

func ownGroup(cmd *exec.Cmd) { cmd.WaitDelay = 5 * time.Second }

func detach(*exec.Cmd, bool) {}
