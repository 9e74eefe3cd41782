package dashserver

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Viewers' kernels. Voilà starts a kernel for every page it renders and keeps it until the
// page says goodbye, which a closed laptop or a page that was never a browser's does not.
// jdash knows every kernel a page of its own started (which dashboard, which page session,
// whether a channel is open): one with no open channel for KernelIdle is shut down, and a
// dashboard serves at most MaxKernels pages at once (the idle ones go first).

// Defaults of the culling.
const (
	DefaultKernelIdle = 10 * time.Minute
	DefaultMaxKernels = 10
)

type kernel struct {
	dash    string // the dashboard whose page started it
	session string // the page session that owns it
	conns   int    // open channels (websockets) through this service
	last    time.Time
}

type kernelTable struct {
	mu      sync.Mutex
	byID    map[string]*kernel
	pending map[string]int // pages of a dashboard being rendered (their kernel not known yet)
}

func (t *kernelTable) add(id, dash, session string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byID == nil {
		t.byID = map[string]*kernel{}
	}
	t.byID[id] = &kernel{dash: dash, session: session, last: now}
}

func (t *kernelTable) owner(id string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if k := t.byID[id]; k != nil {
		return k.session
	}
	return ""
}

// touch records activity on a kernel; conn is +1 when a channel opens, -1 when it closes.
func (t *kernelTable) touch(id string, conn int, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if k := t.byID[id]; k != nil {
		k.conns += conn
		k.last = now
	}
}

func (t *kernelTable) forget(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.byID, id)
}

// idle are the kernels (of dash, or of every dashboard when dash is "") with no open
// channel since before cutoff, least recently used first.
func (t *kernelTable) idle(dash string, cutoff time.Time) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for id, k := range t.byID {
		if (dash == "" || k.dash == dash) && k.conns == 0 && !k.last.After(cutoff) {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return t.byID[out[i]].last.Before(t.byID[out[j]].last) })
	return out
}

// reserve claims a place for one more page of dash, false when it has max already.
func (t *kernelTable) reserve(dash string, max int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.pending[dash]
	for _, k := range t.byID {
		if k.dash == dash {
			n++
		}
	}
	if n >= max {
		return false
	}
	if t.pending == nil {
		t.pending = map[string]int{}
	}
	t.pending[dash]++
	return true
}

func (t *kernelTable) release(dash string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending[dash]--; t.pending[dash] <= 0 {
		delete(t.pending, dash)
	}
}

// Count is how many viewers' kernels the service knows (for tests and logs).
func (s *Server) Count() int {
	s.kernels.mu.Lock()
	defer s.kernels.mu.Unlock()
	return len(s.kernels.byID)
}

// shutdown asks Voilà to shut a kernel down (with Voilà's token: jdash's own request) and
// forgets it once Voilà no longer has it.
func (s *Server) shutdown(ctx context.Context, id string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, s.c.VoilaURL+"/api/kernels/"+id, nil)
	if err != nil {
		return
	}
	req.Header.Set("Authorization", "token "+s.c.VoilaToken)
	resp, err := s.client.Do(req)
	if err != nil {
		return // Voilà is not answering: try again at the next round
	}
	resp.Body.Close()
	if resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusNotFound {
		s.kernels.forget(id)
		s.logf("dashboards: shut down the idle viewer kernel %s", id)
	}
}

// Cull shuts down the kernels idle for KernelIdle, now and then, until ctx is done.
func (s *Server) Cull(ctx context.Context) {
	every := min(s.c.KernelIdle/4, 30*time.Second)
	t := time.NewTicker(max(every, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.cullIdle(ctx, "", now.Add(-s.c.KernelIdle))
		}
	}
}

func (s *Server) cullIdle(ctx context.Context, dash string, cutoff time.Time) {
	for _, id := range s.kernels.idle(dash, cutoff) {
		s.shutdown(ctx, id)
	}
}

// makeRoom lets one more page of dash render: at its cap, its idle kernels (no open
// channel), least recently used first, are shut down until there is room.
func (s *Server) makeRoom(ctx context.Context, dash string) bool {
	if s.kernels.reserve(dash, s.c.MaxKernels) {
		return true
	}
	for _, id := range s.kernels.idle(dash, time.Now()) {
		s.shutdown(ctx, id)
		if s.kernels.reserve(dash, s.c.MaxKernels) {
			return true
		}
	}
	return false
}
