package envdetect

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"strings"

	"github.com/jdash-dev/jdash/internal/lazyre"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/pyver"

	"go.yaml.in/yaml/v3"
)

// isCondaInstall is PET's rule: conda-meta/ plus condabin/ or envs/, unless the dir sits in
// another install's envs/ (a conda env that happens to contain envs/).
func isCondaInstall(dir string) bool {
	if !isDir(filepath.Join(dir, "conda-meta")) {
		return false
	}
	if !isDir(filepath.Join(dir, "condabin")) && !isDir(filepath.Join(dir, "envs")) {
		return false
	}
	parent := filepath.Dir(dir)
	if filepath.Base(parent) == "envs" && isDir(filepath.Join(filepath.Dir(parent), "conda-meta")) {
		return false
	}
	return true
}

func describeConda(e *Env, h Host, pl *places) {
	e.Kind = KindConda
	meta := filepath.Join(e.Prefix, "conda-meta")
	if isFile(filepath.Join(meta, "pixi")) {
		e.addTag("pixi")
	}
	if !isFile(filepath.Join(meta, "history")) && !e.HasTag("pixi") {
		e.addTag("no-history") // conda itself only lists prefixes with conda-meta/history
	}
	if exists(filepath.Join(meta, "frozen")) {
		e.addTag("frozen")
	}
	ents, err := readDirEntries(meta)
	if err != nil {
		e.fail(fmt.Sprintf("%s: %v", meta, err))
	}
	var python CondaRecord
	for _, en := range ents {
		r, ok := ParseCondaMetaName(en.Name())
		if !ok {
			continue
		}
		if r.Name == "python" {
			if python.Version == "" || pyver.CompareStrings(r.Version, python.Version) > 0 {
				python = r
			}
		}
		if p, ok := jupyterByNorm[pkgindex.NormalizeName(r.Name)]; ok {
			e.Packages[p] = r.Version
		}
	}
	if python.Version != "" {
		e.PythonVersion, e.VersionSource = python.Version, "conda-meta"
		if python.FreeThreaded() {
			e.addTag("free-threaded")
		}
	}
	exe, problem := findInterpreter(e.Prefix, h.OS)
	e.Python = exe
	switch {
	case exe == "" && python.Version == "":
		e.fail("no Python in this conda env")
	case exe == "":
		e.fail(problem)
	}
	if e.PythonVersion == "" && exe != "" {
		e.PythonVersion, e.VersionSource = versionFromHeaders(e.Prefix)
	}

	switch {
	case e.HasTag("pixi") || inDirs(pl, pl.pixiGlobal, filepath.Dir(e.realPrefix)):
		e.addTag("pixi")
		e.Manager = &Manager{Name: "pixi"}
		envs := filepath.Dir(e.Prefix)
		if inDirs(pl, pl.pixiGlobal, filepath.Dir(e.realPrefix)) {
			e.addTag("pixi-global") // ~/.pixi/envs/<name>: a global tool env, no project
		} else if filepath.Base(envs) == "envs" && filepath.Base(filepath.Dir(envs)) == ".pixi" {
			e.Project = filepath.Dir(filepath.Dir(envs))
		}
		e.Name = filepath.Base(e.Prefix)
		if e.Project != "" {
			e.Name = filepath.Base(e.Project) + ":" + e.Name
		}
	case pl.condaRoots[e.realPrefix] || isCondaInstall(e.Prefix):
		e.Name = "base"
		e.addTag("base")
		e.Manager = condaManager(e.Prefix, pl)
	default:
		parent := filepath.Dir(e.Prefix)
		if filepath.Base(parent) == "envs" || slices.ContainsFunc(pl.condaEnvsDirs, func(d string) bool { return filepath.Clean(d) == filepath.Clean(parent) }) {
			e.Name = filepath.Base(e.Prefix)
		}
		root := filepath.Dir(parent)
		switch {
		case filepath.Base(parent) == "envs" && (isCondaInstall(root) || isMambaRoot(pl, root)):
			e.Manager = condaManager(root, pl)
		default:
			if hroot, front := historyInstall(e.Prefix); hroot != "" {
				e.Manager = condaManager(hroot, pl)
			} else if front != "" {
				e.Manager = &Manager{Name: front} // a standalone binary (micromamba in ~/.local/bin)
			}
		}
	}
}

