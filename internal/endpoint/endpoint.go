// Package endpoint holds the rules for where a Jupyter service may listen and what may name
// a gateway: a port, an ip or host name, a loopback address, a gateway URL without
// credentials. setup's flags and jdash.yaml's keys both check through it.
package endpoint

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckPort refuses what is not a TCP port.
func CheckPort(port int) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("a port is 1 to 65535, not %d", port)
	}
	return nil
}

// CheckHost refuses what is neither an IP address nor an RFC 1123 host name.
func CheckHost(host string) error {
	if net.ParseIP(host) == nil && !isHostName(host) {
		return fmt.Errorf("%q is not an IP address or a host name", host)
	}
	return nil
}

// isHostName: RFC 1123 labels (letters, digits, hyphens; not at the ends), dot-separated;
// the last one not all digits (RFC 1123 2.1: a name never looks like an address, so
// 999.1.1.1 is a bad address, not a host name).
func isHostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(s, "."), ".")
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" {
		return false
	}
	for _, label := range labels {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// IsLoopback reports a host only this machine reaches: localhost or a loopback address,
// bracketed or not ("[::1]").
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// ErrCredentials is a gateway URL that carries a user, a password, a query or a fragment:
// a token there would land in a config file or a command line.
var ErrCredentials = errors.New("carries credentials or parameters")

// CheckGatewayURL refuses what must not name a gateway: not http(s), no host, or carrying
// credentials (errors.Is ErrCredentials). The errors show the URL without its secrets.
func CheckGatewayURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// URL with a host", Redact(raw))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%s %w", Redact(raw), ErrCredentials)
	}
	return nil
}

// Redact shows a URL without its user, password, query and fragment, for messages.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(an unparsable URL)"
	}
	return u.Scheme + "://" + u.Host + u.Path
}
