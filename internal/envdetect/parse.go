package envdetect

import (
	"bytes"
	"errors"

	"strings"
	"unicode/utf8"

	"github.com/jdash-dev/jdash/internal/lazyre"
)

// PyvenvCfg is a parsed pyvenv.cfg. Keys are lower-cased as CPython's site.py does.
type PyvenvCfg struct {
	Values map[string]string
}

// ErrNotText is returned for files that are not text (NUL bytes or invalid UTF-8 in keys).
var ErrNotText = errors.New("not a text file")

// ParsePyvenvCfg parses pyvenv.cfg the way site.py does: every line with "=" is a key/value
// pair split at the first "=", both sides stripped, the key lower-cased. There are no
// sections and no quoting. Binary content is an error; lines without "=" are ignored.
func ParsePyvenvCfg(data []byte) (PyvenvCfg, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return PyvenvCfg{}, ErrNotText
	}
	cfg := PyvenvCfg{Values: map[string]string{}}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		if !utf8.ValidString(k) {
			return PyvenvCfg{}, ErrNotText
		}
		cfg.Values[k] = strings.TrimSpace(v)
	}
	return cfg, nil
}

func (c PyvenvCfg) Get(k string) string { return c.Values[k] }

// Version is the interpreter version the cfg records: CPython's venv writes "version",
// virtualenv and uv write "version_info" (virtualenv as X.Y.Z.final.0, uv sometimes X.Y).
func (c PyvenvCfg) Version() string {
	if v := c.Values["version"]; v != "" {
		return v
	}
	return c.Values["version_info"]
}

// SystemSitePackages is site.py's rule: a missing key means true, any value other than
// "true" (case-insensitive) means false.
func (c PyvenvCfg) SystemSitePackages() bool {
	v, ok := c.Values["include-system-site-packages"]
	return !ok || strings.ToLower(v) == "true"
}

// Prompt strips the Python repr quotes venv writes around the prompt.
func (c PyvenvCfg) Prompt() string {
	p := c.Values["prompt"]
	if len(p) >= 2 && (p[0] == '\'' || p[0] == '"') && p[len(p)-1] == p[0] {
		p = p[1 : len(p)-1]
	}
	return p
}

// CondaRecord is what a conda-meta/<name>-<version>-<build>.json file name says.
type CondaRecord struct {
	Name, Version, Build string
}

// ParseCondaMetaName splits a conda-meta file name as conda does (rsplit("-", 2) of the
// stem). Files starting with "._" (macOS resource forks) and non-.json files are rejected.
func ParseCondaMetaName(file string) (CondaRecord, bool) {
	if !strings.HasSuffix(file, ".json") || strings.HasPrefix(file, "._") {
		return CondaRecord{}, false
	}
	stem := strings.TrimSuffix(file, ".json")
	i := strings.LastIndexByte(stem, '-')
	if i <= 0 {
		return CondaRecord{}, false
	}
	j := strings.LastIndexByte(stem[:i], '-')
	if j <= 0 {
		return CondaRecord{}, false
	}
	r := CondaRecord{Name: stem[:j], Version: stem[j+1 : i], Build: stem[i+1:]}
	if r.Version == "" || r.Build == "" {
		return CondaRecord{}, false
	}
	return r, true
}

// FreeThreaded reports a free-threaded CPython build (conda build tag *_cp313t).
func (r CondaRecord) FreeThreaded() bool {
	return freeThreadedBuild().MatchString(r.Build)
}

// MaxEnvironmentsLines bounds how much of an environments.txt is read.
const MaxEnvironmentsLines = 100_000

// ParseEnvironmentsTxt returns the prefixes listed in conda's environments.txt: one per line,
// blank lines and surrounding white space ignored, duplicates dropped, at most
// MaxEnvironmentsLines lines read (truncated reports when more were there).
func ParseEnvironmentsTxt(data []byte) (prefixes []string, truncated bool) {
	seen := map[string]bool{}
	n := 0
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		n++
		if n > MaxEnvironmentsLines {
			return prefixes, true
		}
		p := strings.TrimSpace(string(line))
		if p == "" || bytes.IndexByte(line, 0) >= 0 || seen[p] {
			continue
		}
		seen[p] = true
		prefixes = append(prefixes, p)
	}
	return prefixes, false
}

var freeThreadedBuild = lazyre.New(`_cp3\d+t$`)
