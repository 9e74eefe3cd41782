package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/kernels"
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
	// Why says which env the zero-config default runs and why ("" with a stack file).
	Why string
}

// Open is the project's stack: the stack file's (nil: none) or the zero-config default,
// serving projectDir.
func Open(d Deps, st *compose.Stack, projectDir, stateHome string) (*Project, error) {
	if st != nil {
		return &Project{Stack: st, Store: StoreFor(stateHome, st.Dir)}, nil
	}
	ec, why, err := defaultEnv(d, projectDir)
	if err != nil {
		return nil, fmt.Errorf("no jdash.yaml here, and no env for a default stack: %w", err)
	}
	// setup's remembered choices and up agree on the notebook server and its ip and port
	c, _ := setup.LoadChoices(d.FS, ec.Env.Prefix)
	if c == nil {
		c = &setup.Choices{}
	}
	if st, err = compose.Default(envFacts(ec), projectDir, c.Profile); err != nil {
		return nil, fmt.Errorf("no jdash.yaml here; the env of the default stack is %s: %w", why, err)
	}
	if c.Port > 0 {
		st.Services[0].Port, st.Services[0].IP = c.Port, c.IP
	}
	why = fmt.Sprintf("no jdash.yaml: the default stack runs %s, %s; a jdash.yaml (jdash up --write-config) or an activated env chooses another", ec.Env.Prefix, why)
	return &Project{Stack: st, Store: StoreFor(stateHome, st.Dir), Why: why}, nil
}

// defaultEnv is the env of the zero-config stack and why: the activated env, else the env jdash
// set up or created last in this dir (or the nearest above), else the Python on PATH.
func defaultEnv(d Deps, dir string) (*envctx.Env, string, error) {
	for _, k := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		if d.Envs.Environ[k] != "" {
			ec, err := d.Envs.Resolve("")
			return ec, "the activated env ($" + k + ")", err
		}
	}
	if u, ok := d.Envs.LastUsed(dir); ok {
		if ec, err := d.Envs.Resolve(u.Env); err == nil {
			where := "here"
			if u.Dir != dir {
				where = "in " + u.Dir
			}
			return ec, fmt.Sprintf("the env jdash set up or created last %s (%s, %s)", where, u.By, u.At.Local().Format("2006-01-02 15:04")), nil
		}
	}
	ec, err := d.Envs.Resolve("")
	return ec, "the Python on PATH (no env activated, none set up or created here by jdash)", err
}

func envFacts(ec *envctx.Env) compose.EnvFacts {
	return compose.EnvFacts{Prefix: ec.Env.Prefix, Python: ec.Env.Python, PythonVersion: ec.Env.PythonVersion, Versions: ec.Versions()}
}

// plan wires the stack; facts are the services' envs by prefix.
func (p *Project) plan(d Deps) (*compose.Plan, map[string]compose.EnvFacts, error) {
	facts := map[string]compose.EnvFacts{}
	byRef := map[string]compose.EnvFacts{} // the plan asks for one env several times (its kernels, the wiring)
	pl, err := compose.Build(p.Stack, compose.Options{
		Resolve: func(ref string) (compose.EnvFacts, error) {
			if ef, ok := byRef[ref]; ok {
				return ef, nil
			}
			ec, err := d.Envs.Resolve(ref)
			if err != nil {
				return compose.EnvFacts{}, err
			}
			ef := envFacts(ec)
			facts[ef.Prefix], byRef[ref] = ef, ef
			return ef, nil
		},
		Token:     compose.NewToken,
		StoreDir:  string(p.Store),
		AllowRoot: os.Geteuid() == 0,
		Getenv:    func(k string) string { return d.Envs.Environ[k] },
		Kernels: func(server compose.EnvFacts, set compose.KernelSet, dir string) ([]compose.File, error) {
			gen, err := kernels.ForStack(d.Envs, server.Prefix, set.Refs, set.All, set.Python3, "jdash up (the stack of "+p.Stack.Dir+")")
			var files []compose.File
			for _, g := range gen {
				for name, data := range g.Files {
					files = append(files, compose.File{Path: filepath.Join(dir, "kernels", g.Name, name), Data: data, Why: "kernel " + g.Name})
				}
			}
			slices.SortFunc(files, func(a, b compose.File) int { return strings.Compare(a.Path, b.Path) })
			return files, err
		},
	})
	return pl, facts, err
}
