// Package compose is the stack model of `jdash up`: the stack file (the root_dir and
// services keys of jdash.yaml), its validation with file:line errors, the zero-config default,
// and the plan (every service's argv, environment, port, token and readiness probe). The plan
// is a pure function of the stack, the envs' facts and a token source, table-tested like
// jupyter.Resolve; running it is internal/compose/supervisor's job.
package compose

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/jdash-dev/jdash/internal/endpoint"
)

// Service is one entry of services:.
type Service struct {
	Name           string
	Env            string // anything --env takes
	Kind           string
	Port           int
	IP             string
	Args           []string
	Environment    [][2]string // in file order
	DependsOn      []string
	Ready          string // the probe path ("" = the kind's)
	StartupTimeout time.Duration
	Restart        string // no | on-failure
	Kernels        string // notebook services: gateway | local
	// KernelEnvs are the envs whose kernels a notebook or gateway service offers for the life
	// of the stack (kernel_envs: a list of envs, or all: every env with ipykernel).
	KernelEnvs    []string
	KernelEnvsAll bool
	Command       []string
	Render        string // dashboards: the voila service that renders
	Root          string // dashboards: where deployed dashboards go, relative to root_dir
	URL           string // a remote gateway: started by nobody here, only probed and wired
	TokenEnv      string // the variable holding the service's token (a remote gateway's, or one kept across ups)
	// ViewerAuth is what a dashboards viewer shows before viewing: none, token (a link
	// with a fresh token, or its login form) or password (read from PasswordEnv).
	ViewerAuth  string
	PasswordEnv string
	// Hosts are names a dashboards service answers to besides loopback and its ip (a
	// reverse proxy's name); KernelIdle and MaxKernels bound its viewers' kernels.
	Hosts []string
	// AllowOrigins are other sites whose pages may read the dashboards (CORS).
	AllowOrigins []string
	KernelIdle   time.Duration
	MaxKernels   int
	Line         int
}

// RemoteKind is the kind of a service given as {url, token_env}: a gateway elsewhere.
const RemoteKind = "remote_gateway"

// Stack is a stack file.
type Stack struct {
	File    string // "" for the zero-config default
	Dir     string // the project dir (the file's dir)
	RootDir string // absolute
	// Services in file order.
	Services []Service
}

// Service returns the named service.
func (st *Stack) Service(name string) *Service {
	for i := range st.Services {
		if st.Services[i].Name == name {
			return &st.Services[i]
		}
	}
	return nil
}

// Keys are the top-level keys the stack owns in jdash.yaml.
var Keys = []string{"root_dir", "services"}

var serviceKeys = []string{"env", "kind", "port", "ip", "args", "environment", "depends_on", "ready", "startup_timeout", "restart", "kernels", "kernel_envs", "command", "render", "root", "url", "token_env", "viewer_auth", "password_env", "hosts", "allow_origins", "kernel_idle_timeout", "max_kernels"}

