// Package doctor diagnoses the Jupyter config that leaks between Python envs: which file
// or variable wins in an env, why it wins (the precedence of jupyter.Resolve, in the words
// of `jdash paths --explain`), which envs it reaches, and the reversible fix. Gathering
// (snapshot.go) does all the reading, once per file; the checks (checks.go) are a table of
// pure functions of that snapshot.
package doctor

import (
	"slices"
	"strings"
)

// Severity of a finding.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Evidence is one file or variable a finding rests on.
type Evidence struct {
	Path   string `json:"path,omitempty"`
	Level  string `json:"level"` // user, user-site, sys-prefix, system, JUPYTER_PATH, environment, home, runtime, native, python
	Line   int    `json:"line,omitempty"`
	EnvVar string `json:"env_var,omitempty"`
	// Detail is the value or fact found there (secrets masked).
	Detail string `json:"detail,omitempty"`
}

// Fix says how to repair a finding: the commands a user can run, and whether
// `jdash doctor --fix` does it (through the journaled writer).
type Fix struct {
	Commands []string `json:"commands"`
	Auto     bool     `json:"auto"`
}

// Finding is one diagnosed problem.
type Finding struct {
	ID       string     `json:"id"`
	Group    string     `json:"group"`
	Severity Severity   `json:"severity"`
	Title    string     `json:"title"`
	Evidence []Evidence `json:"evidence"`
	Why      string     `json:"why"`
	// Affects are the env prefixes this reaches (the inspected env for an env-level finding;
	// every env whose search path holds the file for a HOME- or machine-level one).
	Affects []string `json:"affects"`
	Fix     Fix      `json:"fix"`
	// Action is what --fix does (nil: no automatic fix).
	Action *Action `json:"-"`
}

// Key identifies a finding across envs (for --all: a HOME-level leak reported once).
func (f Finding) Key() string {
	var b strings.Builder
	b.WriteString(f.ID)
	for _, e := range f.Evidence {
		b.WriteString("\x00" + e.Path + "\x00" + e.EnvVar + "\x00" + e.Detail)
	}
	b.WriteString("\x00" + f.Title)
	return b.String()
}

// Summary counts findings by severity, and failed checks.
type Summary struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
	Checks   int `json:"checks"`
}

// Summarize counts fs.
func Summarize(fs []Finding, checks int) Summary {
	s := Summary{Checks: checks}
	for _, f := range fs {
		switch f.Severity {
		case Error:
			s.Errors++
		case Warning:
			s.Warnings++
		default:
			s.Infos++
		}
	}
	return s
}

// Groups in report order.
var Groups = []string{"kernels", "extensions", "paths", "python", "compat", "runtime", "files", "model"}

// GroupState is the worst severity in a group ("" when clean).
func GroupState(fs []Finding, group string) Severity {
	var worst Severity
	for _, f := range fs {
		if f.Group != group {
			continue
		}
		switch {
		case f.Severity == Error:
			return Error
		case f.Severity == Warning:
			worst = Warning
		case worst == "":
			worst = Info
		}
	}
	return worst
}

// sortFindings orders by severity, then group order, then id and title.
func sortFindings(fs []Finding) {
	rank := map[Severity]int{Error: 0, Warning: 1, Info: 2}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if d := rank[a.Severity] - rank[b.Severity]; d != 0 {
			return d
		}
		if d := slices.Index(Groups, a.Group) - slices.Index(Groups, b.Group); d != 0 {
			return d
		}
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Title, b.Title)
	})
}
