package labext

import (
	"strconv"
	"strings"
)

// npm's version ranges, as far as JupyterLab's compatibility check needs them: whether the
// range of the core's singleton package and the range an extension depends on overlap.

type semver [3]int // major, minor, patch (a prerelease counts as its release)

func (a semver) less(b semver) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// interval is [lo, hi) (hi unbounded when open).
type interval struct {
	lo   semver
	hi   semver
	open bool
}

func (a interval) overlaps(b interval) bool {
	if !a.open && !b.lo.less(a.hi) {
		return false
	}
	if !b.open && !a.lo.less(b.hi) {
		return false
	}
	return true
}

// parseRange reads an npm range as a union of intervals (ok false: a form it cannot read).
func parseRange(r string) ([]interval, bool) {
	var out []interval
	for _, alt := range strings.Split(r, "||") {
		iv, ok := parseAlt(strings.TrimSpace(alt))
		if !ok {
			return nil, false
		}
		out = append(out, iv)
	}
	return out, true
}

func parseAlt(s string) (interval, bool) {
	all := interval{open: true}
	if s == "" || s == "*" || s == "x" || s == "latest" {
		return all, true
	}
	if lo, hi, ok := strings.Cut(s, " - "); ok { // hyphen range: inclusive
		a, _, ok1 := parseVersion(strings.TrimSpace(lo))
		b, n, ok2 := parseVersion(strings.TrimSpace(hi))
		if !ok1 || !ok2 {
			return all, false
		}
		return interval{lo: a, hi: upper(b, n)}, true
	}
	iv := all
	for _, c := range strings.Fields(s) {
		op := c[:len(c)-len(strings.TrimLeft(c, "<>=^~"))]
		v, n, ok := parseVersion(c[len(op):])
		if !ok {
			return all, false
		}
		var lo, hi semver
		bounded := true
		switch op {
		case "^":
			lo, hi = v, caret(v, n)
		case "~":
			lo, hi = v, tilde(v, n)
		case "", "=":
			lo, hi = v, upper(v, n)
		case ">=":
			lo, bounded = v, false
		case ">":
			lo, bounded = upper(v, n), false
		case "<":
			hi = v
		case "<=":
			hi = upper(v, n)
		default:
			return all, false
		}
		if iv.lo.less(lo) {
			iv.lo = lo
		}
		if bounded && (iv.open || hi.less(iv.hi)) {
			iv.hi, iv.open = hi, false
		}
	}
	return iv, true
}

// parseVersion reads 1, 1.2, 1.2.3 (x, X or * for a missing part), a leading v, a
// prerelease or build dropped; n is how many parts were given.
func parseVersion(s string) (v semver, n int, ok bool) {
	s = strings.TrimPrefix(s, "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) == 0 || len(parts) > 3 {
		return v, 0, false
	}
	for i, p := range parts {
		if p == "x" || p == "X" || p == "*" {
			return v, i, true // 1.x: the parts before it
		}
		x, err := strconv.Atoi(p)
		if err != nil || x < 0 {
			return v, 0, false
		}
		v[i], n = x, i+1
	}
	return v, n, true
}

// upper is the first version past v given to n parts (1.2 -> 1.3.0, 1.2.3 -> 1.2.4).
func upper(v semver, n int) semver {
	switch n {
	case 0:
		return semver{1 << 30}
	case 1:
		return semver{v[0] + 1}
	case 2:
		return semver{v[0], v[1] + 1}
	}
	return semver{v[0], v[1], v[2] + 1}
}

// caret is ^v's bound: the next change of the first non-zero part.
func caret(v semver, n int) semver {
	switch {
	case v[0] > 0 || n <= 1:
		return semver{v[0] + 1}
	case v[1] > 0 || n == 2:
		return semver{0, v[1] + 1}
	}
	return semver{0, 0, v[2] + 1}
}

// tilde is ~v's bound: the next minor (the next major for ~1).
func tilde(v semver, n int) semver {
	if n <= 1 {
		return semver{v[0] + 1}
	}
	return semver{v[0], v[1] + 1}
}

// compatible reports whether the core's range and an extension's overlap (known false when a
// form cannot be read).
func compatible(core, ext string) (ok, known bool) {
	a, ok1 := parseRange(core)
	b, ok2 := parseRange(ext)
	if !ok1 || !ok2 {
		return true, false
	}
	for _, x := range a {
		for _, y := range b {
			if x.overlaps(y) {
				return true, true
			}
		}
	}
	return false, true
}
