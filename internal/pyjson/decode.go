package pyjson

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// SyntaxError is a parse error at a position, reported as Python's json module does
// (line and column counted from 1).
type SyntaxError struct {
	Msg          string
	Line, Column int
	Offset       int
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s: line %d column %d (char %d)", e.Msg, e.Line, e.Column, e.Offset)
}

// Parse decodes one JSON document with json.loads semantics (NaN/Infinity accepted, raw
// control characters in strings rejected, repeated keys: first position, last value).
func Parse(data []byte) (*Value, error) {
	p := &parser{s: string(data)}
	if !utf8.Valid(data) {
		// Python's open(..., encoding="utf-8").read() raises here: nothing is parsed, and jdash
		// never rewrites the file with replacement characters.
		i := firstInvalid(data)
		return nil, fmt.Errorf("'utf-8' codec can't decode byte 0x%02x in position %d: not UTF-8 text", data[i], i)
	}
	if strings.HasPrefix(p.s, "\ufeff") {
		return nil, p.errAt("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0)
	}
	p.ws()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, p.errAt("Extra data", p.i)
	}
	return v, nil
}

type parser struct {
	s string
	i int
}

const maxDepth = 10000

func (p *parser) errAt(msg string, pos int) *SyntaxError {
	line := 1 + strings.Count(p.s[:pos], "\n")
	col := pos + 1
	if nl := strings.LastIndexByte(p.s[:pos], '\n'); nl >= 0 {
		col = pos - nl
	}
	return &SyntaxError{Msg: msg, Line: line, Column: col, Offset: pos}
}

func (p *parser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*Value, error) {
	if depth > maxDepth {
		return nil, p.errAt("Nesting too deep", p.i)
	}
	if p.i >= len(p.s) {
		return nil, p.errAt("Expecting value", p.i)
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return StringValue(s), nil
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return NullValue(), nil
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return BoolValue(true), nil
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return BoolValue(false), nil
	case strings.HasPrefix(p.s[p.i:], "NaN"):
		p.i += 3
		return &Value{Kind: Float, Float: math.NaN()}, nil
	case strings.HasPrefix(p.s[p.i:], "Infinity"):
		p.i += 8
		return &Value{Kind: Float, Float: math.Inf(1)}, nil
	case strings.HasPrefix(p.s[p.i:], "-Infinity"):
		p.i += 9
		return &Value{Kind: Float, Float: math.Inf(-1)}, nil
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	}
	return nil, p.errAt("Expecting value", p.i)
}

func (p *parser) number() (*Value, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return nil, p.errAt("Expecting value", start)
	}
	isFloat := false
	if p.i+1 < len(p.s) && p.s[p.i] == '.' && '0' <= p.s[p.i+1] && p.s[p.i+1] <= '9' {
		p.i++
		digits()
		isFloat = true
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		save := p.i
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			p.i = save
		} else {
			isFloat = true
		}
	}
	text := p.s[start:p.i]
	if !isFloat {
		if text == "-0" {
			text = "0"
		}
		return &Value{Kind: Int, Int: text}, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !isRangeErr(err) {
		return nil, p.errAt("Expecting value", start)
	}
	return &Value{Kind: Float, Float: f}, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func (p *parser) str() (string, error) {
	start := p.i
	p.i++ // opening quote
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", p.errAt("Unterminated string starting at", start)
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", p.errAt("Unterminated string starting at", start)
			}
			esc := p.s[p.i+1]
			switch esc {
			case '"', '\\', '/':
				b.WriteByte(esc)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, n, err := p.unicodeEscape(p.i)
				if err != nil {
					return "", err
				}
				b.WriteRune(r)
				p.i += n
				continue
			default:
				return "", p.errAt("Invalid \\escape", p.i)
			}
			p.i += 2
		case c < 0x20:
			return "", p.errAt("Invalid control character at", p.i)
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			b.WriteRune(r)
			p.i += size
		}
	}
}

// unicodeEscape reads \uXXXX (and a following low surrogate) at pos.
func (p *parser) unicodeEscape(pos int) (rune, int, error) {
	hex := func(at int) (rune, bool) {
		if at+6 > len(p.s) || p.s[at] != '\\' || p.s[at+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(p.s[at+2:at+6], 16, 32)
		return rune(v), err == nil
	}
	r, ok := hex(pos)
	if !ok {
		return 0, 0, p.errAt("Invalid \\uXXXX escape", pos+1)
	}
	if utf16.IsSurrogate(r) && r < 0xdc00 {
		if r2, ok := hex(pos + 6); ok && 0xdc00 <= r2 && r2 < 0xe000 {
			return utf16.DecodeRune(r, r2), 12, nil
		}
	}
	if utf16.IsSurrogate(r) {
		// Python keeps a lone surrogate in a str; Go strings cannot hold one, and jdash does
		// not rewrite what it cannot represent.
		return 0, 0, p.errAt(fmt.Sprintf("Lone surrogate \\u%04x, which jdash cannot keep", r), pos)
	}
	return r, 6, nil
}

// firstInvalid is the offset of the first byte that is not valid UTF-8.
func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

func (p *parser) object(depth int) (*Value, error) {
	start := p.i
	p.i++
	o := NewObj()
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return ObjValue(o), nil
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.errAt("Expecting property name enclosed in double quotes", p.i)
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errAt("Expecting ':' delimiter", p.i)
		}
		p.i++
		p.ws()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		o.Set(k, v)
		p.ws()
		if p.i >= len(p.s) {
			return nil, p.errAt("Expecting ',' delimiter", p.i)
		}
		switch p.s[p.i] {
		case '}':
			p.i++
			return ObjValue(o), nil
		case ',':
			p.i++
			p.ws()
		default:
			_ = start
			return nil, p.errAt("Expecting ',' delimiter", p.i)
		}
	}
}

func (p *parser) array(depth int) (*Value, error) {
	p.i++
	v := &Value{Kind: Array, Arr: []*Value{}}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return v, nil
	}
	for {
		p.ws()
		x, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.Arr = append(v.Arr, x)
		p.ws()
		if p.i >= len(p.s) {
			return nil, p.errAt("Expecting ',' delimiter", p.i)
		}
		switch p.s[p.i] {
		case ']':
			p.i++
			return v, nil
		case ',':
			p.i++
		default:
			return nil, p.errAt("Expecting ',' delimiter", p.i)
		}
	}
}
