package doctor

import (
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/kernels"
	"github.com/jdash-dev/jdash/internal/labext"
	"github.com/jdash-dev/jdash/internal/nbext"
)

// kernelDirs are jupyter_client's kernel dirs (kernels.Dirs).
func (g gatherer) kernelDirs() []string { return kernels.Dirs(g.env()) }

// env is the inspected env as the packages that share its rules take it.
func (g gatherer) env() *envctx.Env {
	return &envctx.Env{Env: g.in.Env, Facts: g.in.Facts, Paths: g.in.Paths, Packages: g.in.Packages}
}

func (g gatherer) ipythonDir() string {
	if d := g.in.Facts.Env["IPYTHONDIR"]; d != "" {
		return d
	}
	return filepath.Join(g.s.Home, ".ipython")
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
		level := jupyter.LevelOf(g.in.Paths.Data, kd)
		if kd == kernels.IPythonKernels(g.env()) {
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
			if !kernels.ValidName(name) {
				continue // jupyter_client skips invalid names with a warning
			}
			k := Kernel{Name: name, Dir: dir, KernelsDir: kd, Level: level, Wins: !seen[name]}
			seen[name] = true
			spec := kernels.Read(g.r, dir)
			if spec.Error != "" {
				k.Err = spec.Error
				s.Kernels = append(s.Kernels, k)
				continue
			}
			k.Argv, k.DisplayName = spec.Argv, spec.DisplayName
			if spec.Jdash != nil {
				k.JdashEnv = spec.Jdash.Env
			}
			if k.JdashEnv != "" {
				ok, _, _ := g.r.Exists(k.JdashEnv)
				k.JdashEnvGone = !ok
			}
			g.argv0(&k)
			g.kernelEnv(&k)
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
			s.Quarantine = append(s.Quarantine, Evidence{Path: filepath.Join(q, n), Level: jupyter.LevelOf(g.in.Paths.Data, q)})
		}
	}
}

// kernelEnv names the env a kernel's interpreter runs in, when it is this env or another env
// of the machine, and that env's ipykernel.
func (g gatherer) kernelEnv(k *Kernel) {
	switch {
	case k.RunsIn == "":
	case k.RunsIn == g.s.RealPrefix:
		k.EnvKnown, k.Ipykernel = true, g.s.Versions["ipykernel"]
	default:
		for _, o := range g.in.Others {
			if fsx.ResolveExisting(o.Prefix) == k.RunsIn {
				k.EnvKnown, k.Ipykernel = true, o.Packages.Version("ipykernel")
				return
			}
		}
	}
}

// argv0 resolves the interpreter a kernelspec starts.
func (g gatherer) argv0(k *Kernel) {
	a := k.Argv[0]
	if kernels.IsBare(a) {
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
	k.RunsIn = kernels.RunsIn(g.r, a)
	if k.RunsIn != "" {
		// a user's env: under a home dir, or owned by someone other than root
		k.UserOwned = g.s.Home != "" && strings.HasPrefix(k.RunsIn, fsx.ResolveExisting(g.s.Home)+string(filepath.Separator))
		if pst, err := g.r.Stat(k.RunsIn); err == nil {
			if uid, ok := ownerUID(pst); ok && uid != 0 {
				k.UserOwned = true
			}
		}
	}
}

// labextensions are the prebuilt extensions of the data path (internal/labext, the first copy
// of a name wins), with their Python package, and what the user's page config disables.
func (g gatherer) labextensions() {
	exts, problems := labext.Scan(g.r, labext.Dirs(g.in.Paths))
	for _, p := range problems {
		g.problem(p.Path, errors.New(p.Err))
	}
	for _, e := range exts {
		l := LabExt{Name: e.Name, Dir: e.Dir, Data: filepath.Dir(e.DataDir), Level: e.Level, Version: e.Version}
		if e.Install != nil && e.Install.PackageManager == "python" && e.Install.PackageName != "" {
			l.Package = e.Install.PackageName
			l.PackageMissing = g.in.Packages.Version(l.Package) == ""
		}
		g.s.LabExts = append(g.s.LabExts, l)
	}
	user := labext.ConfigDir{Path: filepath.Join(g.in.Paths.Levels.User.Config, "labconfig"), Level: "user"}
	pc, err := labext.ReadPageConfig(g.r, []labext.ConfigDir{user}, "")
	if err != nil {
		var m *jupyter.MalformedError
		if errors.As(err, &m) {
			g.problem(m.Path, m.Err)
		}
		return
	}
	for _, name := range slices.Sorted(maps.Keys(pc.Disabled)) {
		if st := pc.Disabled[name]; st.Value {
			g.s.LabDisabled = append(g.s.LabDisabled, Evidence{Path: st.File, Level: "user", Detail: name})
		}
	}
}

func (g gatherer) frontend() {
	g.s.FrontendJS = map[string]bool{}
	for _, ext := range widgetPackages {
		g.s.FrontendJS[ext[1]] = len(nbext.FindJS(g.r, g.in.Paths, ext[1])) > 0
	}
}
