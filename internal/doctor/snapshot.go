package doctor

import (
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/nbext"
	"github.com/jdash-dev/jdash/internal/patch"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/ports"
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
	// EnvAt describes an env the machine scan did not find (a kernel's interpreter in a dir
	// no search reaches): its packages, nil when it is no working env.
	EnvAt func(prefix string) *pkgindex.Index
}

// Other is another env of the machine, as far as doctor needs it.
type Other struct {
	Prefix     string
	ConfigDirs []string
	DataDirs   []string
	SysPrefix  jupyter.Level
	Packages   *pkgindex.Index
	Paths      jupyter.Paths
	Stdlib     []string // StdlibDirs of the env
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
	// UIConfig are the user's nbconfig files holding frontend settings (keys besides
	// load_extensions), each with its section and keys in Detail.
	UIConfig []Evidence
	NBExtOK  bool
	Bundlers []Bundler
	Kernels  []Kernel
	LabExts  []LabExt
	// LabDisabled are the names the user's labconfig/page_config.json disables (Detail), which
	// every env's JupyterLab and Notebook 7 read.
	LabDisabled []Evidence
	Modules     map[string]string // referenced module -> where it is importable from ("" = not)
	Others      []OtherEnv
	UserSite    UserSite
	IPython     []IPyRef
	Runtime     []RuntimeFile
	Ports       []PortUse
	Values      map[string]Value // effective server settings: ip, port, token, password
	Secrets     []Secret
	PathCmds    []PathCmd
	LabSplit    []string // non-empty Lab settings dirs in both the legacy and platformdirs places
	Compat      []patch.Status
	Problems    []Evidence // files that could not be read or parsed
	Quarantine  []Evidence // kernelspecs doctor --fix quarantined
	Deep        *Deep
	// FrontendJS: the widget nbextension requires whose .js this env's data path has (L12).
	FrontendJS map[string]bool
	// KernelEnvs are the widget packages of the envs kernels run in that are not among Others
	// (found by their interpreter, not by the machine scan), by resolved prefix.
	KernelEnvs map[string]map[string]string
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
	// EnvKnown: RunsIn is this env or another env of the machine; Ipykernel is that env's
	// ipykernel ("" none). JdashEnv is the env a kernel jdash made runs (metadata.jdash.env),
	// JdashEnvGone that it is gone.
	EnvKnown     bool
	Ipykernel    string
	JdashEnv     string
	JdashEnvGone bool
}

// LabExt is a prebuilt labextension in a data dir.
type LabExt struct {
	Name, Dir, Level, Version string
	Data                      string // the data dir whose labextensions/ holds it
	// Package is the Python package of its install.json; PackageMissing: this env lacks it.
	Package        string
	PackageMissing bool
}

// OtherEnv is another env, with the answers the checks need about it.
type OtherEnv struct {
	Prefix     string
	ConfigDirs []string
	DataDirs   []string
	SysPrefix  jupyter.Level
	Modules    map[string]bool // referenced modules importable there
	JS         map[string]bool // referenced requires whose .js its data path has
	Versions   map[string]string
	// What the env has that reads a shared file, so that a finding's "affects" counts only
	// the envs where it matters: a classic frontend (nbconfig), a notebook server (server
	// extensions), a kernel manager (kernelspecs).
	Classic, Server, Kernels bool
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
	g.s.Problems = append(g.s.Problems, Evidence{Path: path, Level: jupyter.LevelOf(append(slices.Clone(g.in.Paths.Config), g.in.Paths.Data...), path), Detail: msg})
}
