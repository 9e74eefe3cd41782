package compose

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jdash-dev/jdash/internal/endpoint"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/pyver"
	"github.com/jdash-dev/jdash/internal/uiconfig"
)

// EnvFacts is what the plan needs of a service's env.
type EnvFacts struct {
	Prefix        string
	Python        string
	PythonVersion string
	Versions      map[string]string // installed distributions, normalized names (jupyter-server)
}

// Options are the plan's inputs besides the stack.
type Options struct {
	// Resolve finds a service's env (anything --env takes).
	Resolve func(ref string) (EnvFacts, error)
	// Token makes a fresh secret (NewToken; tests give fixed ones).
	Token func() string
	// StoreDir is the stack's state dir (engine.Store): the files the plan asks for go there.
	StoreDir string
	// AllowRoot: jdash runs as root, and the notebook servers refuse root without it.
	AllowRoot bool
	// Getenv reads the caller's environment (a remote gateway's token_env).
	Getenv func(string) string
	// Kernels are the kernelspecs (kernels/<name>/kernel.json under dir) that offer a server
	// running in env server the kernels of set.
	Kernels func(server EnvFacts, set KernelSet, dir string) ([]File, error)
}

// KernelSet is what a notebook or gateway service offers besides its env's own kernels.
type KernelSet struct {
	Refs []string // kernel_envs: these envs' kernels, under jdash's names
	All  bool     // kernel_envs: all
	// Python3 is the env whose Python the name python3 runs ("": the server's own). A gateway
	// that serves a notebook of another env runs its kernels where the notebook's packages are,
	// as a gateway in the notebook's env would: new notebooks and those saved with python3 alike.
	Python3 string
}

func (k KernelSet) empty() bool { return len(k.Refs) == 0 && !k.All && k.Python3 == "" }

// MarkerVar is the variable that marks every process of a stack (set by the supervisor,
// inherited by kernels).
const MarkerVar = "JDASH_STACK"

// NewToken is 128 random bits, hex.
func NewToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// Probe is a service's readiness check: GET Path with "Authorization: token Token".
type Probe struct {
	Path  string `json:"path"`
	Token string `json:"token,omitempty"`
}

// File is a file a service needs before it starts (mode 0600: it holds a token).
type File struct {
	Path string `json:"path"`
	Data []byte `json:"data"`
	// Why says what the file is, for the dry run.
	Why string `json:"why,omitempty"`
}

// Proc is one service, ready to start.
type Proc struct {
	Name string   `json:"name"`
	Kind string   `json:"kind"` // the resolved kind (auto is replaced)
	Env  string   `json:"env"`  // the env's prefix
	Argv []string `json:"argv"`
	Set  []string `json:"environment"` // K=V on top of the runner's deliberate environment
	// SecretVars are the names in Set whose values are tokens (masked when shown).
	SecretVars     []string      `json:"secret_vars,omitempty"`
	Files          []File        `json:"files,omitempty"`
	Dir            string        `json:"cwd"`
	IP             string        `json:"ip"`
	Port           int           `json:"port"`
	Token          string        `json:"token,omitempty"`
	Probe          Probe         `json:"probe"`
	URLPath        string        `json:"url_path"` // what a browser opens
	DependsOn      []string      `json:"depends_on,omitempty"`
	StartupTimeout time.Duration `json:"startup_timeout"`
	Restart        string        `json:"restart"`
	// Remote is a service that runs elsewhere (a gateway given by url): probed, never started.
	Remote string `json:"remote,omitempty"`
	// KernelsIn is the env whose Python the service's python3 kernel runs ("" when unknown: a
	// remote gateway's), KernelsOn the gateway service that runs them (a notebook's).
	KernelsIn string `json:"kernels_in,omitempty"`
	KernelsOn string `json:"kernels_on,omitempty"`
}

// KernelsWhere says where the service's kernels run, for the dry run, ps and pre-flight.
func (p Proc) KernelsWhere() string {
	in := p.KernelsIn
	if in == "" {
		in = "an env of the remote gateway"
	}
	if p.KernelsOn != "" {
		return in + " (on gateway " + p.KernelsOn + ")"
	}
	return in
}

