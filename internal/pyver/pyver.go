// Package pyver reads the version strings Python tooling writes (PEP 440 package versions,
// pyvenv.cfg version/version_info, conda and pyenv names) into semver values, so that
// version rules can be kept as Masterminds/semver constraints.
package pyver

import (
	"fmt"

	"github.com/jdash-dev/jdash/internal/lazyre"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// pep440 covers release segments, pre (a/b/rc, also alpha/beta/c/pre/preview), post and dev
// parts, a local label, and virtualenv's "X.Y.Z.final.0" / "X.Y.Z.candidate.1" shapes.
var pep440 = lazyre.New(`(?i)^\s*v?(\d+(?:\.\d+)*)` +
	`(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview|final|candidate)[-_.]?(\d*))?` +
	`(?:[-_.]?(post|rev|r)[-_.]?(\d*)|-(\d+))?` +
	`(?:[-_.]?(dev)[-_.]?(\d*))?` +
	`(?:\+([a-z0-9._-]*))?\+?\s*$`)

// Parse turns a Python version string into a semver version. Releases with fewer than three
// parts are padded ("3.12" is 3.12.0), a fourth part goes to build metadata, pre-releases
// become "-rc.1" style, and post releases become build metadata.
func Parse(s string) (*semver.Version, error) {
	if isPlainRelease(s) {
		// The common case ("5.9.1") needs no regular expression.
		parts := strings.Split(s, ".")
		for len(parts) < 3 {
			parts = append(parts, "0")
		}
		for i, p := range parts {
			parts[i] = num(p)
		}
		out := strings.Join(parts[:3], ".")
		if len(parts) > 3 {
			out += "+" + strings.Join(parts[3:], ".")
		}
		return semver.StrictNewVersion(out)
	}
	m := pep440().FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("not a Python version: %q", s)
	}
	rel := strings.Split(m[1], ".")
	for len(rel) < 3 {
		rel = append(rel, "0")
	}
	for i, p := range rel {
		rel[i] = strings.TrimLeft(p, "0")
		if rel[i] == "" {
			rel[i] = "0"
		}
	}
	out := strings.Join(rel[:3], ".")
	var pre, meta []string
	if tag := preTag(m[2]); tag != "" {
		pre = append(pre, tag+"."+num(m[3]))
	}
	if m[7] != "" {
		// dev releases sort before the release (and before its pre-releases when alone).
		pre = append(pre, "dev."+num(m[8]))
	}
	if len(rel) > 3 {
		meta = append(meta, rel[3:]...)
	}
	if m[4] != "" || m[6] != "" {
		meta = append(meta, "post"+num(m[5]+m[6]))
	}
	if m[9] != "" {
		meta = append(meta, strings.NewReplacer("_", ".", "-", ".").Replace(m[9]))
	}
	if len(pre) > 0 {
		out += "-" + strings.Join(pre, ".")
	}
	if len(meta) > 0 {
		out += "+" + strings.Join(meta, ".")
	}
	return semver.StrictNewVersion(out)
}

// MustParse is Parse for constants.
func MustParse(s string) *semver.Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

func num(s string) string {
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return "0"
	}
	return s
}

// MajorMinor returns "X.Y" of a Python version string, or "" when it has no minor part.
func MajorMinor(s string) string {
	if isPlainRelease(s) {
		parts := strings.SplitN(s, ".", 3)
		if len(parts) < 2 {
			return ""
		}
		return parts[0] + "." + parts[1]
	}
	m := pep440().FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	parts := strings.SplitN(m[1], ".", 3)
	if len(parts) < 2 {
		return ""
	}
	return parts[0] + "." + parts[1]
}

// Normalize returns the canonical text of a Python interpreter version as users know it:
// "3.12.1.final.0" -> "3.12.1", "3.14.0rc1" stays, "3.12" stays. Unparseable input is
// returned trimmed.
func Normalize(s string) string {
	s = strings.TrimSpace(s)
	if isPlainRelease(s) {
		return s
	}
	m := pep440().FindStringSubmatch(s)
	if m == nil {
		return s
	}
	out := m[1]
	if tag := preTag(m[2]); tag != "" {
		out += tag + num(m[3])
	}
	if m[7] != "" {
		out += ".dev" + num(m[8])
	}
	if m[9] != "" {
		out += "+" + m[9]
	}
	return out
}

// isPlainRelease reports "N(.N)*" with no empty part.
func isPlainRelease(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	return strings.Trim(s, "0123456789.") == ""
}

// preTag is the PEP 440 normal form of a pre-release tag ("" for a final release).
func preTag(t string) string {
	switch t = strings.ToLower(t); t {
	case "", "final":
		return ""
	case "alpha":
		return "a"
	case "beta":
		return "b"
	case "c", "pre", "preview", "candidate":
		return "rc"
	}
	return t
}
