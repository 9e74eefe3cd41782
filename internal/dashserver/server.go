// Package dashserver speaks the HTTP contract of the retired Jupyter Dashboards Server that
// the dashboards bundlers (dashboards_bundlers.server_upload) and scripts rely on, and renders
// the deployed notebooks with a Voilà service: POST/DELETE /_api/notebooks/<path> (token
// required), GET /dashboards/<path> and /dashboards-plain/<path> (Voilà's render, with the
// gridstack template for notebooks laid out with the dashboards extension), GET / (the list).
// Voilà's assets and kernel websockets are proxied with Voilà's token, so a browser never
// needs it.
package dashserver

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/jdash-dev/jdash/internal/archive"
	"github.com/jdash-dev/jdash/internal/fsx"
)

// Config is one dashboards service.
type Config struct {
	Root        string // where deployed dashboards are stored (inside Voilà's root dir)
	RootRel     string // Root relative to Voilà's root dir, slash-separated
	UploadToken string // what the bundlers send: Authorization: token <UploadToken>
	VoilaURL    string // http://127.0.0.1:8866
	VoilaToken  string
	Gridstack   bool // voila-gridstack is installed in Voilà's env
	// KernelsIn is the env whose Python runs the dashboards (the env the notebooks are written
	// in), shown in the list and the upload's answer.
	KernelsIn   string
	LinkPattern string // the base of the returned links: {protocol}, {host} from the request
	MaxUpload   int64  // bytes of one upload (and of a zip's entries together)
	// ViewerToken or ViewerPassword, when set, is what a viewer must show (viewers.go).
	ViewerToken, ViewerPassword string
	// Hosts are the names a request's Host may carry (AllowedHosts; empty: the loopback names).
	Hosts []string
	// AllowOrigins are other sites ("https://portal.example") whose pages may read the
	// dashboards (CORS); none by default.
	AllowOrigins []string
	// KernelIdle and MaxKernels bound the viewers' kernels (kernels.go; 0: the defaults).
	KernelIdle time.Duration
	MaxKernels int
	// Logf, when set, receives what the service does on its own (culling).
	Logf func(format string, a ...any)
}

// Limits of uploaded names and archives.
const (
	maxName    = 255
	maxPath    = 1024
	maxEntries = 10000
)

// Server is the dashboards service.
type Server struct {
	c     Config
	hosts []string
	// static serves Voilà's assets without Voilà's token; kernel carries it, for the kernel
	// endpoints of a viewer's own kernel; page renders a dashboard for a viewer's page session
	// (its CDN assets rewritten to local copies).
	static, kernel, page *httputil.ReverseProxy
	client               *http.Client // jdash's own calls to Voilà (culling)
	mu                   sync.Mutex   // one deploy or delete at a time
	// pages are the viewers' page sessions, logins their logins, kernels the kernels their
	// pages started.
	pages   sessions[struct{}]
	logins  sessions[struct{}]
	kernels kernelTable
}

// gridstack is the library voila-gridstack's template loads from a CDN (MIT, see its
// LICENSE): served from here, a dashboard lays out without reaching the internet.
//
//go:embed assets/gridstack
var assets embed.FS

const cdnGridstack = "https://cdn.jsdelivr.net/npm/gridstack@7.3.0/dist/"

// New makes the server.
func New(c Config) (*Server, error) {
	u, err := url.Parse(c.VoilaURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("the Voilà URL %q is not a URL", c.VoilaURL)
	}
	if c.MaxUpload <= 0 {
		c.MaxUpload = 64 << 20
	}
	if c.LinkPattern == "" {
		c.LinkPattern = "{protocol}://{host}"
	}
	if c.KernelIdle <= 0 {
		c.KernelIdle = DefaultKernelIdle
	}
	if c.MaxKernels <= 0 {
		c.MaxKernels = DefaultMaxKernels
	}
	c.VoilaURL = strings.TrimSuffix(c.VoilaURL, "/")
	s := &Server{c: c, hosts: AllowedHosts("", c.Hosts, nil), client: &http.Client{Timeout: 10 * time.Second}}
	toVoila := func(r *httputil.ProxyRequest) {
		r.SetURL(u)
		r.Out.Host = u.Host
		r.Out.Header.Del("Authorization") // a viewer's credential is jdash's, not Voilà's
		r.Out.Header.Del("Cookie")        // Voilà's session is jdash's, not the viewer's
		r.Out.Header.Del("Origin")        // checked here (sameSite); Voilà would reflect it
	}
	withToken := func(r *httputil.ProxyRequest) {
		toVoila(r)
		r.Out.Header.Set("Authorization", "token "+c.VoilaToken)
	}
	s.static = &httputil.ReverseProxy{Rewrite: toVoila, ModifyResponse: cleanResponse, ErrorHandler: s.voilaDown}
	s.kernel = &httputil.ReverseProxy{Rewrite: withToken, ModifyResponse: s.kernelResponse, ErrorHandler: s.voilaDown}
	s.page = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		withToken(r)
		r.Out.Header.Set("Accept-Encoding", "identity")
	}, ModifyResponse: s.renderedPage, ErrorHandler: s.voilaDown}
	return s, nil
}

