package pkgindex

import (
	"path/filepath"
	"slices"
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
// A free-threaded build (pythonX.Yt) is read when its dir is the one that exists.
func PrefixSiteDirs(prefix, mm, goos string) []string {
	if goos == "windows" {
		return existing(filepath.Join(prefix, "Lib", "site-packages"))
	}
	if mm == "" {
		return nil
	}
	var cands []string
	for _, lib := range []string{"lib64", "lib"} {
		for _, py := range []string{"python" + mm, "python" + mm + "t", "pypy" + mm} {
			cands = append(cands, filepath.Join(prefix, lib, py, "site-packages"))
		}
	}
	cands = append(cands,
		filepath.Join(prefix, "local", "lib", "python"+mm, "dist-packages"),
		filepath.Join(prefix, "lib", "python3", "dist-packages"),
		filepath.Join(prefix, "lib", "python"+mm, "dist-packages"))
	return existing(cands...)
}

// existing keeps the dirs that exist, once each (lib64 is often a link to lib).
func existing(dirs ...string) []string {
	var out, real []string
	for _, d := range dirs {
		if !isDir(d) {
			continue
		}
		r, err := filepath.EvalSymlinks(d)
		if err != nil {
			r = d
		}
		if slices.Contains(real, r) {
			continue
		}
		out, real = append(out, d), append(real, r)
	}
	return out
}
