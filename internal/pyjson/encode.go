package pyjson

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Dumps is json.dumps(v, indent=indent) (indent < 0: json.dumps(v), one line with ", "
// and ": "). No trailing newline, like Python.
func Dumps(v *Value, indent int) []byte {
	var b bytes.Buffer
	enc(&b, v, indent, 0)
	return b.Bytes()
}

func enc(b *bytes.Buffer, v *Value, indent, level int) {
	switch v.Kind {
	case Null:
		b.WriteString("null")
	case Bool:
		if v.Bool {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case Int:
		b.WriteString(v.Int)
	case Float:
		b.WriteString(pyFloatRepr(v.Float))
	case String:
		WriteString(b, v.Str)
	case Array:
		if len(v.Arr) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, x := range v.Arr {
			sep(b, i, indent, level+1)
			enc(b, x, indent, level+1)
		}
		closeIndent(b, indent, level)
		b.WriteByte(']')
	case Object:
		if v.Obj.Len() == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i, k := range v.Obj.keys {
			sep(b, i, indent, level+1)
			WriteString(b, k)
			b.WriteString(": ")
			enc(b, v.Obj.vals[k], indent, level+1)
		}
		closeIndent(b, indent, level)
		b.WriteByte('}')
	}
}

func sep(b *bytes.Buffer, i, indent, level int) {
	switch {
	case indent >= 0:
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(" ", indent*level))
	case i > 0:
		b.WriteString(", ")
	}
}

func closeIndent(b *bytes.Buffer, indent, level int) {
	if indent >= 0 {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(" ", indent*level))
	}
}

// WriteString writes s as json.dumps(ensure_ascii=True) does. Bytes that are not UTF-8
// come from Python's surrogateescape decoding of file names, so they print as \udcXX.
func WriteString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(b, `\u%04x`, 0xdc00+int(s[i]))
			i++
			continue
		}
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || (r >= 0x7f && r < 0x10000):
			fmt.Fprintf(b, `\u%04x`, r)
		case r >= 0x10000:
			r -= 0x10000
			fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