func (s *Server) logf(format string, a ...any) {
	if s.c.Logf != nil {
		s.c.Logf(format, a...)
	}
}

func cleanResponse(resp *http.Response) error {
	noCORS(resp)
	return nil
}

// kernelResponse forgets a kernel its viewer shut down.
func (s *Server) kernelResponse(resp *http.Response) error {
	noCORS(resp)
	r := resp.Request
	if id, _ := kernelOf(r.URL.Path); id != "" && resp.StatusCode/100 == 2 &&
		(r.Method == http.MethodDelete || strings.HasPrefix(r.URL.Path, "/voila/api/shutdown/")) {
		s.kernels.forget(id)
	}
	return nil
}

// voilaDown is the page a viewer sees when Voilà does not answer (not a blank 502).
func (s *Server) voilaDown(w http.ResponseWriter, r *http.Request, err error) {
	s.logf("dashboards: Voilà at %s: %v", s.c.VoilaURL, err)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadGateway)
	fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Dashboards: the renderer is not answering</title></head><body><h1>The dashboards' renderer is not answering</h1>
<p>The Voilà service that renders the dashboards does not answer. <code>jdash ps</code> shows whether it runs, <code>jdash logs</code> why it stopped.</p></body></html>
`)
}

// renderedPage gives the kernel Voilà started for the page to the viewer's page session,
// and points the page's gridstack at jdash's copy.
func (s *Server) renderedPage(resp *http.Response) error {
	noCORS(resp)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	resp.Body.Close()
	if err != nil {
		return err
	}
	s.ownKernels(resp, body)
	body = bytes.ReplaceAll(body, []byte(cdnGridstack), []byte("/_jdash/gridstack/"))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", fmt.Sprint(len(body)))
	return nil
}

// What a rendered dashboard loads from Voilà: static assets (served without Voilà's token,
// as Voilà itself serves them), and its kernel's endpoints (with it, for the kernel's owner).
var (
	staticPaths = []string{"/voila/static/", "/voila/templates/", "/voila/labextensions/", "/voila/api/themes/", "/static/", "/voila/files/"}
	kernelPaths = []string{"/api/kernels", "/voila/api/shutdown", "/voila/query/", "/voila/execution/"}
)

func hasPrefix(p string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(x string) bool { return strings.HasPrefix(p, x) })
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case !s.hostOK(r):
		http.Error(w, "this dashboards service does not answer to the host "+strconv.Quote(r.Host), http.StatusForbidden)
		return
	case !s.sameSite(r):
		http.Error(w, "a request on behalf of another site", http.StatusForbidden)
		return
	case s.cors(w, r): // a preflight of an allowed origin, answered
		return
	case r.Method == http.MethodOptions:
		http.Error(w, "no cross-origin access", http.StatusForbidden)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	switch {
	case p == "/login" && s.viewerAuth():
		s.login(w, r)
		return
	case strings.HasPrefix(p, "/_api/"): // the upload token, checked below
	case !s.viewer(w, r):
		return
	}
	switch {
	case p == "/_api/notebooks" || p == "/_api/notebooks/":
		// the deployed dashboards as JSON, for jdash deploy --list (the upload token)
		switch {
		case !s.authorized(r):
			http.Error(w, `{"message": "Unauthorized"}`, http.StatusUnauthorized)
		case r.Method != http.MethodGet:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		default:
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"dashboards": s.names(), "kernels_in": s.c.KernelsIn})
		}
	case strings.HasPrefix(p, "/_api/notebooks/"):
		s.api(w, r, strings.TrimPrefix(p, "/_api/notebooks/"))
	case p == "/_api/cache" || strings.HasPrefix(p, "/_api/cache/"):
		// the old server cached rendered notebooks; this one reads them from disk on every
		// request, so clearing the cache is an authenticated no-op that scripts can keep calling
		switch {
		case !s.authorized(r):
			http.Error(w, `{"message": "Unauthorized"}`, http.StatusUnauthorized)
		case r.Method != http.MethodDelete:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		default:
			w.WriteHeader(http.StatusOK)
		}
	case strings.HasPrefix(p, "/dashboards/"), strings.HasPrefix(p, "/dashboards-plain/"):
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		_, name, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
		s.render(w, r, name)
	case p == "/":
		s.list(w)
	case strings.HasPrefix(p, "/_jdash/gridstack/"):
		name := strings.TrimPrefix(p, "/_jdash/")
		data, err := assets.ReadFile("assets/" + name)
		if err != nil || strings.Contains(name, "..") {
			http.NotFound(w, r)
			return
		}
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Write(data)
	case hasPrefix(p, kernelPaths):
		id, _ := kernelOf(p)
		if !s.ownsKernel(r, id) { // another viewer's kernel, or the kernel list
			http.Error(w, "not your kernel", http.StatusForbidden)
			return
		}
		conn := 0
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			conn = 1 // a channel: the kernel is in use until it closes
		}
		s.kernels.touch(id, conn, time.Now())
		defer s.kernels.touch(id, -conn, time.Now())
		s.kernel.ServeHTTP(w, r)
	case hasPrefix(p, staticPaths):
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if strings.HasPrefix(p, "/voila/files/") && !s.safeFilesPath(r) {
			http.NotFound(w, r) // only the deployed dashboards' files
			return
		}
		s.static.ServeHTTP(w, r)
	default:
		http.NotFound(w, r) // Voilà's other APIs (contents, tree, ...) are not a page's business
	}
}

// authorized compares the header with the upload token in constant time.
func (s *Server) authorized(r *http.Request) bool {
	if s.c.UploadToken == "" {
		return false
	}
	want := []byte("token " + s.c.UploadToken)
	return subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) == 1
}

// cleanName checks a dashboard path from a URL: relative, no . or .. components, no NUL or
// control characters, bounded; "a/b" is allowed (folders of dashboards).
func cleanName(name string) (string, error) {
	if name == "" || len(name) > maxPath || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") {
		return "", fmt.Errorf("bad dashboard path %q", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || part == "." || part == ".." || len(part) > maxName || strings.HasPrefix(part, ".") {
			return "", fmt.Errorf("bad dashboard path %q", name)
		}
		for _, c := range part {
			if c == 0 || unicode.IsControl(c) {
				return "", fmt.Errorf("bad dashboard path %q", name)
			}
		}
	}
	return strings.TrimSuffix(name, ".ipynb"), nil
}

func (s *Server) api(w http.ResponseWriter, r *http.Request, raw string) {
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", "token")
		http.Error(w, `{"message": "Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	name, err := cleanName(raw)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch r.Method {
	case http.MethodPost:
		s.upload(w, r, name)
	case http.MethodDelete:
		s.remove(w, name)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// upload reads the multipart "file" part (a notebook, or the bundler's zip of a notebook and
// the files it references), checks all of it, then writes it in one atomic step.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, name string) {
	r.Body = http.MaxBytesReader(w, r.Body, s.c.MaxUpload+1<<20)
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		http.Error(w, "expected multipart/form-data with a file", http.StatusBadRequest)
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var data []byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			status := http.StatusBadRequest
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				status = http.StatusRequestEntityTooLarge
			}
			http.Error(w, err.Error(), status)
			return
		}
		if part.FormName() != "file" {
			continue
		}
		data, err = io.ReadAll(io.LimitReader(part, s.c.MaxUpload+1))
		if err != nil || int64(len(data)) > s.c.MaxUpload {
			http.Error(w, fmt.Sprintf("the upload is larger than %d bytes", s.c.MaxUpload), http.StatusRequestEntityTooLarge)
			return
		}
	}
	if data == nil {
		http.Error(w, "no file part", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		err = s.deployZip(name, data)
	} else {
		err = s.deployNotebook(name, data)
	}
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, fsx.ErrOutsideRoot) {
			status = http.StatusForbidden
		}
		http.Error(w, err.Error(), status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]string{"link": s.link(r, name), "path": name, "kernels_in": s.c.KernelsIn})
}

