// Package profile holds jdash's known-good stacks as embedded data: which packages at
// which pins (per Python version, as PEP 440 specifiers) and which setup steps apply.
package profile

import (
	"embed"
	"fmt"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/jdash-dev/jdash/internal/pyver"
)

//go:embed profiles/*.yaml
var files embed.FS

// Profile is one stack.
type Profile struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	App         string `yaml:"app"` // notebook, server or none
	Pins        []Pins `yaml:"pins"`
	// Kernel names the pinned packages the notebook's kernels import (the widgets' Python
	// side must match the frontend the profile installs).
	Kernel []string `yaml:"kernel"`
	// Lab are the prebuilt JupyterLab extensions its packages ship (the lab step enables them).
	Lab   []string `yaml:"lab"`
	Steps []string `yaml:"steps"`
}

// Pins are the packages for the Pythons matching a constraint.
type Pins struct {
	Python   string   `yaml:"python"`
	Packages []string `yaml:"packages"`
}

// Names lists the embedded profiles.
func Names() []string {
	ents, _ := files.ReadDir("profiles")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(out)
	return out
}

// Get loads a profile by name; an unknown name is an error listing the profiles.
func Get(name string) (*Profile, error) {
	data, err := files.ReadFile(path.Join("profiles", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("unknown profile %q: use one of %s", name, strings.Join(Names(), ", "))
	}
	var p Profile
	if err := yaml.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("profile %s: %w", name, err)
	}
	return &p, p.Validate()
}

// PackagesFor returns the pins for a Python version ("3.11.7").
func (p *Profile) PackagesFor(python string) ([]string, error) {
	v, err := pyver.Parse(python)
	if err != nil {
		return nil, fmt.Errorf("python version %q: %w", python, err)
	}
	for _, pin := range p.Pins {
		spec, err := pyver.ParseSpec(pin.Python)
		if err != nil {
			return nil, fmt.Errorf("profile %s: python %w", p.Name, err)
		}
		if spec.Contains(v) {
			return pin.Packages, nil
		}
	}
	return nil, fmt.Errorf("profile %s has no known-good pins for Python %s", p.Name, python)
}

// KernelNeeds are the pins of the packages a kernel needs (Kernel) for a Python version.
func (p *Profile) KernelNeeds(python string) ([]Requirement, error) {
	pkgs, err := p.PackagesFor(python)
	var out []Requirement
	for _, pkg := range pkgs {
		if r := ParseRequirement(pkg); slices.Contains(p.Kernel, r.Name) {
			out = append(out, r)
		}
	}
	return out, err
}

// String is the requirement as pip takes it.
func (r Requirement) String() string { return r.Name + r.Spec }

// Requirement is one "name<op>version" line split into its name and specifier.
type Requirement struct {
	Name, Spec string
}

// ParseRequirement splits a pip requirement (name and PEP 440 specifier set).
func ParseRequirement(r string) Requirement {
	i := strings.IndexAny(r, "<>=!~ ")
	if i < 0 {
		return Requirement{Name: r}
	}
	return Requirement{Name: strings.TrimSpace(r[:i]), Spec: strings.TrimSpace(r[i:])}
}

// Satisfied reports whether an installed version meets the requirement's specifier.
func (r Requirement) Satisfied(installed string) bool {
	if installed == "" {
		return false
	}
	spec, err := pyver.ParseSpec(r.Spec)
	return err == nil && spec.ContainsString(installed)
}

// Validate checks every specifier of the profile, so that bad data fails loudly.
func (p *Profile) Validate() error {
	for _, pin := range p.Pins {
		if _, err := pyver.ParseSpec(pin.Python); err != nil {
			return fmt.Errorf("profile %s: python %w", p.Name, err)
		}
		var names []string
		for _, pkg := range pin.Packages {
			r := ParseRequirement(pkg)
			if _, err := pyver.ParseSpec(r.Spec); err != nil {
				return fmt.Errorf("profile %s: %s: %w", p.Name, pkg, err)
			}
			names = append(names, r.Name)
		}
		for _, k := range p.Kernel {
			if !slices.Contains(names, k) {
				return fmt.Errorf("profile %s: kernel: %s is not pinned for python %s", p.Name, k, pin.Python)
			}
		}
	}
	return nil
}
