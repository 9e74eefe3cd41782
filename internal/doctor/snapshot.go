package doctor

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/nbext"
	"github.com/jdash-dev/jdash/internal/patch"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/ports"
	"github.com/jdash-dev/jdash/internal/pyjson"
	"github.com/jdash-dev/jdash/internal/pysrc"
	"github.com/jdash-dev/jdash/internal/serverext"
)

// Input is what gathering starts from: the env as the commands resolve it, and the other
// envs of the machine (for which envs a HOME- or machine-level file reaches).
type Input struct {
	Env      *envdetect.Env
	Facts    jupyter.Facts
	Paths    jupyter.Paths
	Packages *pkgindex.Index
	Others   []Other
	Reader   *Reader
	Rules    []patch.Rule
	// Deep is the env interpreter's own answer (doctor --deep), nil without it.
	Deep *Deep
}

// Other is another env of the machine, as far as doctor needs it.
type Other struct {
	Prefix     string
	ConfigDirs []string
	DataDirs   []string
	SysPrefix  jupyter.Level
	Packages   *pkgindex.Index
	Paths      jupyter.Paths
}

// Snapshot is everything the checks look at, gathered once.
type Snapshot struct {
	Prefix        string
	RealPrefix    string
	Python        string
	PythonVersion string
	IsVenv        bool
	SystemSite    bool
	BasePrefix    string
	Home          string
	SystemRoot    string // where the machine-wide dirs are read (system_root)
	Active        bool   // the env is the activated one (VIRTUAL_ENV / CONDA_PREFIX)
	Paths         jupyter.Paths
	OwnsPrefix    bool

	Vars     map[string]string     // the relevant process variables that are set
	VarLines map[string][]Evidence // where shell profiles set them
	Versions map[string]string     // installed versions (normalized names) of interest

	Apps       []serverext.App // the server apps the env runs ([] without a server)
	Classic    bool            // a classic frontend (notebook 6 or nbclassic) reads nbconfig here
	ServerExts []serverext.Listing
	ExtLines   []Evidence // lines of .py config files that set extension lists
	NBExts     nbext.Listing
	NBExtOK    bool
	Bundlers   []Bundler
	Kernels    []Kernel
	LabExts    []LabExt
	Modules    map[string]string // referenced module -> where it is importable from ("" = not)
	Others     []OtherEnv
	UserSite   UserSite
	IPython    []IPyRef
	Runtime    []RuntimeFile
	Ports      []PortUse
	Values     map[string]Value // effective server settings: ip, port, token, password
	Secrets    []Secret
	PathCmds   []PathCmd
	LabSplit   []string // non-empty Lab settings dirs in both the legacy and platformdirs places
	Compat     []patch.Status
	Problems   []Evidence // files that could not be read or parsed
	Quarantine []Evidence // kernelspecs doctor --fix quarantined
	Deep       *Deep
	// FrontendJS: the widget nbextension requires whose .js this env's data path has (L12).
	FrontendJS map[string]bool
	PyPath     []PyPathEntry
	// SiteDirs are the model's site dirs that exist, in import order (compared by --deep).
	SiteDirs []string
}

// PyPathEntry is one PYTHONPATH entry and what it is.
type PyPathEntry struct {
	Path        string
	Package     bool   // a package dir (has __init__.py)
	OtherEnv    string // inside another env's prefix
	OtherPython string // a site dir of another Python X.Y
}

// Bundler is a notebook bundler extension enabled in nbconfig/notebook.json.
type Bundler struct {
	Name, Module string
	Source       Evidence
}

// Kernel is one kernelspec found on the kernel path.
type Kernel struct {
	Name        string
	Dir         string
	KernelsDir  string
	Level       string
	Wins        bool // the first dir holding this name
	Argv        []string
	DisplayName string
	Err         string
	// Argv0 facts: bare python names run the server's own interpreter.
	Bare       bool
	Exists     bool
	Executable bool
	RunsIn     string // the prefix the interpreter runs in ("" unknown)
	UserOwned  bool   // the interpreter lives in a prefix owned by a user (not root)
	Native     bool   // jupyter_client's built-in python3 (no file)
}

