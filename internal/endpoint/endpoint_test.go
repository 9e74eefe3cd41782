package endpoint

import (
	"errors"
	"testing"
)

func TestHosts(t *testing.T) {
	for _, ok := range []string{"127.0.0.1", "::1", "0.0.0.0", "localhost", "notebook.example.org", "host-1", "a1.b2"} {
		if err := CheckHost(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	// 999.1.1.1 is an address out of range, not a name; the rest are not names at all
	for _, bad := range []string{"999.1.1.1", "1.2.3", "256.0.0.1", "-a.b", "a..b", "a b", "", "not an ip"} {
		if CheckHost(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestLoopbackAndGatewayURL(t *testing.T) {
	for h, want := range map[string]bool{"localhost": true, "127.0.0.2": true, "::1": true, "[::1]": true, "0.0.0.0": false, "example.org": false} {
		if IsLoopback(h) != want {
			t.Errorf("IsLoopback(%q) != %v", h, want)
		}
	}
	if err := CheckGatewayURL("http://u:PASS@h:8889/?token=T"); !errors.Is(err, ErrCredentials) || contains(err.Error(), "PASS") || contains(err.Error(), "token=T") {
		t.Errorf("credentials: %v", err)
	}
	if CheckGatewayURL("ftp://h") == nil || CheckGatewayURL("http://") == nil || CheckGatewayURL("https://h:1/api") != nil {
		t.Error("scheme and host")
	}
	if CheckPort(0) == nil || CheckPort(65536) == nil || CheckPort(8888) != nil {
		t.Error("ports")
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
