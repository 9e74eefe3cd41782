package envdetect

import (
	"path/filepath"
	"strings"

	"github.com/jdash-dev/jdash/internal/pyver"
)

// sitePackageDirs are where the env's own distributions live, in import order.
func sitePackageDirs(e *Env, goos string) []string {
	if goos == "windows" {
		return []string{filepath.Join(e.Prefix, "Lib", "site-packages")}
	}
	want := majorMinor(e.PythonVersion)
	var out []string
	for _, lib := range pythonLibDirs(e.Prefix) {
		mm, _, _ := parseLibPythonDir(filepath.Base(lib))
		if want != "" && mm != want {
			continue
		}
		sp := filepath.Join(lib, "site-packages")
		if isDir(sp) && (len(out) == 0 || !containsReal(out, sp)) {
			out = append(out, sp)
		}
		if want == "" {
			break
		}
	}
	if e.Kind == KindSystem && want != "" {
		// Debian/Ubuntu: pip and apt install into dist-packages.
		for _, d := range []string{
			filepath.Join(e.Prefix, "local", "lib", "python"+want, "dist-packages"),
			filepath.Join(e.Prefix, "lib", "python3", "dist-packages"),
			filepath.Join(e.Prefix, "lib", "python"+want, "dist-packages"),
		} {
			if isDir(d) {
				out = append(out, d)
			}
		}
	}
	return out
}

func containsReal(list []string, p string) bool {
	rp, _ := realpath(p)
	for _, x := range list {
		if rx, _ := realpath(x); rx == rp {
			return true
		}
	}
	return false
}

// readPackages fills SitePackages and the Jupyter-relevant versions from dist-info and
// egg-info records (directory names; METADATA only when a name has no version). Conda
// records already read from conda-meta are kept unless site-packages has a newer record
// (a pip install over a conda package).
func readPackages(e *Env, h Host) {
	if sp := sitePackageDirs(e, h.OS); sp != nil {
		e.SitePackages = sp
	}
	seen := map[string]string{}
	for _, sp := range e.SitePackages {
		names, err := readDirNames(sp)
		if err != nil {
			continue
		}
		for _, n := range names {
			if !strings.HasSuffix(n, "-info") {
				continue
			}
			name, version, ok := ParseDistDirName(n)
			if !ok {
				name, version, ok = readMetadataFile(filepath.Join(sp, n))
				if !ok {
					continue
				}
			}
			p, relevant := jupyterByNorm[NormalizeName(name)]
			if !relevant {
				continue
			}
			if old, dup := seen[p]; dup && !newer(version, old) {
				continue
			}
			seen[p] = version
		}
	}
	for p, v := range seen {
		e.Packages[p] = v
	}
}

func readMetadataFile(path string) (string, string, bool) {
	for _, f := range []string{filepath.Join(path, "METADATA"), filepath.Join(path, "PKG-INFO"), path} {
		data, err := readSmall(f, maxSmallFile)
		if err != nil {
			continue
		}
		if m, err := ParseMetadata(data); err == nil {
			return m.Name, m.Version, true
		}
	}
	return "", "", false
}

func newer(a, b string) bool {
	va, errA := pyver.Parse(a)
	vb, errB := pyver.Parse(b)
	if errA != nil || errB != nil {
		return a > b
	}
	return va.GreaterThan(vb)
}

// DistVersion returns the version of distribution name installed in the site dir, or "".
func DistVersion(siteDir, name string) string {
	names, err := readDirNames(siteDir)
	if err != nil {
		return ""
	}
	want := NormalizeName(name)
	best := ""
	for _, en := range names {
		n, v, ok := ParseDistDirName(en)
		if !ok || NormalizeName(n) != want {
			continue
		}
		if best == "" || newer(v, best) {
			best = v
		}
	}
	return best
}

// BasePrefix is the prefix of the interpreter a venv was made from (from pyvenv.cfg home,
// else the bin/python link), or "" when neither says.
func (e *Env) BasePrefix() string {
	if e.Venv != nil && e.Venv.Home != "" && !e.Venv.HomeRelative {
		home := filepath.Clean(e.Venv.Home)
		if filepath.Base(home) == "bin" || filepath.Base(home) == "Scripts" {
			return filepath.Dir(home)
		}
		return home // old virtualenv wrote the prefix itself
	}
	if e.Python != "" {
		if t, err := filepath.EvalSymlinks(e.Python); err == nil && filepath.Base(filepath.Dir(t)) == "bin" {
			return filepath.Dir(filepath.Dir(t))
		}
	}
	return ""
}

// SiteDirsFor lists the site-packages dirs of another prefix for the env's Python X.Y.
func SiteDirsFor(prefix, pythonVersion, goos string) []string {
	e := &Env{Prefix: prefix, PythonVersion: pythonVersion}
	return sitePackageDirs(e, goos)
}

// FindModule finds an importable module (dotted name) in the given site dirs without
// running Python: a package dir, a .py file or an extension module. It returns its path.
func FindModule(siteDirs []string, module string) string {
	rel := filepath.Join(strings.Split(module, ".")...)
	for _, sp := range siteDirs {
		base := filepath.Join(sp, rel)
		if isFile(filepath.Join(base, "__init__.py")) || isFile(base+".py") {
			if isFile(base + ".py") {
				return base + ".py"
			}
			return base
		}
		if matches, _ := filepath.Glob(base + ".*.so"); len(matches) > 0 {
			return matches[0]
		}
		if matches, _ := filepath.Glob(base + ".*.pyd"); len(matches) > 0 {
			return matches[0]
		}
	}
	return ""
}
