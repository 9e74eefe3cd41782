package doctor

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/ui"
)

// Report is doctor's JSON for one env (docs/json.md).
type Report struct {
	Env      string    `json:"env"`
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
}

// EnvRow is one env of doctor --all: its state per group.
type EnvRow struct {
	Env     string              `json:"env"`
	Groups  map[string]Severity `json:"groups"` // absent: clean
	Summary Summary             `json:"summary"`
	Error   string              `json:"error,omitempty"` // doctor could not inspect it
}

// AllReport is doctor --all: one row per env, and each finding once with every env it reaches.
type AllReport struct {
	Envs     []EnvRow  `json:"envs"`
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
}

// Merge builds the --all report: a finding seen in several envs (a HOME- or machine-level
// leak) is kept once, with the union of the envs it affects.
func Merge(rows []EnvRow, perEnv [][]Finding, checks int) AllReport {
	var out []Finding
	at := map[string]int{}
	for _, fs := range perEnv {
		for _, f := range fs {
			k := f.Key()
			if i, ok := at[k]; ok {
				for _, a := range f.Affects {
					if !slices.Contains(out[i].Affects, a) {
						out[i].Affects = append(out[i].Affects, a)
					}
				}
				continue
			}
			at[k] = len(out)
			out = append(out, f)
		}
	}
	sortFindings(out)
	if out == nil {
		out = []Finding{}
	}
	return AllReport{Envs: rows, Findings: out, Summary: Summarize(out, checks)}
}

// Text writes the human report.
type Text struct {
	W    io.Writer
	C    ui.Scheme
	Home string
	Deep bool // the model group is shown only when --deep ran
}

func (t Text) tilde(s string) string {
	if t.Home == "" || t.Home == "/" {
		return ui.Safe(s)
	}
	home := filepath.Clean(t.Home)
	s = strings.ReplaceAll(s, home+string(filepath.Separator), "~"+string(filepath.Separator))
	if s == home {
		s = "~"
	}
	return ui.Safe(s)
}

func (t Text) glyph(sev Severity) string {
	switch sev {
	case Error:
		return t.C.Red("[✗]")
	case Warning:
		return t.C.Yellow("[!]")
	}
	return t.C.Green("[✓]")
}

func counts(fs []Finding, group string) string {
	var e, w, i int
	for _, f := range fs {
		if f.Group != group {
			continue
		}
		switch f.Severity {
		case Error:
			e++
		case Warning:
			w++
		default:
			i++
		}
	}
	var parts []string
	if e > 0 {
		parts = append(parts, ui.Plural(e, "error"))
	}
	if w > 0 {
		parts = append(parts, ui.Plural(w, "warning"))
	}
	if i > 0 {
		parts = append(parts, ui.Plural(i, "note"))
	}
	return strings.Join(parts, ", ")
}

// Env writes one env's report: a line per group, then each finding.
func (t Text) Env(header string, fs []Finding, sum Summary) {
	fmt.Fprintln(t.W, t.C.Bold(t.tilde(header)))
	for _, g := range Groups {
		if g == "model" && sum.Checks > 0 && !t.Deep {
			continue // only --deep checks the model
		}
		st := GroupState(fs, g)
		line := t.glyph(st) + " " + g
		if c := counts(fs, g); c != "" {
			line += ": " + c
		}
		fmt.Fprintln(t.W, line)
	}
	t.findings(fs)
	t.summary(fs, sum)
}

func (t Text) findings(fs []Finding) {
	for _, f := range fs {
		fmt.Fprintln(t.W)
		mark := map[Severity]string{Error: t.C.Red("✗ error"), Warning: t.C.Yellow("! warning"), Info: t.C.Green("• note")}[f.Severity]
		fmt.Fprintf(t.W, "%s %s %s\n", mark, t.C.Dim("["+f.ID+"]"), t.tilde(f.Title))
		for _, e := range f.Evidence {
			where := e.Path
			if e.Line > 0 {
				where = fmt.Sprintf("%s:%d", e.Path, e.Line)
			}
			if e.EnvVar != "" && e.Path == "" {
				where = "$" + e.EnvVar
			}
			line := "    " + t.tilde(where) + " (" + e.Level + ")"
			if where == "" {
				line = "    " + e.Level
			}
			if e.Detail != "" {
				line += ": " + t.tilde(e.Detail)
			}
			fmt.Fprintln(t.W, line)
		}
		if f.Why != "" {
			fmt.Fprintln(t.W, "    why: "+t.tilde(f.Why))
		}
		if len(f.Affects) > 1 {
			shown := f.Affects
			if len(shown) > 8 {
				shown = shown[:8]
			}
			var names []string
			for _, a := range shown {
				names = append(names, t.tilde(a))
			}
			more := ""
			if len(f.Affects) > len(shown) {
				more = fmt.Sprintf(" and %d more", len(f.Affects)-len(shown))
			}
			fmt.Fprintf(t.W, "    affects %d envs: %s%s\n", len(f.Affects), strings.Join(names, ", "), more)
		}
		for i, c := range f.Fix.Commands {
			lead := "    fix: "
			if i > 0 {
				lead = "         "
			}
			if i == 0 && f.Fix.Auto {
				c += "   (automatic)"
			}
			fmt.Fprintln(t.W, lead+t.tilde(c))
		}
	}
}

func (t Text) summary(fs []Finding, sum Summary) {
	fmt.Fprintln(t.W)
	auto := 0
	for _, f := range fs {
		if f.Fix.Auto {
			auto++
		}
	}
	line := fmt.Sprintf("%s, %s, %s in %d checks.", ui.Plural(sum.Errors, "error"), ui.Plural(sum.Warnings, "warning"), ui.Plural(sum.Infos, "note"), sum.Checks)
	if sum.Errors == 0 && sum.Warnings == 0 {
		line = t.C.Green("No issues found") + fmt.Sprintf(" (%d checks).", sum.Checks)
	}
	if auto > 0 {
		line += fmt.Sprintf(" doctor --fix repairs %s.", ui.Plural(auto, "finding"))
	}
	fmt.Fprintln(t.W, line)
}

// All writes the --all table (env × group) and each finding once.
func (t Text) All(r AllReport) {
	w := 0
	for _, row := range r.Envs {
		if n := len(t.tilde(row.Env)); n > w {
			w = n
		}
	}
	groups := Groups
	if !t.Deep {
		groups = groups[:len(groups)-1]
	}
	head := fmt.Sprintf("%-*s", w, "env")
	for _, g := range groups {
		head += "  " + g
	}
	fmt.Fprintln(t.W, t.C.Bold(head))
	for _, row := range r.Envs {
		line := fmt.Sprintf("%-*s", w, t.tilde(row.Env))
		if row.Error != "" {
			fmt.Fprintln(t.W, line+"  "+t.C.Red("cannot inspect: ")+t.tilde(row.Error))
			continue
		}
		for _, g := range groups {
			cell := t.glyph(row.Groups[g])
			line += "  " + cell + strings.Repeat(" ", len(g)-3)
		}
		fmt.Fprintln(t.W, strings.TrimRight(line, " "))
	}
	t.findings(r.Findings)
	t.summary(r.Findings, r.Summary)
}
