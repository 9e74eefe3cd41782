package engine

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/ports"
	"github.com/jdash-dev/jdash/internal/proc"
)

// Probe is a service's readiness check. For a service jdash started (pid > 0) the port must
// be held by that process or one below it before anything is sent: the token never goes to
// a listener another process (or user) put on the port. Then its endpoint must answer 2xx
// to a GET with its token. A remote gateway (pid 0) is only asked.
func Probe(p compose.Proc) func(ctx context.Context, pid int) error {
	client := &http.Client{Timeout: 2 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	url := p.Base() + p.Probe.Path
	return func(ctx context.Context, pid int) error {
		if pid > 0 {
			if err := heldByService(p, pid); err != nil {
				return err
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if p.Probe.Token != "" {
			req.Header.Set("Authorization", "token "+p.Probe.Token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("%s: %s", url, resp.Status)
		}
		return nil
	}
}

// heldByService: the listeners a connection to the service's address reaches are the
// service's own.
func heldByService(p compose.Proc, pid int) error {
	host := compose.ConnectHost(p.IP)
	socks := ports.Listening(host, p.Port)
	if len(socks) == 0 {
		return fmt.Errorf("nothing listens on %s:%d yet", host, p.Port)
	}
	if ports.HeldBy(socks, append([]int{pid}, proc.Descendants(pid)...)) {
		return nil
	}
	return fmt.Errorf("port %d is held by %s, not by the service jdash started (PID %d): its token is not sent there", p.Port, ports.Owner(p.Port), pid)
}
