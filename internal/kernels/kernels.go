// Package kernels is `jdash kernel`: the kernelspecs an env's Jupyter sees, in
// jupyter_client's order, each judged from files (its interpreter, the env that interpreter
// belongs to, whether that env has ipykernel), and kernels of one env made for another
// without --user: a kernel.json at the server env's own level (or generated for one stack
// process) that starts the other env's Python as if that env were activated.
package kernels

import (
	"errors"

	"github.com/jdash-dev/jdash/internal/envdetect"

	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
)

// Spec is one kernelspec as an env's Jupyter sees it.
type Spec struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Language    string `json:"language,omitempty"`
	ResourceDir string `json:"resource_dir"`
	// Level is where ResourceDir is: user, user-site, sys-prefix, system, JUPYTER_PATH,
	// ipython (IPython's own kernels dir) or native (ipykernel's, added by jupyter_client
	// when no python3 spec exists).
	Level string `json:"level"`
	// Active: this is the spec the name means (the first on the path); ShadowedBy is the
	// resource dir of the one that hides it, Shadows those it hides.
	Active     bool     `json:"active"`
	ShadowedBy string   `json:"shadowed_by,omitempty"`
	Shadows    []string `json:"shadows,omitempty"`
	Argv       []string `json:"argv"`
	// Interpreter is argv[0] as jupyter_client resolves it: a bare python, python3 or
	// python3.X is the server's own interpreter; another relative name is looked up on PATH.
	Interpreter string `json:"interpreter"`
	Exists      bool   `json:"interpreter_exists"`
	// Env is the prefix the interpreter runs in, EnvName its name in `jdash envs` ("" when
	// it is no env jdash knows), Ipykernel the version that env has ("" none).
	Env       string            `json:"env,omitempty"`
	EnvName   string            `json:"env_name,omitempty"`
	Ipykernel string            `json:"ipykernel,omitempty"`
	EnvVars   map[string]string `json:"env_vars,omitempty"`
	// Jdash is the provenance record of a kernel jdash made (metadata.jdash).
	Jdash *Provenance `json:"jdash,omitempty"`
	// Error says why jupyter_client would not load the spec (it is then not offered).
	Error string `json:"error,omitempty"`
}

// Provenance is metadata.jdash of a kernel jdash made.
type Provenance struct {
	Env     string `json:"env"`      // the prefix of the env the kernel runs
	EnvName string `json:"env_name"` // its name when it was made
	MadeBy  string `json:"made_by"`  // "jdash kernel add", or the stack that generated it
}

// Listing is what `jdash kernel list` shows for one env.
type Listing struct {
	Env     string `json:"env"`
	Kernels []Spec `json:"kernels"`
}

// nameRe is jupyter_client's kernel name pattern (case-insensitive; names are lower-cased).
var nameRe = regexp.MustCompile(`^[a-zA-Z0-9._\-]+$`)

// Dirs are jupyter_client's kernel dirs for an env: jupyter_path('kernels'), then IPython's
// kernels dir when IPython is importable there (a stat: no package index is built).
func Dirs(ec *envctx.Env) []string {
	var out []string
	for _, d := range ec.Paths.DataDirs() {
		out = append(out, filepath.Join(d, "kernels"))
	}
	if ec.Packages.Module("IPython") != "" {
		out = append(out, ipythonKernels(ec))
	}
	return out
}

// IPythonKernels is IPython's own kernels dir (IPYTHONDIR, else ~/.ipython).
func IPythonKernels(ec *envctx.Env) string { return ipythonKernels(ec) }

func ipythonKernels(ec *envctx.Env) string {
	if d := ec.Facts.Env["IPYTHONDIR"]; d != "" {
		return filepath.Join(d, "kernels")
	}
	return filepath.Join(ec.Facts.Home, ".ipython", "kernels")
}

// kernelFile is kernel.json as jupyter_client reads it.
type kernelFile struct {
	Argv        []string          `json:"argv"`
	DisplayName string            `json:"display_name"`
	Language    string            `json:"language"`
	Env         map[string]string `json:"env"`
	Metadata    struct {
		Jdash *Provenance `json:"jdash"`
	} `json:"metadata"`
}

// EnvOf describes the env at a (resolved) prefix, nil when it is no Python env (its Jupyter
// packages' versions are enough: no package index is built).
type EnvOf func(prefix string) *envdetect.Env