// LabExt is a prebuilt labextension in a data dir.
type LabExt struct {
	Name, Dir, Level, Version string
}

// OtherEnv is another env, with the answers the checks need about it.
type OtherEnv struct {
	Prefix     string
	ConfigDirs []string
	DataDirs   []string
	SysPrefix  jupyter.Level
	Modules    map[string]bool // referenced modules importable there
	JS         map[string]bool // referenced requires whose .js its data path has
	LabExts    map[string]bool // labextension names its data path has
	Versions   map[string]string
}

// UserSite is Python's user site as this env's Python sees it.
type UserSite struct {
	Enabled bool
	Why     string
	Dir     string
	Dists   []pkgindex.Dist // in the user site and winning there (what Python imports)
	EnvHas  map[string]string
}

// IPyRef is a module an IPython profile file loads in every kernel.
type IPyRef struct {
	Module string
	Kind   string // extension, import
	At     Evidence
}

// RuntimeFile is a server's runtime info file.
type RuntimeFile struct {
	Path  string
	PID   int
	Alive bool
}

// PortUse is a configured port and who holds it.
type PortUse struct {
	Port   int
	At     Evidence
	Taken  bool
	Holder ports.Holder
}

// Value is an effective config value and the file it comes from.
type Value struct {
	Value string
	Set   bool
	At    Evidence
}

// Secret is a token or password found in a config file.
type Secret struct {
	Key        string
	At         Evidence
	OthersRead bool
}

// PathCmd is a jupyter command PATH resolves to another env's.
type PathCmd struct {
	Name   string
	Found  string
	Own    string // the env's own copy ("" when it has none)
	Interp string // the found script's interpreter (shebang)
}

// jupyterPackages are the distributions whose copy in the user site breaks servers and
// kernels (L4).
var jupyterPackages = []string{"ipykernel", "jupyter-core", "jupyter-client", "jupyter-server", "traitlets", "tornado", "pyzmq", "ipywidgets", "ipython", "notebook", "nbclassic"}

// EnvVars are the variables doctor reads (L8, L9, L10).
var EnvVars = []string{"JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
	"JUPYTER_NO_CONFIG", "JUPYTER_PREFER_ENV_PATH", "JUPYTER_PLATFORM_DIRS", "JUPYTERLAB_DIR", "JUPYTERLAB_SETTINGS_DIR",
	"JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR", "PYTHONPATH", "PYTHONHOME", "PYTHONEXECUTABLE", "PYTHONSTARTUP", "PYTHONUSERBASE",
	"PYTHONNOUSERSITE", "JUPYTER_TOKEN", "JUPYTER_PORT"}

// widgetPackages map a kernel-side package to the frontend extension the server must have
// (L12): its labextension name and its classic nbextension require.
var widgetPackages = map[string][2]string{
	"ipywidgets": {"@jupyter-widgets/jupyterlab-manager", "jupyter-js-widgets/extension"},
	"ipyleaflet": {"jupyter-leaflet", "jupyter-leaflet/extension"},
	"bqplot":     {"bqplot", "bqplot/extension"},
	"ipympl":     {"jupyter-matplotlib", "jupyter-matplotlib/extension"},
}

