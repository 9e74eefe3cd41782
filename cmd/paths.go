package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/jupyter"
)

type pathsOptions struct {
	Env     string
	JSON    bool
	Explain bool
}

func newPathsCmd(f *Factory, runF func(*pathsOptions) error) *cobra.Command {
	opts := &pathsOptions{}
	cmd := &cobra.Command{
		Use:   "paths",
		Short: "Show the Jupyter config, data and runtime dirs an env sees",
		Long: `Show the directories Jupyter searches inside ENV, in priority order, computed from files with
the rules of the jupyter_core version installed in that env.

--json prints exactly what "python -m jupyter --paths --json" prints in that env under the same
environment variables. Without --json the layout is that of "jupyter --paths". --explain says
why each entry is there and which rule put env dirs before or after user dirs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Env = envFlag(cmd)
			if runF != nil {
				return runF(opts)
			}
			return pathsRun(f, opts)
		},
	}
	addEnvFlag(cmd.Flags())
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print jupyter --paths --json's bytes (with --explain: the documented explain schema)")
	cmd.Flags().BoolVar(&opts.Explain, "explain", false, "say why each dir is on the path")
	return cmd
}

func pathsRun(f *Factory, opts *pathsOptions) error {
	e, err := f.FindEnv(opts.Env)
	if err != nil {
		return err
	}
	facts, _, found := f.facts(e)
	if !found {
		fmt.Fprintf(f.IO.ErrOut, "jdash: warning: jupyter_core is not installed in %s; showing the newest jupyter_core's rules\n", e.Prefix)
	}
	p := jupyter.Resolve(facts)
	switch {
	case opts.JSON && opts.Explain:
		return writeJSON(f.IO.Out, explainDoc{Env: e.Prefix, Python: e.Python, JupyterCore: coreString(facts), Paths: p})
	case opts.JSON:
		_, err = f.IO.Out.Write(jupyter.PathsJSON(p))
		return err
	case opts.Explain:
		return writeExplain(f, e.Prefix, facts, p)
	}
	_, err = f.IO.Out.Write(jupyter.PathsText(p))
	return err
}

type explainDoc struct {
	Env         string        `json:"env"`
	Python      string        `json:"python"`
	JupyterCore string        `json:"jupyter_core"`
	Paths       jupyter.Paths `json:"paths"`
}

func coreString(f jupyter.Facts) string {
	if f.CoreVersion == nil {
		return ""
	}
	return f.CoreVersion.String()
}

func writeExplain(f *Factory, prefix string, facts jupyter.Facts, p jupyter.Paths) error {
	cs := f.IO.Colors()
	w := f.IO.Out
	core := coreString(facts)
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
	return nil
}
