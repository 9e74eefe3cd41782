package kernels

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/pyver"
)

// Name is the kernelspec name jdash gives env B's kernel: "<kind>-<env name>-py<X.Y>",
// lower-cased, every character outside [a-z0-9._-] made "-" (so "proj/.venv", a venv,
// Python 3.11, is "venv-proj-.venv-py3.11"). It depends only on the env, so it is the same
// on every run; DisplayName is "Python X.Y (<env name>, <kind>)".
func Name(e *envdetect.Env) string {
	name := fmt.Sprintf("%s-%s-py%s", e.Kind, e.Name, pyver.MajorMinor(e.PythonVersion))
	name = strings.TrimSuffix(name, "-py")
	return strings.Trim(invalid.ReplaceAllString(strings.ToLower(name), "-"), "-")
}

var invalid = regexp.MustCompile(`[^a-z0-9._\-]+`)

// DisplayName is what the notebook's kernel menu shows for B's kernel.
func DisplayName(e *envdetect.Env) string {
	v := pyver.MajorMinor(e.PythonVersion)
	if v == "" {
		v = "3"
	}
	return fmt.Sprintf("Python %s (%s, %s)", v, e.Name, e.Kind)
}

// CheckName refuses what jupyter_client would not take as a kernel name.
func CheckName(name string) error {
	if !nameRe.MatchString(name) {
		return fmt.Errorf("kernel name %q: letters, digits, '.', '_' and '-' only (jupyter_client's rule)", name)
	}
	return nil
}

// Activation is what a kernel of env B gets so that it runs as if B were activated: B's bin
// first on PATH (jupyter_client substitutes ${PATH} from the server's environment), and
// VIRTUAL_ENV for a venv or CONDA_PREFIX and CONDA_DEFAULT_ENV for a conda env, plus conda's
// environment variables of B. Supported from conda: `conda env config vars` (conda-meta/state),
// etc/conda/env_vars.d/*.json, and `export NAME=VALUE` lines with a literal value in
// etc/conda/activate.d/*.sh; Unsupported names the activation scripts that do more (they are
// not run).
type Activation struct {
	Env         map[string]string
	Unsupported []string
}

// Activate is env B's activation.
func Activate(e *envdetect.Env) Activation {
	a := Activation{Env: map[string]string{"PATH": filepath.Dir(e.Python) + string(filepath.ListSeparator) + "${PATH}"}}
	switch {
	case e.Venv != nil:
		a.Env["VIRTUAL_ENV"] = e.Prefix
	case e.Kind == envdetect.KindConda:
		a.Env["CONDA_PREFIX"], a.Env["CONDA_DEFAULT_ENV"] = e.Prefix, e.Name
		condaVars(e.Prefix, &a)
	}
	return a
}

func condaVars(prefix string, a *Activation) {
	var state struct {
		EnvVars map[string]string `json:"env_vars"`
	}
	if data, err := fsx.ReadRegular(filepath.Join(prefix, "conda-meta", "state"), 1<<20); err == nil && json.Unmarshal(data, &state) == nil {
		for k, v := range state.EnvVars {
			a.Env[k] = v
		}
	}
	dir := filepath.Join(prefix, "etc", "conda", "env_vars.d")
	names, _ := fsx.ReadDirNames(dir)
	sort.Strings(names)
	for _, n := range names {
		var vars map[string]string
		if data, err := fsx.ReadRegular(filepath.Join(dir, n), 1<<20); err == nil && strings.HasSuffix(n, ".json") && json.Unmarshal(data, &vars) == nil {
			for k, v := range vars {
				a.Env[k] = v
			}
		}
	}
	dir = filepath.Join(prefix, "etc", "conda", "activate.d")
	names, _ = fsx.ReadDirNames(dir)
	sort.Strings(names)
	for _, n := range names {
		file := filepath.Join(dir, n)
		if !strings.HasSuffix(n, ".sh") {
			continue
		}
		data, err := fsx.ReadRegular(file, 1<<20)
		if err != nil {
			a.Unsupported = append(a.Unsupported, file)
			continue
		}
		if !exports(data, a.Env) {
			a.Unsupported = append(a.Unsupported, file)
		}
	}
}

var exportRe = regexp.MustCompile(`^export ([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"$` + "`" + `\\]*)"|'([^']*)'|([^\s"'$` + "`" + `\\;&|]*))$`)

// exports applies a script's `export NAME=VALUE` lines (literal values only) and reports
// whether that was all the script does (comments and blank lines aside).
func exports(data []byte, env map[string]string) bool {
	all := true
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := exportRe.FindStringSubmatch(line)
		if m == nil {
			all = false
			continue
		}
		env[m[1]] = m[2] + m[3] + m[4]
	}
	return all
}

