package cmd

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/ui"
)

// EnvsSchemaVersion is the version of the `jdash envs --json` document (docs/json.md).
const EnvsSchemaVersion = 1

type envsOptions struct {
	JSON bool
	Ref  string // envs show ENV
}

func newEnvsCmd(f *Factory, runF func(*envsOptions) error) *cobra.Command {
	opts := &envsOptions{}
	cmd := &cobra.Command{
		Use:   "envs",
		Short: "List every Python environment on this machine",
		Long: `List every Python environment found from files alone (no Python is started): the active
env, interpreters on PATH, system Pythons, conda/mamba/micromamba, pyenv, virtualenvwrapper,
pipenv, poetry, hatch, pixi, uv, pipx, and --workspace dirs searched recursively.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return envsRun(f, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the documented JSON schema")
	cmd.Flags().StringSlice("workspace", nil, "also search `DIR` recursively for project envs (repeatable)")
	cmd.Flags().Int("workspace-depth", envdetect.DefaultWorkspaceDepth, "how deep --workspace dirs are searched")

	cmd.AddCommand(newEnvsShowCmd(f, runF))
	return cmd
}

func newEnvsShowCmd(f *Factory, runF func(*envsOptions) error) *cobra.Command {
	opts := &envsOptions{}
	show := &cobra.Command{
		Use:   "show ENV",
		Short: "Print one environment in full",
		Args:  exactArgs(1, "show needs one ENV: a prefix path or a name from `jdash envs`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if runF != nil {
				return runF(opts)
			}
			return envsShowRun(f, opts)
		},
	}
	show.Flags().BoolVar(&opts.JSON, "json", false, "print the env as JSON")
	show.Flags().StringSlice("workspace", nil, "also search `DIR` for envs when resolving a name")
	return show
}

func exactArgs(n int, msg string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return flagErrorf("%s", msg)
		}
		return nil
	}
}

type envsDoc struct {
	SchemaVersion int              `json:"schema_version"`
	Envs          []*envdetect.Env `json:"envs"`
	Warnings      []string         `json:"warnings"`
}

func envsRun(f *Factory, opts *envsOptions) error {
	res := f.Scan()
	for _, w := range res.Warnings {
		fmt.Fprintf(f.IO.ErrOut, "jdash: warning: %s\n", w)
	}
	if opts.JSON {
		doc := envsDoc{SchemaVersion: EnvsSchemaVersion, Envs: res.Envs, Warnings: res.Warnings}
		if doc.Envs == nil {
			doc.Envs = []*envdetect.Env{}
		}
		if doc.Warnings == nil {
			doc.Warnings = []string{}
		}
		return writeJSON(f.IO.Out, doc)
	}
	cs := f.IO.Colors()
	home := f.getenv("HOME")
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
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
		prefix := ui.Safe(tildeHome(e.Prefix, home))
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
	if f.IO.IsTTY() {
		fmt.Fprintf(f.IO.ErrOut, "%d environments; * marks the active one\n", len(res.Envs))
	}
	return nil
}

func envsShowRun(f *Factory, opts *envsOptions) error {
	e, err := f.FindEnv(opts.Ref)
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(f.IO.Out, e)
	}
	cs := f.IO.Colors()
	w := f.IO.Out
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
	names := slices.Sorted(slices.Values(envdetect.JupyterPackages))
	for _, p := range names {
		v := safe(e.Packages[p])
		if v == "" {
			v = cs.Dim("-")
		}
		fmt.Fprintf(w, "  %-32s %s\n", p, v)
	}
	return nil
}
