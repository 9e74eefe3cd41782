package envdetect

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/jdash-dev/jdash/internal/pyver"
)

// Result is one scan: the envs found and the problems met on the way (unreadable config,
// truncated files) that did not stop it.
type Result struct {
	Envs     []*Env
	Warnings []string
}

type candidate struct {
	path   string
	source string
}

// collector gathers candidate prefixes from every source; it only lists directories.
type collector struct {
	h         Host
	pl        *places
	cands     []candidate
	warns     []string
	condaSeen map[string]bool // conda and mamba roots already added
}

func (c *collector) add(path, source string) {
	if path == "" {
		return
	}
	if !filepath.IsAbs(path) {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
	}
	c.cands = append(c.cands, candidate{filepath.Clean(path), source})
}

// addChildren adds every subdirectory of dir (symlinked ones followed) as a candidate.
func (c *collector) addChildren(dir, source string) {
	ents, err := readDirEntries(dir)
	if err != nil {
		return
	}
	for _, en := range ents {
		if entryIsDir(dir, en) || en.Type()&fs.ModeSymlink != 0 {
			c.add(filepath.Join(dir, en.Name()), source)
		}
	}
}

// Scan finds every Python env the host has. It never starts Python.
func Scan(h Host) Result {
	c := &collector{h: h, pl: newPlaces(h)}
	c.collect()

	// Describe each distinct dir once, in parallel: the work is stat/readdir bound.
	type job struct {
		idx int
		cd  candidate
	}
	uniq := map[string]int{}
	var order []candidate
	sources := map[string][]string{}
	for _, cd := range c.cands {
		if _, ok := uniq[cd.path]; !ok {
			uniq[cd.path] = len(order)
			order = append(order, cd)
		}
		if !slices.Contains(sources[cd.path], cd.source) {
			sources[cd.path] = append(sources[cd.path], cd.source)
		}
	}
	out := make([]*Env, len(order))
	jobs := make(chan job)
	var wg sync.WaitGroup
	workers := 4 * runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				out[j.idx] = describeSafely(j.cd.path, h, c.pl)
			}
		}()
	}
	for i, cd := range order {
		jobs <- job{i, cd}
	}
	close(jobs)
	wg.Wait()

	// Merge dirs that are one env reached through different paths (symlinked envs dirs):
	// the first path found is kept, in source priority order.
	byReal := map[string]*Env{}
	var envs []*Env
	for i, e := range out {
		if e == nil {
			continue
		}
		srcs := sources[order[i].path]
		if prev, ok := byReal[e.realPrefix]; ok {
			for _, s := range srcs {
				if !slices.Contains(prev.FoundBy, s) {
					prev.FoundBy = append(prev.FoundBy, s)
				}
			}
			continue
		}
		e.FoundBy = append([]string(nil), srcs...)
		byReal[e.realPrefix] = e
		envs = append(envs, e)
	}
	markActive(envs, h)
	sort.SliceStable(envs, func(i, j int) bool { return envLess(envs[i], envs[j]) })
	return Result{Envs: envs, Warnings: c.warns}
}

// describeSafely turns a panic on one odd env into that env's error: one bad dir must not
// take the scan down.
func describeSafely(prefix string, h Host, pl *places) (e *Env) {
	defer func() {
		if r := recover(); r != nil {
			e = newEnv(prefix, prefix)
			e.Name, e.Kind = filepath.Base(prefix), KindGlobal
			e.fail(fmt.Sprintf("internal error while reading this env: %v", r))
		}
	}()
	return describe(prefix, h, pl)
}

var kindOrder = map[Kind]int{KindSystem: 0, KindGlobal: 1, KindPyenv: 2, KindUvPython: 3, KindConda: 4, KindVenv: 5, KindVirtualenv: 6}

