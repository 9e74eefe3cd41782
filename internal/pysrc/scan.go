// Package pysrc finds import statements (and dotted-name uses) in Python source without a
// Python parser: a small lexer that knows strings (all prefixes, triple quotes), comments,
// brackets and line continuations, so that `from x import (a,\n b as c)` inside a function
// or a try block is found exactly, and "import" inside a string never is.
package pysrc

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Name is one imported name (or module, for `import a.b as c`).
type Name struct {
	Name  string
	Alias string
}

// Bound is the name the statement binds in the namespace.
func (n Name) Bound() string {
	if n.Alias != "" {
		return n.Alias
	}
	return n.Name
}

// Import is one import statement.
type Import struct {
	Start, End int    // byte offsets: Start at the statement's first char, End after its last
	LineStart  int    // byte offset of the start of the statement's first line
	LineEnd    int    // byte offset after the newline that ends the statement's last line
	Line       int    // 1-based line of the statement
	Indent     string // leading white space of the statement's line
	From       string // module after "from" ("" for `import x`), without leading dots
	Level      int    // leading dots of a relative import
	Names      []Name
	// Alone: the statement is the only thing on its lines (no `;`, not after `if x:`), so
	// it can be replaced by a block at the same indent.
	Alone bool
}

// SyntaxError is source the scanner cannot read.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ErrNotUTF8 is returned for source that is not UTF-8 (PEP 3120's default; jdash does not
// patch files with other encodings).
var ErrNotUTF8 = errors.New("not valid UTF-8")

// token kinds
const (
	tName = iota
	tOp
	tNewline // end of a logical line
	tOther
)

type token struct {
	kind       int
	text       string
	start, end int
	line       int
}

// lex splits src into tokens of interest. Strings, numbers and comments become tOther (so
// their content is never seen as code).
func lex(src string) ([]token, error) {
	if !utf8.ValidString(src) {
		return nil, ErrNotUTF8
	}
	var toks []token
	depth, line := 0, 1
	i := 0
	emitNewline := func(at int) {
		if n := len(toks); n > 0 && toks[n-1].kind != tNewline {
			toks = append(toks, token{kind: tNewline, start: at, end: at, line: line})
		}
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			if depth == 0 {
				emitNewline(i)
			}
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
		case c == '\\' && i+1 < len(src) && (src[i+1] == '\n' || (src[i+1] == '\r' && i+2 < len(src) && src[i+2] == '\n')):
			// explicit line joining
			if src[i+1] == '\r' {
				i++
			}
			i += 2
			line++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case isStringStart(src, i):
			start := i
			for src[i] != '\'' && src[i] != '"' {
				i++ // prefix
			}
			q := src[i]
			triple := strings.HasPrefix(src[i:], strings.Repeat(string(q), 3))
			raw := strings.ContainsAny(strings.ToLower(src[start:i]), "r")
			if triple {
				i += 3
			} else {
				i++
			}
			startLine := line
			for {
				if i >= len(src) {
					return nil, &SyntaxError{startLine, "unterminated string"}
				}
				ch := src[i]
				if ch == '\\' && i+1 < len(src) {
					if src[i+1] == '\n' {
						line++
					}
					i += 2
					_ = raw
					continue
				}
				if ch == '\n' {
					if !triple {
						return nil, &SyntaxError{startLine, "unterminated string"}
					}
					line++
				}
				if ch == q {
					if !triple {
						i++
						break
					}
					if strings.HasPrefix(src[i:], strings.Repeat(string(q), 3)) {
						i += 3
						break
					}
				}
				i++
			}
			toks = append(toks, token{kind: tOther, text: src[start:i], start: start, end: i, line: startLine})
		case isNameStart(src, i):
			start := i
			for i < len(src) && isNameChar(src, i) {
				_, size := utf8.DecodeRuneInString(src[i:])
				i += size
			}
			toks = append(toks, token{kind: tName, text: src[start:i], start: start, end: i, line: line})
		case c >= '0' && c <= '9':
			start := i
			for i < len(src) && (isNameChar(src, i) || src[i] == '.') {
				i++
			}
			toks = append(toks, token{kind: tOther, text: src[start:i], start: start, end: i, line: line})
		default:
			switch c {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			}
			toks = append(toks, token{kind: tOp, text: string(c), start: i, end: i + 1, line: line})
			i++
		}
	}
	emitNewline(len(src))
	return toks, nil
}

func isStringStart(s string, i int) bool {
	j := i
	for j < len(s) && j-i < 3 && strings.ContainsRune("rRbBuUfFtT", rune(s[j])) {
		j++
	}
	if j >= len(s) || (s[j] != '\'' && s[j] != '"') {
		return false
	}
	if j > i { // a prefix must not be the tail of a longer name
		if i > 0 && isNameChar(s, i-1) {
			return false
		}
	}
	return true
}