// Base is where the service answers: http://host:port (a remote's address as given).
func (p Proc) Base() string {
	if p.Remote != "" {
		return p.Remote
	}
	return "http://" + net.JoinHostPort(displayHost(p.IP), strconv.Itoa(p.Port))
}

// URL is the service's address for a browser, with its token (a remote's address as given).
func (p Proc) URL() string {
	if p.Remote != "" {
		return p.Remote
	}
	u := p.Base() + p.URLPath
	if p.Token != "" {
		u += "?token=" + p.Token
	}
	return u
}

func displayHost(ip string) string {
	if ip == "0.0.0.0" || ip == "" {
		return "127.0.0.1"
	}
	return ip
}

// ConnectHost is the address jdash connects to for a service listening on ip (the loopback
// address for the unspecified one).
func ConnectHost(ip string) string { return displayHost(ip) }

// Secret lists the token values the service gets.
func (p Proc) SecretValues() []string {
	var out []string
	for _, kv := range p.Set {
		if k, v, _ := strings.Cut(kv, "="); slices.Contains(p.SecretVars, k) {
			out = append(out, v)
		}
	}
	return out
}

// Masked is Set with token values shown as ***.
func (p Proc) Masked() []string {
	out := make([]string, len(p.Set))
	for i, kv := range p.Set {
		k, _, _ := strings.Cut(kv, "=")
		out[i] = kv
		if slices.Contains(p.SecretVars, k) {
			out[i] = k + "=***"
		}
	}
	return out
}

// Plan is a stack made concrete: every service in start order.
type Plan struct {
	Stack *Stack
	Procs []Proc
}

// Proc returns the named one.
func (pl *Plan) Proc(name string) *Proc {
	for i := range pl.Procs {
		if pl.Procs[i].Name == name {
			return &pl.Procs[i]
		}
	}
	return nil
}

// Self is the argv[0] of a service jdash serves itself (the engine replaces it
// with jdash's own executable).
const Self = "jdash"

