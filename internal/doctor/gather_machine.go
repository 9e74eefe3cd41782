package doctor

import (
	"path/filepath"
	"regexp"
	"slices"
	"strconv"

	"github.com/jdash-dev/jdash/internal/appdirs"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/nbext"
	"github.com/jdash-dev/jdash/internal/patch"
	"github.com/jdash-dev/jdash/internal/proc"
)

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
		g.s.Runtime = append(g.s.Runtime, RuntimeFile{Path: filepath.Join(dir, n), PID: pid, Alive: proc.Alive(pid, 0)})
	}
}

// labSettings reports Lab user settings kept in both the legacy and the platformdirs place.
func (g gatherer) labSettings() {
	s := g.s
	xdg := appdirs.Base(func(k string) string { return g.in.Facts.Env[k] }, s.Home, "XDG_CONFIG_HOME")
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
			Modules: map[string]bool{}, JS: map[string]bool{}, Versions: map[string]string{},
			Classic: classicFrontend(o.Packages.Version), Server: o.Packages.Version("notebook") != "" || o.Packages.Version("jupyter_server") != "",
			Kernels: o.Packages.Version("jupyter_client") != ""}
		for m := range mods {
			oe.Modules[m] = importable(g.r, o.Packages, o.Stdlib, m) != ""
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
		delete(kernelPrefixes, fsx.ResolveExisting(o.Prefix))
	}
	// the envs of kernels that the machine scan did not find: their widget packages
	s.KernelEnvs = map[string]map[string]string{}
	for prefix := range kernelPrefixes {
		if g.in.EnvAt == nil {
			break
		}
		if pkgs := g.in.EnvAt(prefix); pkgs != nil {
			v := map[string]string{}
			for pkg := range widgetPackages {
				v[pkg] = pkgs.Version(pkg)
			}
			s.KernelEnvs[prefix] = v
		}
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