// Error is a stack file problem, naming the file and line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Parse reads the stack of a jdash.yaml (its root_dir and services keys; the other keys are
// jdash's settings, checked elsewhere). It returns nil, nil when the file has no services.
func Parse(file string, data []byte) (*Stack, error) {
	bad := func(n *yaml.Node, format string, a ...any) error {
		line := 0
		if n != nil {
			line = n.Line
		}
		return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, a...)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{File: file, Msg: err.Error()}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil
	}
	dir := filepath.Dir(file)
	st := &Stack{File: file, Dir: dir, RootDir: dir}
	top := doc.Content[0]
	var services *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "root_dir":
			s, err := str(v)
			if err != nil || s == "" {
				return nil, bad(v, "root_dir: a directory, not %s", DescribeNode(v))
			}
			if !filepath.IsAbs(s) {
				s = filepath.Join(dir, s)
			}
			st.RootDir = filepath.Clean(s)
		case "services":
			services = v
		}
	}
	if services == nil {
		return nil, nil
	}
	if services.Kind != yaml.MappingNode || len(services.Content) == 0 {
		return nil, bad(services, "services: a mapping of service names to services, not %s", DescribeNode(services))
	}
	for i := 0; i+1 < len(services.Content); i += 2 {
		k, v := services.Content[i], services.Content[i+1]
		if !validName(k.Value) {
			return nil, bad(k, "service name %q: letters, digits, - and _ only", k.Value)
		}
		if st.Service(k.Value) != nil {
			return nil, bad(k, "service %q is defined twice", k.Value)
		}
		svc, err := parseService(k.Value, v, bad)
		if err != nil {
			return nil, err
		}
		// an env given as a relative path is the file's, wherever jdash runs (--config, or a
		// subdir of the project); a plain name is looked up as --env looks it up
		if svc.Env != "" && !filepath.IsAbs(svc.Env) && (strings.HasPrefix(svc.Env, ".") || strings.ContainsRune(svc.Env, '/')) {
			svc.Env = filepath.Join(dir, svc.Env)
		}
		st.Services = append(st.Services, svc)
	}
	if err := st.check(bad); err != nil {
		return nil, err
	}
	return st, nil
}

