package compose

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseErrorsNameFileAndLine(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"services:\n  nb: {env: e, kind: classic, prot: 1}\n", "jdash.yaml:2: service nb: unknown key \"prot\""},
		{"services:\n  nb:\n    env: e\n    kind: jupyter\n", "jdash.yaml:4: service nb: kind: unknown kind \"jupyter\""},
		{"services:\n  nb: {env: e, kind: classic, port: 99999}\n", "jdash.yaml:2: service nb: port: a port 1 to 65535, not \"99999\""},
		{"services:\n  nb: {env: e, kind: classic, port: 8888}\n  gw: {env: e, kind: kernel_gateway, port: 8888}\n", "service gw: port 8888 is also nb's"},
		{"services:\n  a: {env: e, kind: classic, depends_on: [b]}\n  b: {env: e, kind: voila, depends_on: [a]}\n", "jdash.yaml:2: depends_on has a cycle: a -> b -> a"},
		{"services:\n  a: {env: e, kind: classic, depends_on: [c]}\n", "depends_on \"c\", which is not a service here"},
		{"services:\n  a: {kind: classic}\n", "service a: no env"},
		{"services:\n  a: {env: e}\n", "service a: no kind"},
		{"services:\n  a: {env: e, kind: voila, kernels: local}\n", "kernels applies to notebook services only"},
		{"services:\n  d: {kind: dashboards_server}\n", "needs its command"},
		{"services:\n  a: {env: e, kind: classic, startup_timeout: soon}\n", "a duration (90s, 2m) or seconds"},
		{"services:\n  a: {env: e, kind: classic, environment: [A]}\n", "a mapping of variable names to values"},
		{"services: []\n", "services: a mapping of service names"},
		{"root_dir: [x]\nservices:\n  a: {env: e, kind: classic}\n", "jdash.yaml:1: root_dir: a directory"},
		{"services:\n  a b: {env: e, kind: classic}\n", "letters, digits, - and _ only"},
	}
	for _, c := range cases {
		_, err := Parse("/p/jdash.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
		}
	}
	if st, err := Parse("/p/jdash.yaml", []byte("workspace: [a]\n")); st != nil || err != nil {
		t.Errorf("a file without services is no stack: %v %v", st, err)
	}
}

// The minimal contract, exactly as written.
const contract = `root_dir: .                      # the notebooks
services:
  notebook:   {env: NB, kind: classic, port: 8888}       # classic | nbclassic | notebook7 | lab | auto
  gateway:    {env: KG, kind: kernel_gateway, port: 8889}
  dashboards: {env: VO, kind: voila, port: 8866}          # voila | dashboards_server (legacy Node, given its command)
`

func fakeEnvs(ref string) (EnvFacts, error) {
	v := map[string]map[string]string{
		"NB":  {"notebook": "6.5.7"},
		"NBU": {"notebook": "6.5.7", "jdash-nbconfig": "1"}, // set up by jdash: has uiconfig's module
		"N7":  {"notebook": "7.6.5", "jupyter-server": "2.14.0"},
		"KG":  {"jupyter-kernel-gateway": "3.0.1"},
		"VO":  {"voila": "0.5.13"},
		"ALL": {"notebook": "6.5.7", "jupyter-kernel-gateway": "3.0.1", "voila": "0.5.13"},
	}[ref]
	if v == nil {
		return EnvFacts{}, fmt.Errorf("no env %q", ref)
	}
	return EnvFacts{Prefix: "/envs/" + ref, Python: "/envs/" + ref + "/bin/python", Versions: v}, nil
}

func counter() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("tok%02d", n) }
}

