package envdetect

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	toml "github.com/pelletier/go-toml/v2"

	"github.com/jdash-dev/jdash/internal/lazyre"
)

// places are the manager-owned dirs of this host, resolved once per scan; describe uses them
// to tag envs by where they live.
type places struct {
	pyenvVersions []string
	workonHome    []string
	pipenv        []string
	poetry        []string
	hatch         []string
	pipx          []string
	uvPython      []string
	uvTools       []string
	pixiGlobal    []string
	condaEnvsDirs []string
	condaRoots    map[string]bool // real paths of conda installs
	// mambaRoots are micromamba's root prefixes (MAMBA_ROOT_PREFIX, ~/.local/share/mamba,
	// ~/micromamba): a root may have no base env, and no conda binary anywhere.
	mambaRoots []string

	// baseVersions caches the exact version of base interpreters: many venvs share one.
	baseVersions sync.Map // base prefix -> string
}

// under reports whether real lies in one of dirs (resolved when places were built).
func (p *places) under(dirs []string, real string) (string, bool) {
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if real == d || strings.HasPrefix(real, d+string(filepath.Separator)) {
			return d, true
		}
	}
	return "", false
}

// isPythonExeName matches python, python3, python3.X and python3.Xt (free-threaded).
func isPythonExeName(n string) bool {
	switch n {
	case "python", "python3":
		return true
	}
	rest, ok := strings.CutPrefix(n, "python3.")
	if !ok {
		return false
	}
	rest = strings.TrimSuffix(rest, "t")
	return rest != "" && strings.Trim(rest, "0123456789") == ""
}

// findInterpreter returns the env's interpreter (Unix probe order bin/python, bin/python3,
// then bin/python3.X[t]) or, when none works, what is wrong.
func findInterpreter(prefix string, goos string) (exe string, problem string) {
	var cands []string
	if goos == "windows" {
		cands = []string{`Scripts\python.exe`, `python.exe`, `bin\python.exe`}
	} else {
		cands = []string{"bin/python", "bin/python3"}
		for _, c := range cands {
			if ok, _, _ := linkState(filepath.Join(prefix, c)); ok {
				return filepath.Join(prefix, c), ""
			}
		}
		// Only when neither exists: python3.X[t] (free-threaded builds ship no plain name).
		if ents, err := readDirEntries(filepath.Join(prefix, "bin")); err == nil {
			var more []string
			for _, e := range ents {
				if n := e.Name(); isPythonExeName(n) && n != "python" && n != "python3" {
					more = append(more, "bin/"+n)
				}
			}
			slices.Sort(more)
			cands = append(cands, more...)
		}
	}
	for _, c := range cands {
		p := filepath.Join(prefix, c)
		ok, dangling, target := linkState(p)
		if ok {
			return p, ""
		}
		if dangling && problem == "" {
			problem = fmt.Sprintf("Python executable is a broken symlink: %s -> %s", c, target)
		}
	}
	if problem == "" {
		problem = "Python executable not found"
	}
	return "", problem
}

// describe builds the Env of one prefix, or nil when the dir is not a Python env at all.
func describe(prefix string, h Host, pl *places) *Env {
	real, err := realpath(prefix)
	if err != nil {
		if isLoop(err) {
			e := newEnv(prefix, prefix)
			e.Name, e.Kind = filepath.Base(prefix), KindGlobal
			e.fail("symlink loop: " + err.Error())
			return e
		}
		return nil
	}
	if !isDir(real) {
		return nil
	}
	e := newEnv(prefix, real)
	switch {
	case isDir(filepath.Join(prefix, "conda-meta")):
		describeConda(e, h, pl)
	case exists(filepath.Join(prefix, "pyvenv.cfg")):
		describeVenv(e, h, pl)
	default:
		if !describeInterpreterDir(e, h, pl) {
			return nil
		}
	}
	if e.Name == "" {
		e.Name = defaultName(prefix)
	}
	readPackages(e, h)
	return e
}

// newEnv has every list and map non-nil, so that JSON shows [] and {} rather than null.
func newEnv(prefix, real string) *Env {
	return &Env{Prefix: prefix, realPrefix: real, Tags: []string{}, Packages: map[string]string{}, SitePackages: []string{}, FoundBy: []string{}}
}

