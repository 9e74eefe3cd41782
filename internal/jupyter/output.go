package jupyter

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// PathsJSON is exactly what `python -m jupyter --paths --json` prints: json.dumps of
// {"runtime": [...], "config": [...], "data": [...]} (that key order, ", " and ": "
// separators, ASCII escaping) and a newline.
func PathsJSON(p Paths) []byte {
	var b bytes.Buffer
	b.WriteString(`{"runtime": `)
	writePyList(&b, []string{p.Runtime.Path})
	b.WriteString(`, "config": `)
	writePyList(&b, p.ConfigDirs())
	b.WriteString(`, "data": `)
	writePyList(&b, p.DataDirs())
	b.WriteString("}\n")
	return b.Bytes()
}

// PathsText is the layout of `jupyter --paths`: sections in sorted order, 4-space indent.
func PathsText(p Paths) []byte {
	var b bytes.Buffer
	section := func(name string, ps []string) {
		b.WriteString(name + ":\n")
		for _, x := range ps {
			b.WriteString("    " + x + "\n")
		}
	}
	section("config", p.ConfigDirs())
	section("data", p.DataDirs())
	section("runtime", []string{p.Runtime.Path})
	return b.Bytes()
}

func writePyList(b *bytes.Buffer, ss []string) {
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteString(", ")
		}
		WritePyString(b, s)
	}
	b.WriteByte(']')
}

// WritePyString writes s as Python's json.dumps(ensure_ascii=True) would. Bytes that are not
// UTF-8 come from Python's surrogateescape file-system decoding, so they print as \udcXX.
func WritePyString(b *bytes.Buffer, s string) {
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