func envLess(a, b *Env) bool {
	if kindOrder[a.Kind] != kindOrder[b.Kind] {
		return kindOrder[a.Kind] < kindOrder[b.Kind]
	}
	// Interpreter installs side by side (pyenv's versions/, uv's python/) go in version
	// order: 3.6.15 before 3.13.0.
	if (a.Kind == KindPyenv || a.Kind == KindUvPython) && filepath.Dir(a.Prefix) == filepath.Dir(b.Prefix) {
		if c := pyver.CompareStrings(a.PythonVersion, b.PythonVersion); c != 0 {
			return c < 0
		}
	}
	return a.Prefix < b.Prefix
}

// markActive sets Active for the env named by VIRTUAL_ENV, else CONDA_PREFIX (an activated
// venv inside an activated conda env is the one in use).
func markActive(envs []*Env, h Host) {
	for _, k := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		v := h.getenv(k)
		if v == "" {
			continue
		}
		rv, _ := realpath(v)
		for _, e := range envs {
			if e.realPrefix == rv {
				e.Active = true
				return
			}
		}
	}
}

func newPlaces(h Host) *places {
	pl := &places{condaRoots: map[string]bool{}}
	pyenvRoot := h.getenv("PYENV_ROOT")
	if pyenvRoot == "" {
		pyenvRoot = h.getenv("PYENV")
	}
	if pyenvRoot == "" {
		pyenvRoot = h.home(".pyenv")
	}
	pl.pyenvVersions = []string{filepath.Join(pyenvRoot, "versions")}
	pl.workonHome = nonEmpty(h.getenv("WORKON_HOME"), h.home(".virtualenvs"))
	pl.pipenv = nonEmpty(filepath.Join(h.xdgData(), "virtualenvs"), h.home(".local", "share", "virtualenvs"), h.getenv("WORKON_HOME"))
	pl.poetry = poetryDirs(h)
	hatchData := h.getenv("HATCH_DATA_DIR")
	if hatchData == "" {
		hatchData = filepath.Join(h.xdgData(), "hatch")
	}
	pl.hatch = []string{filepath.Join(hatchData, "env", "virtual")}
	pipxHome := h.getenv("PIPX_HOME")
	pl.pipx = nonEmpty(joinIf(pipxHome, "venvs"), filepath.Join(h.xdgData(), "pipx", "venvs"), h.home(".local", "pipx", "venvs"))
	uvPy := h.getenv("UV_PYTHON_INSTALL_DIR")
	if uvPy == "" {
		uvPy = filepath.Join(h.xdgData(), "uv", "python")
	}
	pl.uvPython = []string{uvPy}
	uvTools := h.getenv("UV_TOOL_DIR")
	if uvTools == "" {
		uvTools = filepath.Join(h.xdgData(), "uv", "tools")
	}
	pl.uvTools = []string{uvTools}
	pixiHome := h.getenv("PIXI_HOME")
	if pixiHome == "" {
		pixiHome = h.home(".pixi")
	}
	pl.pixiGlobal = []string{filepath.Join(pixiHome, "envs")}
	pl.mambaRoots = nonEmpty(h.getenv("MAMBA_ROOT_PREFIX"), filepath.Join(h.xdgData(), "mamba"), h.home("micromamba"))
	for _, list := range []*[]string{&pl.pyenvVersions, &pl.workonHome, &pl.pipenv, &pl.poetry, &pl.hatch, &pl.pipx, &pl.uvPython, &pl.uvTools, &pl.pixiGlobal, &pl.mambaRoots} {
		*list = resolveAll(*list)
	}
	return pl
}

// resolveAll resolves the dirs that exist, so that describe compares real paths only.
func resolveAll(dirs []string) []string {
	var out []string
	for _, d := range dirs {
		if r, err := realpath(d); err == nil {
			out = append(out, r)
		}
	}
	return out
}

func joinIf(base string, parts ...string) string {
	if base == "" {
		return ""
	}
	return filepath.Join(append([]string{base}, parts...)...)
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			if !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
	}
	return out
}
