// Package patch repairs installed packages whose imports a newer Jupyter (or Jinja2,
// setuptools, Python) broke: versioned rules kept as data, applied to parsed import
// statements (never substrings), marked, idempotent, backed up and exactly revertible.
package patch

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pyver"
)

//go:embed rules.yaml
var rulesYAML []byte

// Rule is one known breakage and its repair.
type Rule struct {
	ID             string            `yaml:"id" json:"id"`
	Title          string            `yaml:"title" json:"title"`
	Packages       []string          `yaml:"packages" json:"packages"`
	PackageVersion string            `yaml:"package_version" json:"package_version,omitempty"`
	When           map[string]string `yaml:"when" json:"when,omitempty"`
	Python         string            `yaml:"python" json:"python,omitempty"`
	Kind           string            `yaml:"kind" json:"kind"`
	Module         string            `yaml:"module" json:"module,omitempty"`
	Name           string            `yaml:"name" json:"name,omitempty"`
	Renames        map[string]string `yaml:"renames" json:"renames,omitempty"`
	New            string            `yaml:"new" json:"-"`
	Modules        map[string]string `yaml:"modules" json:"modules,omitempty"`
	Names          map[string]string `yaml:"names" json:"names,omitempty"`
	OnlyNames      []string          `yaml:"only_names" json:"only_names,omitempty"`
	Attrs          map[string]string `yaml:"attrs" json:"attrs,omitempty"`
	Pin            string            `yaml:"pin" json:"pin,omitempty"`
	PreferPin      bool              `yaml:"prefer_pin" json:"prefer_pin"`
	Link           string            `yaml:"link" json:"link"`
}

// Rules returns the embedded rule set (parsed once).
func Rules() ([]Rule, error) {
	rs, err := parsedRules()
	return slices.Clone(rs), err
}

var parsedRules = sync.OnceValues(parseRules)

func parseRules() ([]Rule, error) {
	var rs []Rule
	if err := yaml.Unmarshal(rulesYAML, &rs); err != nil {
		return nil, fmt.Errorf("rules.yaml: %w", err)
	}
	for _, r := range rs {
		if err := r.validate(); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

func (r Rule) validate() error {
	switch r.Kind {
	case "module":
		if len(r.Modules) == 0 {
			return fmt.Errorf("rule %s: a module rule needs modules", r.ID)
		}
	case "name":
		if r.Module == "" || (r.Name == "" && len(r.Renames) == 0) || (r.Name != "" && r.New == "") {
			return fmt.Errorf("rule %s: a name rule needs module and name+new or renames", r.ID)
		}
	case "import":
		if r.Module == "" || r.New == "" {
			return fmt.Errorf("rule %s: an import rule needs module and new", r.ID)
		}
	case "pin":
		if r.Pin == "" {
			return fmt.Errorf("rule %s: a pin rule needs pin", r.ID)
		}
	default:
		return fmt.Errorf("rule %s: unknown kind %q", r.ID, r.Kind)
	}
	check := func(pkg, c string) error {
		if c == "" || c == "present" || c == "absent" {
			return nil
		}
		spec, err := jupyter.LayoutSpec(c, pkg)
		if err == nil {
			_, err = pyver.ParseSpec(spec)
		}
		if err != nil {
			return fmt.Errorf("rule %s: %s: %w", r.ID, pkg, err)
		}
		return nil
	}
	for pkg, c := range r.When {
		if err := check(pkg, c); err != nil {
			return err
		}
	}
	for _, p := range r.Packages {
		if err := check(p, r.PackageVersion); err != nil {
			return err
		}
	}
	return check("python", r.Python)
}

// Versions looks installed distributions up ("" when absent).
type Versions func(dist string) string

// satisfies checks one constraint on pkg against its installed version ("" when absent).
func satisfies(pkg, constraint, installed string) bool {
	switch constraint {
	case "", "present":
		return installed != "" || constraint == ""
	case "absent":
		return installed == ""
	}
	if installed == "" {
		return false
	}
	c, err := jupyter.LayoutSpec(constraint, pkg)
	if err != nil {
		return false
	}
	spec, err := pyver.ParseSpec(c)
	return err == nil && spec.ContainsString(installed)
}

// Why is the evidence for a rule's applicability: the versions found.
type Why struct {
	Applies bool     `json:"applies"`
	Reasons []string `json:"reasons"`
	// Targets are the installed packages whose files the rule patches.
	Targets []string `json:"targets"`
}

// Applicability evaluates a rule against an env's installed versions and Python.
func (r Rule) Applicability(v Versions, python string) Why {
	w := Why{Applies: true}
	fail := func(s string) { w.Applies = false; w.Reasons = append(w.Reasons, s) }
	if r.Python != "" {
		if satisfies("python", r.Python, python) {
			w.Reasons = append(w.Reasons, fmt.Sprintf("Python %s matches %s", python, r.Python))
		} else {
			fail(fmt.Sprintf("Python %s does not match %s", python, r.Python))
		}
	}
	keys := make([]string, 0, len(r.When))
	for k := range r.When {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c, got := r.When[k], v(k)
		shown := got
		if shown == "" {
			shown = "not installed"
		}
		if satisfies(k, c, got) {
			w.Reasons = append(w.Reasons, fmt.Sprintf("%s %s (%s)", k, shown, showConstraint(k, c)))
		} else {
			fail(fmt.Sprintf("%s %s (needs %s)", k, shown, showConstraint(k, c)))
		}
	}
	for _, p := range r.Packages {
		if got := v(p); got != "" && satisfies(p, r.PackageVersion, got) {
			w.Targets = append(w.Targets, p)
		}
	}
	if len(w.Targets) == 0 {
		fail(fmt.Sprintf("none of %s%s is installed", strings.Join(r.Packages, ", "), suffix(r.PackageVersion)))
	} else {
		for _, t := range w.Targets {
			w.Reasons = append(w.Reasons, fmt.Sprintf("%s %s installed", t, v(t)))
		}
	}
	return w
}

func suffix(c string) string {
	if c == "" {
		return ""
	}
	return " " + c
}

// showConstraint spells a layout reference out: "@notebook7" -> ">=7.0.0.dev0: notebook7".
func showConstraint(pkg, c string) string {
	if spec, err := jupyter.LayoutSpec(c, pkg); err == nil && spec != c {
		return spec + ", the " + strings.TrimPrefix(c, "@") + " layout"
	}
	return c
}
