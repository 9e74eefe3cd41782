//go:build windows

package fsx

import (
	"io/fs"

	"github.com/google/renameio/v2/maybe"
)

// atomicWrite on Windows: renameio has no atomic replace there; maybe.WriteFile is a
// plain write (documented in docs/design.md).
func atomicWrite(path string, data []byte, mode fs.FileMode, _ bool) error {
	return maybe.WriteFile(path, data, mode)
}
