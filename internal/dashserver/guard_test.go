package dashserver

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordingVoila is a fake Voilà that starts a "kernel" per render, reflects any Origin
// into CORS headers (as the real one does for a token-authenticated request), and records
// what reached it.
type recordingVoila struct {
	*httptest.Server
	mu      sync.Mutex
	renders int
	seen    []string // method path origin
	deleted []string
}

func newRecordingVoila(t *testing.T) *recordingVoila {
	v := &recordingVoila{}
	v.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v.mu.Lock()
		v.seen = append(v.seen, r.Method+" "+r.URL.Path+" origin="+r.Header.Get("Origin"))
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
		switch {
		case strings.HasPrefix(r.URL.Path, "/voila/render/"):
			v.renders++
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<script>{"kernelId": "00000000-0000-4000-8000-%012d"}</script>`, v.renders)
		case r.Method == "DELETE" && strings.HasPrefix(r.URL.Path, "/api/kernels/"):
			v.deleted = append(v.deleted, strings.TrimPrefix(r.URL.Path, "/api/kernels/"))
			w.WriteHeader(204)
		default:
			fmt.Fprintf(w, "voila %s", r.URL.Path)
		}
		v.mu.Unlock()
	}))
	t.Cleanup(v.Close)
	return v
}

func (v *recordingVoila) counts() (renders int, seen []string, deleted []string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.renders, append([]string(nil), v.seen...), append([]string(nil), v.deleted...)
}

func guardedServer(t *testing.T, c Config) (*Server, *httptest.Server, *recordingVoila) {
	v := newRecordingVoila(t)
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "x.ipynb"), []byte(nb), 0o644)
	os.WriteFile(filepath.Join(root, "y.ipynb"), []byte(nb), 0o644)
	c.Root, c.RootRel, c.UploadToken, c.VoilaURL, c.VoilaToken = root, "d", "up", v.URL, "voila-secret"
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv, v
}

// What a page of another site (or a rebound DNS name) gets: nothing it can read or open.
func TestForeignRequestsAreRefused(t *testing.T) {
	_, srv, v := guardedServer(t, Config{})
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	browse(t, browser, srv.URL+"/dashboards/x") // a page session with a kernel
	for _, c := range []struct {
		name, method, path string
		header             map[string]string
		want               int
	}{
		{"DNS rebinding", "GET", "/dashboards/x", map[string]string{"Host": "evil.example"}, 403},
		{"DNS rebinding, a socket", "GET", "/api/kernels/00000000-0000-4000-8000-000000000001/channels", map[string]string{"Host": "evil.example:80", "Upgrade": "websocket"}, 403},
		{"a foreign fetch", "GET", "/", map[string]string{"Origin": "http://evil.example"}, 403},
		{"a null origin", "GET", "/voila/static/x.js", map[string]string{"Origin": "null"}, 403},
		{"a foreign socket", "GET", "/api/kernels/00000000-0000-4000-8000-000000000001/channels", map[string]string{"Origin": "http://evil.example", "Upgrade": "websocket"}, 403},
		{"a CORS preflight", "OPTIONS", "/api/kernels/00000000-0000-4000-8000-000000000001", map[string]string{"Origin": "http://evil.example"}, 403},
		{"an <img> on a foreign page", "GET", "/dashboards/y", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}, 403},
		{"a foreign form post", "POST", "/voila/api/shutdown/00000000-0000-4000-8000-000000000001", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}, 403},
		{"a link from another site", "GET", "/dashboards/y", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}, 200},
		{"this site's own fetch", "GET", "/voila/static/x.js", map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}, 200},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		for k, val := range c.header {
			if k == "Host" {
				req.Host = val
			} else {
				req.Header.Set(k, val)
			}
		}
		client := browser
		if c.name == "a link from another site" {
			client = http.DefaultClient // a browser does not send the Strict page cookie with it
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.want)
		}
		if h := resp.Header.Get("Access-Control-Allow-Origin"); h != "" {
			t.Errorf("%s: Access-Control-Allow-Origin %q", c.name, h)
		}
	}
	renders, seen, _ := v.counts()
	if renders != 1 {
		t.Errorf("Voilà rendered %d pages, want only the browser's one", renders)
	}
	for _, s := range seen {
		if !strings.HasSuffix(s, "origin=") {
			t.Errorf("an Origin reached Voilà: %s", s)
		}
	}
}

// A client that keeps no cookies (a script, curl, an <img>) gets the opening page and starts
// no kernel; a browser gets the dashboard on the page's reload.
func TestOnlyABrowserSessionStartsAKernel(t *testing.T) {
	_, srv, v := guardedServer(t, Config{})
	for range 5 {
		code, body := get(t, srv.URL+"/dashboards/x")
		if code != 200 || !strings.Contains(body, `http-equiv="refresh"`) {
			t.Fatalf("a cookie-less view: %d %s", code, body)
		}
	}
	if req, _ := http.NewRequest("HEAD", srv.URL+"/dashboards/x", nil); true {
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
			t.Fatalf("HEAD: %v %v", resp, err)
		}
	}
	if renders, _, _ := v.counts(); renders != 0 {
		t.Fatalf("cookie-less views started %d kernels", renders)
	}
	if _, body := browse(t, nil, srv.URL+"/dashboards/x"); !strings.Contains(body, "kernelId") {
		t.Fatalf("a browser's view: %s", body)
	}
	if renders, _, _ := v.counts(); renders != 1 {
		t.Fatalf("a browser's view started %d kernels", renders)
	}
}

// A viewer's kernel with no open channel is shut down once idle; an open channel keeps it.
func TestIdleKernelsAreCulled(t *testing.T) {
	s, srv, v := guardedServer(t, Config{KernelIdle: time.Minute})
	_, a := browse(t, nil, srv.URL+"/dashboards/x")
	_, b := browse(t, nil, srv.URL+"/dashboards/x")
	ka, kb := kernelIDRe.FindStringSubmatch(a)[1], kernelIDRe.FindStringSubmatch(b)[1]
	s.kernels.touch(kb, 1, time.Now()) // b's page has its channel open
	s.cullIdle(context.Background(), "", time.Now().Add(-time.Second))
	if _, _, deleted := v.counts(); len(deleted) != 0 {
		t.Fatalf("kernels used a second ago were culled: %v", deleted)
	}
	s.cullIdle(context.Background(), "", time.Now().Add(time.Hour))
	if _, _, deleted := v.counts(); strings.Join(deleted, ",") != ka {
		t.Fatalf("culled %v, want only the idle %s", deleted, ka)
	}
	if s.Count() != 1 {
		t.Errorf("%d kernels known after culling, want 1", s.Count())
	}
	// the loop does it by itself
	s.kernels.touch(kb, -1, time.Now().Add(-2*time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.c.KernelIdle = 40 * time.Millisecond
	go s.Cull(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for s.Count() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.Count() != 0 {
		t.Errorf("the culling loop left %d kernels", s.Count())
	}
}

// A dashboard serves at most max_kernels pages at once: at the cap an idle kernel makes
// room; when every one is in use the next viewer is told to come back.
func TestMaxKernelsPerDashboard(t *testing.T) {
	s, srv, v := guardedServer(t, Config{MaxKernels: 2})
	var ids []string
	for range 2 {
		_, body := browse(t, nil, srv.URL+"/dashboards/x")
		ids = append(ids, kernelIDRe.FindStringSubmatch(body)[1])
	}
	s.kernels.touch(ids[1], 1, time.Now())
	if code, _ := browse(t, nil, srv.URL+"/dashboards/x"); code != 200 {
		t.Fatalf("the third viewer (one kernel idle): %d", code)
	}
	if _, _, deleted := v.counts(); strings.Join(deleted, ",") != ids[0] {
		t.Errorf("made room by shutting down %v, want the idle %s", deleted, ids[0])
	}
	s.kernels.touch(kernelIDRe.FindStringSubmatch(func() string { _, b := browse(t, nil, srv.URL+"/dashboards/y"); return b }())[1], 1, time.Now())
	for id := range s.kernels.byID {
		s.kernels.touch(id, 1, time.Now())
	}
	if code, body := browse(t, nil, srv.URL+"/dashboards/x"); code != 503 || !strings.Contains(body, "max_kernels") {
		t.Errorf("a viewer beyond the cap: %d %s", code, body)
	}
	if code, _ := browse(t, nil, srv.URL+"/dashboards/y"); code != 200 {
		t.Errorf("another dashboard has its own cap: %d", code)
	}
}

// /voila/files/ stays in the dashboards folder however the path is written.
func TestFilesStayInTheDashboardsFolder(t *testing.T) {
	_, srv, v := guardedServer(t, Config{})
	for _, p := range []string{
		"/voila/files/d/../secret.csv",
		"/voila/files/d/%2e%2e/secret.csv",
		"/voila/files/d/.%2e/secret.csv",
		"/voila/files/d/..%2fsecret.csv",
		"/voila/files/d/%252e%252e/secret.csv",
		"/voila/files/d/..%5csecret.csv",
		"/voila/files/d/./x/../../secret.csv",
		"/voila/files/secret.csv",
	} {
		req, _ := http.NewRequest("GET", srv.URL+p, nil)
		req.URL.RawPath, req.URL.Path = "", "" // send the path as written
		req.URL.Opaque = "//" + strings.TrimPrefix(srv.URL, "http://") + p
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	if code, _ := get(t, srv.URL+"/voila/files/d/data.csv"); code != 200 {
		t.Errorf("a dashboard's own file: %d", code)
	}
	_, seen, _ := v.counts()
	if len(seen) != 1 {
		t.Errorf("reached Voilà: %v", seen)
	}
}

// What Voilà would refuse is refused at deploy time, a failed bundle leaves nothing, and a
// dashboard never goes where a redeploy would drop it.
func TestDeployChecks(t *testing.T) {
	srv, root, _ := newServer(t, 1<<20)
	deep := `{"cells": [], "metadata": {"x": ` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}, "nbformat": 4, "nbformat_minor": 5}`
	for _, c := range []struct {
		name, content, want string
	}{
		{"v3", `{"worksheets": [{"cells": []}], "cells": [], "nbformat": 3, "nbformat_minor": 0}`, "nbformat 3"},
		{"deep", deep, "nested 502 levels deep"},
		{"badbundle", string(zipOf(t, map[string]string{"index.ipynb": `{"cells": [], "nbformat": 3}`, "a.csv": "1", "b/c.csv": "2"})), "nbformat 3"},
	} {
		if code, body := upload(t, srv, c.name, "up-secret", []byte(c.content)); code != 400 || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s", c.name, code, body)
		}
	}
	if vs, _ := os.ReadDir(filepath.Join(root, ".versions")); len(vs) != 0 {
		t.Errorf("a failed bundle left %d versions", len(vs))
	}
	if code, _ := upload(t, srv, "a", "up-secret", zipOf(t, map[string]string{"index.ipynb": nb})); code != 201 {
		t.Fatal(code)
	}
	if code, body := upload(t, srv, "a/b", "up-secret", []byte(nb)); code != 400 || !strings.Contains(body, "a is a dashboard bundle") {
		t.Errorf("a/b inside the bundle a: %d %s", code, body)
	}
	upload(t, srv, "f/g", "up-secret", []byte(nb))
	if code, body := upload(t, srv, "f", "up-secret", zipOf(t, map[string]string{"index.ipynb": nb})); code != 400 || !strings.Contains(body, "folder of dashboards") {
		t.Errorf("a bundle over the folder f: %d %s", code, body)
	}
	if _, body := get(t, srv.URL+"/"); !strings.Contains(body, `href="/dashboards/f/g"`) || !strings.Contains(body, `href="/dashboards/a"`) {
		t.Errorf("list: %s", body)
	}
}

// A dead Voilà gives the viewer a page that says so, not a blank 502.
func TestVoilaDownPage(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "x.ipynb"), []byte(nb), 0o644)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	s, _ := New(Config{Root: root, RootRel: "d", UploadToken: "u", VoilaURL: dead.URL, VoilaToken: "v"})
	srv := httptest.NewServer(s)
	defer srv.Close()
	code, body := browse(t, nil, srv.URL+"/dashboards/x")
	if code != 502 || !regexp.MustCompile(`renderer is not answering[\s\S]*jdash logs`).MatchString(body) {
		t.Errorf("Voilà down: %d %s", code, body)
	}
	resp, _ := http.Get(srv.URL + "/voila/static/x.js")
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 502 || !strings.Contains(string(b), "not answering") {
		t.Errorf("an asset with Voilà down: %d", resp.StatusCode)
	}
}

