package jupyter

import (
	"bytes"

	"github.com/jdash-dev/jdash/internal/pyjson"
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
		pyjson.WriteString(b, s)
	}
	b.WriteByte(']')
}