func (s *Server) link(r *http.Request, name string) string {
	proto := "http"
	if r.TLS != nil {
		proto = "https"
	}
	base := strings.NewReplacer("{protocol}", proto, "{host}", r.Host).Replace(s.c.LinkPattern)
	return strings.TrimSuffix(base, "/") + "/dashboards/" + (&url.URL{Path: name}).EscapedPath()
}

func (s *Server) writer() *fsx.Real { return &fsx.Real{Roots: fsx.NewRoots(s.c.Root)} }

// maxDepth bounds a notebook's nesting: Voilà's Python parser and nbformat's validator fail
// long before Go's would, and a notebook of real cells is a few levels deep.
const maxDepth = 100

// ValidNotebook accepts what Voilà renders: nbformat 4 JSON with cells, nested at most
// maxDepth levels.
func ValidNotebook(data []byte) error {
	if d := jsonDepth(data); d > maxDepth {
		return fmt.Errorf("not a notebook: nested %d levels deep (at most %d)", d, maxDepth)
	}
	var nb struct {
		Cells    []json.RawMessage `json:"cells"`
		NBFormat int               `json:"nbformat"`
	}
	if err := json.Unmarshal(data, &nb); err != nil || nb.Cells == nil {
		return fmt.Errorf("not a notebook (nbformat 4 JSON with cells)")
	}
	if nb.NBFormat != 4 {
		return fmt.Errorf("nbformat %d: Voilà renders nbformat 4 (jupyter nbconvert --to notebook upgrades it)", nb.NBFormat)
	}
	return nil
}