func isMambaRoot(pl *places, root string) bool {
	real, _ := realpath(root)
	return slices.Contains(pl.mambaRoots, real)
}

// condaManager names the front end an install ships (conda, mamba or micromamba); a
// micromamba root has none of its own; an install with no front end has no manager.
func condaManager(root string, pl *places) *Manager {
	for _, n := range []string{"conda", "mamba", "micromamba"} {
		if exists(filepath.Join(root, "bin", n)) || exists(filepath.Join(root, "condabin", n)) || exists(filepath.Join(root, "Scripts", n+".exe")) {
			return &Manager{Name: n, Path: root}
		}
	}
	b := strings.ToLower(filepath.Base(root))
	if strings.Contains(b, "micromamba") || isMambaRoot(pl, root) {
		return &Manager{Name: "micromamba", Path: root}
	}
	return nil
}

var historyCmd = lazyre.New(`^# cmd: (\S+?)(?:[/\\](?:bin|condabin|Scripts)[/\\](conda|mamba|micromamba)(?:\.exe|-script\.py)?|[/\\]lib[/\\]site-packages[/\\]conda[/\\]__main__\.py)\s`)

// historyInstall reads the head of conda-meta/history for the install that created the env,
// and the front end's name when it ran from outside an install (micromamba's single binary).
func historyInstall(prefix string) (root, frontEnd string) {
	data, err := readSmall(filepath.Join(prefix, "conda-meta", "history"), 64<<10)
	if err != nil {
		return "", ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if m := historyCmd().FindStringSubmatch(sc.Text()); m != nil {
			if root, err := realpath(m[1]); err == nil && isCondaInstall(root) {
				return root, ""
			}
			return "", m[2]
		}
	}
	return "", ""
}

// condarcFiles lists conda's configuration search path (conda/base/constants.py SEARCH_PATH,
// plus mamba's .mambarc), existing files only.
func condarcFiles(h Host) []string {
	var dirs []string
	dirs = append(dirs, h.CondarcDirs...)
	if v := h.getenv("CONDA_ROOT"); v != "" {
		dirs = append(dirs, v)
	}
	dirs = append(dirs, filepath.Join(h.xdgConfig(), "conda"), h.home(".config", "conda"), h.home(".conda"))
	var files []string
	for _, d := range dirs {
		files = append(files, filepath.Join(d, ".condarc"), filepath.Join(d, "condarc"))
		if ents, err := readDirEntries(filepath.Join(d, "condarc.d")); err == nil {
			for _, en := range ents {
				if n := en.Name(); strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".yaml") {
					files = append(files, filepath.Join(d, "condarc.d", n))
				}
			}
		}
	}
	files = append(files, h.home(".condarc"), h.home(".mambarc"))
	if v := h.getenv("CONDA_PREFIX"); v != "" {
		files = append(files, filepath.Join(v, ".condarc"), filepath.Join(v, "condarc"))
	}
	for _, k := range []string{"CONDARC", "MAMBARC"} {
		if v := h.getenv(k); v != "" {
			files = append(files, v)
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range files {
		if !seen[f] && isFile(f) {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// condarcEnvsDirs reads envs_dirs / envs_path from one condarc file.
func condarcEnvsDirs(path string, h Host) ([]string, error) {
	data, err := readSmall(path, maxSmallFile)
	if err != nil {
		return nil, err
	}
	var rc struct {
		EnvsDirs []string `yaml:"envs_dirs"`
		EnvsPath []string `yaml:"envs_path"`
	}
	if err := yaml.Unmarshal(data, &rc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []string
	for _, d := range append(rc.EnvsDirs, rc.EnvsPath...) {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, h.expand(d))
		}
	}
	return out, nil
}

// environmentsTxt reads ~/.conda/environments.txt.
func environmentsTxt(h Host) (prefixes []string, warn string) {
	path := h.home(".conda", "environments.txt")
	data, err := readSmall(path, 64<<20)
	if err != nil {
		if !os.IsNotExist(err) {
			warn = fmt.Sprintf("%s: %v", path, err)
		}
		return nil, warn
	}
	prefixes, truncated := ParseEnvironmentsTxt(data)
	if truncated {
		warn = fmt.Sprintf("%s: more than %d lines, the rest was not read", path, MaxEnvironmentsLines)
	}
	return prefixes, warn
}
