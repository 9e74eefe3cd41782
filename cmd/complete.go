package cmd

import (
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/config"
	"github.com/jdash-dev/jdash/internal/profile"
	"github.com/jdash-dev/jdash/internal/run"
)

// completeNames wires shell completion of what flags and arguments name: --env and the env
// arguments take the names of the envs jdash finds, --profile the profiles, logs the stack's
// services. Completion runs without the root's pre-run: it reads the configuration itself.
func completeNames(f *Factory, root *cobra.Command) {
	envs := func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		_, d := completionConfig(f, cmd)
		return d.Envs.Names(), cobra.ShellCompDirectiveNoFileComp
	}
	profiles := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return profile.Names(), cobra.ShellCompDirectiveNoFileComp
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Flags().Lookup("env") != nil {
			_ = c.RegisterFlagCompletionFunc("env", envs)
		}
		if c.Flags().Lookup("profile") != nil {
			_ = c.RegisterFlagCompletionFunc("profile", profiles)
		}
		switch c.CommandPath() {
		case "jdash envs show", "jdash kernel add", "jdash doctor":
			c.ValidArgsFunction = envs
		case "jdash logs":
			c.ValidArgsFunction = func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
				var names []string
				cfg, _ := completionConfig(f, cmd)
				if st, err := cfg.Stack(); err == nil {
					for _, s := range st.Services {
						names = append(names, s.Name)
					}
				}
				return names, cobra.ShellCompDirectiveNoFileComp
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// completionConfig reads the configuration as the root's pre-run would (errors leave the
// defaults: a completion offers what it can), and the run's dependencies with it.
func completionConfig(f *Factory, cmd *cobra.Command) (*config.Config, run.Deps) {
	cwd, _ := os.Getwd()
	file := ""
	if fl := cmd.Flag("config"); fl != nil {
		file = strings.TrimSpace(fl.Value.String())
	}
	cfg, err := config.Load(config.Options{File: file, Cwd: cwd, Environ: f.Env, Flags: cmd.Flags()})
	if err != nil || cfg == nil {
		cfg = &config.Config{}
	}
	f.cfg = cfg
	return cfg, f.deps(cmd)
}
