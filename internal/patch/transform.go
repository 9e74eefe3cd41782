package patch

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jdash-dev/jdash/internal/pysrc"
)

// Hit is one place a rule changed (or would change, or could not change).
type Hit struct {
	Rule   string `json:"rule"`
	Line   int    `json:"line"`
	Old    string `json:"old"`
	Note   string `json:"note,omitempty"` // why it was left alone
	Change bool   `json:"change"`
}

const (
	markerOpen  = "# >>> jdash "
	markerClose = "# <<< jdash "
)

// markedRanges are the byte ranges of existing jdash blocks (an open marker to the close
// marker of the same rule, so nested blocks are inside their parent): imports inside them
// are already handled.
func markedRanges(src string) [][2]int {
	var out [][2]int
	pos := 0
	for {
		i := strings.Index(src[pos:], markerOpen)
		if i < 0 {
			return out
		}
		start := pos + i
		rest := src[start+len(markerOpen):]
		id, _, _ := strings.Cut(rest, ":")
		closing := markerClose + id
		end := len(src)
		for from := start; ; {
			j := strings.Index(src[from:], closing)
			if j < 0 {
				break
			}
			k := from + j + len(closing)
			if k == len(src) || src[k] == '\n' || src[k] == '\r' {
				end = k
				break
			}
			from = k
		}
		out = append(out, [2]int{start, end})
		pos = end
	}
}

func inRanges(rs [][2]int, at int) bool {
	for _, r := range rs {
		if at >= r[0] && at < r[1] {
			return true
		}
	}
	return false
}

