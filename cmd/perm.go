package cmd

import (
	"errors"
	"io/fs"
	"syscall"
)

func isPermission(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}
