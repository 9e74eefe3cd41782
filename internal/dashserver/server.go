// Package dashserver speaks the HTTP contract of the retired Jupyter Dashboards Server that
// the dashboards bundlers (dashboards_bundlers.server_upload) and scripts rely on, and renders
// the deployed notebooks with a Voilà service: POST/DELETE /_api/notebooks/<path> (token
// required), GET /dashboards/<path> and /dashboards-plain/<path> (Voilà's render, with the
// gridstack template for notebooks laid out with the dashboards extension), GET / (the list).
// Voilà's assets and kernel websockets are proxied with Voilà's token, so a browser never
// needs it.
package dashserver

import (
	"archive/zip"
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
	"strings"
	"sync"
	"unicode"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// Config is one dashboards service.
type Config struct {
	Root        string // where deployed dashboards are stored (inside Voilà's root dir)
	RootRel     string // Root relative to Voilà's root dir, slash-separated
	UploadToken string // what the bundlers send: Authorization: token <UploadToken>
	VoilaURL    string // http://127.0.0.1:8866
	VoilaToken  string
	Gridstack   bool   // voila-gridstack is installed in Voilà's env
	LinkPattern string // the base of the returned links: {protocol}, {host} from the request
	MaxUpload   int64  // bytes of one upload (and of a zip's entries together)
	// ViewerToken or ViewerPassword, when set, is what a viewer must show (viewers.go).
	ViewerToken, ViewerPassword string
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
	proxy *httputil.ReverseProxy
	page  *httputil.ReverseProxy // a dashboard page: its CDN assets rewritten to local copies
	mu    sync.Mutex             // one deploy or delete at a time
	// pages are the viewers' page sessions (the kernels they own), logins their logins.
	pages  sessions[page]
	logins sessions[struct{}]
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
	s := &Server{c: c}
	rewrite := func(r *httputil.ProxyRequest) {
		r.SetURL(u)
		r.Out.Host = u.Host
		r.Out.Header.Set("Authorization", "token "+c.VoilaToken)
		r.Out.Header.Del("Cookie") // Voilà's session is jdash's, not the viewer's
	}
	s.proxy = &httputil.ReverseProxy{Rewrite: rewrite}
	s.page = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		rewrite(r)
		r.Out.Header.Set("Accept-Encoding", "identity")
	}, ModifyResponse: s.renderedPage}
	return s, nil
}

// renderedPage gives the kernel Voilà started for the page to the viewer's page session,
// and points the page's gridstack at jdash's copy.
func (s *Server) renderedPage(resp *http.Response) error {
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

// voilaPaths are what a rendered dashboard loads from Voilà: its assets and kernel channels.
var voilaPaths = []string{"/voila/static/", "/voila/templates/", "/voila/api/", "/api/kernels/", "/static/", "/voila/files/"}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/login" && s.viewerAuth():
		s.login(w, r)
		return
	case strings.HasPrefix(p, "/_api/"): // the upload token, checked below
	case !s.viewer(w, r):
		return
	}
	switch {
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
	case slices.ContainsFunc(voilaPaths, func(x string) bool { return strings.HasPrefix(p, x) }):
		if strings.HasPrefix(p, "/voila/files/") && !strings.HasPrefix(p, "/voila/files/"+s.c.RootRel+"/") {
			http.NotFound(w, r) // only the deployed dashboards' files
			return
		}
		if id, isKernel := kernelOf(p); isKernel || strings.HasPrefix(p, "/api/kernels") {
			if !s.ownsKernel(r, id) { // another viewer's kernel, or the kernel list
				http.Error(w, "not your kernel", http.StatusForbidden)
				return
			}
		} else if strings.HasPrefix(p, "/voila/api/") {
			http.NotFound(w, r) // Voilà's other APIs (contents, ...) are not a page's business
			return
		}
		s.proxy.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
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
	json.NewEncoder(w).Encode(map[string]string{"link": s.link(r, name), "path": name})
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

func validNotebook(data []byte) error {
	var nb struct {
		Cells []json.RawMessage `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil || nb.Cells == nil {
		return fmt.Errorf("not a notebook (nbformat 4 JSON with cells)")
	}
	return nil
}

// deployNotebook writes <root>/<name>.ipynb atomically (a viewer reads the old or the new
// file, never half of one), and removes a bundle of the same name.
func (s *Server) deployNotebook(name string, data []byte) error {
	if err := validNotebook(data); err != nil {
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
func (s *Server) deployZip(name string, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("a bad zip: %w", err)
	}
	if len(zr.File) > maxEntries {
		return fmt.Errorf("the zip has %d entries (at most %d)", len(zr.File), maxEntries)
	}
	var total uint64
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		n := strings.TrimPrefix(path.Clean("/"+f.Name), "/")
		if strings.Contains(f.Name, "..") || strings.HasPrefix(f.Name, "/") || strings.ContainsRune(f.Name, 0) || len(f.Name) > maxPath {
			return fmt.Errorf("zip entry %q leaves the dashboard", f.Name)
		}
		if f.Mode().IsDir() || strings.HasSuffix(f.Name, "/") || n == "" || n == "." {
			continue
		}
		if !f.Mode().IsRegular() {
			return fmt.Errorf("zip entry %q is not a regular file", f.Name)
		}
		if total += f.UncompressedSize64; total > uint64(s.c.MaxUpload) {
			return fmt.Errorf("the zip unpacks to more than %d bytes", s.c.MaxUpload)
		}
		files[n] = f
	}
	if files["index.ipynb"] == nil {
		return fmt.Errorf("the zip has no index.ipynb")
	}
	version := filepath.Join(s.c.Root, ".versions", strings.ReplaceAll(name, "/", "%2F")+"-"+randomHex())
	w := s.writer()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rc, err := files[n].Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(io.LimitReader(rc, s.c.MaxUpload+1))
		rc.Close()
		if err != nil {
			return fmt.Errorf("zip entry %q: %w", n, err)
		}
		if n == "index.ipynb" {
			if err := validNotebook(b); err != nil {
				return err
			}
		}
		if _, err := w.WriteFile(filepath.Join(version, filepath.FromSlash(n)), b, 0o644); err != nil {
			fsx.RemoveAll(w, version)
			return err
		}
	}
	link := filepath.Join(s.c.Root, filepath.FromSlash(name))
	old, _ := os.Readlink(link)
	rel, _ := filepath.Rel(filepath.Dir(link), version)
	if _, err := w.Symlink(rel, link); err != nil {
		fsx.RemoveAll(w, version)
		return err
	}
	if old != "" {
		fsx.RemoveAll(w, filepath.Join(filepath.Dir(link), old))
	}
	_, err = w.Remove(filepath.Join(s.c.Root, filepath.FromSlash(name)+".ipynb"))
	return err
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
	out := withPage(r.Clone(r.Context()), s.pageSession(w, r))
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
	var names []string
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
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<!DOCTYPE html><html><head><title>Dashboards</title></head><body><h1>Dashboards</h1><ul>\n")
	for _, n := range names {
		u := (&url.URL{Path: "/dashboards/" + n}).EscapedPath()
		fmt.Fprintf(w, "<li><a href=\"%s\">%s</a></li>\n", html.EscapeString(u), html.EscapeString(n))
	}
	fmt.Fprint(w, "</ul></body></html>\n")
}