// Gather reads everything the checks need. It never writes and starts no process.
func Gather(in Input) *Snapshot {
	r := in.Reader
	e, p := in.Env, in.Paths
	s := &Snapshot{
		Prefix: e.Prefix, RealPrefix: fsx.ResolveExisting(e.Prefix), Python: e.Python,
		PythonVersion: pyverMM(e.PythonVersion), IsVenv: in.Facts.IsVenv, SystemSite: in.Facts.SystemSitePackages,
		BasePrefix: e.BasePrefix(), Home: in.Facts.Home, SystemRoot: in.Facts.SystemRoot, Paths: p, OwnsPrefix: in.Facts.OwnsPrefix,
		Vars: map[string]string{}, VarLines: map[string][]Evidence{}, Versions: map[string]string{},
		Modules: map[string]string{}, Values: map[string]Value{}, Deep: in.Deep,
	}
	for _, k := range EnvVars {
		if v, ok := in.Facts.Env[k]; ok {
			s.Vars[k] = v
		}
	}
	s.Active = in.Facts.Env["VIRTUAL_ENV"] == e.Prefix || in.Facts.Env["CONDA_PREFIX"] == e.Prefix
	for _, d := range in.Packages.All() {
		s.Versions[pkgindex.NormalizeName(d.Name)] = d.Version
	}
	g := gatherer{in: in, s: s, r: r}
	g.validateConfigs()
	g.serverExtensions()
	g.nbextensions()
	g.kernels()
	g.labextensions()
	g.userSite()
	g.ipython()
	g.runtime()
	g.settings()
	g.pathCommands()
	g.shellProfiles()
	g.labSettings()
	g.others()
	g.compat()
	g.frontend()
	g.pythonPath()
	for _, d := range in.Packages.Dirs() {
		if ok, dir, _ := r.Exists(d); ok && dir && !slices.Contains(s.SiteDirs, d) {
			s.SiteDirs = append(s.SiteDirs, d)
		}
	}
	return s
}

type gatherer struct {
	in Input
	s  *Snapshot
	r  *Reader
}

func pyverMM(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// levelOf names the level of a dir on the config or data path.
func levelOf(entries []jupyter.Entry, dir string) string {
	for _, e := range entries {
		if e.Path == dir || strings.HasPrefix(dir, e.Path+string(filepath.Separator)) {
			switch e.Origin {
			case jupyter.OriginUser:
				return "user"
			case jupyter.OriginUserSite:
				return "user-site"
			case jupyter.OriginEnv:
				return "sys-prefix"
			case jupyter.OriginSystem:
				return "system"
			case jupyter.OriginVar:
				if entries[0].Origin == jupyter.OriginVar && strings.Contains(e.Why, "JUPYTER_CONFIG_PATH") {
					return "JUPYTER_CONFIG_PATH"
				}
				return "JUPYTER_PATH"
			case jupyter.OriginNoConfig:
				return "no-config"
			}
		}
	}
	return "other"
}

func (g gatherer) problem(path string, err error) {
	msg := err.Error()
	if !strings.Contains(msg, path) {
		msg = path + ": " + msg
	}
	for _, p := range g.s.Problems {
		if p.Path == path {
			return
		}
	}
	g.s.Problems = append(g.s.Problems, Evidence{Path: path, Level: levelOf(append(slices.Clone(g.in.Paths.Config), g.in.Paths.Data...), path), Detail: msg})
}

// configSections are the JSON config files doctor reads in each config dir.
var configSections = []string{"jupyter_notebook_config", "jupyter_server_config", "jupyter_config"}

// validateConfigs parses every JSON config file on the config path once; one that does not
// parse is a problem and is hidden from the listings.
func (g gatherer) validateConfigs() {
	for _, d := range g.in.Paths.ConfigDirs() {
		var files []string
		for _, sec := range configSections {
			files = append(files, filepath.Join(d, sec+".json"))
			files = append(files, g.dirFiles(filepath.Join(d, sec+".d"), ".json")...)
		}
		nb := filepath.Join(d, "nbconfig")
		for _, sec := range nbext.Sections {
			files = append(files, filepath.Join(nb, sec+".json"))
			files = append(files, g.dirFiles(filepath.Join(nb, sec+".d"), ".json")...)
		}
		for _, f := range files {
			ok, dir, err := g.r.Exists(f)
			if err != nil {
				g.problem(f, err)
				g.r.hide(f)
				continue
			}
			if !ok || dir {
				continue
			}
			data, err := g.r.ReadFile(f)
			if err == nil && len(data) > 0 {
				_, err = jupyter.ParseObj(f, data)
			}
			if err != nil {
				g.problem(f, err)
				g.r.hide(f)
			}
		}
	}
}

func (g gatherer) dirFiles(dir, suffix string) []string {
	names, err := g.r.ReadDirNames(dir)
	if err != nil {
		if !isNotExist(err) {
			g.problem(dir, err)
		}
		return nil
	}
	var out []string
	for _, n := range names {
		if strings.HasSuffix(n, suffix) {
			out = append(out, filepath.Join(dir, n))
		}
	}
	return out
}

func isNotExist(err error) bool {
	return err != nil && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR))
}

