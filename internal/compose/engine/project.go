package engine

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/kernels"

	"fmt"
	"os"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/run"
	"github.com/jdash-dev/jdash/internal/setup"
)

// Deps are what the engine works with: the run's, and the file the run read.
type Deps struct {
	run.Deps
	// ConfigFile is handed to the detached supervisor (--config), so that it reads what this
	// run read.
	ConfigFile string
}

// Project is a stack and its store.
type Project struct {
	Stack *compose.Stack
	Store Store
}

// Open is the project's stack: the stack file's (nil: none) or the zero-config default from
// the active env, serving projectDir.
func Open(d Deps, st *compose.Stack, projectDir, stateHome string) (*Project, error) {
	if st == nil {
		ec, err := d.Envs.Resolve("")
		if err != nil {
			return nil, fmt.Errorf("no jdash.yaml here, and no active env for a default stack: %w", err)
		}
		if st, err = compose.Default(envFacts(ec), projectDir); err != nil {
			return nil, err
		}
		// setup's remembered choices and up agree on the notebook's ip and port
		if c, _ := setup.LoadChoices(d.FS, ec.Env.Prefix); c != nil && c.Port > 0 {
			st.Services[0].Port, st.Services[0].IP = c.Port, c.IP
		}
	}
	return &Project{Stack: st, Store: StoreFor(stateHome, st.Dir)}, nil
}

func envFacts(ec *envctx.Env) compose.EnvFacts {
	return compose.EnvFacts{Prefix: ec.Env.Prefix, Python: ec.Env.Python, Versions: ec.Versions()}
}

// plan wires the stack; facts are the services' envs by prefix.
func (p *Project) plan(d Deps) (*compose.Plan, map[string]compose.EnvFacts, error) {
	facts := map[string]compose.EnvFacts{}
	pl, err := compose.Build(p.Stack, compose.Options{
		Resolve: func(ref string) (compose.EnvFacts, error) {
			ec, err := d.Envs.Resolve(ref)
			if err != nil {
				return compose.EnvFacts{}, err
			}
			ef := envFacts(ec)
			facts[ef.Prefix] = ef
			return ef, nil
		},
		Token:     compose.NewToken,
		StoreDir:  string(p.Store),
		AllowRoot: os.Geteuid() == 0,
		Getenv:    func(k string) string { return d.Envs.Environ[k] },
		Kernels: func(server compose.EnvFacts, refs []string, all bool, dir string) ([]compose.File, error) {
			gen, err := kernels.ForStack(d.Envs, server.Prefix, refs, all, "jdash up (the stack of "+p.Stack.Dir+")")
			var files []compose.File
			for _, g := range gen {
				for name, data := range g.Files {
					files = append(files, compose.File{Path: filepath.Join(dir, "kernels", g.Name, name), Data: data, Why: "kernel_envs: " + g.Name})
				}
			}
			slices.SortFunc(files, func(a, b compose.File) int { return strings.Compare(a.Path, b.Path) })
			return files, err
		},
	})
	return pl, facts, err
}
