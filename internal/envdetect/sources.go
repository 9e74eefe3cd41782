package envdetect

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// Sources, in the order their names appear in found_by.
const (
	SrcActive     = "active"
	SrcCwd        = "cwd"
	SrcPath       = "PATH"
	SrcSystem     = "system"
	SrcConda      = "conda"
	SrcPyenv      = "pyenv"
	SrcVenvDirs   = "venv-dirs"
	SrcPoetry     = "poetry"
	SrcHatch      = "hatch"
	SrcPixi       = "pixi"
	SrcUv         = "uv"
	SrcPipx       = "pipx"
	SrcWorkspace  = "workspace"
	SrcConfigured = "configured"
	SrcKnown      = "known" // jdash's registry: envs it set up, patched or created
	SrcGiven      = "given" // named directly (a prefix path, or the active/PATH default), not scanned
)

func (c *collector) collect() {
	h := c.h
	for _, k := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		c.add(h.getenv(k), SrcActive)
	}
	if h.Cwd != "" {
		for _, n := range []string{".venv", "venv", ".conda", "env", ".env"} {
			if p := filepath.Join(h.Cwd, n); looksLikeEnv(p) {
				c.add(p, SrcCwd)
			}
		}
		c.addChildren(filepath.Join(h.Cwd, ".pixi", "envs"), SrcCwd)
	}
	for _, d := range h.pathList("PATH") {
		c.addInterpreterDir(d, SrcPath)
	}
	for _, d := range h.SystemBinDirs {
		c.addInterpreterDir(d, SrcSystem)
	}
	c.collectConda()
	for _, v := range c.pl.pyenvVersions {
		c.addChildren(v, SrcPyenv)
		// an Anaconda or Miniforge installed by pyenv keeps its conda envs in envs/
		ents, _ := readDirEntries(v)
		for _, en := range ents {
			if d := filepath.Join(v, en.Name()); isDir(filepath.Join(d, "conda-meta")) {
				c.addCondaRoot(d)
			}
		}
	}
	for _, d := range append(append([]string{}, c.pl.workonHome...), c.pl.pipenv...) {
		c.addChildren(d, SrcVenvDirs)
	}
	for _, d := range []string{h.home(".venvs"), h.home("envs"), h.home(".direnv")} {
		c.addChildren(d, SrcVenvDirs)
	}
	for _, d := range c.pl.poetry {
		c.addChildren(d, SrcPoetry)
	}
	for _, d := range c.pl.hatch {
		c.addHatch(d)
	}
	for _, d := range c.pl.pixiGlobal {
		c.addChildren(d, SrcPixi)
	}
	for _, d := range c.pl.uvPython {
		c.addUvPythons(d)
	}
	for _, d := range c.pl.uvTools {
		c.addChildren(d, SrcUv)
	}
	for _, d := range c.pl.pipx {
		c.addChildren(d, SrcPipx)
	}
	for _, d := range h.ExtraEnvDirs {
		c.addChildren(d, SrcConfigured)
	}
	for _, p := range h.KnownEnvs {
		if looksLikeEnv(p) {
			c.add(p, SrcKnown)
		}
	}
	for _, w := range h.Workspaces {
		c.walkWorkspace(w, 0, map[string]bool{})
	}
}

// addInterpreterDir turns the interpreters of a bin dir into their prefixes. pyenv shims
// are never interpreters. A venv's bin dir names the venv; any other interpreter is
// followed through its symlinks to the install it belongs to.
func (c *collector) addInterpreterDir(dir, source string) {
	if isShimDir(dir) || strings.Contains(dir, "WindowsApps") || strings.HasPrefix(dir, "/mnt/") && len(dir) > 6 && dir[6] == '/' {
		return
	}
	ents, err := readDirEntries(dir)
	if err != nil {
		return
	}
	parent := filepath.Dir(dir)
	if (filepath.Base(dir) == "bin" || filepath.Base(dir) == "Scripts") &&
		(exists(filepath.Join(parent, "pyvenv.cfg")) || isDir(filepath.Join(parent, "conda-meta"))) {
		c.add(parent, source)
		return
	}
	for _, en := range ents {
		name := en.Name()
		if c.h.OS == "windows" {
			name = strings.TrimSuffix(strings.ToLower(name), ".exe")
		}
		if !isPythonExeName(name) {
			continue
		}
		real, err := filepath.EvalSymlinks(filepath.Join(dir, en.Name()))
		if err != nil {
			continue
		}
		bin := filepath.Dir(real)
		if filepath.Base(bin) == "bin" {
			c.add(filepath.Dir(bin), source)
		} else {
			c.add(bin, source) // Windows-style layout: python.exe at the prefix root
		}
	}
}