// module records whether a dotted module is importable in the env.
func (g gatherer) module(mod string) bool {
	if loc, ok := g.s.Modules[mod]; ok {
		return loc != ""
	}
	loc := importable(g.r, g.in.Packages, g.s.stdlibDirs(), mod)
	g.s.Modules[mod] = loc
	return loc != ""
}

// stdlibDirs are where the env's standard library lives.
func (s *Snapshot) stdlibDirs() []string {
	base := s.Prefix
	if s.IsVenv && s.BasePrefix != "" {
		base = s.BasePrefix
	}
	lib := filepath.Join(base, "lib", "python"+s.PythonVersion)
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

func (g gatherer) serverExtensions() {
	s := g.s
	nb, srv := s.Versions["notebook"], s.Versions["jupyter-server"]
	if nb == "" && srv == "" {
		return
	}
	s.Classic = nb != "" && !jupyter.IsNotebook7(nb) || s.Versions["nbclassic"] != ""
	app := serverext.AppFor(nb, srv)
	s.Apps = []serverext.App{app}
	if app == serverext.Server && s.Versions["nbclassic"] != "" {
		s.Apps = append(s.Apps, serverext.Notebook) // nbclassic reads NotebookApp's list through notebook_shim
	}
	for _, a := range s.Apps {
		l, err := serverext.List(g.r, g.in.Paths, a, func(string) string { return "" })
		if err != nil {
			g.problem(errPath(err), err)
			continue
		}
		for i, x := range l.Extensions {
			if g.module(x.Module) {
				l.Extensions[i].Importable, l.Extensions[i].Location = true, s.Modules[x.Module]
			}
		}
		s.ServerExts = append(s.ServerExts, l)
	}
	// .py config files: report the lines that set extension lists (never evaluated, never edited)
	re := extLineRe
	for _, d := range g.in.Paths.ConfigDirs() {
		for _, sec := range configSections {
			py := filepath.Join(d, sec+".py")
			for _, m := range g.grep(py, re) {
				m.Level = levelOf(g.in.Paths.Config, d)
				s.ExtLines = append(s.ExtLines, m)
			}
		}
	}
}

var extLineRe = regexp.MustCompile(`^\s*c\.\w+\.(nbserver_extensions|jpserver_extensions|server_extensions)\b`)

// grep returns the lines of a file matching re (path, line, text).
func (g gatherer) grep(path string, re *regexp.Regexp) []Evidence {
	ok, dir, _ := g.r.Exists(path)
	if !ok || dir {
		return nil
	}
	data, err := g.r.ReadFile(path)
	if err != nil {
		g.problem(path, err)
		return nil
	}
	var out []Evidence
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if re.MatchString(sc.Text()) {
			out = append(out, Evidence{Path: path, Line: n, Detail: strings.TrimSpace(sc.Text())})
		}
	}
	return out
}

func (g gatherer) nbextensions() {
	l, err := nbext.List(g.r, g.in.Paths)
	if err != nil {
		g.problem(errPath(err), err)
		return
	}
	g.s.NBExts, g.s.NBExtOK = l, true
	// bundlers: nbconfig/notebook.json "bundlerextensions" (first config dir wins per name)
	seen := map[string]bool{}
	for _, d := range g.in.Paths.ConfigDirs() {
		f := filepath.Join(d, "nbconfig", "notebook.json")
		obj := g.obj(f)
		if obj == nil {
			continue
		}
		be := obj.Get("bundlerextensions")
		if be == nil || be.Kind != pyjson.Object {
			continue
		}
		for _, name := range be.Obj.Keys() {
			v := be.Obj.Get(name)
			if seen[name] || v == nil || v.Kind != pyjson.Object {
				continue
			}
			seen[name] = true
			mod := ""
			if m := v.Obj.Get("module_name"); m != nil && m.Kind == pyjson.String {
				mod = m.Str
			}
			if mod != "" {
				g.module(mod)
			}
			g.s.Bundlers = append(g.s.Bundlers, Bundler{Name: name, Module: mod, Source: Evidence{Path: f, Level: levelOf(g.in.Paths.Config, d)}})
		}
	}
}

