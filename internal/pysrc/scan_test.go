package pysrc

import (
	"strings"
	"testing"
)

const sample = `"""Module doc: from notebook.nbextensions import fake"""
import os, sys as system
from notebook.nbextensions import (
    _get_nbext_dir,  # trailing comment
    install_nbextension as inst,
)
s = "import not_this"
t = '''
from neither import this
'''

def f():
    try:
        from notebook.utils import url_path_join
    except ImportError:
        pass
    if x: import inline
    import a.b.c as d; y = 1

from . import sibling
from ..pkg.mod import *
x = r"\" import nope"
from jinja2 import Markup, \
    escape
value = jinja2.Markup("x") + other.jinja2.Markup
`

func TestImports(t *testing.T) {
	imps, err := Imports([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, im := range imps {
		var names []string
		for _, n := range im.Names {
			names = append(names, n.Name+"="+n.Bound())
		}
		got = append(got, strings.Repeat(".", im.Level)+im.From+"|"+strings.Join(names, ",")+"|"+im.Indent+"|"+map[bool]string{true: "alone", false: "inline"}[im.Alone])
	}
	want := []string{
		"|os=os,sys=system||alone",
		"notebook.nbextensions|_get_nbext_dir=_get_nbext_dir,install_nbextension=inst||alone",
		"notebook.utils|url_path_join=url_path_join|        |alone",
		"|inline=inline||inline",
		"|a.b.c=d|    |inline",
		".|sibling=sibling||alone",
		"..pkg.mod|*=*||alone",
		"jinja2|Markup=Markup,escape=escape||alone",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// the multi-line statement's span covers all its lines
	im := imps[1]
	if stmt := sample[im.Start:im.End]; !strings.HasPrefix(stmt, "from notebook.nbextensions import (") || !strings.HasSuffix(stmt, ")") {
		t.Errorf("span %q", stmt)
	}
	if sample[im.LineStart:im.Start] != "" || !strings.HasSuffix(sample[im.Start:im.LineEnd], ")\n") {
		t.Errorf("line span %q", sample[im.LineStart:im.LineEnd])
	}
}

func TestDottedUses(t *testing.T) {
	uses, err := DottedUses([]byte(sample), "jinja2.Markup")
	if err != nil || len(uses) != 1 {
		t.Fatalf("%v %v", uses, err)
	}
	if sample[uses[0].Start:uses[0].End] != "jinja2.Markup" {
		t.Errorf("%q", sample[uses[0].Start:uses[0].End])
	}
}

func TestBadSource(t *testing.T) {
	if _, err := Imports([]byte("x = 'unterminated\nimport y\n")); err == nil {
		t.Error("unterminated string")
	}
	if _, err := Imports([]byte("import \xff\n")); err != ErrNotUTF8 {
		t.Errorf("non-UTF-8: %v", err)
	}
}

func FuzzImports(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("from x import (a,\n b)\n"))
	f.Add([]byte("import a.b as c; from . import d\n"))
	f.Add([]byte("s = '''\nimport x\n'''\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		imps, err := Imports(src)
		if err != nil {
			return
		}
		for _, im := range imps {
			if im.Start < im.LineStart || im.End > im.LineEnd || im.End > len(src) || im.Start >= im.End {
				t.Fatalf("bad span %+v in %q", im, src)
			}
			if w := string(src[im.Start:im.End]); !strings.HasPrefix(w, "import") && !strings.HasPrefix(w, "from") {
				t.Fatalf("span %q does not start a statement", w)
			}
		}
		_, _ = DottedUses(src, "a.b")
	})
}