func build(t *testing.T, yaml string) *Plan {
	t.Helper()
	st, err := Parse("/p/jdash.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	pl, err := Build(st, Options{Resolve: fakeEnvs, Token: counter(), StoreDir: "/state"})
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

func env(p *Proc, k string) string {
	for _, kv := range p.Set {
		if key, v, _ := strings.Cut(kv, "="); key == k {
			return v
		}
	}
	return ""
}

func TestPlanWiresTheContract(t *testing.T) {
	pl := build(t, contract)
	var order []string
	for _, p := range pl.Procs {
		order = append(order, p.Name)
	}
	if !slices.Equal(order, []string{"gateway", "notebook", "dashboards"}) {
		// the wiring's order: the notebook after its gateway (and stopped before it, so that
		// it shuts its kernels down on a gateway that still runs); the file's otherwise
		t.Errorf("order %v", order)
	}
	nb, gw, vo := pl.Proc("notebook"), pl.Proc("gateway"), pl.Proc("dashboards")
	if nb.Dir != "/p" || nb.Kind != "classic" || nb.Argv[0] != "/envs/NB/bin/python" || !slices.Contains(nb.Argv, "--NotebookApp.port_retries=0") ||
		!slices.Contains(nb.Argv, "--GatewayClient.url=http://127.0.0.1:8889") || !slices.Contains(nb.Argv, "--NotebookApp.notebook_dir=/p") {
		t.Errorf("notebook argv %v", nb.Argv)
	}
	if env(nb, "JUPYTER_GATEWAY_AUTH_TOKEN") != gw.Token || env(gw, "KG_AUTH_TOKEN") != gw.Token || env(nb, "JUPYTER_TOKEN") != nb.Token {
		t.Errorf("tokens not wired: nb %v gw %v", nb.Set, gw.Set)
	}
	if nb.Token == gw.Token || gw.Token == vo.Token || nb.Token == "" {
		t.Errorf("one token per link: %q %q %q", nb.Token, gw.Token, vo.Token)
	}
	if env(gw, "KG_LIST_KERNELS") != "True" || env(gw, "KG_ENV_PROCESS_WHITELIST") != MarkerVar || !slices.Contains(gw.Argv, "--KernelGatewayApp.port_retries=0") {
		t.Errorf("gateway %v %v", gw.Argv, gw.Set)
	}
	if len(vo.Files) != 1 || !strings.Contains(string(vo.Files[0].Data), vo.Token) || env(vo, "JUPYTER_CONFIG_PATH") != "/state/config/dashboards" ||
		!slices.Contains(vo.Argv, "--Voila.port_retries=0") {
		t.Errorf("voila %v %v %v", vo.Argv, vo.Set, vo.Files)
	}
	for _, p := range pl.Procs {
		for _, a := range p.Argv {
			if strings.Contains(a, "tok") {
				t.Errorf("%s: a token in argv: %v", p.Name, p.Argv)
			}
		}
		for _, m := range p.Masked() {
			if strings.Contains(m, "tok") {
				t.Errorf("%s: an unmasked token: %s", p.Name, m)
			}
		}
		if env(&p, "PYTHONUNBUFFERED") != "1" {
			t.Errorf("%s: Python output must be unbuffered", p.Name)
		}
	}
	if nb.Probe != (Probe{"/api/status", nb.Token}) || gw.Probe != (Probe{"/api", gw.Token}) || vo.Probe != (Probe{"/", vo.Token}) {
		t.Errorf("probes %+v %+v %+v", nb.Probe, gw.Probe, vo.Probe)
	}
	if nb.URL() != "http://127.0.0.1:8888/tree?token="+nb.Token {
		t.Errorf("url %s", nb.URL())
	}
}

func TestPlanKindsAndOptions(t *testing.T) {
	pl := build(t, "services:\n  nb: {env: N7, kind: auto, kernels: local, args: [--debug], environment: {X: y}, ready: /api}\n  gw: {env: KG, kind: kernel_gateway}\n")
	nb := pl.Proc("nb")
	if nb.Kind != "notebook7" || !slices.Contains(nb.Argv, "--ServerApp.port_retries=0") || !slices.Contains(nb.Argv, "--ServerApp.root_dir=/p") ||
		nb.Argv[len(nb.Argv)-1] != "--debug" || env(nb, "X") != "y" || nb.Probe.Path != "/api" || nb.Port != 8888 {
		t.Errorf("auto notebook 7: %+v", nb)
	}
	if env(nb, "JUPYTER_GATEWAY_AUTH_TOKEN") != "" || slices.ContainsFunc(nb.Argv, func(a string) bool { return strings.HasPrefix(a, "--GatewayClient") }) {
		t.Errorf("kernels: local still wired to the gateway: %v %v", nb.Argv, nb.Set)
	}
	if pl.Proc("gw").Port != 8889 {
		t.Errorf("default gateway port %d", pl.Proc("gw").Port)
	}
	// default ports do not collide with given ones
	pl = build(t, "services:\n  a: {env: NB, kind: classic, port: 8889}\n  gw: {env: KG, kind: kernel_gateway}\n")
	if pl.Proc("gw").Port != 8890 {
		t.Errorf("gateway took %d", pl.Proc("gw").Port)
	}
	// the legacy dashboards server: its command, the upload token to the notebook
	pl = build(t, "services:\n  nb: {env: NB, kind: classic}\n  ds: {kind: dashboards_server, command: [jupyter-dashboards-server], port: 3000}\n")
	nb, ds := pl.Proc("nb"), pl.Proc("ds")
	if env(nb, "DASHBOARD_SERVER_URL") != "http://127.0.0.1:3000/" || env(nb, "DASHBOARD_SERVER_AUTH_TOKEN") != env(ds, "AUTH_TOKEN") || env(ds, "AUTH_TOKEN") == "" {
		t.Errorf("bundler wiring: %v / %v", nb.Set, ds.Set)
	}
	// an env without the kind's package: pre-flight names the fix
	pl = build(t, "services:\n  nb: {env: KG, kind: classic}\n")
	k := KindOf(pl.Proc("nb").Kind)
	if _, fix := k.Needs(EnvFacts{Prefix: "/KG"}); k.Satisfied(map[string]string{"jupyter-kernel-gateway": "3.0.1"}) || !strings.Contains(fix, "jdash setup --profile classic") {
		t.Errorf("classic on a gateway env: %+v", k)
	}
}

func TestPlanRefusesAnOpenServiceWithoutAToken(t *testing.T) {
	if !(Proc{IP: "0.0.0.0"}).openWithoutToken() || (Proc{IP: "0.0.0.0", Token: "t"}).openWithoutToken() || (Proc{IP: "127.0.0.1"}).openWithoutToken() {
		t.Error("openWithoutToken")
	}
	// beyond loopback, viewing the dashboards needs a token unless viewer_auth says password
	pl := build(t, "services:\n  nb: {env: NB, kind: classic}\n  v: {env: VO, kind: voila}\n  d: {kind: dashboards, render: v, ip: 0.0.0.0}\n")
	if d := pl.Proc("d"); env(d, "JDASH_DASHBOARDS_UPLOAD_TOKEN") == "" || d.Token == "" || env(d, "JDASH_DASHBOARDS_VIEWER_TOKEN") != d.Token ||
		!slices.Contains(d.SecretVars, "JDASH_DASHBOARDS_VIEWER_TOKEN") || !strings.HasSuffix(d.URL(), "/?token="+d.Token) {
		t.Errorf("dashboards beyond loopback: %+v", d)
	}
}

// viewer_auth: token by default (as Jupyter's own servers, loopback or not), none only on
// loopback and only when asked; a password comes from the variable password_env names, and
// must be set. hosts, kernel_idle_timeout and max_kernels reach the service.
func TestViewerAuth(t *testing.T) {
	const head = "services:\n  v: {env: VO, kind: voila}\n  d: {kind: dashboards, render: v"
	if d := build(t, head+"}\n").Proc("d"); d.Token == "" || env(d, "JDASH_DASHBOARDS_VIEWER_TOKEN") != d.Token || d.Probe.Token == "" {
		t.Errorf("loopback default: %+v", d)
	}
	if d := build(t, head+", viewer_auth: none}\n").Proc("d"); d.Token != "" || env(d, "JDASH_DASHBOARDS_VIEWER_TOKEN") != "" {
		t.Errorf("none on loopback: %+v", d)
	}
	d := build(t, head+", hosts: [dash.example.com, 10.0.0.5], allow_origins: [\"https://portal.example\"], kernel_idle_timeout: 5m, max_kernels: 3}\n").Proc("d")
	if env(d, "JDASH_DASHBOARDS_HOSTS") != "dash.example.com,10.0.0.5" || env(d, "JDASH_DASHBOARDS_ALLOW_ORIGINS") != "https://portal.example" || env(d, "JDASH_DASHBOARDS_KERNEL_IDLE") != "5m0s" || env(d, "JDASH_DASHBOARDS_MAX_KERNELS") != "3" {
		t.Errorf("culling and hosts: %v", d.Set)
	}
	for _, bad := range []struct{ yaml, want string }{
		{head + ", ip: 0.0.0.0, viewer_auth: none}\n", "jdash.yaml:3: service d: viewer_auth none with ip 0.0.0.0"},
		{head + ", viewer_auth: password}\n", "viewer_auth password takes password_env"},
		{head + ", password_env: PW}\n", "password_env applies to it only"},
		{head + ", viewer_auth: yes}\n", "viewer_auth"},
		{head + ", max_kernels: 0}\n", "jdash.yaml:3: service d: max_kernels: a number above 0, not \"0\""},
		{head + ", kernel_idle_timeout: soon}\n", "kernel_idle_timeout: a duration"},
		{head + ", hosts: [\"http://x/\"]}\n", "hosts: host names"},
		{head + ", allow_origins: [\"https://portal.example/app\"]}\n", "allow_origins: origins"},
		{head + ", allow_origins: [\"*\"]}\n", "allow_origins: origins"},
		{"services:\n  v: {env: VO, kind: voila, max_kernels: 3}\n", "apply to kind dashboards only"},
		{"services:\n  v: {env: VO, kind: voila, viewer_auth: token}\n", "apply to kind dashboards only"},
	} {
		if _, err := Parse("/p/jdash.yaml", []byte(bad.yaml)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want %q", bad.yaml, err, bad.want)
		}
	}
	st, err := Parse("/p/jdash.yaml", []byte(head+", viewer_auth: password, password_env: DASH_PW}\n"))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Resolve: fakeEnvs, Token: counter(), StoreDir: "/state", Getenv: func(k string) string { return map[string]string{"DASH_PW": "s3cret"}[k] }}
	pl, err := Build(st, opts)
	if d := pl.Proc("d"); err != nil || env(d, "JDASH_DASHBOARDS_VIEWER_PASSWORD") != "s3cret" || !slices.Contains(d.SecretVars, "JDASH_DASHBOARDS_VIEWER_PASSWORD") {
		t.Errorf("password: %v %+v", err, d)
	}
	opts.Getenv = func(string) string { return "" }
	if _, err := Build(st, opts); err == nil || !strings.Contains(err.Error(), "password_env DASH_PW is not set") {
		t.Errorf("an unset password variable: %v", err)
	}
}

// The dashboards contract, exactly as written.
const dashContract = `root_dir: .
services:
  notebook:   {env: NB, kind: classic, port: 8888}
  voila:      {env: VO, kind: voila, port: 8866}
  dashboards: {kind: dashboards, port: 3000, render: voila}
`

func TestPlanWiresTheDashboards(t *testing.T) {
	pl := build(t, dashContract)
	nb, vo, d := pl.Proc("notebook"), pl.Proc("voila"), pl.Proc("dashboards")
	if d.Argv[0] != Self || d.Argv[1] != "__dashboards" || d.Port != 3000 || d.URL() != "http://127.0.0.1:3000/?token="+d.Token || d.Probe.Path != "/" {
		t.Errorf("dashboards: %+v", d)
	}
	if env(d, "JDASH_DASHBOARDS_VOILA_TOKEN") != vo.Token || env(d, "JDASH_DASHBOARDS_VOILA_URL") != "http://127.0.0.1:8866" ||
		env(d, "JDASH_DASHBOARDS_ROOT") != "/p/dashboards" || env(d, "JDASH_DASHBOARDS_ROOT_REL") != "dashboards" {
		t.Errorf("dashboards wiring: %v", d.Set)
	}
	if env(nb, "DASHBOARD_SERVER_URL") != "http://127.0.0.1:3000/" || env(nb, "DASHBOARD_REDIRECT_URL") != "http://127.0.0.1:3000/" ||
		env(nb, "DASHBOARD_SERVER_AUTH_TOKEN") != env(d, "JDASH_DASHBOARDS_UPLOAD_TOKEN") {
		t.Errorf("the bundlers' wiring: %v / %v", nb.Set, d.Set)
	}
	for _, bad := range []struct{ yaml, want string }{
		{"services:\n  d: {kind: dashboards}\n", "needs render"},
		{"services:\n  d: {kind: dashboards, render: nb}\n  nb: {env: NB, kind: classic}\n", "render \"nb\" is not a voila service"},
		{"services:\n  d: {kind: dashboards, render: v, env: X}\n  v: {env: VO, kind: voila}\n", "served by jdash itself"},
		{"services:\n  d: {kind: dashboards, render: v, root: ../out}\n  v: {env: VO, kind: voila}\n", "a dir inside root_dir"},
		{"services:\n  v: {env: VO, kind: voila, render: v}\n", "apply to kind dashboards only"},
	} {
		if _, err := Parse("/p/jdash.yaml", []byte(bad.yaml)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want %q", bad.yaml, err, bad.want)
		}
	}
}

func TestDefaultAndWriteConfig(t *testing.T) {
	e, _ := fakeEnvs("ALL")
	st, err := Default(e, "/p", "")
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("/p/jdash.yaml", st.YAML())
	if err != nil {
		t.Fatalf("the written config does not parse: %v\n%s", err, st.YAML())
	}
	var got []string
	for _, s := range back.Services {
		got = append(got, fmt.Sprintf("%s:%s:%d", s.Name, s.Kind, s.Port))
	}
	if !slices.Equal(got, []string{"notebook:classic:8888", "gateway:kernel_gateway:8889", "dashboards:voila:8866"}) || back.RootDir != "/p" {
		t.Errorf("default stack %v (%s)", got, back.RootDir)
	}
	only, _ := fakeEnvs("NB")
	if st, _ := Default(only, "/p", ""); len(st.Services) != 1 {
		t.Errorf("an env with only notebook gets %d services", len(st.Services))
	}
	if _, err := Default(EnvFacts{Prefix: "/e", Versions: map[string]string{}}, "/p", ""); err == nil {
		t.Error("an env without a server has no default stack")
	}
	// the profile jdash set the env up with picks its server: the nbclassic route's env has
	// notebook 7 too, whose /tree lacks the classic extensions
	nb7 := EnvFacts{Prefix: "/e", Versions: map[string]string{"notebook": "7.6.5", "nbclassic": "1.3.3"}}
	for profile, want := range map[string]string{"nbclassic": "nbclassic", "": "notebook7", "modern": "notebook7", "classic": "notebook7"} {
		if st, err := Default(nb7, "/p", profile); err != nil || st.Services[0].Kind != want {
			t.Errorf("profile %q: %v %v, want kind %s", profile, st, err, want)
		}
	}
	if pl, err := Build(mustDefault(t, nb7, "nbclassic"), Options{Resolve: func(string) (EnvFacts, error) { return nb7, nil }, Token: counter()}); err != nil || pl.Procs[0].URLPath != "/nbclassic/tree" {
		t.Errorf("the nbclassic default opens %v (%v)", pl, err)
	} else if !slices.Contains(pl.Procs[0].Argv, "--NotebookApp.open_browser=False") {
		// nbclassic's extension app reads its own open_browser: without it, up -d opens a browser
		t.Errorf("nbclassic may open a browser: %v", pl.Procs[0].Argv)
	}
}

func mustDefault(t *testing.T, e EnvFacts, profile string) *Stack {
	t.Helper()
	st, err := Default(e, "/p", profile)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestPlanRoundTrip(t *testing.T) {
	pl := build(t, contract)
	data, err := pl.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalPlan(data)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pl.Procs {
		q := back.Procs[i]
		if q.Token != p.Token || q.Probe != p.Probe || !slices.Equal(q.Set, p.Set) || !slices.Equal(q.Argv, p.Argv) || len(q.Files) != len(p.Files) {
			t.Errorf("%s: %+v != %+v", p.Name, q, p)
		}
	}
}

func TestServerTraitsSpellPython(t *testing.T) {
	var flags []string
	for _, tr := range ServerTraits("ServerApp", "127.0.0.1", 8888, "http://127.0.0.1:8889") {
		flags = append(flags, tr.Flag())
	}
	want := []string{"--ServerApp.ip=127.0.0.1", "--ServerApp.port=8888", "--ServerApp.port_retries=0", "--ServerApp.open_browser=False", "--GatewayClient.url=http://127.0.0.1:8889"}
	if !slices.Equal(flags, want) {
		t.Errorf("%v", flags)
	}
}

func TestRemoteGateway(t *testing.T) {
	st, err := Parse("/p/jdash.yaml", []byte("services:\n  notebook: {env: NB, kind: classic}\n  gateway: {url: https://gw.example.org:8888/, token_env: GW_TOKEN}\n"))
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return map[string]string{"GW_TOKEN": "remote-secret"}[k] }
	pl, err := Build(st, Options{Resolve: fakeEnvs, Token: counter(), Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	nb, gw := pl.Proc("notebook"), pl.Proc("gateway")
	if gw.Remote != "https://gw.example.org:8888" || gw.Argv != nil || gw.Probe != (Probe{"/api/kernelspecs", "remote-secret"}) || gw.URL() != gw.Remote {
		t.Errorf("remote gateway: %+v", gw)
	}
	if !slices.Contains(nb.Argv, "--GatewayClient.url=https://gw.example.org:8888") || env(nb, "JUPYTER_GATEWAY_AUTH_TOKEN") != "remote-secret" {
		t.Errorf("the notebook is not wired to the remote: %v %v", nb.Argv, nb.Set)
	}
	if w := pl.InTheClear(); len(w) != 0 {
		t.Errorf("an https gateway and a loopback notebook are in the clear: %q", w)
	}
	st.Services[1].URL = "http://gw.example.org:8888"
	if pl, _ := Build(st, Options{Resolve: fakeEnvs, Token: counter(), Getenv: getenv}); len(pl.InTheClear()) != 1 || !strings.Contains(pl.InTheClear()[0], "the gateway at http://gw.example.org:8888 is plain HTTP") {
		t.Errorf("an http gateway elsewhere: %q", pl.InTheClear())
	}
	if _, err := Build(st, Options{Resolve: fakeEnvs, Token: counter(), Getenv: func(string) string { return "" }}); err == nil || !strings.Contains(err.Error(), "token_env GW_TOKEN is not set") {
		t.Errorf("unset token_env: %v", err)
	}
	for _, bad := range []struct{ yaml, want string }{
		{"services:\n  g: {url: https://x, token_env: T, env: E}\n", "a remote gateway is {url, token_env}"},
		{"services:\n  g: {url: https://x}\n", "a remote gateway is {url, token_env}"},
		{"services:\n  g: {url: \"https://u:p@x\", token_env: T}\n", "carries credentials"},
		{"services:\n  g: {url: ftp://x, token_env: T}\n", "an http:// or https:// URL"},
	} {
		if _, err := Parse("/p/jdash.yaml", []byte(bad.yaml)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want %q", bad.yaml, err, bad.want)
		}
	}
}

// token_env on a gateway jdash starts: the token is the variable's on every up, so the
// stack of another host that was given it keeps working.
func TestTokenEnvOnAStartedService(t *testing.T) {
	st, err := Parse("/p/jdash.yaml", []byte("services:\n  notebook: {env: NB, kind: classic}\n  gateway: {env: KG, kind: kernel_gateway, ip: 192.0.2.2, token_env: SHARED}\n"))
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return map[string]string{"SHARED": "shared-secret"}[k] }
	pl, err := Build(st, Options{Resolve: fakeEnvs, Token: counter(), Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	nb, gw := pl.Proc("notebook"), pl.Proc("gateway")
	if gw.Remote != "" || env(gw, "KG_AUTH_TOKEN") != "shared-secret" || gw.Probe.Token != "shared-secret" || env(nb, "JUPYTER_GATEWAY_AUTH_TOKEN") != "shared-secret" {
		t.Errorf("the gateway's token is not the variable's: %v / %v", gw.Set, nb.Set)
	}
	if nb.Token == "shared-secret" {
		t.Error("the notebook got the gateway's token as its own")
	}
	if w := pl.InTheClear(); len(w) != 1 || !strings.Contains(w[0], "service gateway listens on 192.0.2.2 over plain HTTP") {
		t.Errorf("in the clear: %q", w)
	}
	if _, err := Build(st, Options{Resolve: fakeEnvs, Token: counter(), Getenv: func(string) string { return "" }}); err == nil || !strings.Contains(err.Error(), "service gateway: token_env SHARED is not set") {
		t.Errorf("unset token_env: %v", err)
	}
	if _, err := Parse("/p/jdash.yaml", []byte("services:\n  v: {env: VO, kind: voila}\n  d: {kind: dashboards, render: v, token_env: T}\n")); err == nil || !strings.Contains(err.Error(), "kind dashboards has no token for token_env to set") {
		t.Errorf("token_env on dashboards: %v", err)
	}
}

func TestEnterpriseGatewayKind(t *testing.T) {
	eg := func(ref string) (EnvFacts, error) {
		if ref == "EG" {
			return EnvFacts{Prefix: "/envs/EG", Python: "/envs/EG/bin/python", Versions: map[string]string{"jupyter-enterprise-gateway": "3.3.0"}}, nil
		}
		return fakeEnvs(ref)
	}
	st, err := Parse("/p/jdash.yaml", []byte("services:\n  notebook: {env: N7, kind: notebook7}\n  gateway: {env: EG, kind: enterprise_gateway}\n"))
	if err != nil {
		t.Fatal(err)
	}
	pl, err := Build(st, Options{Resolve: eg, Token: counter()})
	if err != nil {
		t.Fatal(err)
	}
	nb, gw := pl.Proc("notebook"), pl.Proc("gateway")
	if !slices.Contains(gw.Argv, "--EnterpriseGatewayApp.port_retries=0") || env(gw, "EG_AUTH_TOKEN") != gw.Token || env(gw, "EG_INHERITED_ENVS") != MarkerVar ||
		gw.Port != 8889 || !KindOf(gw.Kind).Satisfied(map[string]string{"jupyter-enterprise-gateway": "3.3.0"}) {
		t.Errorf("enterprise gateway: %+v", gw)
	}
	if env(nb, "JUPYTER_GATEWAY_AUTH_TOKEN") != gw.Token || !slices.Contains(nb.Argv, "--GatewayClient.url=http://127.0.0.1:8889") {
		t.Errorf("notebook not wired to EG: %v", nb.Set)
	}
}

func TestExportCompose(t *testing.T) {
	envs := map[string]ExportEnv{
		"/envs/NB": {PythonVersion: "3.11.7", Pins: []string{"notebook==6.5.7", "tornado==6.4.2"}, Profile: "classic"},
		"/envs/KG": {PythonVersion: "3.11.7", Pins: []string{"jupyter_kernel_gateway==3.0.1"}},
		"/envs/VO": {PythonVersion: "3.11.7", Pins: []string{"voila==0.5.13"}},
	}
	a, b := ExportCompose(build(t, contract), envs, ImageBuild{}), ExportCompose(build(t, contract), envs, ImageBuild{})
	for name, data := range a.Files {
		if a.Secret[name] {
			if !strings.HasPrefix(name, "secrets/") {
				t.Errorf("secret file outside secrets/: %s", name)
			}
			continue
		}
		if !bytes.Equal(data, b.Files[name]) {
			t.Errorf("%s differs between two exports of one stack", name)
		}
		if strings.Contains(string(data), "tok0") || strings.Contains(string(data), "tok1") {
			t.Errorf("a token in %s", name)
		}
	}
	cy := string(a.Files["compose.yaml"])
	for _, want := range []string{"--GatewayClient.url=http://gateway:8889", "--NotebookApp.notebook_dir=/notebooks", "- /p:/notebooks", "127.0.0.1:8888:8888",
		"secrets/notebook.env", "start_period: 60s", "os.environ[''JUPYTER_TOKEN'']"} {
		if !strings.Contains(cy, want) {
			t.Errorf("compose.yaml lacks %q:\n%s", want, cy)
		}
	}
	if nb := string(a.Files["notebook/Dockerfile"]); !strings.Contains(nb, "FROM python:3.11.7-slim") || !strings.Contains(nb, "    notebook==6.5.7 \\\n    tornado==6.4.2\n") ||
		!strings.Contains(nb, "RUN jdash setup --sys-prefix --profile classic --env /usr/local") {
		t.Errorf("notebook Dockerfile:\n%s", nb)
	}
	if s := string(a.Files["secrets/notebook.env"]); !strings.Contains(s, "JUPYTER_TOKEN=tok") || !strings.Contains(s, "JUPYTER_GATEWAY_AUTH_TOKEN=tok") {
		t.Errorf("notebook secrets: %q", s)
	}
}

func TestExportKubernetesAndNotes(t *testing.T) {
	envs := map[string]ExportEnv{"/envs/NB": {PythonVersion: "3.11.7", Pins: []string{"notebook==6.5.7"}},
		"/envs/KG": {PythonVersion: "3.11.7"}, "/envs/VO": {PythonVersion: "3.11.7"}}
	a, b := ExportKubernetes(build(t, contract), envs, false, ImageBuild{}), ExportKubernetes(build(t, contract), envs, false, ImageBuild{})
	for name, data := range a.Files {
		if a.Secret[name] {
			continue
		}
		if !bytes.Equal(data, b.Files[name]) || strings.Contains(string(data), "tok0") {
			t.Errorf("%s: not stable, or holds a token", name)
		}
	}
	nb := string(a.Files["notebook.yaml"])
	for _, want := range []string{"kind: Deployment", "readinessProbe:", "livenessProbe:", "secretRef:", "name: notebook-tokens", "claimName: notebooks", "kind: Service"} {
		if !strings.Contains(nb, want) {
			t.Errorf("notebook.yaml lacks %q:\n%s", want, nb)
		}
	}
	if !strings.Contains(string(a.Files["secrets/notebook-tokens.yaml"]), "JUPYTER_TOKEN: tok") {
		t.Errorf("the notebook's Secret:\n%s", a.Files["secrets/notebook-tokens.yaml"])
	}
	// a host path outside the notebooks dir is named, a local-only service too
	pl := build(t, "services:\n  nb: {env: NB, kind: classic, args: [--NotebookApp.extra_static_paths=/opt/static]}\n  ds: {kind: dashboards_server, command: [node, server.js]}\n")
	notes := strings.Join(ExportCompose(pl, envs, ImageBuild{}).Notes, "\n")
	if !strings.Contains(notes, "nb refers to /opt/static, a path of this host") || !strings.Contains(notes, "ds runs a command of this host") {
		t.Errorf("notes:\n%s", notes)
	}
}

// Every notebook server jdash up starts saves the UI's config at its env's level: the
// manager class on the command line, and the module from the state dir where the env lacks it.
func TestPlanKeepsUIWritesInTheEnv(t *testing.T) {
	pl := build(t, "services:\n  a: {env: NB, kind: classic}\n  b: {env: NBU, kind: classic}\n  c: {env: N7, kind: notebook7}\n")
	a, b, c := pl.Proc("a"), pl.Proc("b"), pl.Proc("c")
	if !slices.Contains(a.Argv, "--NotebookApp.config_manager_class=jdash_nbconfig.NotebookConfigManager") ||
		!slices.Contains(c.Argv, "--ServerApp.config_manager_class=jdash_nbconfig.ServerConfigManager") {
		t.Errorf("argv: %v / %v", a.Argv, c.Argv)
	}
	if env(a, "PYTHONPATH") != "/state/python/a" || len(a.Files) != 1 || a.Files[0].Path != "/state/python/a/jdash_nbconfig.py" || !strings.Contains(string(a.Files[0].Data), "ServerConfigManager") {
		t.Errorf("an env jdash has not set up gets the module from the state dir: %v %v", a.Set, a.Files)
	}
	if env(b, "PYTHONPATH") != "" || len(b.Files) != 0 || !slices.Contains(b.Argv, "--NotebookApp.config_manager_class=jdash_nbconfig.NotebookConfigManager") {
		t.Errorf("a set-up env uses its own module: %v %v %v", b.Argv, b.Set, b.Files)
	}
	// a container is an env of its own: the export drops both
	ex := ExportCompose(pl, map[string]ExportEnv{"a": {PythonVersion: "3.11.7"}, "b": {PythonVersion: "3.11.7"}, "c": {PythonVersion: "3.11.7"}}, ImageBuild{})
	if y := string(ex.Files["compose.yaml"]); strings.Contains(y, "config_manager_class") || strings.Contains(y, "PYTHONPATH") {
		t.Errorf("the export carries uiconfig's host wiring:\n%s", y)
	}
}

// An export goes into an empty dir or a previous export (again and again), never over the
// user's files unless forced; a file the new export no longer has goes; ./jdash comes along
// whenever an image copies it (Compose and Kubernetes alike).
func TestExportWrite(t *testing.T) {
	pl := build(t, dashContract)
	envs := map[string]ExportEnv{"/envs/nb": {PythonVersion: "3.11.7"}, "/envs/vo": {PythonVersion: "3.11.7"}}
	self := filepath.Join(t.TempDir(), "jdash")
	os.WriteFile(self, bytes.Repeat([]byte{0x7f}, 20<<20), 0o755) // larger than a metadata read
	for _, ex := range []*Export{ExportCompose(pl, envs, ImageBuild{}), ExportKubernetes(pl, envs, false, ImageBuild{})} {
		if !ex.Self {
			t.Errorf("the dashboards image copies jdash, Self is false")
		}
		dir := t.TempDir()
		for range 2 {
			if _, err := ex.Write(dir, false, self); err != nil {
				t.Fatalf("export (again): %v", err)
			}
		}
		if fi, err := os.Stat(filepath.Join(dir, "jdash")); err != nil || fi.Size() != 20<<20 || fi.Mode().Perm()&0o100 == 0 {
			t.Errorf("./jdash: %v %v", fi, err)
		}
		os.WriteFile(filepath.Join(dir, Manifest), append(mustRead(t, filepath.Join(dir, Manifest)), []byte("stale.txt\n../outside\n")...), 0o644)
		os.WriteFile(filepath.Join(dir, "stale.txt"), []byte("x"), 0o644)
		if _, err := ex.Write(dir, false, self); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "stale.txt")); err == nil {
			t.Error("a file of the previous export that this one lacks is still there")
		}
	}
	user := t.TempDir()
	os.WriteFile(filepath.Join(user, "compose.yaml"), []byte("mine\n"), 0o644)
	ex := ExportCompose(pl, envs, ImageBuild{})
	if _, err := ex.Write(user, false, self); err == nil || !strings.Contains(err.Error(), "is not a jdash export") {
		t.Errorf("into the user's dir: %v", err)
	}
	if b := mustRead(t, filepath.Join(user, "compose.yaml")); string(b) != "mine\n" {
		t.Errorf("the user's compose.yaml was changed: %q", b)
	}
	if _, err := ex.Write(user, true, self); err != nil {
		t.Errorf("--force: %v", err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A service that sends another its token starts once the other is ready (its probe proved
// the port is its own): the notebook after its gateway, the dashboards after Voilà; a remote
// gateway is probed before anything starts instead; a depends_on against that is a cycle.
func TestWiringOrdersTheStart(t *testing.T) {
	pl := build(t, "services:\n  nb: {env: NB, kind: classic}\n  gw: {env: KG, kind: kernel_gateway}\n  v: {env: VO, kind: voila}\n  d: {kind: dashboards, render: v}\n")
	if !slices.Contains(pl.Proc("nb").DependsOn, "gw") || !slices.Contains(pl.Proc("d").DependsOn, "v") || len(pl.Proc("gw").DependsOn) != 0 {
		t.Errorf("depends: nb %v, d %v, gw %v", pl.Proc("nb").DependsOn, pl.Proc("d").DependsOn, pl.Proc("gw").DependsOn)
	}
	if nb := build(t, "services:\n  nb: {env: NB, kind: classic, kernels: local}\n  gw: {env: KG, kind: kernel_gateway}\n").Proc("nb"); len(nb.DependsOn) != 0 {
		t.Errorf("local kernels: %v", nb.DependsOn)
	}
	st, err := Parse("/p/jdash.yaml", []byte("services:\n  nb: {env: NB, kind: classic}\n  gw: {env: KG, kind: kernel_gateway, depends_on: [nb]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(st, Options{Resolve: fakeEnvs, Token: counter(), StoreDir: "/state"}); err == nil || !strings.Contains(err.Error(), "jdash.yaml:2: depends_on has a cycle: nb -> gw -> nb (with what the wiring adds") {
		t.Errorf("a gateway after its notebook: %v", err)
	}
}

// A gateway serving a notebook of another env runs python3 where the notebook's packages are
// (the notebook's env, when it has ipykernel), and the plan says where each service's kernels
// run; a notebook env without ipykernel leaves the gateway's own.
func TestGatewayRunsTheNotebooksKernels(t *testing.T) {
	envs := func(ref string) (EnvFacts, error) {
		ref = strings.TrimPrefix(ref, "/envs/") // a prefix resolves as its name
		f, err := fakeEnvs(strings.TrimSuffix(ref, "+ipk"))
		if strings.HasSuffix(ref, "+ipk") {
			f.Prefix += "+ipk"
			f.Versions = map[string]string{"notebook": "6.5.7", "ipykernel": "6.29.5", "ipywidgets": "7.8.5"}
		}
		return f, err
	}
	plan := func(nbEnv, extra string) (*Plan, []KernelSet) {
		st, err := Parse("/p/jdash.yaml", []byte("services:\n  nb: {env: "+nbEnv+", kind: classic}\n  gw: {env: KG, kind: kernel_gateway"+extra+"}\n  vo: {env: VO, kind: voila}\n"))
		if err != nil {
			t.Fatal(err)
		}
		var asked []KernelSet
		pl, err := Build(st, Options{Resolve: envs, Token: counter(), StoreDir: "/state",
			Kernels: func(server EnvFacts, set KernelSet, dir string) ([]File, error) {
				asked = append(asked, set)
				return []File{{Path: filepath.Join(dir, "python3", "kernel.json")}}, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		return pl, asked
	}

	pl, asked := plan("NB+ipk", "")
	gw, nb, vo := pl.Proc("gw"), pl.Proc("nb"), pl.Proc("vo")
	if len(asked) != 2 || asked[0].Python3 != "/envs/NB+ipk" || asked[1].Python3 != "/envs/NB+ipk" {
		t.Fatalf("the gateway and Voilà are not asked for the notebook env's python3: %+v", asked)
	}
	if env(gw, "JUPYTER_PATH") != "/state/kernels/gw" || len(gw.Files) != 1 {
		t.Errorf("the gateway's kernelspecs are not on its path: %v %v", gw.Set, gw.Files)
	}
	if gw.KernelsIn != "/envs/NB+ipk" || nb.KernelsIn != "/envs/NB+ipk" || nb.KernelsOn != "gw" {
		t.Errorf("kernels: gw in %q, nb in %q on %q", gw.KernelsIn, nb.KernelsIn, nb.KernelsOn)
	}
	if got := nb.KernelsWhere(); got != "/envs/NB+ipk (on gateway gw)" {
		t.Errorf("nb's kernels: %q", got)
	}
	if vo.KernelsIn != "/envs/NB+ipk" {
		t.Errorf("voila's kernels run in %q, not the notebook's env", vo.KernelsIn)
	}

	// Voilà runs the notebooks in the env they are written in, with the widget manager of
	// its ipywidgets 7; the dashboards service says where
	pl2, asked2 := plan("NB+ipk", "}\n  dash: {kind: dashboards, render: vo")
	if len(asked2) != 2 || asked2[1].Python3 != "/envs/NB+ipk" {
		t.Errorf("voila is not asked for the notebook env's python3: %+v", asked2)
	}
	if vo := pl2.Proc("vo"); vo.KernelsIn != "/envs/NB+ipk" || !slices.ContainsFunc(vo.Files, func(f File) bool {
		return strings.HasSuffix(f.Path, "labextensions/@jupyter-widgets/jupyterlab-manager/package.json")
	}) {
		t.Errorf("voila: kernels in %q, files %v", vo.KernelsIn, vo.Files)
	}
	if d := pl2.Proc("dash"); env(d, "JDASH_DASHBOARDS_KERNELS_IN") != "/envs/NB+ipk" {
		t.Errorf("the dashboards service is not told where they run: %v", d.Set)
	}

	// kernel_envs adds to it
	if _, asked := plan("NB+ipk", ", kernel_envs: [N7]"); len(asked) != 2 || asked[0].Python3 != "/envs/NB+ipk" || !slices.Equal(asked[0].Refs, []string{"N7"}) {
		t.Errorf("kernel_envs with the notebook's python3: %+v", asked)
	}

	// no ipykernel in the notebook's env: the gateway keeps its own python3, and says so
	pl, asked = plan("NB", "")
	if len(asked) != 0 || pl.Proc("gw").KernelsIn != "/envs/KG" || pl.Proc("nb").KernelsIn != "/envs/KG" {
		t.Errorf("without ipykernel: asked %+v, gw in %q, nb in %q", asked, pl.Proc("gw").KernelsIn, pl.Proc("nb").KernelsIn)
	}
}