// obj reads a JSON config object (nil when absent, hidden or malformed).
func (g gatherer) obj(path string) *pyjson.Obj {
	ok, dir, _ := g.r.Exists(path)
	if !ok || dir {
		return nil
	}
	data, err := g.r.ReadFile(path)
	if err != nil || len(data) == 0 {
		return nil
	}
	o, err := jupyter.ParseObj(path, data)
	if err != nil {
		return nil
	}
	return o
}

func errPath(err error) string {
	var me *jupyter.MalformedError
	if errors.As(err, &me) {
		return me.Path
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Path
	}
	return ""
}

// kernelDirs are jupyter_client's kernel dirs: jupyter_path('kernels'), then IPython's
// kernels dir when IPython is importable.
func (g gatherer) kernelDirs() []string {
	var out []string
	for _, d := range g.in.Paths.DataDirs() {
		out = append(out, filepath.Join(d, "kernels"))
	}
	if g.s.Versions["ipython"] != "" {
		out = append(out, filepath.Join(g.ipythonDir(), "kernels"))
	}
	return out
}

func (g gatherer) ipythonDir() string {
	if d := g.in.Facts.Env["IPYTHONDIR"]; d != "" {
		return d
	}
	return filepath.Join(g.s.Home, ".ipython")
}

var kernelNameRe = regexp.MustCompile(`^[a-z0-9._\-]+$`)

type kernelJSON struct {
	Argv        []string `json:"argv"`
	DisplayName string   `json:"display_name"`
}

func (g gatherer) kernels() {
	s := g.s
	seen := map[string]bool{}
	for _, kd := range g.kernelDirs() {
		names, err := g.r.ReadDirNames(kd)
		if err != nil {
			if !isNotExist(err) {
				g.problem(kd, err)
			}
			continue
		}
		level := levelOf(g.in.Paths.Data, kd)
		if kd == filepath.Join(g.ipythonDir(), "kernels") {
			level = "home"
		}
		for _, n := range names {
			dir := filepath.Join(kd, n)
			kj := filepath.Join(dir, "kernel.json")
			if ok, isDir, _ := g.r.Exists(dir); !ok || !isDir {
				continue
			}
			if ok, isDir, _ := g.r.Exists(kj); !ok || isDir {
				continue
			}
			name := strings.ToLower(n)
			if !kernelNameRe.MatchString(name) {
				continue // jupyter_client skips invalid names with a warning
			}
			k := Kernel{Name: name, Dir: dir, KernelsDir: kd, Level: level, Wins: !seen[name]}
			seen[name] = true
			data, err := g.r.ReadFile(kj)
			var spec kernelJSON
			if err == nil {
				err = json.Unmarshal(data, &spec)
			}
			if err == nil && len(spec.Argv) == 0 {
				err = fmt.Errorf("no argv")
			}
			if err != nil {
				k.Err = fmt.Sprintf("%s: %v", kj, err)
				s.Kernels = append(s.Kernels, k)
				continue
			}
			k.Argv, k.DisplayName = spec.Argv, spec.DisplayName
			g.argv0(&k)
			s.Kernels = append(s.Kernels, k)
		}
	}
	if !seen["python3"] && s.Versions["ipykernel"] != "" {
		// jupyter_client adds the server's own python3 only when no spec of that name exists
		s.Kernels = append(s.Kernels, Kernel{Name: "python3", Level: "native", Wins: true, Native: true, Bare: true,
			Argv: []string{"python", "-m", "ipykernel_launcher"}, DisplayName: "Python 3 (ipykernel)", RunsIn: s.RealPrefix})
	}
	// quarantined kernelspecs: <data dir>/jdash-quarantine/kernels/<name>
	for _, kd := range g.kernelDirs() {
		q := filepath.Join(filepath.Dir(kd), "jdash-quarantine", "kernels")
		names, _ := g.r.ReadDirNames(q)
		for _, n := range names {
			s.Quarantine = append(s.Quarantine, Evidence{Path: filepath.Join(q, n), Level: levelOf(g.in.Paths.Data, q)})
		}
	}
}

