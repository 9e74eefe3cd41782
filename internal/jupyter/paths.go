package jupyter

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/pyflags"
)

// Origin says which rule put an entry on a search path.
type Origin string

const (
	OriginVar      Origin = "env-var"   // JUPYTER_PATH / JUPYTER_CONFIG_PATH
	OriginUser     Origin = "user"      // config_dir() / data_dir()
	OriginUserSite Origin = "user-site" // <userbase>/{etc,share}/jupyter
	OriginEnv      Origin = "env"       // <sys.prefix>/{etc,share}/jupyter
	OriginSystem   Origin = "system"    // machine-wide dirs
	OriginNoConfig Origin = "no-config" // JUPYTER_NO_CONFIG's fresh temporary dir
	OriginRuntime  Origin = "runtime"
)

// Entry is one directory on a search path and why it is there.
type Entry struct {
	Path   string `json:"path"`
	Origin Origin `json:"origin"`
	Why    string `json:"why"`
}

// Paths is what Jupyter would search in one env under one process environment.
type Paths struct {
	Runtime Entry   `json:"runtime"`
	Config  []Entry `json:"config"`
	Data    []Entry `json:"data"`
	Levels  Levels  `json:"levels"`

	Rules        Rules  `json:"-"`
	PreferEnv    bool   `json:"prefer_env"`
	PreferEnvWhy string `json:"prefer_env_why"`
	PlatformDirs bool   `json:"platform_dirs"`
	UserSite     bool   `json:"user_site"`
	UserSiteWhy  string `json:"user_site_why"`
	UserBase     string `json:"user_base"`
}

// ConfigDirs and DataDirs are the plain lists, index 0 first (highest priority).
func (p Paths) ConfigDirs() []string { return paths(p.Config) }
func (p Paths) DataDirs() []string   { return paths(p.Data) }

func paths(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Path
	}
	return out
}

// resolver holds the facts and the derived constants of one computation.
type resolver struct {
	f     Facts
	r     Rules
	fl    flavour
	pdirs bool
}

// Resolve computes Jupyter's config, data and runtime search paths for the facts, following
// jupyter_core's paths.py of the facts' jupyter_core version.
func Resolve(f Facts) Paths {
	rs := resolver{f: f, r: RulesFor(f.CoreVersion), fl: flavourFor(f.OS)}
	rs.pdirs = rs.r.AutoDetectEnv && f.envset("JUPYTER_PLATFORM_DIRS", false)

	out := Paths{Rules: rs.r, PlatformDirs: rs.pdirs}
	out.PreferEnv, out.PreferEnvWhy = rs.preferEnv()
	out.UserSite, out.UserSiteWhy = rs.userSite()
	out.UserBase = rs.userBase()

	configDir, configWhy := rs.configDir()
	dataDir, dataWhy := rs.dataDir()
	out.Runtime = rs.runtimeDir(dataDir)

	envData, envConfig := rs.envDirs()
	sysData, sysConfig := rs.systemDirs()

	out.Data = rs.searchPath("JUPYTER_PATH", Entry{dataDir, OriginUser, dataWhy},
		[]string{"share", "jupyter"}, out, envData, sysData, true)
	if f.truthy("JUPYTER_NO_CONFIG") {
		out.Config = []Entry{{configDir, OriginNoConfig, configWhy}}
	} else {
		out.Config = rs.searchPath("JUPYTER_CONFIG_PATH", Entry{configDir, OriginUser, configWhy},
			[]string{"etc", "jupyter"}, out, envConfig, sysConfig, false)
	}
	out.Levels = Levels{
		User:      Level{Kind: User, Config: configDir, Data: dataDir},
		SysPrefix: Level{Kind: SysPrefix, Config: envConfig[0], Data: envData[0]},
		System:    Level{Kind: System},
	}
	if len(sysConfig) > 0 {
		out.Levels.System.Config = sysConfig[0]
	}
	if len(sysData) > 0 {
		out.Levels.System.Data = sysData[0]
	}
	return out
}

// searchPath is jupyter_path() (data=true) and jupyter_config_path() (data=false).
func (rs resolver) searchPath(varName string, user Entry, userSub []string, p Paths, env, system []string, data bool) []Entry {
	var out []Entry
	if v := rs.f.Env[varName]; v != "" {
		for _, e := range strings.Split(v, rs.fl.pathsep) {
			out = append(out, Entry{rs.fl.rstripSep(e), OriginVar, fmt.Sprintf("listed in %s, which always comes first", varName)})
		}
	}
	users := []Entry{user}
	if rs.r.UserBaseDirs && p.UserSite && p.UserBase != "" {
		ud := rs.join(p.UserBase, userSub...)
		if ud != user.Path {
			users = append(users, Entry{ud, OriginUserSite, "the Python user base's dir, because " + p.UserSiteWhy})
		} else {
			users[0].Why += "; the Python user base's dir is the same path"
		}
	}
	envSlot := rs.envSlot(env, system)
	if p.PreferEnv {
		out = append(out, envSlot...)
		out = append(out, users...)
	} else {
		out = append(out, users...)
		out = append(out, envSlot...)
	}
	sysWhy := "machine-wide dir, searched last"
	switch {
	case !rs.r.EnvEqualsSystem:
		for _, s := range system {
			out = append(out, Entry{s, OriginSystem, sysWhy})
		}
	case data:
		for _, s := range system {
			if !slices.ContainsFunc(out, func(e Entry) bool { return e.Path == s }) {
				out = append(out, Entry{s, OriginSystem, sysWhy})
			}
		}
	case !equalStrings(env, system):
		for _, s := range system {
			out = append(out, Entry{s, OriginSystem, sysWhy})
		}
	}
	return out
}

