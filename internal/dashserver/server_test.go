package dashserver

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

const nb = `{"cells": [{"cell_type": "code", "source": "print(42)", "metadata": {}, "outputs": [], "execution_count": null}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`
const laidOut = `{"cells": [], "metadata": {"extensions": {"jupyter_dashboards": {"activeView": "grid_default", "views": {}}}}, "nbformat": 4, "nbformat_minor": 5}`

// fakeVoila answers with what it was asked and whether Voilà's token came with it.
func fakeVoila(t *testing.T) *httptest.Server {
	v := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/voila/render/") {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<script src="https://cdn.jsdelivr.net/npm/gridstack@7.3.0/dist/gridstack-all.js"></script>`)
		}
		fmt.Fprintf(w, "voila %s ?%s auth=%q cookie=%q", r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Cookie"))
	}))
	t.Cleanup(v.Close)
	return v
}

func newServer(t *testing.T, max int64) (*httptest.Server, string, string) {
	base := t.TempDir()
	root := filepath.Join(base, "notebooks", "dashboards")
	os.MkdirAll(root, 0o755)
	s, err := New(Config{Root: root, RootRel: "dashboards", UploadToken: "up-secret", VoilaURL: fakeVoila(t).URL, VoilaToken: "voila-secret", Gridstack: true, MaxUpload: max})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, root, base
}

func upload(t *testing.T, srv *httptest.Server, name, token string, content []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "x")
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/_api/notebooks/"+name, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "token "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// browse views a page as a browser does: with a cookie jar, through the page that sets the
// page session and loads itself again.
func browse(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	if c == nil {
		jar, _ := cookiejar.New(nil)
		c = &http.Client{Jar: jar}
	}
	for range 2 {
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), `http-equiv="refresh"`) {
			return resp.StatusCode, string(b)
		}
	}
	t.Fatalf("%s: still the opening page with a cookie jar", url)
	return 0, ""
}

func tree(t *testing.T, dir string) string {
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return strings.Join(out, "\n")
}

func zipOf(t *testing.T, files map[string]string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for n, c := range files {
		w, _ := zw.Create(n)
		w.Write([]byte(c))
	}
	zw.Close()
	return b.Bytes()
}

func TestDeployRenderDelete(t *testing.T) {
	srv, root, _ := newServer(t, 1<<20)
	code, body := upload(t, srv, "sales", "up-secret", []byte(nb))
	if code != 201 || !strings.Contains(body, `"link":"`+srv.URL+`/dashboards/sales"`) {
		t.Fatalf("upload: %d %s", code, body)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "sales.ipynb")); string(b) != nb {
		t.Fatalf("stored: %q", b)
	}
	code, body = browse(t, nil, srv.URL+"/dashboards/sales")
	if code != 200 || !strings.Contains(body, `voila /voila/render/dashboards/sales.ipynb ?`) || !strings.Contains(body, `auth="token voila-secret"`) {
		t.Errorf("render: %d %s", code, body)
	}
	// the dashboards layout metadata selects the gridstack template
	upload(t, srv, "grid", "up-secret", []byte(laidOut))
	_, body = browse(t, nil, srv.URL+"/dashboards-plain/grid")
	if !strings.Contains(body, "?template=gridstack") || !strings.Contains(body, `<script src="/_jdash/gridstack/gridstack-all.js">`) {
		t.Errorf("plain render of a laid-out notebook: %s", body)
	}
	if code, js := get(t, srv.URL+"/_jdash/gridstack/gridstack-all.js"); code != 200 || !strings.Contains(js, "GridStack") {
		t.Errorf("the local gridstack: %d", code)
	}
	if _, body := get(t, srv.URL+"/"); !strings.Contains(body, `href="/dashboards/grid"`) || !strings.Contains(body, `href="/dashboards/sales"`) {
		t.Errorf("list: %s", body)
	}
	// Voilà's assets come through without its token (Voilà serves them to anyone), and
	// without the viewer's cookies; its tree and other files do not come through
	req, _ := http.NewRequest("GET", srv.URL+"/voila/static/voila.js", nil)
	req.Header.Set("Cookie", "viewer=1")
	resp, _ := http.DefaultClient.Do(req)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `auth="" cookie=""`) {
		t.Errorf("asset proxy: %s", b)
	}
	for _, p := range []string{"/voila/tree", "/voila/render/other.ipynb", "/voila/files/private.csv", "/api/contents"} {
		if code, _ := get(t, srv.URL+p); code != 404 {
			t.Errorf("%s is exposed: %d", p, code)
		}
	}
	// delete
	req, _ = http.NewRequest("DELETE", srv.URL+"/_api/notebooks/sales", nil)
	req.Header.Set("Authorization", "token up-secret")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 204 {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if code, _ := get(t, srv.URL+"/dashboards/sales"); code != 404 {
		t.Errorf("deleted dashboard still served: %d", code)
	}
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 404 {
		t.Errorf("second delete: %d", resp.StatusCode)
	}
}

