package compose

import (
	"slices"

	"github.com/jdash-dev/jdash/internal/jupyter"
)

// Kind is one row of the table of service kinds: how it starts, how its token reaches it,
// where it is probed and opened, and what its env must have. A new kind is a row here (and,
// when it is wired unlike its family, a case in Build).
type Kind struct {
	Name   string
	Family string // notebook, gateway, voila, dashboards, dashboards_server, remote
	// Module is what `python -m` runs; App is the traitlets class of its ip, port and
	// port_retries (and of its root dir, for a notebook server).
	Module, App string
	// ExtApp is the extension app class `python -m Module` starts, when it reads open_browser
	// itself (nbclassic's NotebookApp ignores ServerApp.open_browser).
	ExtApp string
	// Runs is how it runs: "" as `python -m Module` in its env, "jdash" served by jdash itself
	// (argv[0] Self), "host" the user's command on this host (not exported).
	Runs string
	// TokenVar carries the service's token to it (and to its probe, in a container);
	// TokenFile: the server reads its token only from a config file (a 0600 file jdash makes,
	// and in a container one made from TokenVar at start).
	TokenVar  string
	TokenFile bool
	// Env are variables the kind always gets.
	Env []string
	// Probe is the readiness endpoint, URLPath what a browser opens, Port the default port.
	Probe, URLPath string
	Port           int
	// Dist is the distribution the env must have (normalized), Need its requirement as
	// shown, has a finer check than "installed" (nil: installed is enough).
	Dist, Need string
	has        func(version string) bool
	// Profile is the jdash setup profile that installs it ("": pip, with Note).
	Profile, Note string
}

// kinds is the table. The notebook's running-kernels list asks the gateway, which answers
// 403 without *_LIST_KERNELS; a gateway's kernels get only the variables it lets through:
// the stack's marker must reach them, so that jdash down finds them whatever happened to the
// gateway. Voilà ignores JUPYTER_TOKEN: its token goes in a 0600 config file (Build).
var kinds = []Kind{
	{Name: "classic", Family: "notebook", Module: "notebook", App: "NotebookApp", TokenVar: "JUPYTER_TOKEN", Probe: "/api/status", URLPath: "/tree", Port: 8888,
		Dist: "notebook", Need: "notebook<7", has: func(v string) bool { return !jupyter.IsNotebook7(v) }, Profile: "classic"},
	{Name: "nbclassic", Family: "notebook", Module: "nbclassic", App: "ServerApp", ExtApp: "NotebookApp", TokenVar: "JUPYTER_TOKEN", Probe: "/api/status", URLPath: "/nbclassic/tree", Port: 8888,
		Dist: "nbclassic", Need: "nbclassic", Profile: "nbclassic"},
	{Name: "notebook7", Family: "notebook", Module: "notebook", App: "ServerApp", TokenVar: "JUPYTER_TOKEN", Probe: "/api/status", URLPath: "/tree", Port: 8888,
		Dist: "notebook", Need: "notebook>=7", has: jupyter.IsNotebook7, Profile: "modern"},
	{Name: "lab", Family: "notebook", Module: "jupyterlab", App: "ServerApp", TokenVar: "JUPYTER_TOKEN", Probe: "/api/status", URLPath: "/lab", Port: 8888,
		Dist: "jupyterlab", Need: "jupyterlab"},
	{Name: "auto", Family: "notebook", Port: 8888}, // replaced by the notebook server the env has (AutoKind)
	{Name: "kernel_gateway", Family: "gateway", Module: "kernel_gateway", App: "KernelGatewayApp", TokenVar: "KG_AUTH_TOKEN",
		Env: []string{"KG_LIST_KERNELS=True", "KG_ENV_PROCESS_WHITELIST=" + MarkerVar}, Probe: "/api", URLPath: "/api", Port: 8889,
		Dist: "jupyter-kernel-gateway", Need: "jupyter-kernel-gateway", Profile: "gateway"},
	// Enterprise Gateway reads EG_* (and KG_*); EG_INHERITED_ENVS names what its kernels inherit.
	{Name: "enterprise_gateway", Family: "gateway", Module: "enterprise_gateway", App: "EnterpriseGatewayApp", TokenVar: "EG_AUTH_TOKEN",
		Env: []string{"EG_LIST_KERNELS=True", "EG_INHERITED_ENVS=" + MarkerVar}, Probe: "/api", URLPath: "/api", Port: 8889,
		Dist: "jupyter-enterprise-gateway", Need: "jupyter-enterprise-gateway", Note: "in an env of its own: it pins jupyter_client<7"},
	{Name: "voila", Family: "voila", Module: "voila", App: "Voila", TokenVar: "VOILA_TOKEN", TokenFile: true, Probe: "/", URLPath: "/", Port: 8866,
		Dist: "voila", Need: "voila"},
	{Name: "dashboards", Family: "dashboards", Runs: "jdash", Probe: "/", URLPath: "/", Port: 3000},              // internal/dashserver
	{Name: "dashboards_server", Family: "dashboards_server", Runs: "host", Probe: "/", URLPath: "/", Port: 3000}, // the Node.js server
	{Name: RemoteKind, Family: "remote", Probe: "/api/kernelspecs"},                                              // a gateway started elsewhere
}

// KindOf is the row of a kind (the zero Kind for an unknown name).
func KindOf(name string) Kind {
	if i := slices.IndexFunc(kinds, func(k Kind) bool { return k.Name == name }); i >= 0 {
		return kinds[i]
	}
	return Kind{Name: name}
}

// ProfileKind is the notebook server a jdash setup profile installs, when the env has it
// ("" for none: the nbclassic route's env also has notebook 7, whose /tree lacks the classic
// extensions).
func ProfileKind(profile string, versions map[string]string) string {
	for _, k := range kinds {
		if profile != "" && k.Profile == profile && k.IsNotebook() && k.Satisfied(versions) {
			return k.Name
		}
	}
	return ""
}

// kindNames are the kinds a jdash.yaml service may name, in the table's order.
func kindNames() []string {
	var out []string
	for _, k := range kinds {
		if k.Name != RemoteKind { // a remote gateway is given by url:
			out = append(out, k.Name)
		}
	}
	return out
}

// IsNotebook reports a notebook-server kind (auto included).
func (k Kind) IsNotebook() bool { return k.Family == "notebook" }

// IsGateway reports a kernel gateway started here or elsewhere.
func (k Kind) IsGateway() bool { return k.Family == "gateway" || k.Family == "remote" }

// Python reports a kind started as `python -m Module` in its env.
func (k Kind) Python() bool { return k.Module != "" }

// InEnv reports a kind that runs in a Python env of the machine (its service names one).
func (k Kind) InEnv() bool { return k.Runs == "" && k.Family != "remote" }

// Satisfied reports whether an env with these distributions (normalized names) has what the
// kind needs.
func (k Kind) Satisfied(versions map[string]string) bool {
	if k.Dist == "" {
		return true
	}
	v := versions[k.Dist]
	return v != "" && (k.has == nil || k.has(v))
}

// Needs is what the env lacks, as shown, and the command that puts it there.
func (k Kind) Needs(env EnvFacts) (need, fix string) {
	if k.Profile != "" {
		return k.Need, "jdash setup --profile " + k.Profile + " --install --env " + env.Prefix
	}
	fix = env.Python + " -m pip install " + k.Dist
	if k.Note != "" {
		fix += "   # " + k.Note
	}
	return k.Need, fix
}