// jsonDepth is the deepest nesting of arrays and objects in data (strings skipped).
func jsonDepth(data []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// deployNotebook writes <root>/<name>.ipynb atomically (a viewer reads the old or the new
// file, never half of one), and removes a bundle of the same name.
func (s *Server) deployNotebook(name string, data []byte) error {
	if err := ValidNotebook(data); err != nil {
		return err
	}
	if err := s.placeFree(name, false); err != nil {
		return err
	}
	w := s.writer()
	target := filepath.Join(s.c.Root, filepath.FromSlash(name)+".ipynb")
	if _, err := w.WriteFile(target, data, 0o644); err != nil {
		return err
	}
	return s.removeBundle(w, name)
}

// deployZip checks every entry (names confined to the bundle, regular files only, sizes
// bounded, an index.ipynb), writes them into a new version dir, then points <root>/<name> at
// it with one atomic symlink replace.
func (s *Server) deployZip(name string, data []byte) (err error) {
	entries, err := archive.Zip(data, archive.Limits{Entries: maxEntries, File: s.c.MaxUpload, Total: s.c.MaxUpload, Name: maxPath})
	if err != nil {
		return fmt.Errorf("the zip: %w", err)
	}
	files := map[string][]byte{}
	for _, f := range entries {
		files[f.Name] = f.Data
	}
	if files["index.ipynb"] == nil {
		return fmt.Errorf("the zip has no index.ipynb")
	}
	if err := s.placeFree(name, true); err != nil {
		return err
	}
	version := filepath.Join(s.c.Root, ".versions", strings.ReplaceAll(name, "/", "%2F")+"-"+randomHex())
	w := s.writer()
	defer func() {
		if err != nil { // a failed deploy leaves no half-written version behind
			fsx.RemoveAll(w, version)
		}
	}()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b := files[n]
		if n == "index.ipynb" {
			if err := ValidNotebook(b); err != nil {
				return err
			}
		}
		if _, err := w.WriteFile(filepath.Join(version, filepath.FromSlash(n)), b, 0o644); err != nil {
			return err
		}
	}
	link := filepath.Join(s.c.Root, filepath.FromSlash(name))
	old, _ := os.Readlink(link)
	rel, _ := filepath.Rel(filepath.Dir(link), version)
	if _, err := w.Symlink(rel, link); err != nil {
		return err
	}
	if old != "" {
		fsx.RemoveAll(w, filepath.Join(filepath.Dir(link), old))
	}
	_, err = w.Remove(filepath.Join(s.c.Root, filepath.FromSlash(name)+".ipynb"))
	return err
}

// placeFree refuses a dashboard that would go inside a bundle (a redeploy of the bundle
// would drop it, and the list does not look inside bundles), and a bundle that would
// replace a folder of dashboards.
func (s *Server) placeFree(name string, bundle bool) error {
	parts := strings.Split(name, "/")
	for i := 1; i < len(parts); i++ {
		parent := strings.Join(parts[:i], "/")
		if fi, err := os.Lstat(filepath.Join(s.c.Root, filepath.FromSlash(parent))); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("%s is a dashboard bundle: %s cannot go inside it", parent, name)
		}
	}
	if fi, err := os.Lstat(filepath.Join(s.c.Root, filepath.FromSlash(name))); bundle && err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a folder of dashboards: a bundle cannot replace it", name)
	}
	return nil
}

func randomHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// removeBundle removes a zip deploy (its link and version dir).
func (s *Server) removeBundle(w fsx.Writer, name string) error {
	link := filepath.Join(s.c.Root, filepath.FromSlash(name))
	target, err := os.Readlink(link)
	if err != nil {
		return nil // none
	}
	if _, err := w.Remove(link); err != nil {
		return err
	}
	return fsx.RemoveAll(w, filepath.Join(filepath.Dir(link), target))
}

func (s *Server) remove(w http.ResponseWriter, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wr := s.writer()
	nb := filepath.Join(s.c.Root, filepath.FromSlash(name)+".ipynb")
	removed, err := wr.Remove(nb)
	if err == nil {
		if _, lerr := os.Readlink(filepath.Join(s.c.Root, filepath.FromSlash(name))); lerr == nil {
			removed = true
			err = s.removeBundle(wr, name)
		}
	}
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusForbidden)
	case !removed:
		http.Error(w, "no dashboard "+name, http.StatusNotFound)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// file finds a deployed dashboard's notebook: <name>.ipynb, or a bundle's index.ipynb.
func (s *Server) file(name string) (rel string, ok bool) {
	for _, cand := range []string{name + ".ipynb", name + "/index.ipynb"} {
		p := filepath.Join(s.c.Root, filepath.FromSlash(cand))
		if real, err := filepath.EvalSymlinks(p); err == nil {
			root, _ := filepath.EvalSymlinks(s.c.Root)
			if st, err := os.Stat(real); err == nil && st.Mode().IsRegular() && strings.HasPrefix(real, root+string(filepath.Separator)) {
				return cand, true
			}
		}
	}
	return "", false
}

// hasLayout reports the dashboards extension's layout metadata.
func hasLayout(p string) bool {
	data, err := fsx.ReadRegular(p, 64<<20)
	if err != nil {
		return false
	}
	var nb struct {
		Metadata struct {
			Extensions struct {
				Dashboards json.RawMessage `json:"jupyter_dashboards"`
			} `json:"extensions"`
		} `json:"metadata"`
	}
	return json.Unmarshal(data, &nb) == nil && len(nb.Metadata.Extensions.Dashboards) > 0
}

// render serves Voilà's render of a dashboard.
func (s *Server) render(w http.ResponseWriter, r *http.Request, raw string) {
	name, err := cleanName(raw)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	rel, ok := s.file(name)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodHead { // it exists; a kernel starts only for a page view
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return
	}
	sid, ok := s.browserSession(w, r)
	if !ok {
		return
	}
	if !s.makeRoom(r.Context(), name) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, fmt.Sprintf("the dashboard %s has as many viewers as it serves at once (%d, max_kernels): try again in a minute", name, s.c.MaxKernels), http.StatusServiceUnavailable)
		return
	}
	defer s.kernels.release(name)
	out := withPage(r.Clone(r.Context()), pageCtx{session: sid, dash: name})
	out.URL.Path = "/voila/render/" + path.Join(s.c.RootRel, rel)
	out.URL.RawPath = ""
	q := url.Values{}
	if s.c.Gridstack && hasLayout(filepath.Join(s.c.Root, filepath.FromSlash(rel))) {
		q.Set("template", "gridstack") // Voilà 0.5's query argument
	}
	out.URL.RawQuery = q.Encode()
	s.page.ServeHTTP(w, out)
}

// list is GET /: the deployed dashboards.
func (s *Server) list(w http.ResponseWriter) {
	names := s.names()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<!DOCTYPE html><html><head><title>Dashboards</title></head><body><h1>Dashboards</h1>\n")
	if s.c.KernelsIn != "" {
		fmt.Fprintf(w, "<p>They run in %s, the env their notebooks are written in.</p>\n", html.EscapeString(s.c.KernelsIn))
	}
	fmt.Fprint(w, "<ul>\n")
	for _, n := range names {
		u := (&url.URL{Path: "/dashboards/" + n}).EscapedPath()
		fmt.Fprintf(w, "<li><a href=\"%s\">%s</a></li>\n", html.EscapeString(u), html.EscapeString(n))
	}
	fmt.Fprint(w, "</ul></body></html>\n")
}

// names are the deployed dashboards, sorted.
func (s *Server) names() []string {
	names := []string{}
	filepath.WalkDir(s.c.Root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(s.c.Root, p)
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && rel != "." {
			return filepath.SkipDir
		}
		switch {
		case d.Type()&os.ModeSymlink != 0:
			names = append(names, filepath.ToSlash(rel))
		case d.Type().IsRegular() && strings.HasSuffix(rel, ".ipynb"):
			names = append(names, strings.TrimSuffix(filepath.ToSlash(rel), ".ipynb"))
		}
		return nil
	})
	sort.Strings(names)
	return names
}
