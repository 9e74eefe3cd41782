package pkgindex

import (
	"os"
	"path/filepath"
	"slices"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// PrefixSiteDirs lists the site dirs a prefix contributes for Python X.Y (mm), in the order
// site.getsitepackages() gives them, keeping those that exist:
//
//   - <prefix>/lib64/pythonX.Y/site-packages first where sys.platlibdir is lib64 (Fedora,
//     RHEL, openSUSE), then <prefix>/lib/pythonX.Y/site-packages;
//   - Debian and Ubuntu's interpreters add <prefix>/local/lib/pythonX.Y/dist-packages (pip's
//     target for /usr: /usr/local/lib/pythonX.Y/dist-packages), <prefix>/lib/python3/dist-
//     packages (apt's) and the deprecated <prefix>/lib/pythonX.Y/dist-packages;
//   - Windows: <prefix>\Lib\site-packages.
//
// A free-threaded build (pythonX.Yt) and PyPy (pypyX.Y) are read when theirs is the dir that
// exists. lib and lib64 are listed once each, so that a scan of many envs stays cheap.
func PrefixSiteDirs(prefix, mm, goos string) []string {
	if goos == "windows" {
		return existing(filepath.Join(prefix, "Lib", "site-packages"))
	}
	if mm == "" {
		return nil
	}
	// sys.platlibdir is lib64 where lib64 is a dir of its own; a venv's lib64 is a link to lib.
	libs := []string{"lib", "lib64"}
	if st, err := os.Lstat(filepath.Join(prefix, "lib64")); err == nil && st.IsDir() {
		libs = []string{"lib64", "lib"}
	}
	var cands []string
	for _, lib := range libs {
		names, err := fsx.ReadDirNames(filepath.Join(prefix, lib))
		if err != nil {
			continue
		}
		for _, py := range []string{"python" + mm, "python" + mm + "t", "pypy" + mm} {
			if slices.Contains(names, py) {
				cands = append(cands, filepath.Join(prefix, lib, py, "site-packages"))
			}
		}
		if lib == "lib" && slices.Contains(names, "python3") {
			cands = append(cands,
				filepath.Join(prefix, "local", "lib", "python"+mm, "dist-packages"),
				filepath.Join(prefix, "lib", "python3", "dist-packages"),
				filepath.Join(prefix, "lib", "python"+mm, "dist-packages"))
		}
	}
	return existing(cands...)
}

// existing keeps the dirs that exist, once each (lib64 is often a link to lib).
func existing(dirs ...string) []string {
	var out []string
	var seen []os.FileInfo
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil || !st.IsDir() {
			continue
		}
		if slices.ContainsFunc(seen, func(o os.FileInfo) bool { return os.SameFile(o, st) }) {
			continue
		}
		out, seen = append(out, d), append(seen, st)
	}
	return out
}