func TestRefusals(t *testing.T) {
	srv, root, base := newServer(t, 4096)
	outside := filepath.Join(base, "outside")
	os.MkdirAll(outside, 0o755)
	os.Symlink(outside, filepath.Join(root, "out"))
	before := tree(t, base)
	cases := []struct {
		name, token string
		content     []byte
		want        int
	}{
		{"a", "", []byte(nb), 401},
		{"a", "wrong", []byte(nb), 401},
		{"a", "up-secretx", []byte(nb), 401},
		{"..%2Fescape", "up-secret", []byte(nb), 400},
		{"x/../../escape", "up-secret", []byte(nb), 400},
		{"%2Fetc%2Fpasswd", "up-secret", []byte(nb), 400},
		{"a%00b", "up-secret", []byte(nb), 400},
		{".hidden", "up-secret", []byte(nb), 400},
		{strings.Repeat("n", 300), "up-secret", []byte(nb), 400},
		{"out/x", "up-secret", []byte(nb), 400}, // out is a link (a bundle's place): refused
		{"notjson", "up-secret", []byte("hello"), 400},
		{"big", "up-secret", bytes.Repeat([]byte("x"), 8000), 413},
		{"slip", "up-secret", zipOf(t, map[string]string{"index.ipynb": nb, "../../evil.txt": "x"}), 400},
		{"slip2", "up-secret", zipOf(t, map[string]string{"index.ipynb": nb, "/abs.txt": "x"}), 400},
		{"noindex", "up-secret", zipOf(t, map[string]string{"data.csv": "1"}), 400},
	}
	for _, c := range cases {
		if code, body := upload(t, srv, c.name, c.token, c.content); code != c.want {
			t.Errorf("%q (token %q): %d %s, want %d", c.name, c.token, code, body, c.want)
		}
	}
	// a zip bomb: small on the wire, too big unpacked
	bomb := zipOf(t, map[string]string{"index.ipynb": nb, "zeros": strings.Repeat("0", 100000)})
	if code, _ := upload(t, srv, "bomb", "up-secret", bomb); code != 400 && code != 413 {
		t.Errorf("zip bomb: %d", code)
	}
	if after := tree(t, base); after != before {
		t.Errorf("a refused upload changed files:\n%s\n---\n%s", before, after)
	}
	req, _ := http.NewRequest("DELETE", srv.URL+"/_api/notebooks/a", nil)
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 401 {
		t.Errorf("delete without a token: %d", resp.StatusCode)
	}
}

// A redeploy replaces a dashboard atomically: a reader sees the old or the new bytes, never
// a mix; a bundle replaces a bundle in one step too.
func TestRedeployIsAtomic(t *testing.T) {
	srv, root, _ := newServer(t, 8<<20)
	big := func(tag string) []byte {
		return []byte(`{"cells": [], "metadata": {"tag": "` + tag + strings.Repeat("x", 1<<20) + `"}, "nbformat": 4, "nbformat_minor": 5}`)
	}
	upload(t, srv, "live", "up-secret", big("v1"))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	bad := make(chan string, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			b, err := os.ReadFile(filepath.Join(root, "live.ipynb"))
			if err != nil || !(bytes.Equal(b, big("v1")) || bytes.Equal(b, big("v2")) || bytes.Equal(b, big("v3"))) {
				select {
				case bad <- fmt.Sprintf("read %d bytes (%v)", len(b), err):
				default:
				}
				return
			}
		}
	}()
	upload(t, srv, "live", "up-secret", big("v2"))
	upload(t, srv, "live", "up-secret", big("v3"))
	close(stop)
	wg.Wait()
	select {
	case m := <-bad:
		t.Fatal("a reader saw a partial dashboard: " + m)
	default:
	}
	// bundles
	if code, body := upload(t, srv, "bundle", "up-secret", zipOf(t, map[string]string{"index.ipynb": nb, "data/a.csv": "1"})); code != 201 {
		t.Fatalf("zip: %d %s", code, body)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "bundle", "data", "a.csv")); string(b) != "1" {
		t.Errorf("bundle file: %q", b)
	}
	upload(t, srv, "bundle", "up-secret", zipOf(t, map[string]string{"index.ipynb": nb, "data/a.csv": "2"}))
	if b, _ := os.ReadFile(filepath.Join(root, "bundle", "data", "a.csv")); string(b) != "2" {
		t.Errorf("bundle file after redeploy: %q", b)
	}
	if vs, _ := os.ReadDir(filepath.Join(root, ".versions")); len(vs) != 1 {
		t.Errorf("old versions left: %d", len(vs))
	}
	if _, body := browse(t, nil, srv.URL+"/dashboards/bundle"); !strings.Contains(body, "/voila/render/dashboards/bundle/index.ipynb") {
		t.Errorf("bundle render: %s", body)
	}
}

