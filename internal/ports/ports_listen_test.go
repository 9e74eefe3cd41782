package ports

import (
	"net"
	"os"
	"runtime"
	"testing"
)

func TestProcIP(t *testing.T) {
	for h, want := range map[string]string{
		"0100007F":                         "127.0.0.1",
		"00000000":                         "0.0.0.0",
		"00000000000000000000000001000000": "::1",
		"0000000000000000FFFF00000100007F": "127.0.0.1", // ::ffff:127.0.0.1
	} {
		if got := procIP(h); got == nil || !got.Equal(net.ParseIP(want)) {
			t.Errorf("%s: %v, want %s", h, got, want)
		}
	}
	if procIP("zz") != nil {
		t.Error("a bad address decoded")
	}
}

// This process's listener is found on its address and held by this process, not another.
func TestListeningHeldBy(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/net")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	socks := Listening("127.0.0.1", port)
	if len(socks) != 1 {
		t.Fatalf("Listening(127.0.0.1, %d) = %v", port, socks)
	}
	if len(Listening("127.0.0.2", port)) != 0 {
		t.Error("a listener on 127.0.0.1 reached through 127.0.0.2")
	}
	if !HeldBy(socks, []int{os.Getpid()}) {
		t.Error("this process's listener is not held by it")
	}
	if HeldBy(socks, []int{os.Getppid()}) || HeldBy(nil, []int{os.Getpid()}) {
		t.Error("held by the wrong process, or by nobody")
	}
}
