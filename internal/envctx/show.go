package envctx

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/ui"
)

// SchemaVersion is the version of the `jdash envs --json` document (docs/json.md).
const SchemaVersion = 1

type envsDoc struct {
	SchemaVersion int              `json:"schema_version"`
	Envs          []*envdetect.Env `json:"envs"`
	Warnings      []string         `json:"warnings"`
}

// List is `jdash envs`: every env of the machine, a table or the documented JSON. Text from
// the envs' files and dir names is shown escaped.
func (r *Resolver) List(io *ui.IO, asJSON bool) error {
	res := r.Scan()
	for _, w := range res.Warnings {
		fmt.Fprintf(io.ErrOut, "jdash: warning: %s\n", w)
	}
	if asJSON {
		doc := envsDoc{SchemaVersion: SchemaVersion, Envs: res.Envs, Warnings: res.Warnings}
		if doc.Envs == nil {
			doc.Envs = []*envdetect.Env{}
		}
		if doc.Warnings == nil {
			doc.Warnings = []string{}
		}
		return ui.WriteJSON(io.Out, doc)
	}
	cs := io.Colors()
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tKIND\tPYTHON\tJUPYTER_CORE\tPREFIX")
	for _, e := range res.Envs {
		mark := " "
		if e.Active {
			mark = "*"
		}
		kind := string(e.Kind)
		if len(e.Tags) > 0 {
			kind += "+" + strings.Join(e.Tags, "+")
		}
		core := ui.Safe(e.Packages["jupyter_core"])
		if core == "" {
			core = "-"
		}
		py := ui.Safe(e.PythonVersion)
		if py == "" {
			py = "?"
		}
		prefix := ui.Safe(ui.TildeHome(e.Prefix, r.Environ["HOME"]))
		if e.Broken {
			prefix += "  " + cs.Red("broken: "+ui.Safe(e.Error))
		}
		name := ui.Safe(e.Name)
		if e.Active {
			name = cs.Green(name)
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t%s\n", mark, name, kind, py, core, prefix)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if io.IsTTY() {
		fmt.Fprintf(io.ErrOut, "%d environments; * marks the active one\n", len(res.Envs))
	}
	return nil
}

// Show is `jdash envs show ENV`: one env in full.
func (r *Resolver) Show(io *ui.IO, ref string, asJSON bool) error {
	e, err := r.Find(ref)
	if err != nil {
		return err
	}
	if asJSON {
		return ui.WriteJSON(io.Out, e)
	}
	cs := io.Colors()
	w := io.Out
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%-22s %s\n", k+":", v)
		}
	}
	safe := ui.Safe // text from the env's files and dir names, shown escaped
	row("name", cs.Bold(safe(e.Name)))
	kind := string(e.Kind)
	if len(e.Tags) > 0 {
		kind += " (" + strings.Join(e.Tags, ", ") + ")"
	}
	row("kind", kind)
	row("prefix", safe(e.Prefix))
	row("python", safe(e.Python))
	if e.PythonVersion != "" {
		row("python version", safe(e.PythonVersion)+" (from "+e.VersionSource+")")
	}
	row("active", fmt.Sprint(e.Active))
	if e.Broken {
		row("broken", cs.Red(safe(e.Error)))
	} else {
		row("broken", "false")
	}
	if e.Manager != nil {
		row("manager", safe(strings.TrimSpace(e.Manager.Name+" "+e.Manager.Path)))
	}
	row("project", safe(e.Project))
	if v := e.Venv; v != nil {
		row("venv home", safe(v.Home))
		if v.HomeRelative {
			row("venv home note", "relative home: resolved against pyvenv.cfg's dir (CPython uses the CWD)")
		}
		row("system site-packages", fmt.Sprint(v.IncludeSystemSitePackages))
		row("created by", safe(strings.TrimSpace(v.Creator+" "+v.CreatorVersion)))
		row("prompt", safe(v.Prompt))
	}
	row("found by", strings.Join(e.FoundBy, ", "))
	for i, sp := range e.SitePackages {
		k := ""
		if i == 0 {
			k = "site-packages:"
		}
		fmt.Fprintf(w, "%-22s %s\n", k, safe(sp))
	}
	fmt.Fprintln(w, "packages:")
	for _, p := range slices.Sorted(slices.Values(envdetect.JupyterPackages)) {
		v := safe(e.Packages[p])
		if v == "" {
			v = cs.Dim("-")
		}
		fmt.Fprintf(w, "  %-32s %s\n", p, v)
	}
	return nil
}

type explainDoc struct {
	Env         string        `json:"env"`
	Python      string        `json:"python"`
	JupyterCore string        `json:"jupyter_core"`
	Paths       jupyter.Paths `json:"paths"`
}

// Paths is `jdash paths`: the dirs Jupyter searches in the env, as jupyter --paths prints them
// (byte for byte with asJSON), or with explain why each is there.
func (r *Resolver) Paths(io *ui.IO, ref string, asJSON, explain bool) error {
	e, err := r.Find(ref)
	if err != nil {
		return err
	}
	facts, _, found := r.Facts(e)
	if !found {
		fmt.Fprintf(io.ErrOut, "jdash: warning: jupyter_core is not installed in %s; showing the newest jupyter_core's rules\n", e.Prefix)
	}
	p := jupyter.Resolve(facts)
	core := ""
	if facts.CoreVersion != nil {
		core = facts.CoreVersion.String()
	}
	switch {
	case asJSON && explain:
		return ui.WriteJSON(io.Out, explainDoc{Env: e.Prefix, Python: e.Python, JupyterCore: core, Paths: p})
	case asJSON:
		_, err = io.Out.Write(jupyter.PathsJSON(p))
		return err
	case explain:
		writeExplain(io, e.Prefix, core, p)
		return nil
	}
	_, err = io.Out.Write(jupyter.PathsText(p))
	return err
}

func writeExplain(io *ui.IO, prefix, core string, p jupyter.Paths) {
	cs := io.Colors()
	w := io.Out
	if core == "" {
		core = "not installed (newest rules)"
	}
	fmt.Fprintf(w, "env:          %s\n", prefix)
	fmt.Fprintf(w, "jupyter_core: %s\n", core)
	order := "user dirs before env dirs"
	if p.PreferEnv {
		order = "env dirs before user dirs"
	}
	fmt.Fprintf(w, "order:        %s, because %s\n", cs.Bold(order), p.PreferEnvWhy)
	site := "off"
	if p.UserSite {
		site = "on"
	}
	fmt.Fprintf(w, "user site:    %s (%s); user base %s\n", site, p.UserSiteWhy, p.UserBase)
	if p.PlatformDirs {
		fmt.Fprintln(w, "platformdirs: on (JUPYTER_PLATFORM_DIRS); these dirs follow platformdirs 4.14 and are best effort")
	}
	section := func(name string, es []jupyter.Entry) {
		fmt.Fprintf(w, "%s:\n", name)
		for i, e := range es {
			fmt.Fprintf(w, "  %d. %s\n     %s: %s\n", i+1, e.Path, cs.Dim(string(e.Origin)), e.Why)
		}
	}
	section("config", p.Config)
	section("data", p.Data)
	section("runtime", []jupyter.Entry{p.Runtime})
	fmt.Fprintf(w, "write levels:\n  --user        %s  %s\n  --sys-prefix  %s  %s\n  --system      %s  %s\n",
		p.Levels.User.Config, p.Levels.User.Data, p.Levels.SysPrefix.Config, p.Levels.SysPrefix.Data,
		p.Levels.System.Config, p.Levels.System.Data)
}