func isShimDir(dir string) bool {
	return filepath.Base(dir) == "shims" && strings.Contains(strings.ToLower(dir), "pyenv")
}

// collectConda adds conda installs (and their envs/), the configured envs dirs and every
// env listed in environments.txt, plus the install that owns a registered env.
func (c *collector) collectConda() {
	h := c.h
	addRoot := c.addCondaRoot
	// Known install dir names, probed with one ReadDir of each parent instead of blind stats.
	names := map[string]bool{"anaconda": true, "anaconda3": true, "miniconda": true, "miniconda3": true,
		"miniforge": true, "miniforge3": true, "mambaforge": true, "micromamba": true, "conda": true}
	parents := []string{h.Home, h.home("opt"), h.home(".conda"), h.home(".local")}
	parents = append(parents, h.SystemRoots...)
	for _, p := range parents {
		ents, err := readDirEntries(p)
		if err != nil {
			continue
		}
		for _, en := range ents {
			if names[strings.ToLower(en.Name())] {
				addRoot(filepath.Join(p, en.Name()))
			}
		}
	}
	addRoot(filepath.Join(h.xdgData(), "mamba")) // micromamba 2 default root
	for _, k := range []string{"MAMBA_ROOT_PREFIX", "CONDA_ROOT", "CONDA_DIR", "CONDA"} {
		addRoot(h.getenv(k))
	}
	if exe := h.getenv("CONDA_EXE"); exe != "" {
		addRoot(filepath.Dir(filepath.Dir(exe)))
	}
	for _, d := range h.pathList("PATH") {
		for _, n := range []string{"conda", "mamba", "micromamba"} {
			if real, err := filepath.EvalSymlinks(filepath.Join(d, n)); err == nil {
				addRoot(filepath.Dir(filepath.Dir(real)))
			}
		}
	}

	envsDirs := []string{h.home(".conda", "envs")}
	envsDirs = append(envsDirs, h.pathList("CONDA_ENVS_PATH")...)
	envsDirs = append(envsDirs, h.pathList("CONDA_ENVS_DIRS")...)
	for _, rc := range condarcFiles(h) {
		ds, err := condarcEnvsDirs(rc, h)
		if err != nil {
			c.warns = append(c.warns, err.Error())
			continue
		}
		envsDirs = append(envsDirs, ds...)
	}
	for _, d := range envsDirs {
		c.pl.condaEnvsDirs = append(c.pl.condaEnvsDirs, d)
		c.addChildren(d, SrcConda)
	}

	listed, warn := environmentsTxt(h)
	if warn != "" {
		c.warns = append(c.warns, warn)
	}
	for _, p := range listed {
		if strings.HasPrefix(p, "/mnt/") && len(p) > 6 && p[6] == '/' {
			continue // WSL: Windows drives are very slow to probe and not envs of this OS
		}
		c.add(p, SrcConda)
		// conda base is found even when only its children are registered
		if parent := filepath.Dir(p); filepath.Base(parent) == "envs" {
			if root := filepath.Dir(parent); isCondaInstall(root) {
				addRoot(root)
			}
		}
	}
}

// addCondaRoot adds a conda, mamba or micromamba root: its base env (when it has one) and
// the envs in its envs/ (a micromamba root often has no base env at all).
func (c *collector) addCondaRoot(r string) {
	if r == "" || c.condaSeen[r] {
		return
	}
	if c.condaSeen == nil {
		c.condaSeen = map[string]bool{}
	}
	c.condaSeen[r] = true
	envs := filepath.Join(r, "envs")
	if isDir(filepath.Join(r, "conda-meta")) {
		c.add(r, SrcConda)
		if real, err := realpath(r); err == nil && isCondaInstall(r) {
			c.pl.condaRoots[real] = true
		}
	} else if !isDir(envs) {
		return
	}
	c.addChildren(envs, SrcConda)
	c.pl.condaEnvsDirs = append(c.pl.condaEnvsDirs, envs)
}

