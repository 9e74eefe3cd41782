// Package pyver is jdash's one reading of Python versions: PEP 440 versions (epoch, release,
// pre, post, dev, local) with PEP 440's ordering, and the specifiers that gate on them. Every
// version comparison in jdash goes through it; none compares version strings.
package pyver

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jdash-dev/jdash/internal/lazyre"
)

// pep440 is packaging's VERSION_PATTERN (case-insensitive, surrounding space allowed).
var pep440 = lazyre.New(`(?i)^\s*v?` +
	`(?:([0-9]+)!)?` + // epoch
	`([0-9]+(?:\.[0-9]+)*)` + // release
	`(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?` + // pre
	`(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?` + // post
	`(?:[-_.]?(dev)[-_.]?([0-9]+)?)?` + // dev
	`(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$`) // local

// Version is a parsed PEP 440 version. The zero value is not a version; use Parse.
type Version struct {
	Epoch   int
	Release []int
	PreTag  string // "a", "b", "rc" or "" (a final release)
	PreN    int
	Post    int      // -1: none
	Dev     int      // -1: none
	Local   []string // lower-case local segments, nil: none
}

// Parse reads a PEP 440 version ("5.0.0rc1", "1!2.0.post1.dev3+ubuntu.1"). It also reads the
// interpreter spellings Python tooling writes: sys.version_info's "3.12.1.final.0" and
// "3.13.0.candidate.1" (pyvenv.cfg), and pyenv's "3.14.0a1+" / "3.10-dev" build names.
func Parse(s string) (Version, error) {
	if v, ok := parsePlain(s); ok {
		return v, nil // the common case ("5.9.1") needs no regular expression
	}
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(t, "+") // pyenv's "3.14.0a1+" (a build past the tag)
	if v, ok := parseVersionInfo(t); ok {
		return v, nil
	}
	v, err := parsePEP440(t)
	if err != nil {
		return Version{}, fmt.Errorf("not a Python version: %q", s)
	}
	return v, nil
}

// parsePEP440 reads exactly what packaging.version.Version accepts.
func parsePEP440(s string) (Version, error) {
	m := pep440().FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("not a PEP 440 version: %q", s)
	}
	v := Version{Post: -1, Dev: -1}
	if m[1] != "" {
		v.Epoch = atoi(m[1])
	}
	for _, p := range strings.Split(m[2], ".") {
		v.Release = append(v.Release, atoi(p))
	}
	if m[3] != "" {
		v.PreTag, v.PreN = preTag(m[3]), atoi(m[4])
	}
	switch {
	case m[5] != "":
		v.Post = atoi(m[5])
	case m[6] != "":
		v.Post = atoi(m[7])
	}
	if m[8] != "" {
		v.Dev = atoi(m[9])
	}
	if m[10] != "" {
		v.Local = append(v.Local, strings.FieldsFunc(strings.ToLower(m[10]), func(r rune) bool { return r == '.' || r == '-' || r == '_' })...)
	}
	return v, nil
}

// MustParse is Parse for constants.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// parsePlain reads "N(.N)*".
func parsePlain(s string) (Version, bool) {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") || strings.Trim(s, "0123456789.") != "" {
		return Version{}, false
	}
	v := Version{Post: -1, Dev: -1}
	for _, p := range strings.Split(s, ".") {
		v.Release = append(v.Release, atoi(p))
	}
	return v, true
}

// parseVersionInfo reads "X.Y.Z.<releaselevel>.<serial>" (str of sys.version_info's parts).
func parseVersionInfo(s string) (Version, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 5 {
		return Version{}, false
	}
	v, ok := parsePlain(strings.Join(parts[:3], "."))
	if !ok || strings.Trim(parts[4], "0123456789") != "" || parts[4] == "" {
		return Version{}, false
	}
	switch parts[3] {
	case "final":
	case "alpha", "beta", "candidate":
		v.PreTag, v.PreN = preTag(parts[3]), atoi(parts[4])
	default:
		return Version{}, false
	}
	return v, true
}

func atoi(s string) int {
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return int(^uint(0) >> 1) // absurdly long numbers sort last
	}
	return n
}

// preTag is the PEP 440 normal form of a pre-release label.
func preTag(t string) string {
	switch strings.ToLower(t) {
	case "a", "alpha":
		return "a"
	case "b", "beta":
		return "b"
	}
	return "rc" // c, rc, pre, preview, candidate
}

// String is the PEP 440 normal form ("1.0rc1", "2!1.0.post2.dev3+local.1").
func (v Version) String() string {
	if v.Local != nil {
		return v.Public() + "+" + strings.Join(v.Local, ".")
	}
	return v.Public()
}

