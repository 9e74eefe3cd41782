// Package setup brings an env to a working Jupyter stack for a profile, natively: what
// `jupyter contrib nbextension install`, `jupyter dashboards quick-setup`,
// `jupyter bundlerextension enable` and `jupyter nbextension enable --py widgetsnbextension`
// do, plus the env's etc/jupyter config for the stack. Every write goes through fsx, so a
// run is atomic per file, idempotent, journaled for --undo, and dry-runnable.
package setup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/deployext"
	"github.com/jdash-dev/jdash/internal/endpoint"
	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/labext"
	"github.com/jdash-dev/jdash/internal/nbext"
	"github.com/jdash-dev/jdash/internal/patch"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/profile"
	"github.com/jdash-dev/jdash/internal/pyjson"
	"github.com/jdash-dev/jdash/internal/pyrun"
	"github.com/jdash-dev/jdash/internal/pyver"
	"github.com/jdash-dev/jdash/internal/serverext"
	"github.com/jdash-dev/jdash/internal/uiconfig"
)

// Stack is the notebook server's part of the stack config.
type Stack struct {
	IP         string
	Port       int
	GatewayURL string // empty: no gateway configured
}

// Options are one setup run's inputs.
type Options struct {
	Profile *profile.Profile
	Level   jupyter.Level
	Env     *envdetect.Env
	Paths   jupyter.Paths
	Python  pyrun.Interpreter
	Stack   Stack
	Log     io.Writer // progress lines
	Warn    io.Writer // what the user should know (stderr)
	// Packages is the env's package index (the patch step reads it).
	Packages *pkgindex.Index
}

