package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/pydist"
	"github.com/jdash-dev/jdash/internal/setup"
)

// ExportOptions are one `jdash up --export` run.
type ExportOptions struct {
	Engine string // compose or kubernetes
	Out    string // the dir written (default <project>/jdash-export/ENGINE)
	Helm   bool   // kubernetes: the Enterprise Gateway from its Helm chart
	Force  bool   // write into a dir that holds files and is not a previous export
	DryRun bool   // list the files, write nothing
	// BaseImage is the images' base ("": the official python:<X.Y.Z>-slim of each env).
	BaseImage string
}

// Export writes the plan for another engine: image recipes from the envs' installed
// distributions, the engine's file, the tokens in 0600 env files only.
func Export(d Deps, p *Project, o ExportOptions) error {
	pl, _, err := p.plan(d)
	if err != nil {
		return err
	}
	envs := map[string]compose.ExportEnv{}
	for _, pr := range pl.Procs {
		if pr.Env == "" || envs[pr.Env].PythonVersion != "" {
			continue
		}
		ec, err := d.Envs.Resolve(pr.Env)
		if err != nil {
			return err
		}
		e := compose.ExportEnv{PythonVersion: ec.Env.PythonVersion}
		for _, dist := range ec.Packages.All() {
			switch pkgindex.NormalizeName(dist.Name) {
			case "pip", "setuptools", "wheel", "distribute": // as pip freeze leaves them out
				continue
			}
			if pydist.Ours(d.FS, dist.Info) {
				continue // jdash's own modules, on no index: the image's jdash setup writes them
			}
			e.Pins = append(e.Pins, dist.Name+"=="+dist.Version)
		}
		if c, _ := setup.LoadChoices(d.FS, ec.Env.Prefix); c != nil {
			e.Profile = c.Profile
		}
		envs[pr.Env] = e
	}
	// pip's settings of this environment go into the builds (a mirror, a proxy's CA)
	pip, err := compose.PipFromEnv(func(k string) string { return d.Envs.Runner.Env[k] }, func(p string) ([]byte, error) { return fsx.ReadRegular(p, 16<<20) })
	if err != nil {
		return err
	}
	b := compose.ImageBuild{BaseImage: o.BaseImage, Pip: pip}
	var ex *compose.Export
	if o.Engine == "kubernetes" {
		ex = compose.ExportKubernetes(pl, envs, o.Helm, b)
	} else {
		ex = compose.ExportCompose(pl, envs, b)
	}
	for _, w := range ex.Warnings {
		fmt.Fprintln(d.IO.ErrOut, "warning: "+w)
	}
	out := o.Out
	if out == "" {
		out = filepath.Join(p.Stack.Dir, "jdash-export", o.Engine)
	}
	if out, err = filepath.Abs(out); err != nil {
		return err
	}
	if o.DryRun {
		names := make([]string, 0, len(ex.Files)+1)
		for name := range ex.Files {
			names = append(names, name)
		}
		slices.Sort(names)
		if ex.Self {
			names = append(names, "jdash")
		}
		for _, name := range names {
			fmt.Fprintf(d.IO.Out, "%s/%s\n", out, name)
		}
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if _, err := ex.Write(out, o.Force, self); err != nil {
		return err
	}
	for _, n := range ex.Notes {
		fmt.Fprintln(d.IO.ErrOut, "note: "+n)
	}
	if ex.Self {
		fmt.Fprintln(d.IO.ErrOut, "note: the images copy jdash (the setup step or the dashboards service): the export wrote this jdash as ./jdash")
	}
	how := "docker-compose build && docker-compose up"
	if o.Engine == "kubernetes" {
		how = "build the images, then kubectl apply -f secrets/ -f ."
	}
	fmt.Fprintf(d.IO.ErrOut, "wrote the %s export to %s (%s)\n", o.Engine, out, how)
	return nil
}
