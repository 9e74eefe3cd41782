package setup

import "testing"

func TestFrontendToken(t *testing.T) {
	versions := func(m map[string]string) func(string) string { return func(n string) string { return m[n] } }
	for _, c := range []struct {
		app  string
		pkgs map[string]string
		want string
	}{
		{"notebook", map[string]string{"notebook": "6.5.7", "nbclassic": "1.3.3"}, "6.x"}, // sys_info.notebook_version
		{"server", map[string]string{"notebook": "7.4.0", "nbclassic": "1.3.3"}, "1.x"},   // Jupyter.version of nbclassic
		{"notebook", map[string]string{"notebook": "10.0.0"}, "10x"},                      // the configurator's own rule
		{"server", map[string]string{}, ""},
	} {
		if got := FrontendToken(c.app, versions(c.pkgs)); got != c.want {
			t.Errorf("FrontendToken(%s, %v) = %q, want %q", c.app, c.pkgs, got, c.want)
		}
	}
}

func TestDeclareCompat(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Type: IPython Notebook Extension\nCompatibility: 4.x, 5.x\nName: x\n", "Type: IPython Notebook Extension\nCompatibility: 4.x, 5.x, 6.x\nName: x\n"},
		{"Compatibility: Jupyter (4.x, 5.x)\r\n", "Compatibility: Jupyter (4.x, 5.x), 6.x\r\n"},
		{"Compatibility: '4.x 5.x'  \n", "Compatibility: '4.x 5.x, 6.x'\n"},
		{"Compatibility: 3.x, 4.x, 5.x", "Compatibility: 3.x, 4.x, 5.x, 6.x"}, // no final newline
		{"Compatibility: 4.x\n", ""},                 // never declared 5.x: stays flagged
		{"Compatibility: 4.x, 5.x, 6.x\n", ""},       // already there
		{"Name: x\n  Compatibility: 4.x, 5.x\n", ""}, // nested key, not the description's
		{"Name: x\n", ""},
	} {
		got, ok := DeclareCompat([]byte(c.in), "6.x")
		if c.want == "" {
			if ok || string(got) != c.in {
				t.Errorf("DeclareCompat(%q) changed it to %q", c.in, got)
			}
			continue
		}
		if !ok || string(got) != c.want {
			t.Errorf("DeclareCompat(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}