var bareRe = regexp.MustCompile(`^python(\d(\.\d+)?)?$`)

// argv0 resolves the interpreter a kernelspec starts.
func (g gatherer) argv0(k *Kernel) {
	a := k.Argv[0]
	if bareRe.MatchString(a) {
		k.Bare, k.Exists, k.Executable, k.RunsIn = true, true, true, g.s.RealPrefix
		return
	}
	if !filepath.IsAbs(a) {
		return // looked up on PATH at start: not judged
	}
	st, err := g.r.Stat(a)
	if err != nil || st.IsDir() {
		return
	}
	k.Exists, k.Executable = true, st.Mode()&0o111 != 0
	k.RunsIn = runsIn(g.r, a)
	if k.RunsIn != "" {
		// a user's env: under a home dir, or owned by someone other than root
		k.UserOwned = g.s.Home != "" && strings.HasPrefix(k.RunsIn, fsx.ResolveExisting(g.s.Home)+string(filepath.Separator))
		if pst, err := g.r.Stat(k.RunsIn); err == nil {
			if sys, ok := pst.Sys().(*syscall.Stat_t); ok && sys.Uid != 0 {
				k.UserOwned = true
			}
		}
	}
}

// runsIn is the sys.prefix an interpreter path runs in: the dir holding a pyvenv.cfg next
// to it or one level up (a venv's python is a link to its base: it must not be resolved
// first), else the resolved interpreter's prefix.
func runsIn(r *Reader, python string) string {
	bin := filepath.Dir(python)
	for _, d := range []string{filepath.Dir(bin), bin} {
		if ok, dir, _ := r.Exists(filepath.Join(d, "pyvenv.cfg")); ok && !dir {
			return fsx.ResolveExisting(d)
		}
	}
	real := fsx.ResolveExisting(python)
	return filepath.Dir(filepath.Dir(real))
}

func (g gatherer) labextensions() {
	for _, d := range g.in.Paths.DataDirs() {
		root := filepath.Join(d, "labextensions")
		names, err := g.r.ReadDirNames(root)
		if err != nil {
			continue
		}
		for _, n := range names {
			cands := []string{n}
			if strings.HasPrefix(n, "@") {
				cands = nil
				subs, _ := g.r.ReadDirNames(filepath.Join(root, n))
				for _, sub := range subs {
					cands = append(cands, n+"/"+sub)
				}
			}
			for _, name := range cands {
				dir := filepath.Join(root, filepath.FromSlash(name))
				pj := filepath.Join(dir, "package.json")
				ok, isDir, _ := g.r.Exists(pj)
				if !ok || isDir {
					continue
				}
				var pkg struct{ Version string }
				data, err := g.r.ReadFile(pj)
				if err == nil {
					err = json.Unmarshal(data, &pkg)
				}
				if err != nil {
					g.problem(pj, err)
					continue
				}
				g.s.LabExts = append(g.s.LabExts, LabExt{Name: name, Dir: dir, Level: levelOf(g.in.Paths.Data, d), Version: pkg.Version})
			}
		}
	}
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

var runtimeRe = regexp.MustCompile(`^(nbserver|jpserver)-(\d+)(-open\.html|\.json)$`)

func (g gatherer) runtime() {
	dir := g.in.Paths.Runtime.Path
	names, _ := g.r.ReadDirNames(dir)
	for _, n := range names {
		m := runtimeRe.FindStringSubmatch(n)
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[2])
		g.s.Runtime = append(g.s.Runtime, RuntimeFile{Path: filepath.Join(dir, n), PID: pid, Alive: ports.Alive(pid)})
	}
}