func defaultName(prefix string) string {
	b := filepath.Base(prefix)
	if strings.HasPrefix(b, ".") && b != "." {
		// .venv, .conda: the project dir names it
		return filepath.Base(filepath.Dir(prefix)) + "/" + b
	}
	return b
}

func describeVenv(e *Env, h Host, pl *places) {
	e.Kind = KindVenv
	cfgPath := filepath.Join(e.Prefix, "pyvenv.cfg")
	data, err := readSmall(cfgPath, maxSmallFile)
	var cfg PyvenvCfg
	if err == nil && len(data) > maxPyvenvCfg {
		// CPython's getpath refuses it ("cannot read file larger than 32KB"): the env's Python
		// does not start, whatever the file says.
		e.fail(fmt.Sprintf("%s is larger than 32 KiB: Python refuses to start with it", cfgPath))
	}
	if err == nil {
		cfg, err = ParsePyvenvCfg(data)
	}
	if err != nil {
		e.fail(fmt.Sprintf("%s: %v", cfgPath, err))
		cfg = PyvenvCfg{Values: map[string]string{}}
	}
	vi := &VenvInfo{Home: cfg.Get("home"), IncludeSystemSitePackages: cfg.SystemSitePackages(), Prompt: cfg.Prompt()}
	switch {
	case cfg.Get("uv") != "":
		vi.Creator, vi.CreatorVersion = "uv", cfg.Get("uv")
		e.addTag("uv")
	case cfg.Get("virtualenv") != "":
		vi.Creator, vi.CreatorVersion = "virtualenv", cfg.Get("virtualenv")
		e.addTag("virtualenv")
	default:
		vi.Creator = "venv"
	}
	if vi.Home != "" && !filepath.IsAbs(vi.Home) {
		vi.HomeRelative = true
	}
	e.Venv = vi

	exe, problem := findInterpreter(e.Prefix, h.OS)
	e.Python = exe
	if exe == "" {
		e.fail(problem)
	}
	if vi.Home != "" {
		home := vi.Home
		if vi.HomeRelative {
			// CPython resolves a relative home against the CWD (undefined); we read it against
			// the cfg's dir (PEP 796) and say so.
			home = filepath.Join(e.Prefix, home)
		}
		if !isDir(home) {
			e.fail(fmt.Sprintf("base Python removed: home = %s does not exist", vi.Home))
		}
	}
	if v := cfg.Version(); v != "" {
		e.PythonVersion, e.VersionSource = normalizeVersion(v), "pyvenv.cfg"
	}
	if base := baseVersion(e, vi, pl); base != "" && (e.PythonVersion == "" || majorMinor(base) == majorMinor(e.PythonVersion)) {
		e.PythonVersion, e.VersionSource = base, "base interpreter headers"
	}
	if e.PythonVersion == "" {
		e.PythonVersion, e.VersionSource = versionFromLibDirs(e.Prefix)
	}
	tagVenvByPlace(e, pl)
}

// baseVersion reads the exact version of the interpreter the venv was made from: PEP 739
// build-details.json, then patchlevel.h, under the base prefix (from home or the bin/python
// link). It catches a pyvenv.cfg left stale by an in-place upgrade of the base.
func baseVersion(e *Env, vi *VenvInfo, pl *places) string {
	if vi.Home != "" && !vi.HomeRelative {
		if v := pl.baseVersion(filepath.Dir(filepath.Clean(vi.Home))); v != "" {
			return v
		}
	}
	if e.Python != "" {
		if t, err := filepath.EvalSymlinks(e.Python); err == nil && filepath.Base(filepath.Dir(t)) == "bin" {
			return pl.baseVersion(filepath.Dir(filepath.Dir(t)))
		}
	}
	return ""
}

func (p *places) baseVersion(root string) string {
	if v, ok := p.baseVersions.Load(root); ok {
		return v.(string)
	}
	v, _ := versionFromHeaders(root)
	p.baseVersions.Store(root, v)
	return v
}