// A kernel's websocket goes through for the viewer whose page started the kernel: the
// upgrade reaches Voilà with its token, and bytes flow both ways.
func TestWebsocketUpgradeIsProxied(t *testing.T) {
	const kernel = "0b1c2d3e-0000-4000-8000-000000000001"
	voila := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/voila/render/") {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<script>{"kernelId": "%s"}</script>`, kernel)
			return
		}
		if r.Header.Get("Upgrade") != "websocket" || r.Header.Get("Authorization") != "token voila-secret" {
			http.Error(w, "no", 400)
			return
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		brw.Flush()
		line, _ := brw.ReadString('\n')
		brw.WriteString("echo " + line)
		brw.Flush()
	}))
	defer voila.Close()
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "x.ipynb"), []byte(nb), 0o644)
	s, _ := New(Config{Root: root, RootRel: "d", UploadToken: "u", VoilaURL: voila.URL, VoilaToken: "voila-secret"})
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/dashboards/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var page string
	for _, c := range resp.Cookies() {
		if c.Name == pageCookie {
			page = c.Value
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
				t.Errorf("page cookie %+v: want HttpOnly, SameSite=Strict", c)
			}
		}
	}
	req, _ := http.NewRequest("GET", srv.URL+"/dashboards/x", nil)
	req.AddCookie(&http.Cookie{Name: pageCookie, Value: page})
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	upgrade := func(cookie string) (*bufio.Reader, net.Conn, string) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET /api/kernels/%s/channels HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n%s\r\n", kernel, cookie)
		br := bufio.NewReader(conn)
		status, _ := br.ReadString('\n')
		return br, conn, status
	}
	for _, c := range []string{"", "Cookie: " + pageCookie + "=" + strings.Repeat("0", 32) + "\r\n"} {
		_, conn, status := upgrade(c)
		conn.Close()
		if !strings.Contains(status, "403") {
			t.Errorf("a channel to another viewer's kernel (cookie %q): %q", c, status)
		}
	}
	br, conn, status := upgrade("Cookie: " + pageCookie + "=" + page + "\r\n")
	defer conn.Close()
	if !strings.Contains(status, "101") {
		t.Fatalf("upgrade: %q", status)
	}
	for l, _ := br.ReadString('\n'); l != "\r\n" && l != ""; l, _ = br.ReadString('\n') {
	}
	fmt.Fprintf(conn, "hello kernel\n")
	if got, _ := br.ReadString('\n'); got != "echo hello kernel\n" {
		t.Errorf("through the proxy: %q", got)
	}
}