// List is every kernelspec env ec's Jupyter sees, in jupyter_client's order; envOf names the
// env each interpreter runs in; lookPath resolves a relative argv[0] as the server's process
// would.
func List(fsys fsx.FS, ec *envctx.Env, envOf EnvOf, lookPath func(string) (string, error)) (Listing, error) {
	out := Listing{Env: ec.Env.Prefix, Kernels: []Spec{}}
	first := map[string]int{} // name -> index of the active spec
	for _, kd := range Dirs(ec) {
		names, err := fsys.ReadDirNames(kd)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return out, fmt.Errorf("%s: %w", kd, err)
		}
		level := jupyter.LevelOf(ec.Paths.Data, kd)
		if kd == ipythonKernels(ec) {
			level = "ipython"
		}
		for _, n := range names {
			dir := filepath.Join(kd, n)
			if ok, isDir, _ := fsys.Exists(dir); !ok || !isDir {
				continue
			}
			if ok, isDir, _ := fsys.Exists(filepath.Join(dir, "kernel.json")); !ok || isDir {
				continue
			}
			if !ValidName(n) {
				continue // jupyter_client skips it with a warning
			}
			s := read(fsys, dir)
			s.Name, s.ResourceDir, s.Level = strings.ToLower(n), dir, level
			if i, ok := first[s.Name]; ok {
				s.ShadowedBy = out.Kernels[i].ResourceDir
				out.Kernels[i].Shadows = append(out.Kernels[i].Shadows, dir)
			} else { // a spec that does not load still takes its name: nothing is offered for it
				s.Active = s.Error == ""
				first[s.Name] = len(out.Kernels)
			}
			out.Kernels = append(out.Kernels, s)
		}
	}
	if _, ok := first["python3"]; !ok && ec.Env.Packages["ipykernel"] != "" {
		// jupyter_client adds ipykernel's own spec, run by the server's interpreter
		res := ""
		if loc := ec.Packages.Module("ipykernel"); loc != "" {
			res = filepath.Join(loc, "resources")
		}
		out.Kernels = append(out.Kernels, Spec{Name: "python3", DisplayName: "Python 3 (ipykernel)", Language: "python", ResourceDir: res,
			Level: "native", Active: true, Argv: []string{ec.Env.Python, "-m", "ipykernel_launcher", "-f", "{connection_file}"}})
	}
	for i := range out.Kernels {
		judge(&out.Kernels[i], ec, envOf, lookPath)
	}
	return out, nil
}

// Read loads the kernel.json of a kernel dir; a spec jupyter_client could not load carries
// Error, naming the file.
func Read(fsys fsx.FS, dir string) Spec { return read(fsys, dir) }

func read(fsys fsx.FS, dir string) Spec {
	file := filepath.Join(dir, "kernel.json")
	var s Spec
	data, err := fsys.ReadFile(file)
	var k kernelFile
	if err == nil {
		var te *json.UnmarshalTypeError
		if err = json.Unmarshal(data, &k); errors.As(err, &te) && te.Field == "" {
			err = fmt.Errorf("not a JSON object")
		}
	}
	if err == nil && len(k.Argv) == 0 {
		err = fmt.Errorf("no argv")
	}
	if err != nil {
		s.Error = fmt.Sprintf("%s: %v", file, err)
		return s
	}
	s.Argv, s.DisplayName, s.Language, s.EnvVars, s.Jdash = k.Argv, k.DisplayName, k.Language, k.Env, k.Metadata.Jdash
	return s
}

var bareRe = regexp.MustCompile(`^python(\d(\.\d+)?)?$`)

// ValidName reports a dir name jupyter_client takes as a kernel name (it skips the others).
func ValidName(n string) bool { return nameRe.MatchString(n) }

// IsBare reports an argv[0] jupyter_client replaces with the server's own interpreter:
// python, python3, python3.X.
func IsBare(argv0 string) bool { return bareRe.MatchString(argv0) }

// judge resolves a spec's interpreter and the env it runs in.
func judge(s *Spec, ec *envctx.Env, envOf EnvOf, lookPath func(string) (string, error)) {
	if len(s.Argv) == 0 {
		return
	}
	a := s.Argv[0]
	switch {
	case IsBare(a):
		// jupyter_client runs a bare python as the server's own sys.executable
		a = ec.Env.Python
	case !filepath.IsAbs(a) && lookPath != nil:
		if p, err := lookPath(a); err == nil {
			a = p
		}
	}
	s.Interpreter = a
	if fi, err := os.Stat(a); err == nil && fi.Mode().IsRegular() {
		s.Exists = true
	}
	prefix := RunsIn(fsx.Disk{}, a)
	if !s.Exists || prefix == "" {
		return
	}
	s.Env = prefix
	if e := envOf(prefix); e != nil {
		s.Env, s.EnvName, s.Ipykernel = e.Prefix, e.Name, e.Packages["ipykernel"]
	}
}

// RunsIn is the sys.prefix an interpreter path runs in: the dir holding a pyvenv.cfg next to
// it or one level up (a venv's python is a link to its base: it must not be resolved first),
// else the resolved interpreter's prefix.
func RunsIn(fsys fsx.FS, python string) string {
	if !filepath.IsAbs(python) {
		return ""
	}
	bin := filepath.Dir(python)
	for _, d := range []string{filepath.Dir(bin), bin} {
		if ok, dir, _ := fsys.Exists(filepath.Join(d, "pyvenv.cfg")); ok && !dir {
			return fsx.ResolveExisting(d)
		}
	}
	return filepath.Dir(filepath.Dir(fsx.ResolveExisting(python)))
}

// Active are the specs a name means (what the server offers), in order.
func (l Listing) Active() []Spec {
	return slices.DeleteFunc(slices.Clone(l.Kernels), func(s Spec) bool { return !s.Active })
}
