package dashserver

import (
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
)

// The dashboards origin is jdash's. Voilà, asked with its token, trusts every request (it
// reflects any Origin into CORS headers and skips its websocket Origin check), so jdash
// decides who may reach it: the Host must be a name this service answers to (DNS rebinding
// gets nowhere), a request a browser sends on behalf of another site is refused (a foreign
// or null Origin, or Sec-Fetch-Site: cross-site on anything but a top-level navigation), and
// no CORS header ever leaves: another origin can neither read a response nor open a socket.

// AllowedHosts are the host names a request may carry: the loopback names, the listen
// address, and the configured names; on an unspecified listen address (0.0.0.0, ::) every
// address of this machine's interfaces and its host name too.
func AllowedHosts(listenIP string, extra []string, machine func() []string) []string {
	out := []string{"localhost", "127.0.0.1", "::1"}
	if listenIP != "" {
		out = append(out, listenIP)
	}
	if ip := net.ParseIP(listenIP); ip != nil && ip.IsUnspecified() && machine != nil {
		out = append(out, machine()...)
	}
	for _, h := range append(out, extra...) {
		h = strings.ToLower(strings.Trim(h, "[]"))
		if h != "" && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// MachineNames are this machine's interface addresses and host name.
func MachineNames() []string {
	var out []string
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				out = append(out, n.IP.String())
			}
		}
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		out = append(out, strings.ToLower(h))
	}
	return out
}

// hostOK: the Host header names this service (any port: a proxy in front may map it).
func (s *Server) hostOK(r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	return host != "" && (slices.Contains(s.hosts, host) || strings.HasSuffix(host, ".localhost"))
}

// sameSite: the browser did not send this on behalf of another site, or that site is one
// the configuration allows (AllowOrigins). A request without Origin or Sec-Fetch-Site (a
// script, the bundler, an old browser's navigation) passes; the upload API and the viewer
// login are checked by their own credentials.
func (s *Server) sameSite(r *http.Request) bool {
	if s.allowedOrigin(r) {
		return true
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
			return false // "null" (a sandboxed or file: page) parses with no host
		}
	}
	return r.Header.Get("Sec-Fetch-Site") != "cross-site" || r.Header.Get("Sec-Fetch-Mode") == "navigate" && r.Method == http.MethodGet
}

// allowedOrigin: the request's Origin is one the configuration lets in.
func (s *Server) allowedOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o != "" && slices.Contains(s.c.AllowOrigins, o)
}

// cors answers for an allowed origin: its reads are granted (no credentials: the page
// session's cookie is SameSite=Strict, so another site's page starts no kernel), and a
// preflight is answered here. It reports whether the request was a preflight it answered.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	if !s.allowedOrigin(r) {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	h.Add("Vary", "Origin")
	if r.Method != http.MethodOptions {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, HEAD")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// noCORS removes the CORS headers of a proxied response: Voilà's are never passed on (it
// reflects any origin); jdash sets its own (cors).
func noCORS(resp *http.Response) {
	for k := range resp.Header {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			resp.Header.Del(k)
		}
	}
}

// safeFilesPath: a /voila/files/ path stays in the dashboards folder however it is written.
// The decoded path has no . or .. segment and no backslash, and the raw path encodes no
// dot, slash, backslash or percent sign (a proxy or Voilà would decode them a second time).
func (s *Server) safeFilesPath(r *http.Request) bool {
	p := r.URL.Path
	if !strings.HasPrefix(p, "/voila/files/"+s.c.RootRel+"/") || strings.ContainsAny(p, "\\\x00") {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	raw := strings.ToLower(r.URL.EscapedPath())
	for _, enc := range []string{"%2e", "%2f", "%5c", "%25", "%00"} {
		if strings.Contains(raw, enc) {
			return false
		}
	}
	return true
}