// poetryDirs is poetry's virtualenvs.path: POETRY_VIRTUALENVS_PATH, else config.toml,
// else {cache-dir}/virtualenvs.
func poetryDirs(h Host) []string {
	if v := h.getenv("POETRY_VIRTUALENVS_PATH"); v != "" {
		return []string{h.expand(v)}
	}
	cfgDir := h.getenv("POETRY_CONFIG_DIR")
	if cfgDir == "" {
		cfgDir = filepath.Join(h.xdgConfig(), "pypoetry")
		if h.OS == "darwin" {
			cfgDir = h.home("Library", "Application Support", "pypoetry")
		}
	}
	cacheDir := h.getenv("POETRY_CACHE_DIR")
	if cacheDir == "" {
		cacheDir = filepath.Join(h.xdgCache(), "pypoetry")
		if h.OS == "darwin" {
			cacheDir = h.home("Library", "Caches", "pypoetry")
		}
	}
	var conf struct {
		CacheDir    string `toml:"cache-dir"`
		Virtualenvs struct {
			Path string `toml:"path"`
		} `toml:"virtualenvs"`
	}
	if data, err := readSmall(filepath.Join(cfgDir, "config.toml"), maxSmallFile); err == nil {
		_ = toml.Unmarshal(data, &conf) // a broken poetry config only loses its custom dirs
	}
	if conf.CacheDir != "" {
		cacheDir = h.expand(conf.CacheDir)
	}
	if p := conf.Virtualenvs.Path; p != "" {
		return []string{h.expand(strings.ReplaceAll(p, "{cache-dir}", cacheDir))}
	}
	return []string{filepath.Join(cacheDir, "virtualenvs")}
}

// addHatch adds hatch's <data>/env/virtual/<project>/<id>/<env> dirs (exactly 3 levels).
func (c *collector) addHatch(root string) {
	projects, err := readDirEntries(root)
	if err != nil {
		return
	}
	for _, p := range projects {
		pd := filepath.Join(root, p.Name())
		ids, err := readDirEntries(pd)
		if err != nil {
			continue
		}
		for _, id := range ids {
			c.addChildren(filepath.Join(pd, id.Name()), SrcHatch)
		}
	}
}

// addUvPythons adds uv-managed interpreters, skipping uv's minor-version symlink dirs.
func (c *collector) addUvPythons(root string) {
	ents, err := readDirEntries(root)
	if err != nil {
		return
	}
	for _, en := range ents {
		if en.IsDir() && !strings.HasPrefix(en.Name(), ".") {
			c.add(filepath.Join(root, en.Name()), SrcUv)
		}
	}
}

// Workspace search: project envs anywhere below the workspace, to MaxDepth levels, without
// following symlinked dirs (an env reached through a symlink is still taken) and skipping
// dirs that never hold project envs.
var workspaceSkip = map[string]bool{
	"node_modules": true, ".git": true, ".hg": true, ".svn": true, "__pycache__": true, ".tox": true,
	".nox": true, ".cache": true, ".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true,
	"site-packages": true, "dist-packages": true, "bin": true, "Scripts": true, "lib": true, "include": true,
}

func (c *collector) walkWorkspace(dir string, depth int, seen map[string]bool) {
	if depth > c.h.MaxDepth {
		return
	}
	real, err := realpath(dir)
	if err != nil || seen[real] {
		return
	}
	seen[real] = true
	if depth == 0 && looksLikeEnv(dir) {
		c.add(dir, SrcWorkspace)
		return
	}
	ents, err := readDirEntries(dir)
	if err != nil {
		if depth == 0 {
			c.warns = append(c.warns, fmt.Sprintf("workspace %s: %v", dir, err))
		}
		return
	}
	for _, en := range ents {
		name := en.Name()
		if workspaceSkip[name] {
			continue
		}
		p := filepath.Join(dir, name)
		isLink := en.Type()&os.ModeSymlink != 0
		if !en.IsDir() && !(isLink && isDir(p)) {
			continue
		}
		if looksLikeEnv(p) {
			c.add(p, SrcWorkspace)
			continue
		}
		if name == ".pixi" {
			c.addChildren(filepath.Join(p, "envs"), SrcPixi)
			continue
		}
		if !isLink {
			c.walkWorkspace(p, depth+1, seen)
		}
	}
}

func looksLikeEnv(p string) bool {
	return exists(filepath.Join(p, "pyvenv.cfg")) || isDir(filepath.Join(p, "conda-meta")) ||
		isFile(filepath.Join(p, "bin", "activate")) && exists(filepath.Join(p, "bin", "python"))
}
