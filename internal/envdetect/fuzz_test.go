package envdetect

import (
	"strings"
	"testing"
)

// Parsers of files we do not control must never panic; their seeds live in testdata/fuzz.

func FuzzParsePyvenvCfg(f *testing.F) {
	f.Add([]byte("home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n"))
	f.Add([]byte("home=/x\nversion_info = 3.12.1.final.0\nvirtualenv = 20.26.0\nprompt = 'my env'\n"))
	f.Add([]byte("\x00binary"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParsePyvenvCfg(data)
		if err != nil {
			return
		}
		for k := range cfg.Values {
			if k != strings.ToLower(strings.TrimSpace(k)) || k == "" {
				t.Fatalf("key %q not normalized", k)
			}
		}
		_ = cfg.SystemSitePackages()
		_ = normalizeVersion(cfg.Version())
		_ = cfg.Prompt()
	})
}

func FuzzParseCondaMetaName(f *testing.F) {
	f.Add("python-3.12.1-hab00c5b_0_cpython.json")
	f.Add("python-dateutil-2.9.0-pyhd8ed1ab_0.json")
	f.Add("._python-3.12.1-h_0.json")
	f.Add("--.json")
	f.Fuzz(func(t *testing.T, name string) {
		r, ok := ParseCondaMetaName(name)
		if !ok {
			return
		}
		if r.Name == "" || r.Version == "" || r.Build == "" || strings.Contains(r.Version, "-") || strings.Contains(r.Build, "-") {
			t.Fatalf("bad split of %q: %+v", name, r)
		}
		if r.Name+"-"+r.Version+"-"+r.Build+".json" != name {
			t.Fatalf("split of %q does not round-trip: %+v", name, r)
		}
	})
}

func FuzzParseEnvironmentsTxt(f *testing.F) {
	f.Add([]byte("/opt/conda/envs/a\n\n  /opt/conda/envs/b  \n/opt/conda/envs/a\n"))
	f.Add([]byte("C:\\Users\\x\\miniconda3\r\n"))
	f.Add([]byte("\x00\xff\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, _ := ParseEnvironmentsTxt(data)
		seen := map[string]bool{}
		for _, p := range ps {
			if p == "" || p != strings.TrimSpace(p) || seen[p] || strings.ContainsRune(p, '\n') {
				t.Fatalf("bad entry %q", p)
			}
			seen[p] = true
		}
	})
}