// Build makes the plan: a fresh token per link, the wiring between the services (the notebook's
// kernels on the gateway, the bundlers' dashboards server), port_retries=0 everywhere, and a
// readiness probe on each service's real endpoint. It starts nothing.
func Build(st *Stack, o Options) (*Plan, error) {
	pl := &Plan{Stack: st}
	// ports first: a default port must not collide with a given one
	used := map[int]bool{}
	for _, s := range st.Services {
		used[s.Port] = s.Port != 0
	}
	port := map[string]int{}
	for _, s := range st.Services {
		if s.Kind == RemoteKind {
			continue // no port here
		}
		p := s.Port
		if p == 0 {
			for p = KindOf(s.Kind).Port; used[p]; p++ {
			}
			used[p] = true
		}
		port[s.Name] = p
	}
	var gateway, dash *Service
	for i := range st.Services {
		s := &st.Services[i]
		if KindOf(s.Kind).IsGateway() && gateway == nil {
			gateway = s
		}
		if k := KindOf(s.Kind); k.Runs != "" && k.Family != "remote" && dash == nil { // the bundlers deploy to it
			dash = s
		}
	}
	order, err := st.Order()
	if err != nil {
		return nil, &Error{File: st.File, Msg: err.Error()}
	}
	gwPython3, err := gatewayPython3(st, gateway, o)
	if err != nil {
		return nil, err
	}
	author, err := authorEnv(st, gateway, gwPython3, o)
	if err != nil {
		return nil, err
	}
	tokens := map[string]string{}
	for _, s := range st.Services {
		if s.TokenEnv == "" {
			continue
		}
		// a remote gateway's token is the user's, read from the variable the file names; so is
		// that of a service whose token other hosts know
		if o.Getenv != nil {
			tokens[s.Name] = o.Getenv(s.TokenEnv)
		}
		if tokens[s.Name] == "" {
			return nil, &Error{File: st.File, Line: s.Line, Msg: fmt.Sprintf("service %s: token_env %s is not set in the environment", s.Name, s.TokenEnv)}
		}
	}
	gatewayURL := func() string {
		if gateway.Kind == RemoteKind {
			return strings.TrimSuffix(gateway.URL, "/")
		}
		return "http://" + net.JoinHostPort(displayHost(gateway.IP), strconv.Itoa(port[gateway.Name]))
	}
	tok := func(name string) string {
		if tokens[name] == "" {
			tokens[name] = o.Token()
		}
		return tokens[name]
	}
	for _, name := range order {
		s := st.Service(name)
		var env EnvFacts
		if s.Kind == RemoteKind {
			tokv := tokens[s.Name]
			pl.Procs = append(pl.Procs, Proc{Name: s.Name, Kind: RemoteKind, Remote: strings.TrimSuffix(s.URL, "/"), Token: tokv,
				SecretVars: []string{s.TokenEnv}, Probe: Probe{Path: KindOf(RemoteKind).Probe, Token: tokv}, StartupTimeout: s.StartupTimeout})
			continue
		}
		if KindOf(s.Kind).InEnv() {
			if env, err = o.Resolve(s.Env); err != nil {
				return nil, &Error{File: st.File, Line: s.Line, Msg: fmt.Sprintf("service %s: %v", s.Name, err)}
			}
		}
		kind := s.Kind
		if kind == "auto" {
			if kind = AutoKind(env.Versions); kind == "" {
				return nil, &Error{File: st.File, Line: s.Line, Msg: fmt.Sprintf("service %s: %s has no notebook server (notebook, jupyterlab or nbclassic); install one: jdash setup --profile modern --install --env %s", s.Name, env.Prefix, env.Prefix)}
			}
		}
		p := Proc{Name: s.Name, Kind: kind, Env: env.Prefix, Dir: st.RootDir, IP: s.IP, Port: port[s.Name],
			DependsOn: s.DependsOn, StartupTimeout: s.StartupTimeout, Restart: s.Restart}
		py := env.Python
		setTok := func(k, v string) {
			p.Set = append(p.Set, k+"="+v)
			p.SecretVars = append(p.SecretVars, k)
		}
		k := KindOf(kind)
		switch k.Family {
		case "notebook":
			app, module := k.App, k.Module
			gw := ""
			p.KernelsIn = env.Prefix
			if gateway != nil && s.Kernels != "local" {
				gw = gatewayURL()
				p.after(gateway) // it asks the gateway, with its token, as soon as it runs
				p.KernelsOn, p.KernelsIn = gateway.Name, ""
				if gateway.Kind != RemoteKind {
					p.KernelsIn = gwPython3
				}
			}
			p.Argv = []string{py, "-m", module}
			for _, t := range ServerTraits(app, s.IP, p.Port, gw) {
				p.Argv = append(p.Argv, t.Flag())
			}
			if k.ExtApp != "" {
				p.Argv = append(p.Argv, Trait{k.ExtApp, "open_browser", false}.Flag())
			}
			// what the UI saves lands in the env's nbconfig (internal/uiconfig); an env jdash
			// has not set up gets the module from the state dir
			p.Argv = append(p.Argv, UIConfigTrait(app).Flag())
			if env.Versions[pkgindex.NormalizeName(uiconfig.Dist)] == "" {
				dir := filepath.Join(o.StoreDir, "python", s.Name)
				p.Files = append(p.Files, File{Path: filepath.Join(dir, uiconfig.Module+".py"), Data: uiconfig.Source(), Why: "the UI's config written at the env's level"})
				p.Set = append(p.Set, "PYTHONPATH="+dir)
			}
			rootTrait := "root_dir"
			if app == "NotebookApp" {
				rootTrait = "notebook_dir"
			}
			p.Argv = append(p.Argv, fmt.Sprintf("--%s.%s=%s", app, rootTrait, st.RootDir))
			if o.AllowRoot {
				p.Argv = append(p.Argv, "--allow-root")
			}
			p.Token = tok(s.Name)
			setTok(k.TokenVar, p.Token)
			if gw != "" {
				setTok("JUPYTER_GATEWAY_AUTH_TOKEN", tok(gateway.Name))
			}
			if dash != nil {
				u := "http://" + net.JoinHostPort(displayHost(dash.IP), strconv.Itoa(port[dash.Name])) + "/"
				p.Set = append(p.Set, "DASHBOARD_SERVER_URL="+u, "DASHBOARD_REDIRECT_URL="+u)
				setTok("DASHBOARD_SERVER_AUTH_TOKEN", tok(dash.Name+"/upload"))
			}
			p.Probe = Probe{Path: k.Probe, Token: p.Token}
		case "gateway":
			p.KernelsIn = gwPython3
			p.Argv = []string{py, "-m", k.Module, "--" + k.App + ".ip=" + s.IP, "--" + k.App + ".port=" + strconv.Itoa(p.Port), "--" + k.App + ".port_retries=0"}
			p.Token = tok(s.Name)
			setTok(k.TokenVar, p.Token)
			p.Set = append(p.Set, k.Env...)
			p.Probe = Probe{Path: k.Probe, Token: p.Token}
		case "voila":
			// Voilà ignores JUPYTER_TOKEN and takes its token from argv or a config file: a 0600
			// voila.json in a config dir of its own, first on its config path.
			p.Token = tok(s.Name)
			cfg := filepath.Join(o.StoreDir, "config", s.Name)
			p.Files = append(p.Files, File{Path: filepath.Join(cfg, "voila.json"), Data: []byte(fmt.Sprintf("{\"Voila\": {\"token\": %q}}\n", p.Token)), Why: "holds the token"})
			p.Set = append(p.Set, "JUPYTER_CONFIG_PATH="+cfg)
			p.KernelsIn = env.Prefix
			if author.Prefix != "" && author.Prefix != env.Prefix {
				p.KernelsIn = author.Prefix // the notebooks run where they were written (below)
			}
			p.Argv = []string{py, "-m", k.Module, st.RootDir, "--no-browser", "--port=" + strconv.Itoa(p.Port), "--" + k.App + ".ip=" + s.IP, "--" + k.App + ".port_retries=0"}
			p.Probe = Probe{Path: k.Probe, Token: p.Token}
		case "dashboards":
			// served by jdash itself (internal/dashserver), rendering through the voila service
			vs := st.Service(s.Render)
			vf, err := o.Resolve(vs.Env)
			if err != nil {
				return nil, &Error{File: st.File, Line: vs.Line, Msg: fmt.Sprintf("service %s: %v", vs.Name, err)}
			}
			p.Argv = []string{Self, "__dashboards"}
			p.after(vs) // viewers' requests go to Voilà with its token
			p.Set = append(p.Set, "JDASH_DASHBOARDS_LISTEN="+net.JoinHostPort(s.IP, strconv.Itoa(p.Port)),
				"JDASH_DASHBOARDS_ROOT="+filepath.Join(st.RootDir, filepath.FromSlash(s.Root)),
				"JDASH_DASHBOARDS_ROOT_REL="+filepath.ToSlash(filepath.Clean(s.Root)),
				"JDASH_DASHBOARDS_VOILA_URL=http://"+net.JoinHostPort(displayHost(vs.IP), strconv.Itoa(port[vs.Name])))
			if len(s.Hosts) > 0 {
				p.Set = append(p.Set, "JDASH_DASHBOARDS_HOSTS="+strings.Join(s.Hosts, ","))
			}
			if len(s.AllowOrigins) > 0 {
				p.Set = append(p.Set, "JDASH_DASHBOARDS_ALLOW_ORIGINS="+strings.Join(s.AllowOrigins, ","))
			}
			if s.KernelIdle > 0 {
				p.Set = append(p.Set, "JDASH_DASHBOARDS_KERNEL_IDLE="+s.KernelIdle.String())
			}
			if s.MaxKernels > 0 {
				p.Set = append(p.Set, "JDASH_DASHBOARDS_MAX_KERNELS="+strconv.Itoa(s.MaxKernels))
			}
			if vf.Versions["voila-gridstack"] != "" {
				p.Set = append(p.Set, "JDASH_DASHBOARDS_GRIDSTACK=1")
			}
			p.KernelsIn = vf.Prefix
			if author.Prefix != "" {
				p.KernelsIn = author.Prefix // as the voila service's (above)
			}
			p.Set = append(p.Set, "JDASH_DASHBOARDS_KERNELS_IN="+p.KernelsIn)
			setTok("JDASH_DASHBOARDS_VOILA_TOKEN", tok(vs.Name))
			setTok("JDASH_DASHBOARDS_UPLOAD_TOKEN", tok(s.Name+"/upload"))
			switch s.ViewerAuth {
			case "token": // the link ps shows carries it; the login form takes it too
				p.Token = tok(s.Name + "/viewer")
				setTok("JDASH_DASHBOARDS_VIEWER_TOKEN", p.Token)
			case "password":
				pw := ""
				if o.Getenv != nil {
					pw = o.Getenv(s.PasswordEnv)
				}
				if pw == "" {
					return nil, &Error{File: st.File, Line: s.Line, Msg: fmt.Sprintf("service %s: password_env %s is not set in the environment", s.Name, s.PasswordEnv)}
				}
				setTok("JDASH_DASHBOARDS_VIEWER_PASSWORD", pw)
			}
			// the uploader may view: the probe sends the upload token, whatever viewer_auth says
			p.Probe = Probe{Path: k.Probe, Token: tok(s.Name + "/upload")}
		case "dashboards_server":
			p.Argv = slices.Clone(s.Command)
			p.Set = append(p.Set, "IP="+s.IP, "PORT="+strconv.Itoa(p.Port), "NODE_ENV=production")
			if gateway != nil {
				p.after(gateway)
				p.Set = append(p.Set, "KERNEL_GATEWAY_URL="+gatewayURL())
				setTok("KG_AUTH_TOKEN", tok(gateway.Name))
			}
			setTok("AUTH_TOKEN", tok(s.Name+"/upload"))
			p.Probe = Probe{Path: k.Probe}
		}
		p.URLPath = k.URLPath
		if k.Python() {
			p.Set = append(p.Set, "PYTHONUNBUFFERED=1")
		}
		set := KernelSet{Refs: s.KernelEnvs, All: s.KernelEnvsAll}
		switch {
		case k.Family == "gateway" && gwPython3 != env.Prefix:
			set.Python3 = gwPython3
		case k.Family == "voila" && author.Prefix != "" && author.Prefix != env.Prefix:
			// Voilà runs a notebook on the kernel its metadata names (python3 as a rule): the
			// env the notebooks are written in, so that what works in the notebook works on
			// the dashboard; the Voilà env needs only Voilà
			set.Python3 = author.Prefix
		}
		if !set.empty() && o.Kernels != nil {
			// generated in the stack's state dir, on this process's path only
			dir := filepath.Join(o.StoreDir, "kernels", s.Name)
			files, err := o.Kernels(env, set, dir)
			if err != nil {
				return nil, &Error{File: st.File, Line: s.Line, Msg: fmt.Sprintf("service %s: kernel_envs: %v", s.Name, err)}
			}
			p.Files = append(p.Files, files...)
			p.Set = append(p.Set, "JUPYTER_PATH="+dir)
			if set.Python3 != "" && k.Family == "voila" && pyver.MajorOf(author.Versions["ipywidgets"]) == 7 {
				// Voilà picks its widget manager by the version of the jupyterlab-manager it
				// finds first: this one (no build: not loaded) makes it take the one for the
				// kernels' ipywidgets 7
				p.Files = append(p.Files, File{Path: filepath.Join(dir, "labextensions", "@jupyter-widgets", "jupyterlab-manager", "package.json"),
					Data: []byte(`{"name": "@jupyter-widgets/jupyterlab-manager", "version": "3.0.0", "description": "jdash: the kernels run ipywidgets 7"}` + "\n"),
					Why:  "Voilà's widget manager for ipywidgets 7"})
			}
		}
		if s.Ready != "" {
			p.Probe.Path = s.Ready
		}
		p.Argv = append(p.Argv, s.Args...)
		for _, kv := range s.Environment {
			p.Set = append(p.Set, kv[0]+"="+kv[1])
		}
		if p.openWithoutToken() {
			return nil, &Error{File: st.File, Line: s.Line, Msg: fmt.Sprintf("service %s: ip %s is not loopback and the service has no token: refused", s.Name, s.IP)}
		}
		pl.Procs = append(pl.Procs, p)
	}
	if err := pl.inStartOrder(); err != nil {
		return nil, &Error{File: st.File, Line: st.Service(err.path[0]).Line,
			Msg: err.Error() + " (with what the wiring adds: a notebook starts after its gateway, the dashboards after Voilà)"}
	}
	return pl, nil
}

