//go:build !unix

package doctor

import "io/fs"

// ownerUID is unknown off Unix: a prefix under the home dir is what marks a user's env there.
func ownerUID(fs.FileInfo) (uint32, bool) { return 0, false }
