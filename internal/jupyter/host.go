package jupyter

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/pyver"
)

// FactsFor derives the facts of a detected env under a process environment, from files
// alone, and the env's package index over SiteDirs (built once: the facts need it for the
// jupyter_core version, the commands for everything else). CoreVersion is the jupyter_core
// the env's Python would import (nil, with found false, when it has none: the newest rules
// are used then).
func FactsFor(e *envdetect.Env, env map[string]string) (f Facts, pkgs *pkgindex.Index, coreFound bool) {
	f = Facts{
		OS:                   runtime.GOOS,
		Prefix:               e.Prefix,
		IsVenv:               e.Venv != nil,
		SystemSitePackages:   e.Venv == nil || e.Venv.IncludeSystemSitePackages,
		UserSiteBlockedByIDs: idsDiffer(),
		Env:                  env,
		PythonVersion:        pyver.MajorMinor(e.PythonVersion),
		TempDir:              tempDir(env),
	}
	f.Home = homeFor(env)
	f.RealHome = resolvePath(f.Home)
	if ad := env["APPDATA"]; ad != "" && f.OS == "windows" {
		f.RealAppData = resolvePath(filepath.Join(ad, "jupyter"))
	}
	f.OwnsPrefix = ownsPath(e.Prefix)
	pkgs = pkgindex.New(SiteDirs(e, f))
	if v := coreVersion(e, pkgs); v != "" {
		if sv, err := pyver.Parse(v); err == nil {
			f.CoreVersion = &sv
			coreFound = true
		}
	}
	return f, pkgs, coreFound
}

// SiteDirs are the env's site dirs in Python's import order (site.main): in a venv its own
// site-packages, then the user site (enabled only with system site packages), then the base
// interpreter's site dirs (distribution layouts included: Debian's dist-packages, lib64);
// elsewhere the user site (when enabled) before the prefix's own dirs.
func SiteDirs(e *envdetect.Env, f Facts) []string {
	var user []string
	if p := Resolve(f); p.UserSite && f.PythonVersion != "" {
		user = append(user, filepath.Join(p.UserBase, "lib", "python"+f.PythonVersion, "site-packages"))
	}
	if !f.IsVenv {
		return append(user, e.SitePackages...)
	}
	dirs := append(slices.Clone(e.SitePackages), user...)
	if f.SystemSitePackages {
		if base := e.BasePrefix(); base != "" {
			dirs = append(dirs, pkgindex.PrefixSiteDirs(base, f.PythonVersion, f.OS)...)
		}
	}
	return dirs
}

// coreVersion is the jupyter_core the env's Python would import; a conda record stands in
// when no site dir has one.
func coreVersion(e *envdetect.Env, pkgs *pkgindex.Index) string {
	if v := pkgs.Version("jupyter_core"); v != "" {
		return v
	}
	return e.Packages["jupyter_core"]
}

// homeFor is what Python's expanduser("~") starts from: HOME, else the password database.
func homeFor(env map[string]string) string {
	if runtime.GOOS == "windows" {
		if h := env["USERPROFILE"]; h != "" {
			return h
		}
	}
	if h, ok := env["HOME"]; ok {
		return h
	}
	return passwdHome(os.Getuid())
}

// passwdHome is pwd.getpwuid(uid).pw_dir from /etc/passwd (read directly: os/user would
// link libc through cgo, which costs every jdash start a millisecond).
func passwdHome(uid int) string {
	data, err := fsx.ReadRegular("/etc/passwd", 1<<20)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 6 && f[2] == strconv.Itoa(uid) {
			return f[5]
		}
	}
	return ""
}

// resolvePath is pathlib's non-strict resolve(): the longest existing part has its symlinks
// resolved and the rest is appended as is; relative paths are made absolute first.
func resolvePath(p string) string {
	if p == "" {
		p = "."
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return fsx.ResolveExisting(abs)
}

// tempDir is tempfile.gettempdir()'s first choice: TMPDIR, TEMP, TMP, then /tmp.
func tempDir(env map[string]string) string {
	for _, k := range []string{"TMPDIR", "TEMP", "TMP"} {
		if v := env[k]; v != "" {
			if st, err := os.Stat(v); err == nil && st.IsDir() {
				return filepath.Clean(v)
			}
		}
	}
	if runtime.GOOS == "windows" {
		return os.TempDir()
	}
	return "/tmp"
}
