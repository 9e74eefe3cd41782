package pkgindex

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Metadata is the Name and Version headers of a METADATA / PKG-INFO file.
type Metadata struct {
	Name, Version string
}

// ParseMetadata reads RFC 822 headers up to the first blank line and returns Name and
// Version. Both are required.
func ParseMetadata(data []byte) (Metadata, error) {
	var m Metadata
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "name":
			if m.Name == "" {
				m.Name = strings.TrimSpace(v)
			}
		case "version":
			if m.Version == "" {
				m.Version = strings.TrimSpace(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return m, err
	}
	if m.Name == "" || m.Version == "" {
		return m, fmt.Errorf("no Name or Version header")
	}
	return m, nil
}

// NormalizeName is the PEP 503 normalized project name.
func NormalizeName(n string) string {
	var b strings.Builder
	b.Grow(len(n))
	sep := false
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c == '-' || c == '_' || c == '.':
			sep = true
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteByte(c)
	}
	return b.String()
}

// ParseDistDirName splits "<name>-<version>.dist-info" (or .egg-info) into name and version.
// egg-info names may carry "-py3.11" after the version; that part is dropped.
func ParseDistDirName(dir string) (name, version string, ok bool) {
	var stem string
	switch {
	case strings.HasSuffix(dir, ".dist-info"):
		stem = strings.TrimSuffix(dir, ".dist-info")
	case strings.HasSuffix(dir, ".egg-info"):
		stem = strings.TrimSuffix(dir, ".egg-info")
		if i := strings.LastIndex(stem, "-py"); i > 0 && strings.Count(stem, "-") >= 2 {
			stem = stem[:i]
		}
	default:
		return "", "", false
	}
	name, version, ok = strings.Cut(stem, "-")
	if !ok || name == "" || version == "" {
		return "", "", false
	}
	return name, version, true
}