func tagVenvByPlace(e *Env, pl *places) {
	real := e.realPrefix
	if d, ok := pl.under(pl.pyenvVersions, real); ok {
		e.addTag("pyenv-virtualenv")
		e.Manager = &Manager{Name: "pyenv", Path: filepath.Dir(d)}
	}
	if _, ok := pl.under(pl.poetry, real); ok {
		e.addTag("poetry")
		e.Manager = &Manager{Name: "poetry"}
	}
	if _, ok := pl.under(pl.hatch, real); ok {
		e.addTag("hatch")
		e.Manager = &Manager{Name: "hatch"}
	}
	if _, ok := pl.under(pl.pipx, real); ok {
		e.addTag("pipx")
		e.Manager = &Manager{Name: "pipx"}
	}
	if _, ok := pl.under(pl.uvTools, real); ok || isFile(filepath.Join(e.Prefix, "uv-receipt.toml")) {
		e.addTag("uv-tool")
		e.Manager = &Manager{Name: "uv"}
	}
	project := readProjectFile(e.Prefix)
	if _, ok := pl.under(pl.workonHome, real); ok {
		e.addTag("virtualenvwrapper")
		e.Manager = &Manager{Name: "virtualenvwrapper"}
	}
	// pipenv: a .project pointing at a dir with a Pipfile, or an in-project .venv next to one.
	pipfile := func(dir string) bool { return dir != "" && isFile(filepath.Join(dir, "Pipfile")) }
	_, inPipenvDir := pl.under(pl.pipenv, real)
	switch {
	case pipfile(project) && (inPipenvDir || e.HasTag("virtualenvwrapper")):
		e.addTag("pipenv")
		e.Manager = &Manager{Name: "pipenv"}
	case filepath.Base(e.Prefix) == ".venv" && pipfile(filepath.Dir(e.Prefix)):
		e.addTag("pipenv")
		e.Manager = &Manager{Name: "pipenv"}
		project = filepath.Dir(e.Prefix)
	case inPipenvDir && (project != "" || pipenvName().MatchString(filepath.Base(e.Prefix))):
		// pipenv's own dir: the env stays pipenv's when its project (.project) was deleted
		e.addTag("pipenv")
		e.Manager = &Manager{Name: "pipenv"}
	}
	if dir := hatchProject(e.Prefix); dir != "" && !e.HasTag("hatch") {
		e.addTag("hatch")
		e.Manager = &Manager{Name: "hatch"}
		project = dir
	}
	if filepath.Base(e.Prefix) == ".venv" && !e.HasTag("pipenv") {
		dir := filepath.Dir(e.Prefix)
		if isFile(filepath.Join(dir, "poetry.toml")) || pyprojectHas(dir, "[tool.poetry]", "poetry-core", "poetry.core") {
			e.addTag("poetry")
			e.Manager = &Manager{Name: "poetry"}
		} else if e.HasTag("uv") {
			e.Manager = &Manager{Name: "uv"}
		}
		project = dir
	}
	if e.Manager != nil && e.Manager.Name == "" {
		e.Manager = nil
	}
	e.Project = project
}

var pipenvName = lazyre.New(`^.+-[A-Za-z0-9_-]{8}$`)

func readProjectFile(prefix string) string {
	data, err := readSmall(filepath.Join(prefix, ".project"), 64<<10)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.SplitN(string(data), "\n", 2)[0])
}

// hatchProject is the project whose hatch config puts its envs in the dir holding prefix
// ([tool.hatch.dirs.env] virtual = ".hatch" in pyproject.toml, or [dirs.env] in hatch.toml),
// or "".
func hatchProject(prefix string) string {
	envsDir := filepath.Dir(prefix)
	project := filepath.Dir(envsDir)
	type dirs struct {
		Env struct {
			Virtual string `toml:"virtual"`
		} `toml:"env"`
	}
	var pyproject struct {
		Tool struct {
			Hatch struct {
				Dirs dirs `toml:"dirs"`
			} `toml:"hatch"`
		} `toml:"tool"`
	}
	var hatchToml struct {
		Dirs dirs `toml:"dirs"`
	}
	var configured []string
	if data, err := readSmall(filepath.Join(project, "pyproject.toml"), maxSmallFile); err == nil && toml.Unmarshal(data, &pyproject) == nil {
		configured = append(configured, pyproject.Tool.Hatch.Dirs.Env.Virtual)
	}
	if data, err := readSmall(filepath.Join(project, "hatch.toml"), maxSmallFile); err == nil && toml.Unmarshal(data, &hatchToml) == nil {
		configured = append(configured, hatchToml.Dirs.Env.Virtual)
	}
	for _, v := range configured {
		if v != "" && !filepath.IsAbs(v) && filepath.Join(project, v) == envsDir {
			return project
		}
	}
	return ""
}

