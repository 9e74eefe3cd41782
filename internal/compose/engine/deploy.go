package engine

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/compose/supervisor"
	"github.com/jdash-dev/jdash/internal/dashserver"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/runner"
	"github.com/jdash-dev/jdash/internal/ui"
)

// DeployOptions are one `jdash deploy` run.
type DeployOptions struct {
	Notebooks []string
	Name      string   // the dashboard's name (one notebook); default: the notebook's, without .ipynb
	With      []string // files the notebook reads: sent with it as the bundlers' zip
	List      bool
	Delete    string
	JSON      bool
	Open      bool // open each link in the user's browser
}

// maxNotebook bounds what deploy reads and sends (the service's default upload limit).
const maxNotebook = 64 << 20

// dashboards is the stack's running dashboards service: its address and upload token.
type dashboards struct {
	name, base, token string
}

// Deploy publishes notebooks to the dashboards service of the running stack (as the bundlers'
// "Dashboard on Jupyter Dashboards Server" does), lists them, or deletes one. The upload token
// is read from the stack's state, sent only in the Authorization header, never printed.
func Deploy(d Deps, p *Project, o DeployOptions) error {
	svc, err := dashboardsOf(p)
	if err != nil {
		return err
	}
	switch {
	case o.List:
		var doc struct {
			Dashboards []string `json:"dashboards"`
			KernelsIn  string   `json:"kernels_in,omitempty"`
		}
		if err := svc.call(http.MethodGet, "/_api/notebooks", nil, "", &doc); err != nil {
			return err
		}
		if o.JSON {
			return ui.WriteJSON(d.IO.Out, doc)
		}
		for _, n := range doc.Dashboards {
			fmt.Fprintf(d.IO.Out, "%s\t%s\n", ui.Safe(n), svc.base+"/dashboards/"+(&url.URL{Path: n}).EscapedPath())
		}
		if doc.KernelsIn != "" {
			fmt.Fprintf(d.IO.ErrOut, "they run in %s\n", doc.KernelsIn)
		}
		return nil
	case o.Delete != "":
		if err := svc.call(http.MethodDelete, "/_api/notebooks/"+(&url.URL{Path: o.Delete}).EscapedPath(), nil, "", nil); err != nil {
			return err
		}
		fmt.Fprintf(d.IO.ErrOut, "deleted the dashboard %s\n", o.Delete)
		return nil
	}
	if len(o.Notebooks) > 1 && (o.Name != "" || len(o.With) > 0) {
		return clierr.Usagef("--name and --with apply to one notebook")
	}
	var links []deployed
	for _, nb := range o.Notebooks {
		body, ctype, name, err := payload(nb, o.Name, o.With)
		if err != nil {
			return err
		}
		var res deployed
		if err := svc.call(http.MethodPost, "/_api/notebooks/"+(&url.URL{Path: name}).EscapedPath(), body, ctype, &res); err != nil {
			return fmt.Errorf("%s: %w", nb, err)
		}
		res.Notebook = nb
		links = append(links, res)
	}
	if o.JSON {
		return ui.WriteJSON(d.IO.Out, map[string]any{"deployed": links})
	}
	for _, l := range links {
		fmt.Fprintln(d.IO.Out, l.Link)
		if l.KernelsIn != "" {
			fmt.Fprintf(d.IO.ErrOut, "%s runs in %s\n", l.Path, l.KernelsIn)
		}
	}
	if o.Open {
		for _, l := range links {
			if err := openLink(d, l.Link); err != nil {
				return err
			}
		}
	}
	return nil
}

// openLink opens a link in the user's browser: $BROWSER (its first command, as Python's
// webbrowser reads it: %s is the link, else the link goes last), else the desktop's opener.
// A dashboard's link carries no token.
func openLink(d Deps, link string) error {
	r := d.Envs.Runner
	var argv []string
	if b, _, _ := strings.Cut(r.Env["BROWSER"], string(filepath.ListSeparator)); strings.TrimSpace(b) != "" {
		argv = strings.Fields(b)
	} else {
		switch runtime.GOOS {
		case "darwin":
			argv = []string{"open"}
		case "windows":
			argv = []string{"rundll32", "url.dll,FileProtocolHandler"}
		default:
			argv = []string{"xdg-open"}
		}
	}
	if i := slices.IndexFunc(argv, func(a string) bool { return strings.Contains(a, "%s") }); i >= 0 {
		argv[i] = strings.ReplaceAll(argv[i], "%s", link)
	} else {
		argv = append(argv, link)
	}
	path := argv[0]
	if !filepath.IsAbs(path) {
		var err error
		if path, err = r.LookPath(argv[0]); err != nil {
			return clierr.Exit(clierr.Failed, "--open: %v (set BROWSER to your browser's command)", err)
		}
	}
	if _, err := r.Run(d.Ctx, runner.Cmd{Path: path, Args: argv[1:], Timeout: 30 * time.Second}); err != nil {
		return clierr.Exit(clierr.Failed, "--open: %v", err)
	}
	return nil
}