func parseService(name string, v *yaml.Node, bad func(*yaml.Node, string, ...any) error) (Service, error) {
	svc := Service{Name: name, Line: v.Line, IP: "127.0.0.1", StartupTimeout: 60 * time.Second, Restart: "no"}
	if v.Kind != yaml.MappingNode {
		return svc, bad(v, "service %s: a mapping of keys (%s), not %s", name, strings.Join(serviceKeys, ", "), DescribeNode(v))
	}
	for j := 0; j+1 < len(v.Content); j += 2 {
		k, val := v.Content[j], v.Content[j+1]
		field := "service " + name + ": " + k.Value
		var err error
		switch k.Value {
		case "env":
			svc.Env, err = nonEmpty(val)
		case "kind":
			svc.Kind, err = nonEmpty(val)
			if err == nil && !slices.Contains(kindNames(), svc.Kind) {
				return svc, bad(val, "%s: unknown kind %q (one of %s)", field, svc.Kind, strings.Join(kindNames(), ", "))
			}
		case "port":
			svc.Port, err = port(val)
		case "ip":
			if svc.IP, err = nonEmpty(val); err == nil {
				err = endpoint.CheckHost(svc.IP)
			}
		case "args":
			svc.Args, err = strList(val)
		case "command":
			svc.Command, err = strList(val)
			if err == nil && len(svc.Command) == 0 {
				err = fmt.Errorf("an empty command")
			}
		case "depends_on":
			svc.DependsOn, err = strList(val)
		case "ready":
			svc.Ready, err = nonEmpty(val)
			if err == nil && !strings.HasPrefix(svc.Ready, "/") {
				err = fmt.Errorf("a URL path starting with /, not %q", svc.Ready)
			}
		case "startup_timeout":
			svc.StartupTimeout, err = duration(val)
		case "restart":
			svc.Restart, err = oneOf(val, "no", "on-failure")
		case "kernels":
			svc.Kernels, err = oneOf(val, "gateway", "local")
		case "kernel_envs":
			if s, serr := str(val); serr == nil && s == "all" {
				svc.KernelEnvsAll = true
			} else if svc.KernelEnvs, err = strList(val); err != nil || len(svc.KernelEnvs) == 0 {
				err = fmt.Errorf("all, or a list of envs, not %s", DescribeNode(val))
			}
		case "environment":
			svc.Environment, err = envMap(val)
		case "url":
			svc.URL, err = nonEmpty(val)
			if err == nil {
				err = checkRemoteURL(svc.URL)
			}
		case "token_env":
			svc.TokenEnv, err = nonEmpty(val)
		case "render":
			svc.Render, err = nonEmpty(val)
		case "viewer_auth":
			svc.ViewerAuth, err = oneOf(val, "none", "token", "password")
		case "password_env":
			svc.PasswordEnv, err = nonEmpty(val)
		case "hosts":
			svc.Hosts, err = strList(val)
			for _, h := range svc.Hosts {
				if err == nil && (h == "" || strings.ContainsAny(h, "/:@ \t") && !strings.HasPrefix(h, "[")) {
					err = fmt.Errorf("host names (dash.example.com, 10.0.0.5, [fd00::5]), not %q", h)
				}
			}
		case "allow_origins":
			svc.AllowOrigins, err = strList(val)
			for _, o := range svc.AllowOrigins {
				if u, perr := url.Parse(o); err == nil && (perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil) {
					err = fmt.Errorf("origins (https://portal.example, http://10.0.0.5:8080), not %q", o)
				}
			}
		case "kernel_idle_timeout":
			svc.KernelIdle, err = duration(val)
		case "max_kernels":
			svc.MaxKernels, err = positive(val)
		case "root":
			svc.Root, err = nonEmpty(val)
			if err == nil && (filepath.IsAbs(svc.Root) || slices.Contains(strings.Split(filepath.ToSlash(svc.Root), "/"), "..")) {
				err = fmt.Errorf("a dir inside root_dir (Voilà renders from there), not %q", svc.Root)
			}
		default:
			return svc, bad(k, "service %s: unknown key %q (the keys are %s)", name, k.Value, strings.Join(serviceKeys, ", "))
		}
		if err != nil {
			return svc, bad(val, "%s: %v", field, err)
		}
	}
	if svc.URL != "" {
		if svc.TokenEnv == "" || svc.Env != "" || svc.Kind != "" || len(svc.Command) > 0 || svc.Port != 0 {
			return svc, bad(v, "service %s: a remote gateway is {url, token_env} (the variable that holds its token), and nothing else", name)
		}
		svc.Kind = RemoteKind
		return svc, nil
	}
	if svc.Kind == "" {
		return svc, bad(v, "service %s: no kind (one of %s)", name, strings.Join(kindNames(), ", "))
	}
	// token_env on a service jdash starts: its token is the variable's, not a fresh one, so
	// that a gateway keeps the token another host's stack was given.
	if k := KindOf(svc.Kind); svc.TokenEnv != "" && k.TokenVar == "" && !k.IsNotebook() {
		return svc, bad(v, "service %s: kind %s has no token for token_env to set", name, svc.Kind)
	}
	if svc.Kind == "dashboards_server" && len(svc.Command) == 0 {
		return svc, bad(v, "service %s: kind dashboards_server needs its command (the legacy Node server is not installed by jdash)", name)
	}
	if svc.Kind == "dashboards" {
		if svc.Env != "" || len(svc.Command) > 0 {
			return svc, bad(v, "service %s: kind dashboards is served by jdash itself: no env or command", name)
		}
		if svc.Render == "" {
			return svc, bad(v, "service %s: kind dashboards needs render: the voila service that renders the dashboards", name)
		}
		if svc.Root == "" {
			svc.Root = "dashboards"
		}
		switch {
		case svc.ViewerAuth == "": // as Jupyter's own servers: a token, loopback or not
			svc.ViewerAuth = "token"
		case svc.ViewerAuth == "none" && !endpoint.IsLoopback(svc.IP):
			return svc, bad(v, "service %s: viewer_auth none with ip %s would let anyone who reaches it view the dashboards and drive their kernels: use token or password", name, svc.IP)
		}
		if (svc.ViewerAuth == "password") != (svc.PasswordEnv != "") {
			return svc, bad(v, "service %s: viewer_auth password takes password_env (the variable that holds the password), and password_env applies to it only", name)
		}
	} else if svc.Render != "" || svc.Root != "" || svc.ViewerAuth != "" || svc.PasswordEnv != "" || svc.Hosts != nil || svc.AllowOrigins != nil || svc.KernelIdle != 0 || svc.MaxKernels != 0 {
		return svc, bad(v, "service %s: render, root, viewer_auth, password_env, hosts, allow_origins, kernel_idle_timeout and max_kernels apply to kind dashboards only", name)
	}
	if KindOf(svc.Kind).InEnv() && svc.Env == "" {
		return svc, bad(v, "service %s: no env (a path or a name from jdash envs)", name)
	}
	if svc.Kernels != "" && !KindOf(svc.Kind).IsNotebook() {
		return svc, bad(v, "service %s: kernels applies to notebook services only", name)
	}
	return svc, nil
}