// AppliedRules lists the rule ids whose markers are in src.
func AppliedRules(src []byte) []string {
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(t, markerOpen)
		if !ok {
			if i := strings.Index(t, "# jdash "); i >= 0 && !strings.HasPrefix(t, "#") {
				rest, ok = t[i+len("# jdash "):], true
			}
		}
		if !ok {
			continue
		}
		id, _, _ := strings.Cut(rest, ":")
		id = strings.Fields(id + " ")[0]
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

type edit struct {
	start, end int
	text       string
}

// Transform applies rules to one Python source. It returns the new source (equal to src
// when nothing applies) and what each rule did. Imports are matched as parsed statements.
func Transform(src []byte, rules []Rule) ([]byte, []Hit, error) {
	s := string(src)
	imps, err := pysrc.Imports(src)
	if err != nil {
		return nil, nil, err
	}
	marked := markedRanges(s)
	var edits []edit
	var hits []Hit
	for _, im := range imps {
		if inRanges(marked, im.Start) {
			continue
		}
		for _, r := range rules {
			newCode, keep, ok := r.rewrite(im)
			if !ok {
				continue
			}
			stmt := s[im.Start:im.End]
			h := Hit{Rule: r.ID, Line: im.Line, Old: stmt}
			if !im.Alone {
				h.Note = "the statement shares its line with other code; not patched"
				hits = append(hits, h)
				break
			}
			h.Change = true
			hits = append(hits, h)
			// The new code may itself need another rule (I-1's new import on notebook 7 needs
			// I-3): those rules apply to it too, as nested marked blocks.
			others := without(rules, r.ID)
			if nested, _, err := Transform([]byte(newCode), others); err == nil {
				newCode = string(nested)
			}
			if keep != "" { // the names this rule leaves may need another rule
				if nested, _, err := Transform([]byte(keep+"\n"), others); err == nil {
					keep = strings.TrimRight(string(nested), "\n")
				}
			}
			edits = append(edits, edit{im.LineStart, im.LineEnd, block(r, im, s, newCode, keep)})
			break
		}
	}
	for _, r := range rules {
		e, h := r.attrEdits(s, imps, marked)
		edits = append(edits, e...)
		hits = append(hits, h...)
	}
	if len(edits) == 0 {
		return src, hits, nil
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := s
	last := len(s) + 1
	for _, e := range edits {
		if e.end > last { // overlapping edits: keep the later one only
			continue
		}
		out = out[:e.start] + e.text + out[e.end:]
		last = e.start
	}
	return []byte(out), hits, nil
}

// block is the marked try/except that replaces a statement: the new import first, the
// original as the fallback, any names the rule does not move kept in a plain statement.
func block(r Rule, im pysrc.Import, s, newCode, keep string) string {
	ind := im.Indent
	rest := s[im.End:im.LineEnd] // a trailing comment and the newline
	if !strings.HasSuffix(rest, "\n") {
		rest += "\n"
	}
	var b strings.Builder
	for _, l := range strings.Split(keep, "\n") {
		if keep != "" {
			b.WriteString(ind + l + "\n")
		}
	}
	fmt.Fprintf(&b, "%s%s%s: %s\n", ind, markerOpen, r.ID, r.Title)
	b.WriteString(ind + "try:\n")
	for _, l := range strings.Split(strings.TrimRight(newCode, "\n"), "\n") {
		b.WriteString(ind + "    " + l + "\n")
	}
	b.WriteString(ind + "except ImportError:\n")
	orig := s[im.Start:im.End]
	for i, l := range strings.Split(orig, "\n") {
		if i == 0 {
			b.WriteString(ind + "    " + l)
		} else {
			b.WriteString("\n    " + l)
		}
	}
	b.WriteString(rest)
	fmt.Fprintf(&b, "%s%s%s\n", ind, markerClose, r.ID)
	return b.String()
}

// rewrite returns the replacement code for a matching statement, and the statement to keep
// for the names it does not move ("" when all move).
func (r Rule) rewrite(im pysrc.Import) (newCode, keep string, ok bool) {
	if im.Level > 0 {
		return "", "", false
	}
	switch r.Kind {
	case "module":
		return r.rewriteModule(im)
	case "name":
		return r.rewriteName(im)
	case "import":
		if im.From != "" {
			return "", "", false
		}
		var moved, kept []pysrc.Name
		for _, n := range im.Names {
			if n.Name == r.Module {
				moved = append(moved, n)
			} else {
				kept = append(kept, n)
			}
		}
		if len(moved) != 1 {
			return "", "", false
		}
		code := strings.ReplaceAll(r.New, "{bound}", moved[0].Bound())
		if moved[0].Alias != "" {
			code += moved[0].Alias + " = " + r.Module + "\n"
		}
		return code, importStmt("", kept), true
	}
	return "", "", false
}

// mapModule maps an old module (or a submodule of one) to its new name, longest old first.
func (r Rule) mapModule(mod string) (string, bool) {
	best := ""
	for old := range r.Modules {
		if (mod == old || strings.HasPrefix(mod, old+".")) && len(old) > len(best) {
			best = old
		}
	}
	if best == "" {
		return "", false
	}
	return r.Modules[best] + mod[len(best):], true
}

func (r Rule) movesName(n string) bool {
	if len(r.OnlyNames) == 0 {
		return true
	}
	for _, x := range r.OnlyNames {
		if x == n {
			return true
		}
	}
	return false
}

func (r Rule) rewriteModule(im pysrc.Import) (string, string, bool) {
	if im.From == "" { // import a.b [as c], ...
		var code []string
		var kept []pysrc.Name
		for _, n := range im.Names {
			nm, ok := r.mapModule(n.Name)
			if !ok || len(r.OnlyNames) > 0 {
				kept = append(kept, n)
				continue
			}
			if n.Alias != "" {
				code = append(code, "import "+nm+" as "+n.Alias)
				continue
			}
			// `import a.b` binds a and code says a.b.x: keep that name working.
			top := strings.SplitN(n.Name, ".", 2)[0]
			code = append(code, "import "+top, "import "+nm)
			if n.Name != top {
				code = append(code, n.Name+" = "+nm)
			}
		}
		if len(code) == 0 {
			return "", "", false
		}
		return strings.Join(code, "\n"), importStmt("", kept), true
	}
	var moved, kept []pysrc.Name
	newMod, whole := r.mapModule(im.From)
	var subCode []string
	for _, n := range im.Names {
		switch {
		case whole && n.Name != "*" && r.movesName(n.Name):
			moved = append(moved, n)
		case !whole && n.Name != "*":
			// from notebook import nbextensions: a removed submodule imported by name
			if nm, ok := r.mapModule(im.From + "." + n.Name); ok && len(r.OnlyNames) == 0 {
				parent, last := splitLast(nm)
				subCode = append(subCode, "from "+parent+" import "+aliasIf(last, n.Bound()))
				continue
			}
			kept = append(kept, n)
		default:
			kept = append(kept, n)
		}
	}
	if len(moved) == 0 && len(subCode) == 0 {
		return "", "", false
	}
	if len(moved) > 0 {
		var parts []string
		for _, n := range moved {
			newName := n.Name
			if x, ok := r.Names[n.Name]; ok {
				newName = x
			}
			parts = append(parts, aliasIf(newName, n.Bound()))
		}
		subCode = append([]string{"from " + newMod + " import " + strings.Join(parts, ", ")}, subCode...)
	}
	return strings.Join(subCode, "\n"), importStmt(im.From, kept), true
}

func (r Rule) rewriteName(im pysrc.Import) (string, string, bool) {
	if im.From != r.Module {
		return "", "", false
	}
	var moved, kept []pysrc.Name
	for _, n := range im.Names {
		_, renamed := r.Renames[n.Name]
		if n.Name == r.Name || renamed {
			moved = append(moved, n)
		} else {
			kept = append(kept, n)
		}
	}
	if len(moved) == 0 {
		return "", "", false
	}
	if r.New != "" {
		if len(moved) != 1 {
			return "", "", false
		}
		return strings.ReplaceAll(r.New, "{bound}", moved[0].Bound()), importStmt(im.From, kept), true
	}
	var parts []string
	for _, n := range moved {
		parts = append(parts, aliasIf(r.Renames[n.Name], n.Bound()))
	}
	return "from " + r.Module + " import " + strings.Join(parts, ", "), importStmt(im.From, kept), true
}

// attrEdits rewrites dotted uses (jinja2.Markup -> markupsafe.Markup) and adds the import
// of the new module after the statement that imports the old one.
func (r Rule) attrEdits(s string, imps []pysrc.Import, marked [][2]int) ([]edit, []Hit) {
	if len(r.Attrs) == 0 {
		return nil, nil
	}
	var edits []edit
	var hits []Hit
	needImport := map[string]bool{}
	olds := make([]string, 0, len(r.Attrs))
	for k := range r.Attrs {
		olds = append(olds, k)
	}
	slices.Sort(olds)
	for _, old := range olds {
		uses, err := pysrc.DottedUses([]byte(s), old)
		if err != nil {
			continue
		}
		for _, u := range uses {
			if inRanges(marked, u.Start) {
				continue
			}
			edits = append(edits, edit{u.Start, u.End, r.Attrs[old]})
			hits = append(hits, Hit{Rule: r.ID, Line: u.Line, Old: old, Change: true})
			needImport[strings.SplitN(r.Attrs[old], ".", 2)[0]] = true
		}
	}
	for mod := range needImport {
		oldTop := strings.SplitN(olds[0], ".", 2)[0]
		for _, im := range imps {
			if im.From == "" && im.Alone && im.Indent == "" && hasName(im.Names, oldTop) {
				edits = append(edits, edit{im.LineEnd, im.LineEnd, fmt.Sprintf("import %s  # jdash %s: %s\n", mod, r.ID, r.Title)})
				break
			}
		}
	}
	return edits, hits
}

func without(rules []Rule, id string) []Rule {
	out := make([]Rule, 0, len(rules))
	for _, r := range rules {
		if r.ID != id {
			out = append(out, r)
		}
	}
	return out
}

func hasName(ns []pysrc.Name, n string) bool {
	for _, x := range ns {
		if x.Name == n && x.Alias == "" {
			return true
		}
	}
	return false
}

func importStmt(from string, names []pysrc.Name) string {
	if len(names) == 0 {
		return ""
	}
	var parts []string
	for _, n := range names {
		parts = append(parts, aliasIf(n.Name, n.Bound()))
	}
	if from == "" {
		return "import " + strings.Join(parts, ", ")
	}
	return "from " + from + " import " + strings.Join(parts, ", ")
}

func aliasIf(name, bound string) string {
	if bound == "" || bound == name {
		return name
	}
	return name + " as " + bound
}

func splitLast(dotted string) (string, string) {
	i := strings.LastIndexByte(dotted, '.')
	if i < 0 {
		return "", dotted
	}
	return dotted[:i], dotted[i+1:]
}
