package cmd

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/nbext"
	"github.com/jdash-dev/jdash/internal/patch"
	"github.com/jdash-dev/jdash/internal/serverext"
	"github.com/jdash-dev/jdash/internal/setup"
)

// Command tests through runF: argv in, the options the run function would get out. No env
// is resolved and nothing runs.
func TestOptionsFromArgv(t *testing.T) {
	f := &Factory{}
	var got any
	capture := func(o any) error { got = o; return nil }
	withEnvFlag := func(c *cobra.Command, persistentApp bool) *cobra.Command {
		parent := &cobra.Command{Use: "parent"}
		addEnvFlag(parent.PersistentFlags())
		if persistentApp {
			parent.PersistentFlags().String("app", "auto", "")
		}
		parent.AddCommand(c)
		return parent
	}
	for _, c := range []struct {
		name string
		cmd  *cobra.Command
		argv []string
		want any
	}{
		{"envs", newEnvsCmd(f, func(o *envsOptions) error { return capture(o) }), []string{"--json"}, &envsOptions{JSON: true}},
		{"envs show", withEnvFlag(newEnvsShowCmd(f, func(o *envsOptions) error { return capture(o) }), false), []string{"show", "base", "--json"}, &envsOptions{JSON: true, Ref: "base"}},
		{"paths", newPathsCmd(f, func(o *pathsOptions) error { return capture(o) }), []string{"-e", "/p", "--json", "--explain"}, &pathsOptions{Env: "/p", JSON: true, Explain: true}},
		{"nbext enable", withEnvFlag(newNbextToggleCmd(f, "enable", func(o *nbextOptions) error { return capture(o) }), false),
			[]string{"enable", "--env", "e", "--py", "--section", "tree", "--user", "a", "b"},
			&nbextOptions{VerbOptions: nbext.VerbOptions{Env: "e", Args: []string{"a", "b"}, Section: "tree", Py: true}, Verb: "enable", levels: levelFlags{user: true}}},
		{"nbext install", withEnvFlag(newNbextInstallCmd(f, func(o *nbextOptions) error { return capture(o) }), false),
			[]string{"install", "--symlink", "--destination", "d", "--prefix", "/p", "x.zip"}, nil},
		{"nbext uninstall", withEnvFlag(newNbextUninstallCmd(f, func(o *nbextOptions) error { return capture(o) }), false),
			[]string{"uninstall", "--name", "n", "--dry-run", "foo/main"},
			&nbextOptions{VerbOptions: nbext.VerbOptions{Args: []string{"foo/main"}, Name: "n", DryRun: true}}},
		{"serverext enable", withEnvFlag(newServerextToggleCmd(f, "enable", func(o *serverextOptions) error { return capture(o) }), true),
			[]string{"enable", "--app", "server", "--dry-run", "--system", "m1", "m2"},
			&serverextOptions{VerbOptions: serverext.VerbOptions{App: "server", Modules: []string{"m1", "m2"}, DryRun: true}, Verb: "enable", levels: levelFlags{system: true}}},
		{"setup", newSetupCmd(f, func(o *setupOptions) error { return capture(o) }), []string{"--profile", "gateway", "--port", "18888", "--install", "--gateway-url", "http://127.0.0.1:8889"},
			&setupOptions{VerbOptions: setup.VerbOptions{Profile: "gateway", Port: 18888, Install: true, IP: "127.0.0.1", GatewayURL: "http://127.0.0.1:8889",
				Changed: map[string]bool{"profile": true, "port": true, "install": true, "gateway-url": true}}}},
		{"env create", newEnvCreateCmd(f, func(o *envCreateOptions) error { return capture(o) }), []string{"--python", "3.12", "--profile", "modern", "n"},
			&envCreateOptions{Name: "n", Profile: "modern", Python: "3.12"}},
		{"patch", newPatchCmd(f, func(o *patchOptions) error { return capture(o) }), []string{"--rule", "I-5", "--rule", "I-3", "--list", "--json", "-e", "x"},
			&patchOptions{patch.VerbOptions{Env: "x", Rules: []string{"I-5", "I-3"}, List: true, JSON: true}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got = nil
			c.cmd.SetArgs(c.argv)
			if err := c.cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			// the run's dependencies ride along; the flags are what is compared here
			reflect.ValueOf(got).Elem().FieldByName("Deps").SetZero()
			if c.want == nil { // checked field by field below
				o := got.(*nbextOptions)
				if !o.Install.Symlink || o.Install.Destination != "d" || o.levels.prefix != "/p" || !slices.Equal(o.Args, []string{"x.zip"}) {
					t.Errorf("install options %+v", o)
				}
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("options\n got  %+v\n want %+v", got, c.want)
			}
		})
	}
}

func TestUsageErrorsBeforeRun(t *testing.T) {
	f := &Factory{}
	ran := false
	for _, argv := range [][]string{{}, {"--user", "--system", "x"}} {
		c := newNbextToggleCmd(f, "enable", func(o *nbextOptions) error {
			ran = true
			_, _, err := o.levels.kind()
			return err
		})
		c.SetArgs(argv)
		c.SilenceErrors, c.SilenceUsage = true, true
		var fe *FlagError
		if err := c.Execute(); !errors.As(err, &fe) {
			t.Errorf("%v: want a usage error, got %v", argv, err)
		}
	}
	if !ran {
		t.Error("the level check runs in the run function")
	}
}
