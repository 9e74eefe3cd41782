package envdetect

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/pyver"
)

func normalizeVersion(v string) string { return pyver.Normalize(v) }
func majorMinor(v string) string       { return pyver.MajorMinor(v) }

// parseLibPythonDir reads a stdlib dir name: python3.12, python3.13t, pypy3.10.
func parseLibPythonDir(name string) (mm string, freeThreaded bool, ok bool) {
	rest, found := strings.CutPrefix(name, "python")
	if !found {
		if rest, found = strings.CutPrefix(name, "pypy"); !found {
			return "", false, false
		}
	}
	if t, cut := strings.CutSuffix(rest, "t"); cut {
		rest, freeThreaded = t, true
	}
	maj, min, dot := strings.Cut(rest, ".")
	if !dot || maj == "" || min == "" || strings.Trim(maj+min, "0123456789") != "" {
		return "", false, false
	}
	return rest, freeThreaded, true
}

// pythonLibDirs lists <prefix>/lib/pythonX.Y[t] (and lib64, and pypyX.Y), newest first.
func pythonLibDirs(prefix string) []string {
	var out []string
	for _, lib := range []string{"lib", "lib64"} {
		ents, err := readDirEntries(filepath.Join(prefix, lib))
		if err != nil {
			continue
		}
		for _, en := range ents {
			if _, _, ok := parseLibPythonDir(en.Name()); ok && entryIsDir(filepath.Join(prefix, lib), en) {
				out = append(out, filepath.Join(prefix, lib, en.Name()))
			}
		}
	}
	slices.SortStableFunc(out, func(a, b string) int {
		ma, fa, _ := parseLibPythonDir(filepath.Base(a))
		mb, fb, _ := parseLibPythonDir(filepath.Base(b))
		if c := pyver.CompareStrings(mb, ma); c != 0 {
			return c
		}
		return cmpBool(fb, fa)
	})
	return out
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// versionFromHeaders reads the exact version from PEP 739 build-details.json (3.14+) or from
// include/pythonX.Y/patchlevel.h.
func versionFromHeaders(prefix string) (string, string) {
	for _, lib := range pythonLibDirs(prefix) {
		if v := readBuildDetails(filepath.Join(lib, "build-details.json")); v != "" {
			return v, "build-details.json"
		}
	}
	// include/pythonX.Y/ (CPython), include/pypyX.Y/ (PyPy 7.3.x), or a flat include/ (older
	// PyPy, some embedded builds).
	var found []string
	if v := patchlevelIn(filepath.Join(prefix, "include", "patchlevel.h")); v != "" {
		found = append(found, v)
	}
	ents, _ := readDirEntries(filepath.Join(prefix, "include"))
	for _, en := range ents {
		if strings.HasPrefix(en.Name(), "python") || strings.HasPrefix(en.Name(), "pypy") {
			if v := patchlevelIn(filepath.Join(prefix, "include", en.Name(), "patchlevel.h")); v != "" {
				found = append(found, v)
			}
		}
	}
	if len(found) == 0 {
		return "", ""
	}
	return normalizeVersion(slices.MaxFunc(found, pyver.CompareStrings)), "patchlevel.h"
}

func patchlevelIn(path string) string {
	data, err := readSmall(path, maxSmallFile)
	if err != nil {
		return ""
	}
	return patchlevelVersion(data)
}

func readBuildDetails(path string) string {
	data, err := readSmall(path, maxSmallFile)
	if err != nil {
		return ""
	}
	var bd struct {
		Language struct {
			VersionInfo struct {
				Major, Minor, Micro int
				ReleaseLevel        string `json:"releaselevel"`
				Serial              int
			} `json:"version_info"`
		} `json:"language"`
	}
	if json.Unmarshal(data, &bd) != nil || bd.Language.VersionInfo.Major == 0 {
		return ""
	}
	vi := bd.Language.VersionInfo
	v := fmt.Sprintf("%d.%d.%d", vi.Major, vi.Minor, vi.Micro)
	switch vi.ReleaseLevel {
	case "alpha":
		v += fmt.Sprintf("a%d", vi.Serial)
	case "beta":
		v += fmt.Sprintf("b%d", vi.Serial)
	case "candidate":
		v += fmt.Sprintf("rc%d", vi.Serial)
	}
	return v
}

// versionFromLibDirs gives X.Y[t] from the stdlib dir name when nothing better exists.
func versionFromLibDirs(prefix string) (string, string) {
	for _, d := range pythonLibDirs(prefix) {
		mm, _, _ := parseLibPythonDir(filepath.Base(d))
		return mm, "lib directory name"
	}
	return "", ""
}

// patchlevelVersion finds `#define PY_VERSION "3.12.1"` in patchlevel.h.
func patchlevelVersion(data []byte) string {
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "#define" && f[1] == "PY_VERSION" {
			return strings.Trim(f[2], `"`)
		}
	}
	return ""
}
