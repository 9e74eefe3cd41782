package pyver

import (
	"fmt"
	"strings"
)

// Specifier is one PEP 440 clause ("~=2.2", "==1.4.*", "!=3.0.1", "===foo").
type Specifier struct {
	Op       string
	Text     string // the version text as written
	Version  Version
	Wildcard bool // "==X.Y.*" / "!=X.Y.*"
}

// Spec is a specifier set: every clause must hold. The empty set holds for every version.
type Spec []Specifier

var operators = []string{"===", "~=", "==", "!=", "<=", ">=", "<", ">"} // longest first

// ParseSpec reads a comma-separated specifier set as pip and packaging.specifiers do.
func ParseSpec(s string) (Spec, error) {
	var out Spec
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, clause := range strings.Split(s, ",") {
		sp, err := parseSpecifier(clause)
		if err != nil {
			return nil, fmt.Errorf("specifier %q: %w", s, err)
		}
		out = append(out, sp)
	}
	return out, nil
}

// MustSpec is ParseSpec for constants.
func MustSpec(s string) Spec {
	sp, err := ParseSpec(s)
	if err != nil {
		panic(err)
	}
	return sp
}

func parseSpecifier(clause string) (Specifier, error) {
	c := strings.TrimSpace(clause)
	var sp Specifier
	for _, op := range operators {
		if strings.HasPrefix(c, op) {
			sp.Op = op
			break
		}
	}
	if sp.Op == "" {
		return sp, fmt.Errorf("%q has no operator (one of %s)", c, strings.Join(operators, " "))
	}
	sp.Text = strings.TrimSpace(c[len(sp.Op):])
	if sp.Text == "" || strings.ContainsAny(sp.Text, " \t;") {
		return sp, fmt.Errorf("%q: missing or malformed version", c)
	}
	if sp.Op == "===" {
		return sp, nil // arbitrary equality: compared as text
	}
	text := sp.Text
	if strings.HasSuffix(text, ".*") {
		if sp.Op != "==" && sp.Op != "!=" {
			return sp, fmt.Errorf("%q: a .* wildcard goes with == and != only", c)
		}
		sp.Wildcard, text = true, strings.TrimSuffix(text, ".*")
	}
	v, err := parsePEP440(text)
	if err != nil {
		return sp, fmt.Errorf("%q: %w", c, err)
	}
	if sp.Wildcard && (v.PreTag != "" || v.Post >= 0 || v.Dev >= 0 || v.Local != nil) {
		return sp, fmt.Errorf("%q: a wildcard may follow only the release segment", c)
	}
	if v.Local != nil && sp.Op != "==" && sp.Op != "!=" {
		return sp, fmt.Errorf("%q: a local version goes with == and != only", c)
	}
	if sp.Op == "~=" && len(v.Release) < 2 {
		return sp, fmt.Errorf("%q: ~= needs at least two release segments", c)
	}
	sp.Version = v
	return sp, nil
}

// Contains reports whether an installed version satisfies every clause.
//
// Pre-release policy: an installed version is what it is, so pre-releases are matched on
// their PEP 440 order (packaging's contains(v, prereleases=True)); pip's exclusion of
// pre-releases applies to choosing what to install, not to judging what is installed. Note
// that this puts 7.0.0rc1 *below* ">=7": a rule about a layout that arrived in a
// pre-release says so in its data (">=7.0.0a0").
func (s Spec) Contains(v Version) bool {
	for _, sp := range s {
		if !sp.contains(v) {
			return false
		}
	}
	return true
}

// ContainsString parses an installed version and checks it; an unparseable version
// satisfies nothing.
func (s Spec) ContainsString(v string) bool {
	pv, err := Parse(v)
	return err == nil && s.Contains(pv)
}

func (s Spec) String() string {
	parts := make([]string, len(s))
	for i, sp := range s {
		parts[i] = sp.Op + sp.Text
	}
	return strings.Join(parts, ",")
}

// contains follows packaging.specifiers.Specifier's operators.
func (sp Specifier) contains(v Version) bool {
	spec := sp.Version
	switch sp.Op {
	case "===":
		return strings.EqualFold(v.String(), sp.Text)
	case "==":
		return sp.equal(v)
	case "!=":
		return !sp.equal(v)
	case "~=":
		return v.Compare(spec) >= 0 && releasePrefix(v, spec.Epoch, spec.Release[:len(spec.Release)-1])
	case "<=":
		return publicOf(v).Compare(spec) <= 0
	case ">=":
		return publicOf(v).Compare(spec) >= 0
	case "<":
		if v.Compare(spec) >= 0 {
			return false
		}
		// "<V" does not admit V's own pre-releases unless V is one.
		return spec.IsPrerelease() || !v.IsPrerelease() || baseOf(v).Compare(baseOf(spec)) != 0
	case ">":
		if v.Compare(spec) <= 0 {
			return false
		}
		// ">V" admits neither V's post releases (unless V is one) nor V with a local label.
		if spec.Post < 0 && v.Post >= 0 && baseOf(v).Compare(baseOf(spec)) == 0 {
			return false
		}
		return v.Local == nil || baseOf(v).Compare(baseOf(spec)) != 0
	}
	return false
}

func (sp Specifier) equal(v Version) bool {
	if sp.Wildcard {
		return releasePrefix(v, sp.Version.Epoch, sp.Version.Release)
	}
	if sp.Version.Local == nil {
		v = publicOf(v)
	}
	return v.Compare(sp.Version) == 0
}

// releasePrefix: same epoch, and v's release (zero-padded) starts with prefix.
func releasePrefix(v Version, epoch int, prefix []int) bool {
	if v.Epoch != epoch {
		return false
	}
	for i, n := range prefix {
		if v.Part(i) != n {
			return false
		}
	}
	return true
}

func publicOf(v Version) Version { v.Local = nil; return v }

func baseOf(v Version) Version {
	return Version{Epoch: v.Epoch, Release: v.Release, Post: -1, Dev: -1}
}