func (rs resolver) envSlot(env, system []string) []Entry {
	why := "the env's own dir (sys.prefix)"
	if rs.r.EnvEqualsSystem && equalStrings(env, system) {
		return entries(env, OriginEnv, why+"; it is also the system dir on this platform")
	}
	var out []Entry
	for _, e := range env {
		if slices.Contains(system, e) {
			continue // dropped here: a system dir, it only comes at the end
		}
		out = append(out, Entry{e, OriginEnv, why})
	}
	return out
}

func entries(ps []string, o Origin, why string) []Entry {
	out := make([]Entry, len(ps))
	for i, p := range ps {
		out[i] = Entry{p, o, why}
	}
	return out
}

// join builds prefix-relative dirs: os.path.join before 5.8, str(Path(...)) from 5.8 on.
func (rs resolver) join(base string, parts ...string) string {
	if rs.r.EnvEqualsSystem {
		return rs.fl.pathStr(base, parts...)
	}
	return rs.fl.join(base, parts...)
}

func (rs resolver) preferEnv() (bool, string) {
	f, r := rs.f, rs.r
	if !r.PreferEnvVar {
		return false, fmt.Sprintf("jupyter_core %s always puts user dirs before env dirs", r.DescribedVersion)
	}
	if v, ok := f.getenv("JUPYTER_PREFER_ENV_PATH"); ok || !r.AutoDetectEnv {
		if f.envset("JUPYTER_PREFER_ENV_PATH", false) {
			return true, fmt.Sprintf("JUPYTER_PREFER_ENV_PATH=%q is a true value", v)
		}
		if !ok {
			return false, fmt.Sprintf("JUPYTER_PREFER_ENV_PATH is not set and jupyter_core %s does not detect envs", r.DescribedVersion)
		}
		return false, fmt.Sprintf("JUPYTER_PREFER_ENV_PATH=%q is a false value", v)
	}
	if f.IsVenv {
		if !r.OwnershipCheck {
			return true, "a virtual environment (sys.prefix != sys.base_prefix)"
		}
		if f.OwnsPrefix {
			return true, "a virtual environment owned by the current user"
		}
	}
	if cp, ok := f.getenv("CONDA_PREFIX"); ok && strings.HasPrefix(f.Prefix, cp) {
		if !r.OwnershipCheck {
			return true, fmt.Sprintf("CONDA_PREFIX=%q is a prefix of sys.prefix (an active conda env)", cp)
		}
		name, set := f.getenv("CONDA_DEFAULT_ENV")
		if !set {
			name = "base"
		}
		if name != "base" && f.OwnsPrefix {
			return true, fmt.Sprintf("CONDA_PREFIX=%q is a prefix of sys.prefix and CONDA_DEFAULT_ENV=%q is not base", cp, name)
		}
	}
	if f.IsVenv {
		return false, "a virtual environment, but not owned by the current user"
	}
	return false, "not a virtual environment nor an activated non-base conda env owned by the current user"
}

func (rs resolver) userSite() (bool, string) {
	f := rs.f
	switch {
	case pyflags.Read(nil, f.getenv).NoUserSite: // Jupyter's commands run without -s, -E, -I
		v, _ := f.getenv("PYTHONNOUSERSITE")
		return false, fmt.Sprintf("PYTHONNOUSERSITE=%q turns it off", v)
	case f.UserSiteBlockedByIDs:
		return false, "the real and effective user or group ids differ"
	case f.IsVenv && !f.SystemSitePackages:
		return false, "the venv's pyvenv.cfg does not include system site-packages"
	}
	return true, "Python's user site is enabled"
}

// userBase is site.getuserbase().
func (rs resolver) userBase() string {
	f := rs.f
	if v := f.Env["PYTHONUSERBASE"]; v != "" {
		return v
	}
	switch f.OS {
	case "windows":
		base := f.Env["APPDATA"]
		if base == "" {
			base = "~"
		}
		return rs.fl.expandUser(rs.fl.join(base, "Python"), f.Home)
	case "darwin":
		if f.MacFramework {
			return rs.fl.expandUser(rs.fl.join("~", "Library", "Python", f.PythonVersion), f.Home)
		}
	}
	return rs.fl.expandUser(rs.fl.join("~", ".local"), f.Home)
}

