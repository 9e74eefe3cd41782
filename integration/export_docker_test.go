package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The compose export run for real (issue 24), on the engine scripts/export-e2e.sh starts: the
// stack of up's tests (classic notebook, kernel gateway, Voilà) and jdash's dashboards
// service, exported on a base image built here, each image built as docker-compose builds it
// (with the host's network: this engine has no NAT), then up: every service healthy, every
// endpoint refusing no token and another's, a kernel started through the notebook on the
// gateway in the gateway image's Python, a deployed notebook rendered, and down leaving no
// container, network or volume.
func TestExportOnDockerEngine(t *testing.T) {
	integration(t)
	base, docker := os.Getenv("JDASH_E2E_BASE_IMAGE"), os.Getenv("JDASH_E2E_DOCKER")
	if base == "" || docker == "" {
		t.Skip("run by scripts/export-e2e.sh (it starts the engine and builds the base image)")
	}
	const project = "jdashe2e"
	env := stackEnv(t)
	dir := filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "report.ipynb"), []byte(reportNotebook), 0o644)
	ports := map[string]int{"notebook": freePort(t), "gateway": freePort(t), "voila": freePort(t), "dashboards": freePort(t)}
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf(`root_dir: .
services:
  notebook:   {env: %s, kind: classic, port: %d}
  gateway:    {env: %s, kind: kernel_gateway, port: %d}
  voila:      {env: %s, kind: voila, port: %d}
  dashboards: {kind: dashboards, port: %d, render: voila, viewer_auth: token}
`, requireEnv(t, "classic"), ports["notebook"], requireEnv(t, "gateway"), ports["gateway"], requireEnv(t, "voila"), ports["voila"], ports["dashboards"])), 0o644)
	out := filepath.Join(t.TempDir(), "export")
	penv := append(env, "PIP_CERT=/etc/ssl/certs/ca-certificates.crt")
	if _, errs, code := jdashIn(t, penv, dir, "up", "--export", "compose", "-o", out, "--base-image", base); code != 0 {
		t.Fatalf("export: %d %s", code, errs)
	}
	run := func(name string, args ...string) (string, error) {
		c := exec.Command(name, args...)
		c.Dir = out
		c.Env = append(os.Environ(), "COMPOSE_PROJECT_NAME="+project)
		b, err := c.CombinedOutput()
		return string(b), err
	}
	// as docker-compose builds (context ., its Dockerfile, image <project>_<service>)
	for _, s := range []string{"notebook", "gateway", "voila", "dashboards"} {
		start := time.Now()
		if log, err := run(docker, "build", "--network", "host", "-q", "-f", s+"/Dockerfile", "-t", project+"_"+s, "."); err != nil {
			t.Fatalf("build %s: %v\n%s", s, err, tail(log, 30))
		}
		size, _ := run(docker, "image", "inspect", "-f", "{{.Size}}", project+"_"+s)
		t.Logf("built %s in %s (%s bytes)", s, time.Since(start).Round(time.Second), strings.TrimSpace(size))
	}
	t.Cleanup(func() { run("docker-compose", "down", "-v", "--remove-orphans") })
	start := time.Now()
	if log, err := run("docker-compose", "up", "-d", "--no-build"); err != nil {
		t.Fatalf("docker-compose up: %v\n%s", err, log)
	}
	waitFor(t, 5*time.Minute, "every service healthy", func() bool {
		o, _ := run(docker, "ps", "--filter", "label=com.docker.compose.project="+project, "--format", "{{.Names}} {{.Status}}")
		return strings.Count(o, "(healthy)") == 4
	})
	t.Logf("healthy in %s", time.Since(start).Round(time.Second))

	tokens := map[string]map[string]string{}
	for _, s := range []string{"notebook", "gateway", "voila", "dashboards"} {
		tokens[s] = map[string]string{}
		b, _ := os.ReadFile(filepath.Join(out, "secrets", s+".env"))
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			k, v, _ := strings.Cut(l, "=")
			tokens[s][k] = v
		}
	}
	own := map[string]string{"notebook": tokens["notebook"]["JUPYTER_TOKEN"], "gateway": tokens["gateway"]["KG_AUTH_TOKEN"],
		"voila": tokens["voila"]["VOILA_TOKEN"], "dashboards": tokens["dashboards"]["JDASH_DASHBOARDS_UPLOAD_TOKEN"]}
	paths := map[string]string{"notebook": "/api/kernels", "gateway": "/api/kernels", "voila": "/voila/api/contents", "dashboards": "/_api/notebooks"}
	for s, p := range paths {
		url := fmt.Sprintf("http://127.0.0.1:%d%s", ports[s], p)
		other := own["gateway"]
		if s == "gateway" {
			other = own["notebook"]
		}
		none, _ := get(t, url, "")
		if none/100 == 2 {
			t.Errorf("%s answers %d without a token", s, none)
		}
		wrong, _ := get(t, url, other)
		if wrong/100 == 2 {
			t.Errorf("%s answers %d to another service's token", s, wrong)
		}
		right, _ := get(t, url, own[s])
		if right != 200 {
			t.Errorf("%s answers %d to its own token", s, right)
		}
		t.Logf("%s: GET %s in its container: no token %d, another service's token %d, its own %d", s, p, none, wrong, right)
	}

	// a kernel started through the notebook runs on the gateway, in the gateway image's Python
	req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/api/kernels", ports["notebook"]), strings.NewReader(`{"name": "python3"}`))
	req.Header.Set("Authorization", "token "+own["notebook"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var kernel struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&kernel)
	resp.Body.Close()
	_, onGateway := get(t, fmt.Sprintf("http://127.0.0.1:%d/api/kernels", ports["gateway"]), own["gateway"])
	if kernel.ID == "" || !strings.Contains(onGateway, kernel.ID) {
		t.Errorf("the kernel %q started through the notebook is not in the gateway's /api/kernels: %s", kernel.ID, onGateway)
	}
	procs, _ := run("docker-compose", "exec", "-T", "gateway", "python", "-c",
		`import os; print("\n".join(open("/proc/%s/cmdline" % p).read().replace("\0", " ") for p in os.listdir("/proc") if p.isdigit()))`)
	if !strings.Contains(procs, "/opt/jdash-env/bin/python") || !strings.Contains(procs, "ipykernel_launcher") {
		t.Errorf("no kernel of the gateway image's Python in the gateway container:\n%s", procs)
	}
	for _, l := range strings.Split(procs, "\n") {
		if strings.Contains(l, "ipykernel_launcher") {
			t.Logf("kernel %s: in the gateway container: %s", kernel.ID, strings.TrimSpace(l))
		}
	}

	// a notebook deployed through the dashboards service renders
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "report.ipynb")
	fw.Write([]byte(reportNotebook))
	mw.Close()
	req, _ = http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/_api/notebooks/report", ports["dashboards"]), &body)
	req.Header.Set("Authorization", "token "+own["dashboards"])
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("deploy: %v %v", err, resp)
	}
	resp.Body.Close()
	br := newDriver(t)
	br.do("open the dashboard", 60*time.Second, chromedp.Navigate(fmt.Sprintf("http://127.0.0.1:%d/dashboards/report?token=%s", ports["dashboards"], tokens["dashboards"]["JDASH_DASHBOARDS_VIEWER_TOKEN"])))
	br.waitJS("the dashboard's output", `document.body.innerText.includes('jdash-dashboard-42')`, 120*time.Second)
	br.shot("export-docker-dashboard")

	if log, err := run("docker-compose", "down", "-v", "--remove-orphans"); err != nil {
		t.Fatalf("down: %v\n%s", err, log)
	}
	for _, what := range [][]string{{"ps", "-a"}, {"network", "ls"}, {"volume", "ls"}} {
		o, _ := run(docker, append(what, "-q", "--filter", "label=com.docker.compose.project="+project)...)
		if strings.TrimSpace(o) != "" {
			t.Errorf("docker %s after down: %s", strings.Join(what, " "), o)
		}
	}
	t.Logf("compose export on %s: healthy, tokens checked, kernel %s on the gateway, the dashboard rendered, nothing left after down", base, kernel.ID)
}