func isNameStart(s string, i int) bool {
	c := s[i]
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isNameChar(s string, i int) bool {
	c := s[i]
	return isNameStart(s, i) || (c >= '0' && c <= '9')
}

// Imports returns every import statement in src, in order.
func Imports(src []byte) ([]Import, error) {
	s := string(src)
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	var out []Import
	// Walk statements: a statement starts after a newline, a ';' or a ':' at depth 0 (the
	// body of a one-line compound statement).
	stmtStart := true
	prevSep := "\n"
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tNewline {
			stmtStart, prevSep = true, "\n"
			continue
		}
		if t.kind == tOp && (t.text == ";" || t.text == ":") && depthAt(toks, i) == 0 {
			stmtStart, prevSep = true, t.text
			continue
		}
		if !stmtStart {
			continue
		}
		stmtStart = false
		if t.kind != tName || (t.text != "import" && t.text != "from") {
			continue
		}
		imp, next, ok := parseImport(s, toks, i)
		if !ok {
			continue
		}
		imp.Alone = prevSep == "\n" && next < len(toks) && toks[next].kind == tNewline
		out = append(out, imp)
		i = next - 1
	}
	return out, nil
}

// depthAt is the bracket depth before token i (tokens carry no depth; recount locally).
func depthAt(toks []token, i int) int {
	d := 0
	for j := i - 1; j >= 0 && toks[j].kind != tNewline; j-- {
		switch toks[j].text {
		case ")", "]", "}":
			d--
		case "(", "[", "{":
			d++
		}
	}
	if d < 0 {
		return 0
	}
	return d
}

// parseImport reads `import a.b as c, d` or `from ..x import (a as b, c)` at toks[i].
func parseImport(s string, toks []token, i int) (Import, int, bool) {
	t := toks[i]
	imp := Import{Start: t.start, Line: t.line}
	imp.LineStart = strings.LastIndexByte(s[:t.start], '\n') + 1
	imp.Indent = s[imp.LineStart:t.start]
	if strings.TrimLeft(imp.Indent, " \t") != "" {
		imp.Indent = "" // not at the start of its line
	}
	j := i + 1
	dotted := func() (string, bool) {
		var parts []string
		for j < len(toks) && toks[j].kind == tName && toks[j].text != "import" {
			parts = append(parts, toks[j].text)
			j++
			if j < len(toks) && toks[j].text == "." {
				j++
				continue
			}
			break
		}
		return strings.Join(parts, "."), len(parts) > 0
	}
	alias := func() string {
		if j+1 < len(toks) && toks[j].kind == tName && toks[j].text == "as" && toks[j+1].kind == tName {
			j += 2
			return toks[j-1].text
		}
		return ""
	}
	if t.text == "from" {
		for j < len(toks) && toks[j].text == "." {
			imp.Level++
			j++
		}
		mod, _ := dotted()
		imp.From = mod
		if imp.From == "" && imp.Level == 0 {
			return imp, j, false
		}
		if j >= len(toks) || toks[j].text != "import" {
			return imp, j, false
		}
		j++
		paren := j < len(toks) && toks[j].text == "("
		if paren {
			j++
		}
		for j < len(toks) {
			if paren && toks[j].kind == tNewline {
				j++
				continue
			}
			if toks[j].text == "*" {
				imp.Names = append(imp.Names, Name{Name: "*"})
				j++
			} else if toks[j].kind == tName {
				n := Name{Name: toks[j].text}
				j++
				n.Alias = alias()
				imp.Names = append(imp.Names, n)
			} else {
				return imp, j, false
			}
			if j < len(toks) && toks[j].text == "," {
				j++
				if paren && j < len(toks) && toks[j].text == ")" {
					break
				}
				continue
			}
			break
		}
		if paren {
			if j >= len(toks) || toks[j].text != ")" {
				return imp, j, false
			}
			j++
		}
	} else {
		for {
			mod, ok := dotted()
			if !ok {
				return imp, j, false
			}
			n := Name{Name: mod}
			n.Alias = alias()
			imp.Names = append(imp.Names, n)
			if j < len(toks) && toks[j].text == "," {
				j++
				continue
			}
			break
		}
	}
	imp.End = toks[j-1].end
	imp.LineEnd = len(s)
	if nl := strings.IndexByte(s[imp.End:], '\n'); nl >= 0 {
		imp.LineEnd = imp.End + nl + 1
	}
	return imp, j, len(imp.Names) > 0
}

// Use is a dotted name used in code (not in strings or comments), e.g. jinja2.Markup.
type Use struct {
	Start, End int
	Line       int
}

// DottedUses finds uses of a dotted name such as "jinja2.Markup" (the first part must not
// itself be an attribute: x.jinja2.Markup does not count).
func DottedUses(src []byte, dotted string) ([]Use, error) {
	toks, err := lex(string(src))
	if err != nil {
		return nil, err
	}
	parts := strings.Split(dotted, ".")
	var out []Use
	for i := 0; i+2*len(parts)-1 <= len(toks); i++ {
		if i > 0 && toks[i-1].text == "." {
			continue
		}
		ok := true
		for k, p := range parts {
			t := toks[i+2*k]
			if t.kind != tName || t.text != p || (k > 0 && toks[i+2*k-1].text != ".") {
				ok = false
				break
			}
		}
		if ok {
			last := toks[i+2*len(parts)-2]
			out = append(out, Use{Start: toks[i].start, End: last.end, Line: toks[i].line})
		}
	}
	return out, nil
}