// secretKeys are config traits that hold a credential.
var secretKeys = map[string]bool{"token": true, "password": true, "hashed_password": true, "auth_token": true}

var pyAssignRe = regexp.MustCompile(`^\s*c\.(\w+)\.(\w+)\s*=\s*(.+?)\s*(?:#.*)?$`)

// settings reads the effective server settings (ip, port, token, password) with traitlets'
// precedence: the first config dir that sets one wins; in a dir the app's file before
// jupyter_config, JSON before .py. Credentials anywhere outside the env are recorded.
func (g gatherer) settings() {
	s := g.s
	classes := map[string]bool{"IdentityProvider": true, "PasswordIdentityProvider": true}
	var sections []string
	for _, a := range s.Apps {
		if a == serverext.Notebook {
			classes["NotebookApp"] = true
			sections = append(sections, "jupyter_notebook_config")
		} else {
			classes["ServerApp"] = true
			sections = append(sections, "jupyter_server_config")
		}
	}
	sections = append(sections, "jupyter_config")
	for _, d := range g.in.Paths.ConfigDirs() {
		level := levelOf(g.in.Paths.Config, d)
		for _, sec := range configSections {
			active := slices.Contains(sections, sec)
			jf := filepath.Join(d, sec+".json")
			if o := g.obj(jf); o != nil {
				for _, cls := range o.Keys() {
					cv := o.Get(cls)
					if cv == nil || cv.Kind != pyjson.Object {
						continue
					}
					for _, key := range cv.Obj.Keys() {
						v := cv.Obj.Get(key)
						g.setting(active && classes[cls], cls, key, scalar(v), Evidence{Path: jf, Level: level})
					}
				}
			}
			// .d files: their credentials are found too (the values they set are not judged)
			for _, df := range g.dirFiles(filepath.Join(d, sec+".d"), ".json") {
				if o := g.obj(df); o != nil {
					for _, cls := range o.Keys() {
						if cv := o.Get(cls); cv != nil && cv.Kind == pyjson.Object {
							for _, key := range cv.Obj.Keys() {
								g.setting(false, cls, key, scalar(cv.Obj.Get(key)), Evidence{Path: df, Level: level})
							}
						}
					}
				}
			}
			py := filepath.Join(d, sec+".py")
			for _, m := range g.grep(py, pyAssignRe) {
				sub := pyAssignRe.FindStringSubmatch(m.Detail)
				m.Level = level
				g.setting(active && classes[sub[1]], sub[1], sub[2], unquote(sub[3]), m)
			}
		}
	}
	if v, ok := s.Values["port"]; ok {
		if port, err := strconv.Atoi(v.Value); err == nil && port > 0 && port < 65536 {
			host := s.Values["ip"].Value
			if host == "" || host == "localhost" {
				host = "127.0.0.1"
			}
			taken, h := ports.Taken(host, port)
			s.Ports = append(s.Ports, PortUse{Port: port, At: v.At, Taken: taken, Holder: h})
		}
	}
}

func (g gatherer) setting(effective bool, cls, key, value string, at Evidence) {
	s := g.s
	if secretKeys[key] && value != "" && at.Level != "sys-prefix" || secretKeys[key] && value != "" && othersRead(g.r, at.Path) {
		masked := at
		masked.Detail = cls + "." + key + " = ***"
		s.Secrets = append(s.Secrets, Secret{Key: cls + "." + key, At: masked, OthersRead: othersRead(g.r, at.Path)})
	}
	if !effective {
		return
	}
	switch key {
	case "ip", "port", "token", "password", "hashed_password":
	default:
		return
	}
	if key == "hashed_password" {
		key = "password"
	}
	if _, done := s.Values[key]; done {
		return // a higher-priority file set it
	}
	at.Detail = cls + "." + key
	s.Values[key] = Value{Value: value, Set: true, At: at}
}