// Each viewer drives only the kernel its own page started: DELETE, restart, interrupt and
// Voilà's shutdown of another's kernel are refused, the kernel list and Voilà's other APIs
// are not served.
func TestKernelsServeOnlyTheirViewer(t *testing.T) {
	n := 0
	var mu sync.Mutex
	voila := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/voila/render/") {
			mu.Lock()
			n++
			id := fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
			mu.Unlock()
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<script id="jupyter-config-data">{"kernelId": "%s"}</script>`, id)
			return
		}
		fmt.Fprintf(w, "voila %s %s", r.Method, r.URL.Path)
	}))
	defer voila.Close()
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "x.ipynb"), []byte(nb), 0o644)
	s, _ := New(Config{Root: root, RootRel: "d", UploadToken: "u", VoilaURL: voila.URL, VoilaToken: "v"})
	srv := httptest.NewServer(s)
	defer srv.Close()
	viewer := func() (*http.Client, string) {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		_, b := browse(t, c, srv.URL+"/dashboards/x")
		return c, regexp.MustCompile(`[0-9a-f-]{36}`).FindString(b)
	}
	a, ka := viewer()
	b, kb := viewer()
	do := func(c *http.Client, method, p string) int {
		req, _ := http.NewRequest(method, srv.URL+p, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		who    *http.Client
		method string
		path   string
		want   int
	}{
		{a, "POST", "/api/kernels/" + ka + "/restart", 200},
		{a, "POST", "/voila/api/shutdown/" + ka, 200},
		{a, "DELETE", "/api/kernels/" + ka, 403}, // shut down: no longer anyone's
		{a, "DELETE", "/api/kernels/" + kb, 403},
		{a, "POST", "/api/kernels/" + kb + "/interrupt", 403},
		{a, "POST", "/voila/api/shutdown/" + kb, 403},
		{http.DefaultClient, "DELETE", "/api/kernels/" + ka, 403},
		{http.DefaultClient, "POST", "/voila/api/shutdown/" + kb, 403},
		{b, "DELETE", "/api/kernels/" + kb, 200},
		{a, "GET", "/api/kernels", 403},
		{a, "POST", "/api/kernels", 403},
		{a, "GET", "/voila/api/contents", 404},
	} {
		if got := do(c.who, c.method, c.path); got != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, got, c.want)
		}
	}
}

// Viewing behind a viewer token: the dashboards ask for it (a login form, or 401 for an
// API), take it from the link once (then drop it from the address) or from the form, and
// keep the viewer logged in with a cookie; the upload token (the probe's) is accepted too.
func TestViewerLogin(t *testing.T) {
	for _, mode := range []string{"token", "password"} {
		t.Run(mode, func(t *testing.T) {
			root := t.TempDir()
			os.WriteFile(filepath.Join(root, "x.ipynb"), []byte(nb), 0o644)
			c := Config{Root: root, RootRel: "d", UploadToken: "up", VoilaURL: fakeVoila(t).URL, VoilaToken: "v"}
			if mode == "token" {
				c.ViewerToken = "view-secret"
			} else {
				c.ViewerPassword = "view-secret"
			}
			s, _ := New(c)
			srv := httptest.NewServer(s)
			defer srv.Close()
			noRedirect := func(jar http.CookieJar) *http.Client {
				return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			}
			anon := noRedirect(nil)
			resp, _ := anon.Get(srv.URL + "/dashboards/x")
			if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login?next=%2Fdashboards%2Fx" {
				t.Errorf("anonymous view: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			for _, p := range []string{"/api/kernels/00000000-0000-4000-8000-000000000001/channels", "/voila/static/x.js", "/_jdash/gridstack/gridstack-all.js"} {
				if resp, _ := anon.Get(srv.URL + p); resp.StatusCode != 401 {
					t.Errorf("anonymous %s: %d", p, resp.StatusCode)
				}
			}
			code, form := get(t, srv.URL+"/login?next=/dashboards/x")
			if code != 200 || !strings.Contains(form, `name="password"`) || !strings.Contains(form, `value="/dashboards/x"`) {
				t.Errorf("login form: %d\n%s", code, form)
			}
			jar, _ := cookiejar.New(nil)
			viewer := noRedirect(jar)
			if resp, _ := viewer.PostForm(srv.URL+"/login", url.Values{"password": {"wrong"}, "next": {"/dashboards/x"}}); resp.StatusCode != 401 {
				t.Errorf("a wrong %s: %d", mode, resp.StatusCode)
			}
			resp, _ = viewer.PostForm(srv.URL+"/login", url.Values{"password": {"view-secret"}, "next": {"//evil.example/"}})
			if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
				t.Errorf("login: %d, to %q (a next off this server must become /)", resp.StatusCode, resp.Header.Get("Location"))
			}
			if resp, _ := viewer.Get(srv.URL + "/dashboards/x"); resp.StatusCode != 200 {
				t.Errorf("logged in: %d", resp.StatusCode)
			}
			if mode == "token" {
				jar2, _ := cookiejar.New(nil)
				resp, _ := noRedirect(jar2).Get(srv.URL + "/dashboards/x?token=view-secret")
				if resp.StatusCode != 303 || resp.Header.Get("Location") != "/dashboards/x" {
					t.Errorf("a link with the token: %d %s", resp.StatusCode, resp.Header.Get("Location"))
				}
			}
			req, _ := http.NewRequest("GET", srv.URL+"/", nil)
			req.Header.Set("Authorization", "token up")
			if resp, _ := anon.Do(req); resp.StatusCode != 200 {
				t.Errorf("the upload token (the readiness probe): %d", resp.StatusCode)
			}
		})
	}
}

// Without viewer_auth there is no login form to show.
func TestNoLoginWithoutViewerAuth(t *testing.T) {
	srv, _, _ := newServer(t, 1<<20)
	if code, _ := get(t, srv.URL+"/login"); code != 404 {
		t.Errorf("/login without viewer_auth: %d", code)
	}
}

func TestCacheDeleteKeepsScriptsWorking(t *testing.T) {
	srv, _, _ := newServer(t, 1<<20)
	req, _ := http.NewRequest("DELETE", srv.URL+"/_api/cache", nil)
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 401 {
		t.Errorf("without the token: %d", resp.StatusCode)
	}
	req.Header.Set("Authorization", "token up-secret")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 200 {
		t.Errorf("with the token: %d", resp.StatusCode)
	}
}
