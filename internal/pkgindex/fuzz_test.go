package pkgindex

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseMetadata(f *testing.F) {
	f.Add([]byte("Metadata-Version: 2.1\nName: jupyter_core\nVersion: 5.9.1\n\nName: not-this\n"))
	f.Add([]byte("Name: x\r\nVersion: 1\r\n"))
	f.Add([]byte(strings.Repeat("A", 70000)))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMetadata(data)
		if err == nil && (m.Name == "" || m.Version == "") {
			t.Fatalf("accepted without name/version: %+v", m)
		}
	})
}

func FuzzParseDistDirName(f *testing.F) {
	f.Add("jupyter_core-5.9.1.dist-info")
	f.Add("notebook-6.4.12.egg-info")
	f.Add("foo-1.0-py3.11.egg-info")
	f.Fuzz(func(t *testing.T, dir string) {
		name, version, ok := ParseDistDirName(dir)
		if ok && (name == "" || version == "" || !utf8.ValidString(name) && utf8.ValidString(dir)) {
			t.Fatalf("%q -> %q %q", dir, name, version)
		}
	})
}