func othersRead(r *Reader, path string) bool {
	st, err := r.Stat(path)
	return err == nil && st.Mode().Perm()&0o044 != 0
}

func scalar(v *pyjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Kind {
	case pyjson.String:
		return v.Str
	case pyjson.Int:
		return v.Int
	case pyjson.Bool:
		return strconv.FormatBool(v.Bool)
	}
	return ""
}

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return s[1 : len(s)-1]
	}
	return s
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

// labSettings reports Lab user settings kept in both the legacy and the platformdirs place.
func (g gatherer) labSettings() {
	s := g.s
	xdg := g.in.Facts.Env["XDG_CONFIG_HOME"]
	if !filepath.IsAbs(xdg) {
		xdg = filepath.Join(s.Home, ".config")
	}
	legacy := filepath.Join(s.Home, ".jupyter", "lab", "user-settings")
	pdirs := filepath.Join(xdg, "jupyter", "lab", "user-settings")
	a, _ := g.r.ReadDirNames(legacy)
	b, _ := g.r.ReadDirNames(pdirs)
	if len(a) > 0 && len(b) > 0 {
		s.LabSplit = []string{legacy, pdirs}
	}
}

// others answers, for every other env, the questions the checks ask about the modules and
// files this env's shared config refers to.
func (g gatherer) others() {
	s := g.s
	mods := map[string]bool{}
	for _, l := range s.ServerExts {
		for _, x := range l.Extensions {
			mods[x.Module] = true
		}
	}
	for _, b := range s.Bundlers {
		if b.Module != "" {
			mods[b.Module] = true
		}
	}
	var requires []string
	for _, d := range s.NBExts.Dirs {
		for _, sec := range d.Sections {
			for _, e := range sec.Entries {
				if !slices.Contains(requires, e.Require) {
					requires = append(requires, e.Require)
				}
			}
		}
	}
	kernelPrefixes := map[string]bool{}
	for _, k := range s.Kernels {
		if k.Wins && k.RunsIn != "" && k.RunsIn != s.RealPrefix {
			kernelPrefixes[k.RunsIn] = true
		}
	}
	for _, o := range g.in.Others {
		if fsx.ResolveExisting(o.Prefix) == s.RealPrefix {
			continue
		}
		oe := OtherEnv{Prefix: o.Prefix, ConfigDirs: o.ConfigDirs, DataDirs: o.DataDirs, SysPrefix: o.SysPrefix,
			Modules: map[string]bool{}, JS: map[string]bool{}, LabExts: map[string]bool{}, Versions: map[string]string{}}
		std := (&Snapshot{Prefix: o.Prefix, PythonVersion: s.PythonVersion}).stdlibDirs()
		for m := range mods {
			oe.Modules[m] = importable(g.r, o.Packages, std, m) != ""
		}
		for _, req := range requires {
			oe.JS[req] = len(nbext.FindJS(g.r, o.Paths, req)) > 0
		}
		if kernelPrefixes[fsx.ResolveExisting(o.Prefix)] {
			for pkg := range widgetPackages {
				if v := o.Packages.Version(pkg); v != "" {
					oe.Versions[pkg] = v
				}
			}
		}
		s.Others = append(s.Others, oe)
	}
}

func (g gatherer) compat() {
	if len(g.in.Rules) == 0 {
		return
	}
	pe := &patch.Env{Prefix: g.s.Prefix, Packages: g.in.Packages, PythonVersion: g.in.Env.PythonVersion}
	sts, err := patch.Advice(pe, g.in.Rules, g.s.Python)
	if err != nil {
		g.problem(errPath(err), err)
		return
	}
	g.s.Compat = sts
}

func (g gatherer) frontend() {
	g.s.FrontendJS = map[string]bool{}
	for _, ext := range widgetPackages {
		g.s.FrontendJS[ext[1]] = len(nbext.FindJS(g.r, g.in.Paths, ext[1])) > 0
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