// gatewayPython3 is the env whose Python the stack's gateway runs as python3: the env of the
// first notebook whose kernels it runs, when that env has ipykernel (else the gateway's own).
func gatewayPython3(st *Stack, gateway *Service, o Options) (string, error) {
	if gateway == nil || gateway.Kind == RemoteKind {
		return "", nil
	}
	own, err := o.Resolve(gateway.Env)
	if err != nil {
		return "", &Error{File: st.File, Line: gateway.Line, Msg: fmt.Sprintf("service %s: %v", gateway.Name, err)}
	}
	for _, s := range st.Services {
		if !KindOf(s.Kind).IsNotebook() || s.Kernels == "local" {
			continue
		}
		nb, err := o.Resolve(s.Env)
		if err != nil {
			return "", &Error{File: st.File, Line: s.Line, Msg: fmt.Sprintf("service %s: %v", s.Name, err)}
		}
		if nb.Versions["ipykernel"] != "" {
			return nb.Prefix, nil
		}
		break // its kernels run in the gateway's env: pre-flight says what that env lacks
	}
	return own.Prefix, nil
}

// authorEnv is the env the stack's notebooks are written in: where the first notebook
// service's kernels run (its env, or the gateway's python3), when it has ipykernel.
func authorEnv(st *Stack, gateway *Service, gwPython3 string, o Options) (EnvFacts, error) {
	for _, s := range st.Services {
		if !KindOf(s.Kind).IsNotebook() {
			continue
		}
		ref := s.Env
		if gateway != nil && s.Kernels != "local" {
			if gateway.Kind == RemoteKind {
				return EnvFacts{}, nil // its kernels run elsewhere
			}
			ref = gwPython3
		}
		e, err := o.Resolve(ref)
		if err != nil || e.Versions["ipykernel"] == "" {
			return EnvFacts{}, nil
		}
		return e, nil
	}
	return EnvFacts{}, nil
}