// check validates what spans services: ports, dependencies, cycles.
func (st *Stack) check(bad func(*yaml.Node, string, ...any) error) error {
	line := func(s Service) *yaml.Node { return &yaml.Node{Line: s.Line} }
	ports := map[int]string{}
	for _, s := range st.Services {
		if s.Port != 0 {
			if o, ok := ports[s.Port]; ok {
				return bad(line(s), "service %s: port %d is also %s's", s.Name, s.Port, o)
			}
			ports[s.Port] = s.Name
		}
		for _, d := range s.DependsOn {
			if st.Service(d) == nil {
				return bad(line(s), "service %s: depends_on %q, which is not a service here", s.Name, d)
			}
		}
		if s.Kind == "dashboards" {
			if r := st.Service(s.Render); r == nil || r.Kind != "voila" {
				return bad(line(s), "service %s: render %q is not a voila service of this stack", s.Name, s.Render)
			}
		}
		if s.Kind != "dashboards_server" && !KindOf(s.Kind).IsNotebook() && s.Kernels != "" {
			return bad(line(s), "service %s: kernels applies to notebook services only", s.Name)
		}
		if k := KindOf(s.Kind); (len(s.KernelEnvs) > 0 || s.KernelEnvsAll) && !(k.IsNotebook() || k.Family == "gateway") {
			return bad(line(s), "service %s: kernel_envs applies to notebook and kernel gateway services only", s.Name)
		}
	}
	if _, err := st.Order(); err != nil {
		var ce *cycleError
		if errors.As(err, &ce) {
			return bad(line(*st.Service(ce.path[0])), "%s", err)
		}
		return &Error{File: st.File, Msg: err.Error()}
	}
	return nil
}

// cycleError is a depends_on cycle, from the service where it starts back to it.
type cycleError struct{ path []string }

func (e *cycleError) Error() string { return "depends_on has a cycle: " + strings.Join(e.path, " -> ") }

// Order is the start order: dependencies first, else file order.
func (st *Stack) Order() ([]string, error) {
	names := make([]string, 0, len(st.Services))
	for _, s := range st.Services {
		names = append(names, s.Name)
	}
	out, cycle := depOrder(names, func(name string) []string { return st.Service(name).DependsOn })
	if cycle != nil {
		return nil, cycle
	}
	return out, nil
}

// depOrder orders names dependencies first (else in the order given), or returns the first
// cycle found, from the name where it starts back to it.
func depOrder(names []string, deps func(string) []string) ([]string, *cycleError) {
	var out []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, path []string) *cycleError
	visit = func(name string, path []string) *cycleError {
		switch state[name] {
		case 1:
			cycle := append(path, name)
			return &cycleError{cycle[slices.Index(cycle, name):]}
		case 2:
			return nil
		}
		state[name] = 1
		for _, d := range deps(name) {
			if err := visit(d, append(path, name)); err != nil {
				return err
			}
		}
		state[name] = 2
		out = append(out, name)
		return nil
	}
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func validName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// DescribeNode names a YAML value for an error message ("a list", "empty", "\"x\"").
func DescribeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	if n.Tag == "!!null" || n.Value == "" {
		return "empty"
	}
	return strconv.Quote(n.Value)
}

func str(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", fmt.Errorf("a string, not %s", DescribeNode(n))
	}
	return n.Value, nil
}

func nonEmpty(n *yaml.Node) (string, error) {
	s, err := str(n)
	if err == nil && s == "" {
		err = fmt.Errorf("empty")
	}
	return s, err
}