func pyprojectHas(dir string, needles ...string) bool {
	data, err := readSmall(filepath.Join(dir, "pyproject.toml"), maxSmallFile)
	if err != nil {
		return false
	}
	for _, n := range needles {
		if strings.Contains(string(data), n) {
			return true
		}
	}
	return false
}

// describeInterpreterDir classifies a prefix that is neither conda nor pyvenv.cfg: a legacy
// virtualenv, a pyenv or uv-managed interpreter, the system Python or another global one.
func describeInterpreterDir(e *Env, h Host, pl *places) bool {
	exe, problem := findInterpreter(e.Prefix, h.OS)
	legacy := h.OS != "windows" && isFile(filepath.Join(e.Prefix, "bin", "activate")) && !h.isSystemPrefix(e.realPrefix)
	if exe == "" && !legacy {
		// A pyenv/uv version dir with a dangling interpreter is still an install; anything else is not an env.
		_, inPyenv := pl.under(pl.pyenvVersions, e.realPrefix)
		if !inPyenv || !strings.Contains(problem, "broken symlink") {
			return false
		}
	}
	e.Python = exe
	if exe == "" {
		e.fail(problem)
	}
	switch {
	case legacy:
		e.Kind = KindVirtualenv
		e.addTag("virtualenv")
		tagVenvByPlace(e, pl)
	case inDirs(pl, pl.pyenvVersions, e.realPrefix):
		e.Kind = KindPyenv
		e.Manager = &Manager{Name: "pyenv", Path: filepath.Dir(filepath.Dir(e.realPrefix))}
	case inDirs(pl, pl.uvPython, e.realPrefix):
		e.Kind = KindUvPython
		e.Manager = &Manager{Name: "uv"}
	case h.isSystemPrefix(e.realPrefix):
		e.Kind = KindSystem
	default:
		e.Kind = KindGlobal
		if strings.Contains(e.realPrefix, "/Cellar/python@") {
			e.addTag("homebrew")
		}
	}
	e.PythonVersion, e.VersionSource = versionFromHeaders(e.Prefix)
	if e.PythonVersion == "" && e.Kind == KindUvPython {
		if m := uvDirName().FindStringSubmatch(filepath.Base(e.realPrefix)); m != nil {
			e.PythonVersion, e.VersionSource = m[1], "directory name"
		}
	}
	if e.PythonVersion == "" && e.Kind == KindPyenv {
		if m := pyenvDirName().FindStringSubmatch(filepath.Base(e.realPrefix)); m != nil {
			e.PythonVersion, e.VersionSource = m[1], "directory name"
		}
	}
	if e.PythonVersion == "" {
		e.PythonVersion, e.VersionSource = versionFromLibDirs(e.Prefix)
	}
	if e.Kind == KindSystem {
		e.Name = "system"
	}
	return true
}

var (
	uvDirName    = lazyre.New(`^[a-z]+-(\d+\.\d+(?:\.\d+)?(?:[a-z]+\d+)?)(?:\+freethreaded)?-`)
	pyenvDirName = lazyre.New(`^(\d+\.\d+(?:\.\d+)?(?:-dev|[a-z]+\d*)?)`)
)

func inDirs(pl *places, dirs []string, real string) bool {
	_, ok := pl.under(dirs, real)
	return ok
}

func (h Host) isSystemPrefix(p string) bool {
	for _, s := range h.SystemPrefixes {
		if p == s {
			return true
		}
	}
	return false
}
