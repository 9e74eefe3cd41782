package ports

import (
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
)

func TestTakenNamesThisProcess(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	taken, h := Taken("127.0.0.1", port)
	if !taken {
		t.Fatalf("port %d in use but not reported taken", port)
	}
	if runtime.GOOS == "linux" {
		if h.PID != os.Getpid() || !strings.Contains(h.Command, "ports.test") {
			t.Fatalf("holder = %+v, want this test process %d", h, os.Getpid())
		}
	}
	l.Close()
	if taken, _ := Taken("127.0.0.1", port); taken {
		t.Fatalf("port %d free again but reported taken", port)
	}
}