// Public is the version without its local label.
func (v Version) Public() string {
	var b strings.Builder
	if v.Epoch != 0 {
		fmt.Fprintf(&b, "%d!", v.Epoch)
	}
	b.WriteString(v.BaseRelease())
	if v.PreTag != "" {
		fmt.Fprintf(&b, "%s%d", v.PreTag, v.PreN)
	}
	if v.Post >= 0 {
		fmt.Fprintf(&b, ".post%d", v.Post)
	}
	if v.Dev >= 0 {
		fmt.Fprintf(&b, ".dev%d", v.Dev)
	}
	return b.String()
}

// BaseRelease is the release segment alone ("3.12.1").
func (v Version) BaseRelease() string {
	parts := make([]string, len(v.Release))
	for i, n := range v.Release {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

// IsPrerelease is PEP 440's: a pre-release or a development release.
func (v Version) IsPrerelease() bool { return v.PreTag != "" || v.Dev >= 0 }

// Part returns release component i (0 when the release is shorter).
func (v Version) Part(i int) int {
	if i < len(v.Release) {
		return v.Release[i]
	}
	return 0
}

// MajorMinor is "X.Y" of the release ("3.12" for 3.12.1).
func (v Version) MajorMinor() string { return fmt.Sprintf("%d.%d", v.Part(0), v.Part(1)) }

// Compare orders two versions as PEP 440 does: -1, 0 or +1.
func (v Version) Compare(w Version) int {
	if c := cmpInt(v.Epoch, w.Epoch); c != 0 {
		return c
	}
	n := max(len(v.Release), len(w.Release))
	for i := 0; i < n; i++ { // trailing zeros do not count: 1.0 == 1.0.0
		if c := cmpInt(v.Part(i), w.Part(i)); c != 0 {
			return c
		}
	}
	if c := cmpInt(v.preKey(), w.preKey()); c != 0 {
		return c
	}
	if v.PreTag != "" && w.PreTag != "" {
		if c := cmpInt(v.PreN, w.PreN); c != 0 {
			return c
		}
	}
	if c := cmpInt(v.Post, w.Post); c != 0 { // -1 (none) sorts first
		return c
	}
	if c := cmpInt(devKey(v.Dev), devKey(w.Dev)); c != 0 {
		return c
	}
	return cmpLocal(v.Local, w.Local)
}

// preKey ranks the pre-release part: a dev release of a final version sorts before all of
// its pre-releases; a final version (or a post release) after them.
func (v Version) preKey() int {
	switch {
	case v.PreTag == "" && v.Post < 0 && v.Dev >= 0:
		return -1
	case v.PreTag == "":
		return 4
	case v.PreTag == "a":
		return 1
	case v.PreTag == "b":
		return 2
	}
	return 3
}

func devKey(d int) int {
	if d < 0 {
		return int(^uint(0) >> 1)
	}
	return d
}

// cmpLocal: no label sorts first; segments compare numerically when both are numbers, a
// number sorts after a string, and a shorter label that is a prefix sorts first.
func cmpLocal(a, b []string) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	for i := 0; i < min(len(a), len(b)); i++ {
		an, aNum := numeric(a[i])
		bn, bNum := numeric(b[i])
		var c int
		switch {
		case aNum && bNum:
			c = cmpInt(an, bn)
		case aNum:
			c = 1
		case bNum:
			c = -1
		default:
			c = strings.Compare(a[i], b[i])
		}
		if c != 0 {
			return c
		}
	}
	return cmpInt(len(a), len(b))
}

func numeric(s string) (int, bool) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	return atoi(s), true
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Less reports v < w.
func (v Version) Less(w Version) bool { return v.Compare(w) < 0 }

// CompareStrings orders two version strings, unparseable ones first (then by text), so that
// sorting lists of versions never falls back to string order for real versions.
func CompareStrings(a, b string) int {
	va, errA := Parse(a)
	vb, errB := Parse(b)
	switch {
	case errA == nil && errB == nil:
		return va.Compare(vb)
	case errA != nil && errB != nil:
		return strings.Compare(a, b)
	case errA != nil:
		return -1
	}
	return 1
}

// MajorOf is the first release number of a version string (-1 when it does not parse).
func MajorOf(s string) int {
	v, err := Parse(s)
	if err != nil || len(v.Release) == 0 {
		return -1
	}
	return v.Part(0)
}

// MajorMinor returns "X.Y" of a Python version string, or "" when it has no minor part.
func MajorMinor(s string) string {
	v, err := Parse(s)
	if err != nil || len(v.Release) < 2 {
		return ""
	}
	return v.MajorMinor()
}

// Normalize returns the canonical text of an interpreter version as users know it:
// "3.12.1.final.0" -> "3.12.1", "3.13.0.candidate.1" -> "3.13.0rc1", "3.12" stays.
// Unparseable input is returned trimmed.
func Normalize(s string) string {
	s = strings.TrimSpace(s)
	v, err := Parse(s)
	if err != nil {
		return s
	}
	return v.String()
}
