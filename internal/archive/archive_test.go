package archive

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

func zipOf(t testing.TB, files map[string]string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for n, body := range files {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return b.Bytes()
}

var lim = Limits{Entries: 10, File: 100, Total: 150, Name: 64}

func TestZipChecks(t *testing.T) {
	for _, c := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"a/b.txt": "x", "c": "y"}, ""},
		{map[string]string{"../evil": "x"}, "points outside"},
		{map[string]string{"a/../../evil": "x"}, "points outside"},
		{map[string]string{"/abs": "x"}, "points outside"},
		{map[string]string{"big": strings.Repeat("0", 101)}, "limit"},
		{map[string]string{"a": strings.Repeat("0", 90), "b": strings.Repeat("0", 90)}, "unpacked"},
		{map[string]string{strings.Repeat("n", 65): "x"}, "over 64 bytes"},
	} {
		files, err := Zip(zipOf(t, c.files), lim)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: %v", c.files, err)
		case c.want == "" && len(files) != len(c.files):
			t.Errorf("%v: got %d files", c.files, len(files))
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v: want %q, got %v", c.files, c.want, err)
		}
	}
}

// FuzzZip: any bytes are read or refused, never a panic, and what is read stays inside.
func FuzzZip(f *testing.F) {
	f.Add(zipOf(f, map[string]string{"index.ipynb": "{}", "d/x": "1"}))
	f.Add(zipOf(f, map[string]string{"../x": "1"}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := Zip(data, lim)
		if err != nil {
			return
		}
		for _, fl := range files {
			if strings.HasPrefix(fl.Name, "/") || hasDotDot(fl.Name) || int64(len(fl.Data)) > lim.File {
				t.Fatalf("escaped the checks: %q (%d bytes)", fl.Name, len(fl.Data))
			}
		}
	})
}
