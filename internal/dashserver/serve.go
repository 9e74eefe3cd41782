package dashserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/fsx"
)

// Serve is the dashboards service of a stack (kind dashboards, jdash __dashboards), started
// by the stack's supervisor: its settings and tokens come in JDASH_DASHBOARDS_* variables
// (never argv), and it serves until SIGINT or SIGTERM.
func Serve(getenv func(string) string, logs io.Writer) error {
	get := func(k string) string { return getenv("JDASH_DASHBOARDS_" + k) }
	root := get("ROOT")
	if root == "" || get("LISTEN") == "" {
		return fmt.Errorf("__dashboards is started by jdash up")
	}
	// the dashboards root is inside the notebooks dir: made there by the writer
	if err := (&fsx.Real{Roots: fsx.NewRoots(root)}).MkdirAll(root, 0o755); err != nil {
		return err
	}
	c := Config{Root: root, RootRel: get("ROOT_REL"), UploadToken: get("UPLOAD_TOKEN"),
		VoilaURL: get("VOILA_URL"), VoilaToken: get("VOILA_TOKEN"), Gridstack: get("GRIDSTACK") == "1",
		ViewerToken: get("VIEWER_TOKEN"), ViewerPassword: get("VIEWER_PASSWORD"), KernelsIn: get("KERNELS_IN"),
		Logf: func(format string, a ...any) { fmt.Fprintf(logs, format+"\n", a...) }}
	ip, _, err := net.SplitHostPort(get("LISTEN"))
	if err != nil {
		return clierr.Usagef("JDASH_DASHBOARDS_LISTEN: %v", err)
	}
	var extra []string
	if h := get("HOSTS"); h != "" {
		extra = strings.Split(h, ",")
	}
	c.Hosts = AllowedHosts(ip, extra, MachineNames)
	if o := get("ALLOW_ORIGINS"); o != "" {
		c.AllowOrigins = strings.Split(o, ",")
	}
	if v := get("KERNEL_IDLE"); v != "" {
		if c.KernelIdle, err = time.ParseDuration(v); err != nil || c.KernelIdle <= 0 {
			return clierr.Usagef("JDASH_DASHBOARDS_KERNEL_IDLE: a duration above 0, not %q", v)
		}
	}
	if v := get("MAX_KERNELS"); v != "" {
		if c.MaxKernels, err = strconv.Atoi(v); err != nil || c.MaxKernels <= 0 {
			return clierr.Usagef("JDASH_DASHBOARDS_MAX_KERNELS: a number above 0, not %q", v)
		}
	}
	s, err := New(c)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: get("LISTEN"), Handler: s, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go s.Cull(ctx)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	fmt.Fprintf(logs, "dashboards: serving %s on http://%s/, rendered by Voilà at %s\n", root, get("LISTEN"), get("VOILA_URL"))
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