// allow_origins lets one named site read the dashboards: its fetches pass with CORS headers
// naming it (no credentials), its preflight is answered; any other site stays out.
func TestAllowedOrigin(t *testing.T) {
	_, srv, _ := guardedServer(t, Config{AllowOrigins: []string{"https://portal.example"}})
	do := func(method, origin string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+"/", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Sec-Fetch-Mode", "cors")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := do("GET", "https://portal.example"); r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://portal.example" || r.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("the allowed origin: %d %v", r.StatusCode, r.Header)
	}
	if r := do("OPTIONS", "https://portal.example"); r.StatusCode != 204 || r.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD" {
		t.Errorf("its preflight: %d %v", r.StatusCode, r.Header)
	}
	if r := do("GET", "https://evil.example"); r.StatusCode != 403 || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin: %d %v", r.StatusCode, r.Header)
	}
}

// An uploaded notebook is a file nobody here controls: whatever its bytes, the check does
// not panic, and what it accepts is nbformat 4 JSON nested at most maxDepth levels.
func FuzzValidNotebook(f *testing.F) {
	f.Add([]byte(nb))
	f.Add([]byte(`{"cells": [], "nbformat": 3}`))
	f.Add([]byte(`{"cells": [], "nbformat": 4, "x": "[[[[\"\\"]"}`))
	f.Add([]byte(`[[[[[[[[[[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if ValidNotebook(data) != nil {
			return
		}
		var doc struct {
			NBFormat int `json:"nbformat"`
		}
		if err := json.Unmarshal(data, &doc); err != nil || doc.NBFormat != 4 || jsonDepth(data) > maxDepth {
			t.Errorf("accepted %q", data)
		}
	})
}