// after makes p start once s is ready, when p sends s its token: until then whoever holds
// s's port would receive it (the readiness probe proves the port is s's). A remote service
// is probed before anything starts.
func (p *Proc) after(s *Service) {
	if s.Kind != RemoteKind && !slices.Contains(p.DependsOn, s.Name) {
		p.DependsOn = append(slices.Clone(p.DependsOn), s.Name)
	}
}

// inStartOrder puts the procs in start order with the dependencies the wiring added (a
// notebook after its gateway): the supervisor stops them in reverse, so that a notebook shuts
// its kernels down on a gateway that still runs. A cycle (a gateway that depends_on the
// notebook its kernels serve would wait forever) is an error.
func (pl *Plan) inStartOrder() *cycleError {
	names := make([]string, 0, len(pl.Procs))
	for _, p := range pl.Procs {
		names = append(names, p.Name)
	}
	order, cycle := depOrder(names, func(name string) []string {
		if p := pl.Proc(name); p != nil {
			return p.DependsOn
		}
		return nil
	})
	if cycle != nil {
		return cycle
	}
	procs := make([]Proc, 0, len(order))
	for _, name := range order {
		procs = append(procs, *pl.Proc(name))
	}
	pl.Procs = procs
	return nil
}

// AutoKind is the notebook server an env has: notebook 6, notebook 7, JupyterLab, nbclassic.
func AutoKind(v map[string]string) string {
	switch nb := v["notebook"]; {
	case nb != "" && !jupyter.IsNotebook7(nb):
		return "classic"
	case nb != "":
		return "notebook7"
	case v["jupyterlab"] != "":
		return "lab"
	case v["nbclassic"] != "":
		return "nbclassic"
	}
	return ""
}

