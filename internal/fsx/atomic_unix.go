//go:build !windows

package fsx

import (
	"io/fs"

	"github.com/google/renameio/v2"
)

// atomicWrite: temp file in the same dir, fsync, rename (google/renameio). static applies
// mode exactly (an existing file's mode, or 0600 for a secret); otherwise the umask applies
// as it does to any new file.
func atomicWrite(path string, data []byte, mode fs.FileMode, static bool) error {
	opt := renameio.WithPermissions(mode)
	if static {
		opt = renameio.WithStaticPermissions(mode)
	}
	t, err := renameio.NewPendingFile(path, opt)
	if err != nil {
		return err
	}
	defer t.Cleanup()
	if _, err := t.Write(data); err != nil {
		return err
	}
	fault("temp written, not renamed:", path)
	return t.CloseAtomicallyReplace()
}
