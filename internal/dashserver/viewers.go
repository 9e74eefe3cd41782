package dashserver

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Viewers. Voilà starts a kernel for every page it renders, and the proxy talks to Voilà
// with Voilà's token, so Voilà itself cannot tell one viewer from another: jdash does. A
// dashboard renders only for a browser's page session: a cookie (HttpOnly, SameSite=Strict,
// so a request another site makes never carries it) that the first view sets with a page
// that reloads itself, so a client that keeps no cookies (a script, an <img> on a foreign
// page) never starts a kernel. The session owns the kernels its pages started; the kernel
// endpoints (channels, restart, interrupt, DELETE, Voilà's shutdown) serve only their owner.
// Viewing itself may need a login (Config.ViewerToken or ViewerPassword): a token in the
// link, an Authorization header, or the login form, which set a login cookie.

const (
	pageCookie  = "jdash_page"
	loginCookie = "jdash_login"
	// maxSessions bounds each session table: the oldest goes first.
	maxSessions = 4096
	loginTTL    = 12 * time.Hour
)

// kernelIDRe is the kernel id Voilà writes into a rendered page's config.
var kernelIDRe = regexp.MustCompile(`"kernelId":\s*"([0-9a-fA-F-]{36})"`)

// sessions is a bounded table of random ids, each with a value and an expiry.
type sessions[T any] struct {
	mu    sync.Mutex
	byID  map[string]*entry[T]
	order []string
}

type entry[T any] struct {
	v       T
	expires time.Time
}

func (t *sessions[T]) add(v T, ttl time.Duration) string {
	id := randomID()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byID == nil {
		t.byID = map[string]*entry[T]{}
	}
	for len(t.order) >= maxSessions {
		delete(t.byID, t.order[0])
		t.order = t.order[1:]
	}
	t.byID[id] = &entry[T]{v: v, expires: time.Now().Add(ttl)}
	t.order = append(t.order, id)
	return id
}

// with runs fn on the session's value; false when id is unknown or expired.
func (t *sessions[T]) with(id string, fn func(*T)) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.byID[id]
	if !ok || time.Now().After(e.expires) {
		return false
	}
	if fn != nil {
		fn(&e.v)
	}
	return true
}

func randomID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}

func cookie(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

// setCookie sets a session cookie: HttpOnly, Strict for the page session (only this
// server's own pages use it), Lax for the login (a link from elsewhere keeps it).
func setCookie(w http.ResponseWriter, name, value string, ttl time.Duration) {
	same := http.SameSiteStrictMode
	if name == loginCookie {
		same = http.SameSiteLaxMode
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: same, MaxAge: int(ttl.Seconds())})
}

// browserSession is the viewer's page session. Without one it sets the cookie and answers
// with a page that loads the dashboard again (then with the cookie), and returns false.
func (s *Server) browserSession(w http.ResponseWriter, r *http.Request) (string, bool) {
	if id := cookie(r, pageCookie); id != "" && s.pages.with(id, nil) {
		return id, true
	}
	setCookie(w, pageCookie, s.pages.add(struct{}{}, loginTTL), loginTTL)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	fmt.Fprint(w, `<!DOCTYPE html><html><head><meta http-equiv="refresh" content="0"><title>Dashboards: opening</title></head>
<body><p>Opening the dashboard… (<a href="">continue</a>; your browser must accept this site's cookie)</p></body></html>
`)
	return "", false
}

type pageKey struct{}

// pageCtx is what a render request carries to its response: whose page, which dashboard.
type pageCtx struct{ session, dash string }

// ownKernels records the kernels a rendered page carries for its page session.
func (s *Server) ownKernels(resp *http.Response, body []byte) {
	pc, _ := resp.Request.Context().Value(pageKey{}).(pageCtx)
	if pc.session == "" {
		return
	}
	for _, m := range kernelIDRe.FindAllSubmatch(body, -1) {
		s.kernels.add(strings.ToLower(string(m[1])), pc.dash, pc.session, time.Now())
	}
}

func withPage(r *http.Request, pc pageCtx) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), pageKey{}, pc))
}

// kernelOf is the kernel id a kernel endpoint names ("" for the kernel list): /api/kernels/<id>[/...],
// Voilà's /voila/api/shutdown/<id>, /voila/query/<id> and /voila/execution/<id>.
func kernelOf(p string) (id string, isKernelPath bool) {
	for _, prefix := range []string{"/api/kernels/", "/voila/api/shutdown/", "/voila/query/", "/voila/execution/"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			id, _, _ = strings.Cut(rest, "/")
			return strings.ToLower(id), true
		}
	}
	return "", p == "/api/kernels" || p == "/voila/api/shutdown"
}

// ownsKernel: the request's page session owns kernel id.
func (s *Server) ownsKernel(r *http.Request, id string) bool {
	sid := cookie(r, pageCookie)
	return id != "" && sid != "" && s.pages.with(sid, nil) && s.kernels.owner(id) == sid
}

// viewerAuth reports whether viewing needs a login.
func (s *Server) viewerAuth() bool { return s.c.ViewerToken != "" || s.c.ViewerPassword != "" }

// secretOK compares a presented credential with the viewer token or password, and the
// upload token (whoever may deploy may view), in constant time.
func (s *Server) secretOK(got string) bool {
	ok := 0
	for _, want := range []string{s.c.ViewerToken, s.c.ViewerPassword, s.c.UploadToken} {
		if want != "" {
			ok |= subtle.ConstantTimeCompare([]byte(got), []byte(want))
		}
	}
	return got != "" && ok == 1
}

// viewer checks who is asking to view. It answers the request itself (a redirect to the
// login form, a 401, or the redirect that drops ?token= from the address) and returns false
// when the handler must not go on.
func (s *Server) viewer(w http.ResponseWriter, r *http.Request) bool {
	if !s.viewerAuth() || s.logins.with(cookie(r, loginCookie), nil) {
		return true
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "token "); ok && s.secretOK(tok) {
		return true
	}
	if tok := r.URL.Query().Get("token"); tok != "" && s.secretOK(tok) && r.Method == http.MethodGet {
		setCookie(w, loginCookie, s.logins.add(struct{}{}, loginTTL), loginTTL)
		q := r.URL.Query()
		q.Del("token")
		u := *r.URL
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther) // the token leaves the address bar
		return false
	}
	if r.Method == http.MethodGet && (r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/dashboards")) {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return false
	}
	w.Header().Set("WWW-Authenticate", "token")
	http.Error(w, "a viewer login is required", http.StatusUnauthorized)
	return false
}

// login is the form the old dashboards server had: one field, the viewer token or password.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		next = r.PostForm.Get("next")
		if s.secretOK(r.PostForm.Get("password")) {
			setCookie(w, loginCookie, s.logins.add(struct{}{}, loginTTL), loginTTL)
			http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
	} else if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	what := "password"
	if s.c.ViewerToken != "" {
		what = "token"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	msg := ""
	if r.Method == http.MethodPost {
		msg = `<p class="error">That ` + what + ` is not right.</p>`
	}
	fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Dashboards: log in</title></head><body><h1>Dashboards</h1>%s
<form method="post" action="/login"><label>%s <input type="password" name="password" autofocus></label>
<input type="hidden" name="next" value="%s"><button type="submit">Log in</button></form></body></html>
`, msg, html.EscapeString(strings.ToUpper(what[:1])+what[1:]), html.EscapeString(safeNext(next)))
}

// safeNext keeps a redirect inside this server.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	return next
}
