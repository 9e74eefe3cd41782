package jupyter

import "github.com/Masterminds/semver/v3"

// Rules are the path behaviours that changed across jupyter_core releases, as data.
// Each field names the release that introduced it (jupyter_core paths.py history).
type Rules struct {
	PreferEnvVar     bool // 4.7.0: JUPYTER_PREFER_ENV_PATH exists
	UserBaseDirs     bool // 4.9.0: <userbase>/{etc,share}/jupyter when the user site is on
	ResolveAppData   bool // 4.9.0: %APPDATA%\jupyter is resolved
	AutoDetectEnv    bool // 5.0.0: venv / active conda env prefers env dirs; JUPYTER_PLATFORM_DIRS
	OwnershipCheck   bool // 5.1.1: auto-detection requires owning the prefix; conda base excluded
	HomebrewAppName  bool // 5.5.0: macOS APPNAME is "jupyter" under /opt/homebrew
	EnvEqualsSystem  bool // 5.8.0: ENV==SYSTEM kept in the env slot, SYSTEM data de-duplicated, Windows PROGRAMDATA opt-in, pathlib joins
	DescribedVersion string
}

var ruleGates = []struct {
	min string
	set func(*Rules)
}{
	{"4.7.0", func(r *Rules) { r.PreferEnvVar = true }},
	{"4.9.0", func(r *Rules) { r.UserBaseDirs, r.ResolveAppData = true, true }},
	{"5.0.0", func(r *Rules) { r.AutoDetectEnv = true }},
	{"5.1.1", func(r *Rules) { r.OwnershipCheck = true }},
	{"5.5.0", func(r *Rules) { r.HomebrewAppName = true }},
	{"5.8.0", func(r *Rules) { r.EnvEqualsSystem = true }},
}

// RulesFor returns the rules of a jupyter_core version; nil means the newest.
func RulesFor(v *semver.Version) Rules {
	var r Rules
	r.DescribedVersion = "newest"
	if v != nil {
		r.DescribedVersion = v.String()
	}
	for _, g := range ruleGates {
		min := semver.MustParse(g.min)
		// Pre-releases of a gate's own version count as that version (5.0.0rc1 has 5.0 rules).
		if v == nil || !v.LessThan(min) || (v.Prerelease() != "" && v.Major() == min.Major() && v.Minor() == min.Minor() && v.Patch() == min.Patch()) {
			g.set(&r)
		}
	}
	return r
}