func (rs resolver) appName() string {
	switch rs.f.OS {
	case "windows":
		return "Jupyter"
	case "darwin":
		if rs.r.HomebrewAppName && strings.HasPrefix(rs.f.Prefix, "/opt/homebrew") {
			return "jupyter"
		}
		return "Jupyter"
	}
	return "jupyter"
}

func (rs resolver) configDir() (string, string) {
	f := rs.f
	switch {
	case f.truthy("JUPYTER_NO_CONFIG"):
		return rs.fl.join(f.TempDir, "jupyter-clean-cfg-XXXXXXXX"),
			"JUPYTER_NO_CONFIG is set: Jupyter makes a fresh empty dir (random name) and reads only that"
	case f.truthy("JUPYTER_CONFIG_DIR"):
		return f.Env["JUPYTER_CONFIG_DIR"], "JUPYTER_CONFIG_DIR replaces the user config dir"
	case rs.pdirs:
		return rs.platformUserDir(false), "platformdirs user config dir (JUPYTER_PLATFORM_DIRS); best effort"
	}
	return rs.fl.join(f.RealHome, ".jupyter"), "the user config dir (~/.jupyter, home resolved)"
}

func (rs resolver) dataDir() (string, string) {
	f := rs.f
	if f.truthy("JUPYTER_DATA_DIR") {
		return f.Env["JUPYTER_DATA_DIR"], "JUPYTER_DATA_DIR replaces the user data dir"
	}
	if rs.pdirs {
		return rs.platformUserDir(true), "platformdirs user data dir (JUPYTER_PLATFORM_DIRS); best effort"
	}
	switch f.OS {
	case "darwin":
		return rs.join(f.RealHome, "Library", "Jupyter"), "the user data dir on macOS"
	case "windows":
		if ad := f.Env["APPDATA"]; ad != "" {
			if rs.r.ResolveAppData && f.RealAppData != "" {
				return f.RealAppData, "the user data dir (%APPDATA%\\jupyter, resolved)"
			}
			return rs.fl.join(ad, "jupyter"), "the user data dir (%APPDATA%\\jupyter)"
		}
		cd, _ := rs.configDir()
		return rs.fl.join(cd, "data"), "the user data dir (no APPDATA: <config dir>\\data)"
	}
	if x := f.Env["XDG_DATA_HOME"]; x != "" {
		return rs.fl.join(x, "jupyter"), "the user data dir under XDG_DATA_HOME"
	}
	return rs.fl.join(f.RealHome, ".local", "share", "jupyter"), "the user data dir (~/.local/share/jupyter, home resolved)"
}

func (rs resolver) runtimeDir(dataDir string) Entry {
	if v := rs.f.Env["JUPYTER_RUNTIME_DIR"]; v != "" {
		return Entry{v, OriginRuntime, "JUPYTER_RUNTIME_DIR"}
	}
	return Entry{rs.fl.join(dataDir, "runtime"), OriginRuntime, "<data dir>/runtime (XDG_RUNTIME_DIR is not used)"}
}

// envDirs are ENV_JUPYTER_PATH and ENV_CONFIG_PATH.
func (rs resolver) envDirs() (data, config []string) {
	return []string{rs.join(rs.f.Prefix, "share", "jupyter")}, []string{rs.join(rs.f.Prefix, "etc", "jupyter")}
}

// systemDirs are SYSTEM_JUPYTER_PATH and SYSTEM_CONFIG_PATH.
func (rs resolver) systemDirs() (data, config []string) {
	f := rs.f
	if f.OS == "windows" {
		envData, envConfig := rs.envDirs()
		pd := f.Env["PROGRAMDATA"]
		if rs.r.EnvEqualsSystem {
			if !f.envset("JUPYTER_USE_PROGRAMDATA", false) || pd == "" {
				return envData, append([]string(nil), envConfig...)
			}
			if rs.pdirs {
				return []string{rs.fl.join(pd, rs.appName())}, []string{rs.fl.join(pd, rs.appName())}
			}
			return []string{rs.fl.join(pd, "jupyter")}, []string{rs.fl.pathStr(pd, "jupyter")}
		}
		if pd != "" {
			if rs.pdirs {
				return []string{rs.fl.join(pd, rs.appName())}, []string{rs.fl.join(pd, rs.appName())}
			}
			return []string{rs.fl.join(pd, "jupyter")}, []string{rs.fl.join(pd, "jupyter")}
		}
		return []string{rs.fl.join(f.Prefix, "share", "jupyter")}, nil
	}
	if rs.pdirs {
		data, config = rs.platformSiteDirs()
	} else {
		data, config = []string{"/usr/local/share/jupyter", "/usr/share/jupyter"}, []string{"/usr/local/etc/jupyter", "/etc/jupyter"}
	}
	if root := f.SystemRoot; root != "" {
		for i := range data {
			data[i] = filepath.Join(root, data[i])
		}
		for i := range config {
			config[i] = filepath.Join(root, config[i])
		}
	}
	return data, config
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
