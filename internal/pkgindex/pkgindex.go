// Package pkgindex is the one index of what is installed on an env's sys.path, read from
// files (dist-info and egg-info records) without starting Python: which version of a
// distribution Python would import, which files it installed (RECORD), and where a module
// is. Every "is X installed, which version" question in jdash is answered here.
package pkgindex

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pyver"
)

// Dist is one installed distribution.
type Dist struct {
	Name    string // as its record spells it
	Version string
	Site    string // the site dir it is in
	Info    string // its .dist-info / .egg-info path
}

// Index answers for a list of site dirs in import order: the first dir holding a
// distribution wins, as importlib.metadata's lookup does. Dirs are listed once, lazily.
type Index struct {
	dirs  []string
	keep  func(normalized string) bool
	once  sync.Once
	dists map[string]rec // normalized name -> the winning record
}

// rec is a found record; paths are joined only when asked for (a scan reads thousands).
type rec struct {
	name, version, info string // info: the .dist-info / .egg-info dir's name
	dir                 int    // index into dirs
}

// New indexes site dirs given in import order.
func New(dirs []string) *Index { return &Index{dirs: slices.Clone(dirs)} }

// NewOnly indexes only the distributions whose normalized names keep accepts (a scan of
// many envs asks for a few packages each).
func NewOnly(dirs []string, keep func(normalized string) bool) *Index {
	return &Index{dirs: slices.Clone(dirs), keep: keep}
}

// Dirs are the site dirs, in import order.
func (ix *Index) Dirs() []string { return ix.dirs }

func (ix *Index) load() {
	ix.once.Do(func() {
		ix.dists = map[string]rec{}
		for i, sp := range ix.dirs {
			names, err := fsx.ReadDirNames(sp)
			if err != nil {
				continue
			}
			for _, n := range names {
				if !strings.HasSuffix(n, "-info") {
					continue
				}
				name, version, ok := ParseDistDirName(n)
				if !ok {
					if name, version, ok = readMetadataFile(filepath.Join(sp, n)); !ok {
						continue
					}
				}
				key := NormalizeName(name)
				if ix.keep != nil && !ix.keep(key) {
					continue
				}
				if old, dup := ix.dists[key]; dup {
					// An earlier dir wins; in one dir, a leftover older record of an upgrade
					// loses to the newer one.
					if old.dir < i || pyver.CompareStrings(version, old.version) <= 0 {
						continue
					}
				}
				ix.dists[key] = rec{name: name, version: version, info: n, dir: i}
			}
		}
	})
}

func (ix *Index) dist(r rec) Dist {
	sp := ix.dirs[r.dir]
	return Dist{Name: r.name, Version: r.version, Site: sp, Info: filepath.Join(sp, r.info)}
}

// Dist returns the distribution Python would find for name.
func (ix *Index) Dist(name string) (Dist, bool) {
	ix.load()
	r, ok := ix.dists[NormalizeName(name)]
	if !ok {
		return Dist{}, false
	}
	return ix.dist(r), true
}

// Version is the installed version of name, "" when it is not installed.
func (ix *Index) Version(name string) string {
	ix.load()
	return ix.dists[NormalizeName(name)].version
}

// All lists every distribution found, sorted by normalized name.
func (ix *Index) All() []Dist {
	ix.load()
	out := make([]Dist, 0, len(ix.dists))
	for _, r := range ix.dists {
		out = append(out, ix.dist(r))
	}
	slices.SortFunc(out, func(a, b Dist) int { return strings.Compare(NormalizeName(a.Name), NormalizeName(b.Name)) })
	return out
}

// PythonFiles lists the .py files a distribution installed inside its site dir, from its
// RECORD (or, without one, by walking the packages named in top_level.txt), sorted. Paths
// that leave the site dir ("../../bin/x") and test files are left out.
func (ix *Index) PythonFiles(name string) ([]string, error) {
	d, ok := ix.Dist(name)
	if !ok {
		return nil, nil
	}
	data, err := fsx.ReadRegular(filepath.Join(d.Info, "RECORD"), fsx.MaxRead)
	if err != nil {
		return topLevelFiles(d.Site, filepath.Join(d.Info, "top_level.txt"))
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		p := recordPath(sc.Text())
		if strings.HasSuffix(p, ".py") && !strings.HasPrefix(p, "..") && !filepath.IsAbs(p) && !strings.Contains(p, "/tests/") {
			out = append(out, filepath.Join(d.Site, filepath.FromSlash(p)))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(d.Info, "RECORD"), err)
	}
	slices.Sort(out)
	return out, nil
}

// recordPath is the first CSV field of a RECORD line (quoted when it holds a comma).
func recordPath(line string) string {
	if strings.HasPrefix(line, `"`) {
		if end := strings.Index(line[1:], `"`); end >= 0 {
			return line[1 : end+1]
		}
	}
	p, _, _ := strings.Cut(line, ",")
	return p
}

func topLevelFiles(sp, topLevel string) ([]string, error) {
	data, err := fsx.ReadRegular(topLevel, 1<<20)
	if err != nil {
		return nil, nil
	}
	var out []string
	for _, top := range strings.Fields(string(data)) {
		if strings.Contains(top, "..") || filepath.IsAbs(top) {
			continue
		}
		root := filepath.Join(sp, top)
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && strings.HasSuffix(p, ".py") {
				out = append(out, p)
			}
			return nil
		})
		if st, err := os.Lstat(root + ".py"); err == nil && st.Mode().IsRegular() {
			out = append(out, root+".py")
		}
	}
	slices.Sort(out)
	return out, nil
}

// Module finds an importable module (dotted name) without running Python: a package dir,
// a .py file or an extension module, in import order. It returns the path, or "".
func (ix *Index) Module(module string) string { return ix.ModuleIn(fsx.Disk{}, module) }

// ModuleIn is Module reading through fsys (doctor reads each dir once for many envs).
func (ix *Index) ModuleIn(fsys fsx.FS, module string) string {
	parts := strings.Split(module, ".")
	rel := filepath.Join(parts...)
	last := parts[len(parts)-1]
	for _, sp := range ix.dirs {
		base := filepath.Join(sp, rel)
		if isFile(fsys, filepath.Join(base, "__init__.py")) {
			return base
		}
		if isFile(fsys, base+".py") {
			return base + ".py"
		}
		// an extension module: name.so, name.cpython-311-x86_64-linux-gnu.so, name.pyd, ...
		// (one listing of the dir, not one per suffix)
		names, _ := fsys.ReadDirNames(filepath.Dir(base))
		for _, n := range names {
			if strings.HasPrefix(n, last+".") && (strings.HasSuffix(n, ".so") || strings.HasSuffix(n, ".pyd")) {
				return filepath.Join(filepath.Dir(base), n)
			}
		}
	}
	return ""
}

func isFile(fsys fsx.FS, p string) bool {
	ok, dir, _ := fsys.Exists(p)
	return ok && !dir
}

func readMetadataFile(path string) (string, string, bool) {
	for _, f := range []string{filepath.Join(path, "METADATA"), filepath.Join(path, "PKG-INFO"), path} {
		data, err := fsx.ReadRegular(f, 1<<20)
		if err != nil {
			continue
		}
		if m, err := ParseMetadata(data); err == nil {
			return m.Name, m.Version, true
		}
	}
	return "", "", false
}
