package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/dashserver"
	"github.com/jdash-dev/jdash/internal/fsx"
)

// newDashboardsCmd is the dashboards service of a stack (kind dashboards), started by the
// stack's supervisor (hidden): its settings and tokens come in JDASH_DASHBOARDS_* variables.
func newDashboardsCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "__dashboards",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			get := func(k string) string { return f.Env["JDASH_DASHBOARDS_"+k] }
			root := get("ROOT")
			if root == "" || get("LISTEN") == "" {
				return fmt.Errorf("__dashboards is started by jdash up")
			}
			// the dashboards root is inside the notebooks dir: made there by the writer
			if err := (&fsx.Real{Roots: fsx.NewRoots(root)}).MkdirAll(root, 0o755); err != nil {
				return err
			}
			s, err := dashserver.New(dashserver.Config{Root: root, RootRel: get("ROOT_REL"), UploadToken: get("UPLOAD_TOKEN"),
				VoilaURL: get("VOILA_URL"), VoilaToken: get("VOILA_TOKEN"), Gridstack: get("GRIDSTACK") == "1",
				ViewerToken: get("VIEWER_TOKEN"), ViewerPassword: get("VIEWER_PASSWORD")})
			if err != nil {
				return err
			}
			srv := &http.Server{Addr: get("LISTEN"), Handler: s, ReadHeaderTimeout: 10 * time.Second}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			go func() {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				srv.Shutdown(sctx)
			}()
			fmt.Fprintf(f.IO.ErrOut, "dashboards: serving %s on http://%s/, rendered by Voilà at %s\n", root, get("LISTEN"), get("VOILA_URL"))
			if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
}