// Trait is one traitlets value of a server's config.
type Trait struct {
	Class, Name string
	Value       any // string, int or bool
}

// Flag is the trait as a command-line option.
func (t Trait) Flag() string {
	v := fmt.Sprint(t.Value)
	if b, ok := t.Value.(bool); ok { // Python's spelling
		v = map[bool]string{true: "True", false: "False"}[b]
	}
	return fmt.Sprintf("--%s.%s=%s", t.Class, t.Name, v)
}

// ServerTraits put a notebook server (app NotebookApp or ServerApp) on ip:port with no port
// retries and no browser, and its kernels on a gateway: the one source for `jdash setup`'s
// stack config (written into the env's config) and `jdash up`'s command lines.
func ServerTraits(app, ip string, port int, gatewayURL string) []Trait {
	out := []Trait{{app, "ip", ip}, {app, "port", port}, {app, "port_retries", 0}, {app, "open_browser", false}}
	if gatewayURL != "" {
		out = append(out, Trait{"GatewayClient", "url", gatewayURL})
	}
	return out
}

// UIConfigTrait makes the app's UI save the frontend config at the env's level
// (internal/uiconfig).
func UIConfigTrait(app string) Trait { return Trait{app, uiconfig.Trait, uiconfig.Class(app)} }

// openWithoutToken is a service that would listen beyond loopback with no token at all (the
// dashboards kinds publish their views, but their upload API has a token).
func (p Proc) openWithoutToken() bool {
	return !endpoint.IsLoopback(p.IP) && p.Token == "" && len(p.SecretVars) == 0
}