// SpecFor is the kernel.json of env B's kernel: B's interpreter running ipykernel, B's
// activation, and the provenance record.
func SpecFor(b *envctx.Env, display, madeBy string) ([]byte, Activation) {
	act := Activate(b.Env)
	k := map[string]any{
		"argv":         []string{b.Env.Python, "-m", "ipykernel_launcher", "-f", "{connection_file}"},
		"display_name": display,
		"language":     "python",
		"env":          act.Env,
		"metadata": map[string]any{
			"debugger": b.Packages.Version("debugpy") != "",
			"jdash":    Provenance{Env: b.Env.Prefix, EnvName: b.Env.Name, MadeBy: madeBy},
		},
	}
	data, _ := json.MarshalIndent(k, "", " ") // maps of strings: cannot fail
	return append(data, '\n'), act
}

// logos are ipykernel's kernel logos, copied from B beside its kernel.json.
var logos = []string{"logo-32x32.png", "logo-64x64.png", "logo-svg.svg"}

// Write writes B's kernel as dir (kernel.json and B's ipykernel logos) through w.
func Write(w fsx.Writer, dir string, b *envctx.Env, display, madeBy string) (Activation, error) {
	data, act := SpecFor(b, display, madeBy)
	if _, err := w.WriteFile(filepath.Join(dir, "kernel.json"), data, 0o644); err != nil {
		return act, err
	}
	if loc := b.Packages.Module("ipykernel"); loc != "" {
		for _, l := range logos {
			src := filepath.Join(loc, "resources", l)
			if ok, isDir, _ := (fsx.Disk{}).Exists(src); ok && !isDir {
				if _, err := w.CopyFile(src, filepath.Join(dir, l)); err != nil {
					return act, err
				}
			}
		}
	}
	return act, nil
}

// Generated is one kernelspec made for a stack's process: its files by name.
type Generated struct {
	Name  string
	Files map[string][]byte
}

// ForStack are the kernelspecs that offer the kernels of envs refs (or, with all, of every
// healthy env with ipykernel but the server's own) to a server of env server, for the life of
// a stack: the same names and activation as `jdash kernel add`, written by the caller. With
// python3, that env's kernel also takes the name python3, in front of the server's own.
func ForStack(r *envctx.Resolver, server string, refs []string, all bool, python3, madeBy string) ([]Generated, error) {
	var out []Generated
	seen := map[string]bool{} // names, and the prefix python3 runs: offered once
	if python3 != "" {
		b, err := withIpykernel(r, python3)
		if err != nil {
			return nil, err
		}
		out = append(out, generate(b, NativeName, madeBy))
		seen[b.Env.Prefix] = true
	}
	var bs []*envctx.Env
	if all {
		bs = WithIpykernel(r, server)
	}
	for _, ref := range refs {
		b, err := withIpykernel(r, ref)
		if err != nil {
			return nil, err
		}
		bs = append(bs, b)
	}
	for _, b := range bs {
		name := Name(b.Env)
		if seen[name] || seen[b.Env.Prefix] {
			continue
		}
		seen[name] = true
		out = append(out, generate(b, name, madeBy))
	}
	return out, nil
}

func withIpykernel(r *envctx.Resolver, ref string) (*envctx.Env, error) {
	b, err := r.Resolve(ref)
	if err == nil && b.Packages.Version("ipykernel") == "" {
		err = fmt.Errorf("%s has no ipykernel (jdash kernel add %s --install-ipykernel installs it)", b.Env.Prefix, b.Env.Prefix)
	}
	return b, err
}

// NativeName is the name of the kernel ipykernel offers natively (jupyter_client's
// NATIVE_KERNEL_NAME): a kernelspec of that name on the path takes its place.
const NativeName = "python3"

// generate is B's kernelspec files under name, logos included.
func generate(b *envctx.Env, name, madeBy string) Generated {
	data, _ := SpecFor(b, DisplayName(b.Env), madeBy)
	g := Generated{Name: name, Files: map[string][]byte{"kernel.json": data}}
	if loc := b.Packages.Module("ipykernel"); loc != "" {
		for _, l := range logos {
			if logo, err := fsx.ReadRegular(filepath.Join(loc, "resources", l), 1<<20); err == nil {
				g.Files[l] = logo
			}
		}
	}
	return g
}

// WithIpykernel are the machine's healthy envs that have ipykernel, but the server's own
// (whose kernel it offers natively): what --all and kernel_envs: all mean.
func WithIpykernel(r *envctx.Resolver, server string) []*envctx.Env {
	var out []*envctx.Env
	self := fsx.ResolveExisting(server)
	for _, e := range r.Scan().Envs {
		if e.Broken || fsx.ResolveExisting(e.Prefix) == self {
			continue
		}
		if b := r.Describe(e); b.Packages.Version("ipykernel") != "" {
			out = append(out, b)
		}
	}
	return out
}
