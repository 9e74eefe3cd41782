package doctor

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/pysrc"
)

func isNotExist(err error) bool {
	return err != nil && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR))
}

// module records whether a dotted module is importable in the env.
func (g gatherer) module(mod string) bool {
	if loc, ok := g.s.Modules[mod]; ok {
		return loc != ""
	}
	loc := importable(g.r, g.in.Packages, StdlibDirs(g.in.Env), mod)
	g.s.Modules[mod] = loc
	return loc != ""
}

// StdlibDirs are where an env's standard library lives: its own prefix's, or a venv's base's.
func StdlibDirs(e *envdetect.Env) []string {
	base := e.Prefix
	if e.Venv != nil && e.BasePrefix() != "" {
		base = e.BasePrefix()
	}
	lib := filepath.Join(base, "lib", "python"+pyverMM(e.PythonVersion))
	return []string{lib, filepath.Join(lib, "lib-dynload")}
}

// builtinModules are compiled into CPython (sys.builtin_module_names on Linux builds).
var builtinModules = []string{"_abc", "_ast", "_codecs", "_collections", "_functools", "_imp", "_io", "_locale", "_operator",
	"_signal", "_sre", "_stat", "_string", "_symtable", "_thread", "_tokenize", "_tracemalloc", "_typing", "_warnings", "_weakref",
	"atexit", "builtins", "errno", "faulthandler", "gc", "itertools", "marshal", "posix", "pwd", "sys", "time", "xxsubtype"}

// importable finds a module on the env's site dirs or in its standard library.
func importable(r *Reader, pkgs *pkgindex.Index, stdlib []string, mod string) string {
	if loc := pkgs.ModuleIn(r, mod); loc != "" {
		return loc
	}
	top, _, _ := strings.Cut(mod, ".")
	if slices.Contains(builtinModules, top) {
		return "(built-in)"
	}
	if loc := pkgindex.New(stdlib).ModuleIn(r, top); loc != "" {
		return loc
	}
	return ""
}

func (g gatherer) userSite() {
	s, p := g.s, g.in.Paths
	s.UserSite = UserSite{Enabled: p.UserSite, Why: p.UserSiteWhy, EnvHas: map[string]string{}}
	if !p.UserSite || s.PythonVersion == "" {
		return
	}
	dir := filepath.Join(p.UserBase, "lib", "python"+s.PythonVersion, "site-packages")
	s.UserSite.Dir = dir
	for _, d := range g.in.Packages.All() {
		if d.Site != dir {
			continue
		}
		s.UserSite.Dists = append(s.UserSite.Dists, d)
		// what the env itself has under it (the copy the user site shadows)
		var own []string
		for _, sd := range g.in.Packages.Dirs() {
			if sd != dir {
				own = append(own, sd)
			}
		}
		if v := pkgindex.NewOnly(own, func(n string) bool { return n == pkgindex.NormalizeName(d.Name) }).Version(d.Name); v != "" {
			s.UserSite.EnvHas[pkgindex.NormalizeName(d.Name)] = v
		}
	}
}

var ipyExtRe = regexp.MustCompile(`^\s*c\.(?:InteractiveShellApp|TerminalIPythonApp|IPKernelApp)\.extensions\s*(?:=|\+=)\s*\[(.*)\]`)

var quotedRe = regexp.MustCompile(`['"]([A-Za-z_][\w.]*)['"]`)

func (g gatherer) ipython() {
	prof := filepath.Join(g.ipythonDir(), "profile_default")
	for _, cfg := range []string{"ipython_config.py", "ipython_kernel_config.py"} {
		path := filepath.Join(prof, cfg)
		for _, m := range g.grep(path, ipyExtRe) {
			sub := ipyExtRe.FindStringSubmatch(m.Detail)
			for _, q := range quotedRe.FindAllStringSubmatch(sub[1], -1) {
				g.module(q[1])
				g.s.IPython = append(g.s.IPython, IPyRef{Module: q[1], Kind: "extension", At: Evidence{Path: path, Level: "home", Line: m.Line, Detail: m.Detail}})
			}
		}
	}
	startup := filepath.Join(prof, "startup")
	names, _ := g.r.ReadDirNames(startup)
	for _, n := range names {
		if !strings.HasSuffix(n, ".py") && !strings.HasSuffix(n, ".ipy") {
			continue
		}
		path := filepath.Join(startup, n)
		data, err := g.r.ReadFile(path)
		if err != nil {
			g.problem(path, err)
			continue
		}
		imps, err := pysrc.Imports(data)
		if err != nil {
			g.problem(path, err)
			continue
		}
		for _, im := range imps {
			if im.Indent != "" || im.Level > 0 {
				continue // guarded or relative: not judged
			}
			mods := []string{im.From}
			if im.From == "" {
				mods = nil
				for _, nm := range im.Names {
					mods = append(mods, nm.Name)
				}
			}
			for _, mod := range mods {
				top, _, _ := strings.Cut(mod, ".")
				g.module(top)
				g.s.IPython = append(g.s.IPython, IPyRef{Module: top, Kind: "import", At: Evidence{Path: path, Level: "home", Line: im.Line}})
			}
		}
	}
}

