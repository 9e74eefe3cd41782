package jupyter

import (
	"sync"

	"github.com/jdash-dev/jdash/internal/pyver"
)

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

// ruleGates are PEP 440 specifiers on the installed jupyter_core. Where a change shipped in
// the release's pre-releases (4.7.0rc0, 4.9.0rc0, 5.0.0rc0..rc2), the gate names the first
// of them; the others had none.
var ruleGates = []struct {
	spec string
	set  func(*Rules)
}{
	{">=4.7.0rc0", func(r *Rules) { r.PreferEnvVar = true }},
	{">=4.9.0rc0", func(r *Rules) { r.UserBaseDirs, r.ResolveAppData = true, true }},
	{">=5.0.0rc0", func(r *Rules) { r.AutoDetectEnv = true }},
	{">=5.1.1", func(r *Rules) { r.OwnershipCheck = true }},
	{">=5.5.0", func(r *Rules) { r.HomebrewAppName = true }},
	{">=5.8.0", func(r *Rules) { r.EnvEqualsSystem = true }},
}

// RulesFor returns the rules of a jupyter_core version; nil means the newest.
func RulesFor(v *pyver.Version) Rules {
	var r Rules
	r.DescribedVersion = "newest"
	if v != nil {
		r.DescribedVersion = v.String()
	}
	specs := gateSpecs()
	for i, g := range ruleGates {
		if v == nil || specs[i].Contains(*v) {
			g.set(&r)
		}
	}
	return r
}

var gateSpecs = sync.OnceValue(func() []pyver.Spec {
	out := make([]pyver.Spec, len(ruleGates))
	for i, g := range ruleGates {
		out[i] = pyver.MustSpec(g.spec)
	}
	return out
})