func port(n *yaml.Node) (int, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if p, err := strconv.Atoi(n.Value); err == nil && endpoint.CheckPort(p) == nil {
			return p, nil
		}
	}
	return 0, fmt.Errorf("a port 1 to 65535, not %s", DescribeNode(n))
}

func positive(n *yaml.Node) (int, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if i, err := strconv.Atoi(n.Value); err == nil && i > 0 {
			return i, nil
		}
	}
	return 0, fmt.Errorf("a number above 0, not %s", DescribeNode(n))
}

func strList(n *yaml.Node) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("a list of strings, not %s", DescribeNode(n))
	}
	var out []string
	for _, it := range n.Content {
		s, err := str(it)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func oneOf(n *yaml.Node, vals ...string) (string, error) {
	s, err := str(n)
	if err == nil && !slices.Contains(vals, s) {
		err = fmt.Errorf("one of %s, not %q", strings.Join(vals, ", "), s)
	}
	return s, err
}

func duration(n *yaml.Node) (time.Duration, error) {
	s, err := str(n)
	if err != nil {
		return 0, err
	}
	if secs, err := strconv.Atoi(s); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("a duration (90s, 2m) or seconds, not %q", s)
	}
	return d, nil
}

func envMap(n *yaml.Node) ([][2]string, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("a mapping of variable names to values, not %s", DescribeNode(n))
	}
	var out [][2]string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if k == "" || strings.ContainsAny(k, "= \x00") {
			return nil, fmt.Errorf("variable name %q", k)
		}
		v, err := str(n.Content[i+1])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", k, err)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// checkRemoteURL refuses what must not be a gateway URL (endpoint.CheckGatewayURL): the
// token comes from token_env, never from the file.
func checkRemoteURL(raw string) error {
	err := endpoint.CheckGatewayURL(raw)
	if errors.Is(err, endpoint.ErrCredentials) {
		return fmt.Errorf("%w: give the token in the variable named by token_env", err)
	}
	return err
}

// Default is the zero-config stack: the env's notebook server (the one of the profile jdash
// set the env up with, when the env has it), and a kernel gateway and Voilà when the env has
// them, serving dir.
func Default(env EnvFacts, dir, profile string) (*Stack, error) {
	kind := ProfileKind(profile, env.Versions)
	if kind == "" {
		kind = AutoKind(env.Versions)
	}
	if kind == "" {
		return nil, fmt.Errorf("%s has no notebook server (notebook, jupyterlab or nbclassic) for a default stack: jdash setup --profile modern --install --env %s", env.Prefix, env.Prefix)
	}
	st := &Stack{Dir: dir, RootDir: dir}
	add := func(name, kind string, port int) {
		st.Services = append(st.Services, Service{Name: name, Env: env.Prefix, Kind: kind, Port: port, IP: "127.0.0.1",
			StartupTimeout: 60 * time.Second, Restart: "no"})
	}
	add("notebook", kind, 8888)
	if env.Versions["jupyter-kernel-gateway"] != "" {
		add("gateway", "kernel_gateway", 8889)
	}
	if env.Versions["voila"] != "" {
		add("dashboards", "voila", 8866)
	}
	return st, nil
}

// YAML is the stack as a jdash.yaml (what up --write-config writes).
func (st *Stack) YAML() []byte {
	var b strings.Builder
	b.WriteString("# the stack jdash up runs (jdash up --dry-run shows the plan)\n")
	root := "."
	if st.RootDir != st.Dir {
		root = st.RootDir
	}
	fmt.Fprintf(&b, "root_dir: %s\nservices:\n", quoteYAML(root))
	for _, s := range st.Services {
		fmt.Fprintf(&b, "  %s: {env: %s, kind: %s, port: %d}\n", s.Name, quoteYAML(s.Env), s.Kind, s.Port)
	}
	return []byte(b.String())
}

func quoteYAML(s string) string {
	b, _ := json.Marshal(s) // a JSON string is a YAML flow scalar
	return string(b)
}