// pathCommands finds the jupyter commands that PATH resolves to another env's copy:
// jupyter_core appends the env's own scripts dir to PATH, so an earlier PATH entry wins.
func (g gatherer) pathCommands() {
	s := g.s
	bin := filepath.Dir(s.Python)
	own, err := g.r.ReadDirNames(bin)
	if err != nil {
		return
	}
	var dirs []string
	for _, d := range filepath.SplitList(g.in.Facts.Env["PATH"]) {
		if filepath.IsAbs(d) {
			dirs = append(dirs, d)
		}
	}
	realBin := fsx.ResolveExisting(bin)
	for _, n := range own {
		if !strings.HasPrefix(n, "jupyter") || (n == "jupyter" && !s.Active) {
			continue
		}
		for _, d := range dirs {
			if fsx.ResolveExisting(d) == realBin {
				break // the env's own copy comes first
			}
			cand := filepath.Join(d, n)
			st, err := g.r.Stat(cand)
			if err != nil || !st.Mode().IsRegular() || st.Mode()&0o111 == 0 {
				continue
			}
			pc := PathCmd{Name: n, Found: cand, Own: filepath.Join(bin, n)}
			if data, err := g.r.ReadFile(cand); err == nil && bytes.HasPrefix(data, []byte("#!")) {
				line, _, _ := bytes.Cut(data[2:], []byte("\n"))
				pc.Interp = strings.TrimSpace(string(line))
			}
			s.PathCmds = append(s.PathCmds, pc)
			break
		}
	}
}

var profileFiles = []string{".bashrc", ".bash_profile", ".profile", ".zshrc", ".zprofile", ".zshenv"}

// shellProfiles finds where the variables that are set come from.
func (g gatherer) shellProfiles() {
	s := g.s
	if len(s.Vars) == 0 {
		return
	}
	var names []string
	for k := range s.Vars {
		names = append(names, regexp.QuoteMeta(k))
	}
	slices.Sort(names)
	re := regexp.MustCompile(`^\s*(?:export\s+|setenv\s+)?(` + strings.Join(names, "|") + `)[=\s]`)
	files := make([]string, 0, len(profileFiles))
	for _, f := range profileFiles {
		files = append(files, filepath.Join(s.Home, f))
	}
	files = append(files, g.dirFiles(filepath.Join(s.Prefix, "etc", "conda", "activate.d"), ".sh")...)
	for _, f := range files {
		for _, m := range g.grep(f, re) {
			k := re.FindStringSubmatch(m.Detail)[1]
			m.Level, m.EnvVar = "home", k
			if strings.HasPrefix(f, s.Prefix) {
				m.Level = "sys-prefix"
			}
			s.VarLines[k] = append(s.VarLines[k], m)
		}
	}
}

var sitePyRe = regexp.MustCompile(`python(\d+\.\d+)t?[/\\](site|dist)-packages`)

func (g gatherer) pythonPath() {
	v := g.s.Vars["PYTHONPATH"]
	for _, e := range filepath.SplitList(v) {
		if e == "" {
			continue
		}
		pe := PyPathEntry{Path: e}
		if ok, dir, _ := g.r.Exists(filepath.Join(e, "__init__.py")); ok && !dir {
			pe.Package = true
		}
		for _, o := range g.in.Others {
			if fsx.ResolveExisting(o.Prefix) != g.s.RealPrefix && strings.HasPrefix(e, o.Prefix+string(filepath.Separator)) {
				pe.OtherEnv = o.Prefix
			}
		}
		if m := sitePyRe.FindStringSubmatch(e); m != nil && m[1] != g.s.PythonVersion {
			pe.OtherPython = m[1]
		}
		g.s.PyPath = append(g.s.PyPath, pe)
	}
}