// InTheClear says which of the plan's links carry a token over plain HTTP beyond this
// machine: a service listening beyond loopback without TLS (no certfile in its argv), a
// remote gateway at http:// on another host. Anyone on the path reads the token and every
// cell; TLS (or a private network) is the user's to add.
func (pl *Plan) InTheClear() []string {
	var out []string
	for _, p := range pl.Procs {
		switch {
		case p.Remote != "":
			if u, err := url.Parse(p.Remote); err == nil && u.Scheme == "http" && !endpoint.IsLoopback(u.Hostname()) {
				out = append(out, fmt.Sprintf("service %s: the gateway at %s is plain HTTP: its token and the kernels' traffic cross the network unencrypted (an https:// URL avoids that)", p.Name, p.Remote))
			}
		case !endpoint.IsLoopback(p.IP) && !slices.ContainsFunc(p.Argv, func(a string) bool { return strings.Contains(a, "certfile") }) && (p.Token != "" || len(p.SecretVars) > 0):
			out = append(out, fmt.Sprintf("service %s listens on %s over plain HTTP: its token and traffic cross the network unencrypted (give it a certfile in args, or put TLS in front)", p.Name, displayHost(p.IP)))
		}
	}
	return out
}

// Marshal serializes the plan for the detached supervisor (tokens included: the file is 0600).
func (pl *Plan) Marshal() ([]byte, error) { return json.MarshalIndent(pl, "", "  ") }

// UnmarshalPlan reads a plan Marshal wrote.
func UnmarshalPlan(data []byte) (*Plan, error) {
	var pl Plan
	if err := json.Unmarshal(data, &pl); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	return &pl, nil
}