// Missing returns the profile's requirements the env does not satisfy.
func Missing(p *profile.Profile, e *envdetect.Env, installed func(name string) string) ([]string, error) {
	pkgs, err := p.PackagesFor(e.PythonVersion)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range pkgs {
		req := profile.ParseRequirement(r)
		if !req.Satisfied(installed(req.Name)) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Run applies the profile's steps through w.
func Run(ctx context.Context, w fsx.Writer, o Options) error {
	for _, s := range o.Profile.Steps {
		fn, ok := steps[s]
		if !ok {
			return fmt.Errorf("profile %s: unknown step %q", o.Profile.Name, s)
		}
		if o.Log != nil {
			fmt.Fprintf(o.Log, "setup: %s\n", s)
		}
		if err := fn(ctx, w, o); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

var steps = map[string]func(context.Context, fsx.Writer, Options) error{
	"patch":                patchStep,
	"contrib-nbextensions": contribNbextensions,
	"dashboards":           dashboards,
	"dashboards-bundlers":  bundlers,
	"widgets":              widgets,
	"stack-config":         stackConfig,
	"lab":                  labStep,
	"deploy":               deployStep,
}

// deployStep puts Deploy into the env's notebook UIs (internal/deployext): the server
// endpoint (nbclassic's File > Deploy as route, JupyterLab's command) at the env's level, and
// the "Deploy as dashboard" labextension where the env has JupyterLab or Notebook 7.
func deployStep(_ context.Context, w fsx.Writer, o Options) error {
	site := o.envSiteDir()
	if site == "" {
		if o.Warn != nil {
			fmt.Fprintf(o.Warn, "setup: deploy skipped: its server endpoint is a module of the env, set up at the env's level (--sys-prefix)\n")
		}
		return nil
	}
	levelDir, err := o.levelDir()
	if err != nil {
		return err
	}
	if err := deployext.InstallEndpoint(w, site, levelDir); err != nil {
		return err
	}
	if o.Packages.Version("jupyterlab") == "" && !jupyter.IsNotebook7(o.Packages.Version("notebook")) {
		return nil
	}
	err = deployext.InstallLab(w, filepath.Join(o.Level.Data, "labextensions"))
	if errors.Is(err, deployext.ErrNotBuilt) {
		if o.Warn != nil {
			fmt.Fprintf(o.Warn, "setup: no \"Deploy as dashboard\" in JupyterLab/Notebook 7: %v\n", err)
		}
		return nil
	}
	return err
}

// labStep sets the lab side up at the level: the profile's prebuilt extensions (put into the
// env's labextensions dir by their packages) must be there, and enabled at the level when a
// page config disables them (as `jupyter labextension enable --level` does). A disable at a
// level that wins over this one is named: doctor's labext-user-disabled.
func labStep(_ context.Context, w fsx.Writer, o Options) error {
	exts, _ := labext.Scan(w, labext.Dirs(o.Paths))
	all := labext.ConfigDirs(o.Paths)
	lv := labext.Levels{All: all, At: labext.ConfigDir{Path: filepath.Join(o.Level.Config, "labconfig"), Level: string(o.Level.Kind)},
		Higher: labext.HigherLevels(all, o.Level.Kind), Migrate: o.Level.Kind == jupyter.SysPrefix && labext.Migrates(o.Packages.Version("jupyterlab"))}
	for _, name := range o.Profile.Lab {
		if !slices.ContainsFunc(exts, func(e labext.Ext) bool { return e.Name == name }) {
			return fmt.Errorf("%s is in no labextensions dir of the env (%s): reinstall the package that ships it", name, o.Paths.Levels.SysPrefix.Data)
		}
		out, err := labext.Toggle(w, lv, name, false)
		if err != nil {
			return err
		}
		if out.StillBy != nil && o.Warn != nil {
			fmt.Fprintf(o.Warn, "warning: %s stays disabled: %s (%s) disables it, and that level wins over this one (jdash doctor --env %s)\n", name, out.StillBy.File, out.StillBy.Level, o.Env.Prefix)
		}
	}
	return nil
}

func (o Options) configDir() (string, error) { return o.Level.NBConfig() }

// levelDir is the level's config dir (<prefix>/etc/jupyter at --sys-prefix).
func (o Options) levelDir() (string, error) { return o.Level.ConfigDir() }

// installPy is `jupyter nbextension install --py module` at the level.
func installPy(ctx context.Context, w fsx.Writer, o Options, module string) ([]pyrun.NBExtensionPaths, error) {
	dir, paths, err := o.Python.ModuleNBExtensions(ctx, module)
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		if _, err := nbext.Install(w, o.Level.NBExtensions(), filepath.Join(dir, p.Src), nbext.InstallOptions{Destination: p.Dest}); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

func enable(w fsx.Writer, o Options, section, require string) error {
	dir, err := o.configDir()
	if err != nil {
		return err
	}
	_, err = nbext.SetState(w, dir, section, require, pyjson.BoolValue(true))
	return err
}

// contribNbextensions is `jupyter contrib nbextension install` (0.7.0 install.py): the
// nbextension files of jupyter_contrib_nbextensions and jupyter_highlight_selected_word,
// the configurator enabled (server extension and its two nbextensions), the help item, and
// the nbconvert template path and preprocessors. The configurator's own files are also
// installed as an nbextension so that they validate in `nbextension list`.
func contribNbextensions(ctx context.Context, w fsx.Writer, o Options) error {
	var installed []string
	for _, m := range []string{"jupyter_contrib_nbextensions", "jupyter_highlight_selected_word", "jupyter_nbextensions_configurator"} {
		paths, err := installPy(ctx, w, o, m)
		if err != nil {
			return err
		}
		for _, p := range paths {
			installed = append(installed, filepath.Join(o.Level.NBExtensions(), p.Dest))
		}
	}
	if o.Packages != nil {
		if err := declareCompat(w, installed, FrontendToken(o.Profile.App, o.Packages.Version)); err != nil {
			return err
		}
	}
	if err := showUndeclared(w, o); err != nil {
		return err
	}
	levelDir, err := o.levelDir()
	if err != nil {
		return err
	}
	if _, _, err := serverext.Toggle(w, levelDir, o.serverApp(), "jupyter_nbextensions_configurator", true); err != nil {
		return err
	}
	for _, e := range [][2]string{
		{"notebook", "nbextensions_configurator/config_menu/main"},
		{"tree", "nbextensions_configurator/tree_tab/main"},
		{"notebook", "contrib_nbextensions_help_item/main"},
	} {
		if err := enable(w, o, e[0], e[1]); err != nil {
			return err
		}
	}
	out, err := o.Python.Query(ctx, "jupyter_contrib_nbextensions",
		"import json, jupyter_contrib_nbextensions.nbconvert_support as m; print(json.dumps(m.templates_directory()))")
	if err != nil {
		return err
	}
	var templates string
	if err := json.Unmarshal(out, &templates); err != nil {
		return fmt.Errorf("jupyter_contrib_nbextensions templates dir: %w", err)
	}
	return nbconvertConfig(w, levelDir, templates)
}

// nbconvertConfig adds contrib's keys to jupyter_nbconvert_config.json as its install.py
// does: version 1, Exporter.extra_template_paths and Exporter.preprocessors appended when
// missing, written with set() (the .d defaults removed).
func nbconvertConfig(w fsx.Writer, levelDir, templates string) error {
	cd := jupyter.ConfigDir{Dir: levelDir, FS: w}
	const section = "jupyter_nbconvert_config"
	cfg, err := cd.Get(section, true)
	if err != nil {
		return err
	}
	if cfg.Get("version") == nil {
		cfg.Set("version", pyjson.IntValue(1))
	}
	appendList(cfg, "Exporter", "extra_template_paths", ".", templates)
	const proc = "jupyter_contrib_nbextensions.nbconvert_support"
	appendList(cfg, "Exporter", "preprocessors", proc+".CodeFoldingPreprocessor", proc+".PyMarkdownPreprocessor")
	content, err := cd.Content(section, cfg)
	if err != nil {
		return err
	}
	_, err = w.WriteFile(cd.File(section), content, 0o644)
	return err
}

// appendList is contrib's _update_config_list(insert=True).
func appendList(cfg *pyjson.Obj, section, key string, values ...string) {
	sec := cfg.Get(section)
	if sec == nil || sec.Kind != pyjson.Object {
		sec = pyjson.ObjValue(pyjson.NewObj())
		cfg.Set(section, sec)
	}
	list := sec.Obj.Get(key)
	if list == nil || list.Kind != pyjson.Array {
		list = pyjson.ArrayValue()
		list.Arr = []*pyjson.Value{}
		sec.Obj.Set(key, list)
	}
	for _, v := range values {
		present := false
		for _, x := range list.Arr {
			present = present || (x.Kind == pyjson.String && x.Str == v)
		}
		if !present {
			list.Arr = append(list.Arr, pyjson.StringValue(v))
		}
	}
}

// dashboards is `jupyter dashboards quick-setup`: install and enable its one nbextension.
func dashboards(ctx context.Context, w fsx.Writer, o Options) error {
	return installAndEnable(ctx, w, o, "jupyter_dashboards")
}

// widgets is `jupyter nbextension install/enable --py widgetsnbextension`.
func widgets(ctx context.Context, w fsx.Writer, o Options) error {
	return installAndEnable(ctx, w, o, "widgetsnbextension")
}

func installAndEnable(ctx context.Context, w fsx.Writer, o Options, module string) error {
	paths, err := installPy(ctx, w, o, module)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if err := enable(w, o, p.Section, p.Require); err != nil {
			return err
		}
	}
	return nil
}

// bundlers is `jupyter bundlerextension enable --py dashboards_bundlers` (notebook 6
// bundlerextensions.py): nbconfig/notebook.json gets bundlerextensions.<name>.
func bundlers(ctx context.Context, w fsx.Writer, o Options) error {
	out, err := o.Python.Query(ctx, "dashboards_bundlers", "import json, dashboards_bundlers as m; print(json.dumps(m._jupyter_bundlerextension_paths()))")
	if err != nil {
		return err
	}
	var specs []struct {
		Name, Label string
		ModuleName  string `json:"module_name"`
		Group       string
	}
	if err := json.Unmarshal(out, &specs); err != nil {
		return fmt.Errorf("dashboards_bundlers bundler paths: %w", err)
	}
	dir, err := o.configDir()
	if err != nil {
		return err
	}
	cd := jupyter.ConfigDir{Dir: dir, FS: w}
	for _, s := range specs {
		b := pyjson.NewObj()
		b.Set("label", pyjson.StringValue(s.Label))
		b.Set("module_name", pyjson.StringValue(s.ModuleName))
		b.Set("group", pyjson.StringValue(s.Group))
		named := pyjson.NewObj()
		named.Set(s.Name, pyjson.ObjValue(b))
		upd := pyjson.NewObj()
		upd.Set("bundlerextensions", pyjson.ObjValue(named))
		if _, err := cd.WriteUpdate(w, "notebook", upd); err != nil {
			return err
		}
	}
	return nil
}

// stackConfig writes the server's part of the stack into the level's config: loopback ip,
// an explicit port, no port retries, no browser, and the gateway URL when there is one.
// Tokens are never written here: they belong to `jdash up`'s state. At the env's level it
// also keeps what the UI saves there (uiconfig): for the app, and for jupyter_server where
// the env has it beside notebook 6 (nbclassic runs on it).
func stackConfig(_ context.Context, w fsx.Writer, o Options) error {
	levelDir, err := o.levelDir()
	if err != nil {
		return err
	}
	app, section := "NotebookApp", "jupyter_notebook_config"
	if o.Profile.App == "server" {
		app, section = "ServerApp", "jupyter_server_config"
	}
	// the same traits jdash up gives the server on its command line
	traits := compose.ServerTraits(app, o.Stack.IP, o.Stack.Port, o.Stack.GatewayURL)
	site := o.envSiteDir()
	if site != "" {
		if err := uiconfig.Install(w, site); err != nil {
			return err
		}
		traits = append(traits, compose.UIConfigTrait(app))
		if app == "NotebookApp" && o.Packages.Version("jupyter_server") != "" {
			if err := writeTraits(w, levelDir, "jupyter_server_config", []compose.Trait{compose.UIConfigTrait("ServerApp")}); err != nil {
				return err
			}
		}
	}
	return writeTraits(w, levelDir, section, traits)
}

// Roots are the dirs a run may write: the level's config and data dirs, the site dirs for
// the patch step, and the env's own site dir for the modules of stack-config (uiconfig) and
// deploy (deployext).
func (o Options) Roots() []string {
	roots := []string{o.Level.Config, o.Level.Data}
	if slices.Contains(o.Profile.Steps, "lab") {
		roots = append(roots, filepath.Join(o.Level.Config, "labconfig"))
	}
	if slices.Contains(o.Profile.Steps, "patch") && o.Packages != nil {
		roots = append(roots, o.Packages.Dirs()...)
	}
	if d := o.envSiteDir(); d != "" && (slices.Contains(o.Profile.Steps, "stack-config") || slices.Contains(o.Profile.Steps, "deploy")) {
		roots = append(roots, d)
	}
	return roots
}

// envSiteDir is where the env's own modules go (its first site dir inside the prefix), at
// the env's level only: "" at --user and --system, where Jupyter's default stays.
func (o Options) envSiteDir() string {
	if o.Level.Kind != jupyter.SysPrefix || o.Packages == nil || o.Env == nil {
		return ""
	}
	for _, d := range o.Packages.Dirs() {
		if rel, err := filepath.Rel(o.Env.Prefix, d); err == nil && !strings.HasPrefix(rel, "..") {
			return d
		}
	}
	return ""
}

// writeTraits merges traitlets values into a JSON config file of dir, as Jupyter writes it.
func writeTraits(w fsx.Writer, dir, section string, traits []compose.Trait) error {
	upd := pyjson.NewObj()
	for _, t := range traits {
		cls := upd.Get(t.Class)
		if cls == nil {
			cls = pyjson.ObjValue(pyjson.NewObj())
			upd.Set(t.Class, cls)
		}
		var v *pyjson.Value
		switch x := t.Value.(type) {
		case int:
			v = pyjson.IntValue(int64(x))
		case bool:
			v = pyjson.BoolValue(x)
		default:
			v = pyjson.StringValue(fmt.Sprint(x))
		}
		cls.Obj.Set(t.Name, v)
	}
	_, err := jupyter.ConfigDir{Dir: dir, FS: w}.WriteUpdate(w, section, upd)
	return err
}

// CheckStack refuses what must not go into an env's shared config: a port outside 1..65535,
// an address that is neither an IP nor a host name, and a gateway URL that is not http(s) or
// that carries credentials (user:password@, ?token=...): config files are world-readable,
// credentials belong in an environment variable (JUPYTER_GATEWAY_AUTH_TOKEN, which jdash up
// sets) or a 0600 file.
func CheckStack(ip string, port int, gatewayURL string) error {
	if err := endpoint.CheckPort(port); err != nil {
		return fmt.Errorf("--port: %w", err)
	}
	if err := endpoint.CheckHost(ip); err != nil {
		return fmt.Errorf("--ip: %w", err)
	}
	if gatewayURL == "" {
		return nil
	}
	err := endpoint.CheckGatewayURL(gatewayURL)
	if errors.Is(err, endpoint.ErrCredentials) {
		return fmt.Errorf("--gateway-url %w (user:password@, ?token=): they would land in a world-readable config file; give the gateway's token as JUPYTER_GATEWAY_AUTH_TOKEN (jdash up sets it) and the URL without them", err)
	}
	if err != nil {
		return fmt.Errorf("--gateway-url: %w", err)
	}
	return nil
}

// ExternallyManaged returns the PEP 668 marker of an env whose installer is the OS's (Debian's
// /usr/lib/python3.X/EXTERNALLY-MANAGED), or "". A venv is never externally managed.
func ExternallyManaged(e *envdetect.Env) string {
	if e.Venv != nil {
		return ""
	}
	mm := pyver.MajorMinor(e.PythonVersion)
	for _, lib := range []string{"lib", "lib64"} {
		for _, py := range []string{"python" + mm, "python" + mm + "t"} {
			p := filepath.Join(e.Prefix, lib, py, "EXTERNALLY-MANAGED")
			if ok, dir, err := (fsx.Disk{}).Exists(p); err == nil && ok && !dir {
				return p
			}
		}
	}
	return ""
}

// serverApp is the server whose extension list the profile's app reads: notebook 6's, or
// jupyter_server's (nbclassic, notebook 7).
func (o Options) serverApp() serverext.App {
	if o.Profile.App == "server" {
		return serverext.Server
	}
	return serverext.Notebook
}

// patchStep applies the compatibility rules the env's versions call for (jdash patch), so
// that the later steps can import the extensions.
func patchStep(_ context.Context, w fsx.Writer, o Options) error {
	rules, err := patch.Rules()
	if err != nil {
		return err
	}
	pe := &patch.Env{Prefix: o.Env.Prefix, Packages: o.Packages, PythonVersion: o.Env.PythonVersion}
	sts, err := patch.Plan(pe, rules, o.Env.Python)
	if err != nil {
		return err
	}
	if err := patch.Unreadable(sts); err != nil {
		return err
	}
	res, err := patch.Apply(w, pe, sts)
	if err == nil && o.Log != nil {
		fmt.Fprintf(o.Log, "setup: patched %d files\n", len(res))
	}
	return err
}

// Route is the profile a setup takes on an env and why: on notebook 7, the classic profile
// becomes the nbclassic route (no downgrade) unless a downgrade is asked for.
func Route(asked string, notebookVersion string, downgrade bool) (profileName, why string) {
	if asked != "classic" || notebookVersion == "" || !jupyter.IsNotebook7(notebookVersion) {
		return asked, ""
	}
	if downgrade {
		return "classic", fmt.Sprintf("notebook %s is installed and --downgrade was given: it goes back to notebook 6.5.7", notebookVersion)
	}
	return "nbclassic", fmt.Sprintf("notebook %s is installed: the classic extensions go under nbclassic (no downgrade; --downgrade installs notebook 6.5.7 instead)", notebookVersion)
}