type deployed struct {
	Notebook  string `json:"notebook"`
	Path      string `json:"path"`
	Link      string `json:"link"`
	KernelsIn string `json:"kernels_in,omitempty"` // the env whose Python runs it
}

// payload is the multipart upload of one notebook, alone or zipped with the files it reads
// (the zip the bundlers send: index.ipynb and the files, by their paths relative to the
// notebook's dir). A file that is not a valid notebook is refused here, naming it.
func payload(nb, name string, with []string) (body []byte, ctype, dashboard string, err error) {
	data, err := fsx.ReadRegular(nb, maxNotebook)
	if err != nil {
		return nil, "", "", err
	}
	if err := dashserver.ValidNotebook(data); err != nil {
		return nil, "", "", fmt.Errorf("%s: %w", nb, err)
	}
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(nb), ".ipynb")
	}
	file := data
	if len(with) > 0 {
		var zb bytes.Buffer
		zw := zip.NewWriter(&zb)
		add := func(n string, b []byte) error {
			f, err := zw.Create(n)
			if err == nil {
				_, err = f.Write(b)
			}
			return err
		}
		if err := add("index.ipynb", data); err != nil {
			return nil, "", "", err
		}
		dir := filepath.Dir(nb)
		for _, w := range with {
			rel, err := filepath.Rel(dir, w)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
				return nil, "", "", fmt.Errorf("--with %s: not in the notebook's dir %s (the dashboard reads its files relative to it)", w, dir)
			}
			b, err := fsx.ReadRegular(w, maxNotebook)
			if err != nil {
				return nil, "", "", fmt.Errorf("--with: %w", err)
			}
			if err := add(filepath.ToSlash(rel), b); err != nil {
				return nil, "", "", err
			}
		}
		if err := zw.Close(); err != nil {
			return nil, "", "", err
		}
		file = zb.Bytes()
	}
	var mb bytes.Buffer
	mw := multipart.NewWriter(&mb)
	fw, err := mw.CreateFormFile("file", filepath.Base(nb))
	if err == nil {
		_, err = fw.Write(file)
	}
	if err == nil {
		err = mw.Close()
	}
	return mb.Bytes(), mw.FormDataContentType(), name, err
}

// dashboardsOf is the running stack's dashboards service (jdash's own, or a legacy Node one).
func dashboardsOf(p *Project) (dashboards, error) {
	if !slices.ContainsFunc(p.Stack.Services, func(s compose.Service) bool { return s.Kind == "dashboards" || s.Kind == "dashboards_server" }) {
		return dashboards{}, clierr.Exit(clierr.Failed, "the stack of %s has no dashboards service: add one to its jdash.yaml, e.g.\n  dashboards: {kind: dashboards, port: 3000, render: <its voila service>}\nthen jdash up -d", p.Stack.Dir)
	}
	st, err := p.Store.State()
	if err != nil {
		return dashboards{}, err
	}
	if !st.Running() {
		return dashboards{}, clierr.Exit(clierr.Failed, "the stack of %s is not up: jdash up -d starts it", p.Stack.Dir)
	}
	pl, err := p.Store.Plan()
	if err != nil {
		return dashboards{}, err
	}
	i := slices.IndexFunc(pl.Procs, func(pr compose.Proc) bool { return pr.Kind == "dashboards" || pr.Kind == "dashboards_server" })
	if i < 0 {
		return dashboards{}, clierr.Exit(clierr.Failed, "the running stack of %s was started without its dashboards service: jdash down && jdash up -d", p.Stack.Dir)
	}
	pr := pl.Procs[i]
	if j := slices.IndexFunc(st.Services, func(s supervisor.Status) bool { return s.Name == pr.Name }); j < 0 || st.Services[j].State != supervisor.Ready {
		state := "not started"
		if j >= 0 {
			state = st.Services[j].State
		}
		return dashboards{}, clierr.Exit(clierr.Failed, "the dashboards service %s is %s: jdash ps shows the stack, jdash logs %s why", pr.Name, state, pr.Name)
	}
	key := "JDASH_DASHBOARDS_UPLOAD_TOKEN"
	if pr.Kind == "dashboards_server" {
		key = "AUTH_TOKEN"
	}
	svc := dashboards{name: pr.Name, base: pr.Base()}
	for _, kv := range pr.Set {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			svc.token = v
		}
	}
	return svc, nil
}

// call sends one request with the upload token and decodes a JSON answer into out; a refusal
// is an error with the service's own message.
func (s dashboards) call(method, path string, body []byte, ctype string, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "token "+s.token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return clierr.Exit(clierr.Failed, "the dashboards service %s does not answer at %s: jdash ps shows the stack", s.name, s.base)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return clierr.Exit(clierr.Failed, "the dashboards service refused: %s: %s", resp.Status, strings.TrimSpace(string(data)))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
