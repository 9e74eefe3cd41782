package doctor

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/nbext"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/ports"
	"github.com/jdash-dev/jdash/internal/pyjson"
	"github.com/jdash-dev/jdash/internal/serverext"
)

// configSections are the JSON config files doctor reads in each config dir.
var configSections = []string{"jupyter_notebook_config", "jupyter_server_config", "jupyter_config"}

// validateConfigs parses every JSON config file on the config path once; one that does not
// parse is a problem and is hidden from the listings.
func (g gatherer) validateConfigs() {
	for _, d := range g.in.Paths.ConfigDirs() {
		var files []string
		for _, sec := range configSections {
			files = append(files, filepath.Join(d, sec+".json"))
			files = append(files, g.dirFiles(filepath.Join(d, sec+".d"), ".json")...)
		}
		nb := filepath.Join(d, "nbconfig")
		for _, sec := range nbext.Sections {
			files = append(files, filepath.Join(nb, sec+".json"))
			files = append(files, g.dirFiles(filepath.Join(nb, sec+".d"), ".json")...)
		}
		for _, f := range files {
			ok, dir, err := g.r.Exists(f)
			if err != nil {
				g.problem(f, err)
				g.r.hide(f)
				continue
			}
			if !ok || dir {
				continue
			}
			data, err := g.r.ReadFile(f)
			if err == nil && len(data) > 0 {
				_, err = jupyter.ParseObj(f, data)
			}
			if err != nil {
				g.problem(f, err)
				g.r.hide(f)
			}
		}
	}
}

func (g gatherer) dirFiles(dir, suffix string) []string {
	names, err := g.r.ReadDirNames(dir)
	if err != nil {
		if !isNotExist(err) {
			g.problem(dir, err)
		}
		return nil
	}
	var out []string
	for _, n := range names {
		if strings.HasSuffix(n, suffix) {
			out = append(out, filepath.Join(dir, n))
		}
	}
	return out
}

func (g gatherer) serverExtensions() {
	s := g.s
	nb, srv := s.Versions["notebook"], s.Versions["jupyter-server"]
	if nb == "" && srv == "" {
		return
	}
	s.Classic = classicFrontend(func(n string) string { return s.Versions[pkgindex.NormalizeName(n)] })
	app := serverext.AppFor(nb, srv)
	s.Apps = []serverext.App{app}
	if app == serverext.Server && s.Versions["nbclassic"] != "" {
		s.Apps = append(s.Apps, serverext.Notebook) // nbclassic reads NotebookApp's list through notebook_shim
	}
	for _, a := range s.Apps {
		l, err := serverext.List(g.r, g.in.Paths, a, func(string) string { return "" })
		if err != nil {
			g.problem(errPath(err), err)
			continue
		}
		for i, x := range l.Extensions {
			if g.module(x.Module) {
				l.Extensions[i].Importable, l.Extensions[i].Location = true, s.Modules[x.Module]
			}
		}
		s.ServerExts = append(s.ServerExts, l)
	}
	// .py config files: report the lines that set extension lists (never evaluated, never edited)
	re := extLineRe
	for _, d := range g.in.Paths.ConfigDirs() {
		for _, sec := range configSections {
			py := filepath.Join(d, sec+".py")
			for _, m := range g.grep(py, re) {
				m.Level = jupyter.LevelOf(g.in.Paths.Config, d)
				s.ExtLines = append(s.ExtLines, m)
			}
		}
	}
}

var extLineRe = regexp.MustCompile(`^\s*c\.\w+\.(nbserver_extensions|jpserver_extensions|server_extensions)\b`)

// grep returns the lines of a file matching re (path, line, text).
func (g gatherer) grep(path string, re *regexp.Regexp) []Evidence {
	ok, dir, _ := g.r.Exists(path)
	if !ok || dir {
		return nil
	}
	data, err := g.r.ReadFile(path)
	if err != nil {
		g.problem(path, err)
		return nil
	}
	var out []Evidence
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if re.MatchString(sc.Text()) {
			out = append(out, Evidence{Path: path, Line: n, Detail: strings.TrimSpace(sc.Text())})
		}
	}
	return out
}

func (g gatherer) nbextensions() {
	l, err := nbext.List(g.r, g.in.Paths)
	if err != nil {
		g.problem(errPath(err), err)
		return
	}
	g.s.NBExts, g.s.NBExtOK = l, true
	// frontend settings a UI saved at the user level (every key but load_extensions)
	userNB := filepath.Join(g.in.Paths.Levels.User.Config, "nbconfig")
	for _, sec := range nbext.Sections {
		f := filepath.Join(userNB, sec+".json")
		obj := g.obj(f)
		if obj == nil {
			continue
		}
		var keys []string
		for _, k := range obj.Keys() {
			if k != "load_extensions" {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			g.s.UIConfig = append(g.s.UIConfig, Evidence{Path: f, Level: "user", Detail: sec + ": " + strings.Join(keys, ", ")})
		}
	}
	// bundlers: nbconfig/notebook.json "bundlerextensions" (first config dir wins per name)
	seen := map[string]bool{}
	for _, d := range g.in.Paths.ConfigDirs() {
		f := filepath.Join(d, "nbconfig", "notebook.json")
		obj := g.obj(f)
		if obj == nil {
			continue
		}
		be := obj.Get("bundlerextensions")
		if be == nil || be.Kind != pyjson.Object {
			continue
		}
		for _, name := range be.Obj.Keys() {
			v := be.Obj.Get(name)
			if seen[name] || v == nil || v.Kind != pyjson.Object {
				continue
			}
			seen[name] = true
			mod := ""
			if m := v.Obj.Get("module_name"); m != nil && m.Kind == pyjson.String {
				mod = m.Str
			}
			if mod != "" {
				g.module(mod)
			}
			g.s.Bundlers = append(g.s.Bundlers, Bundler{Name: name, Module: mod, Source: Evidence{Path: f, Level: jupyter.LevelOf(g.in.Paths.Config, d)}})
		}
	}
}

// obj reads a JSON config object (nil when absent, hidden or malformed).
func (g gatherer) obj(path string) *pyjson.Obj {
	ok, dir, _ := g.r.Exists(path)
	if !ok || dir {
		return nil
	}
	data, err := g.r.ReadFile(path)
	if err != nil || len(data) == 0 {
		return nil
	}
	o, err := jupyter.ParseObj(path, data)
	if err != nil {
		return nil
	}
	return o
}

func errPath(err error) string {
	var me *jupyter.MalformedError
	if errors.As(err, &me) {
		return me.Path
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Path
	}
	return ""
}

// secretKeys are config traits that hold a credential.
var secretKeys = map[string]bool{"token": true, "password": true, "hashed_password": true, "auth_token": true}

var pyAssignRe = regexp.MustCompile(`^\s*c\.(\w+)\.(\w+)\s*=\s*(.+?)\s*(?:#.*)?$`)

// settings reads the effective server settings (ip, port, token, password) with traitlets'
// precedence: the first config dir that sets one wins; in a dir the app's file before
// jupyter_config, JSON before .py. Credentials anywhere outside the env are recorded.
func (g gatherer) settings() {
	s := g.s
	classes := map[string]bool{"IdentityProvider": true, "PasswordIdentityProvider": true}
	var sections []string
	for _, a := range s.Apps {
		if a == serverext.Notebook {
			classes["NotebookApp"] = true
			sections = append(sections, "jupyter_notebook_config")
		} else {
			classes["ServerApp"] = true
			sections = append(sections, "jupyter_server_config")
		}
	}
	sections = append(sections, "jupyter_config")
	for _, d := range g.in.Paths.ConfigDirs() {
		level := jupyter.LevelOf(g.in.Paths.Config, d)
		for _, sec := range configSections {
			active := slices.Contains(sections, sec)
			jf := filepath.Join(d, sec+".json")
			if o := g.obj(jf); o != nil {
				for _, cls := range o.Keys() {
					cv := o.Get(cls)
					if cv == nil || cv.Kind != pyjson.Object {
						continue
					}
					for _, key := range cv.Obj.Keys() {
						v := cv.Obj.Get(key)
						g.setting(active && classes[cls], cls, key, scalar(v), Evidence{Path: jf, Level: level})
					}
				}
			}
			// .d files: their credentials are found too (the values they set are not judged)
			for _, df := range g.dirFiles(filepath.Join(d, sec+".d"), ".json") {
				if o := g.obj(df); o != nil {
					for _, cls := range o.Keys() {
						if cv := o.Get(cls); cv != nil && cv.Kind == pyjson.Object {
							for _, key := range cv.Obj.Keys() {
								g.setting(false, cls, key, scalar(cv.Obj.Get(key)), Evidence{Path: df, Level: level})
							}
						}
					}
				}
			}
			py := filepath.Join(d, sec+".py")
			for _, m := range g.grep(py, pyAssignRe) {
				sub := pyAssignRe.FindStringSubmatch(m.Detail)
				m.Level = level
				g.setting(active && classes[sub[1]], sub[1], sub[2], unquote(sub[3]), m)
			}
		}
	}
	if v, ok := s.Values["port"]; ok {
		if port, err := strconv.Atoi(v.Value); err == nil && port > 0 && port < 65536 {
			host := s.Values["ip"].Value
			if host == "" || host == "localhost" {
				host = "127.0.0.1"
			}
			taken, h := ports.Taken(host, port)
			s.Ports = append(s.Ports, PortUse{Port: port, At: v.At, Taken: taken, Holder: h})
		}
	}
}

func (g gatherer) setting(effective bool, cls, key, value string, at Evidence) {
	s := g.s
	if secretKeys[key] && value != "" && at.Level != "sys-prefix" || secretKeys[key] && value != "" && othersRead(g.r, at.Path) {
		masked := at
		masked.Detail = cls + "." + key + " = ***"
		s.Secrets = append(s.Secrets, Secret{Key: cls + "." + key, At: masked, OthersRead: othersRead(g.r, at.Path)})
	}
	if !effective {
		return
	}
	switch key {
	case "ip", "port", "token", "password", "hashed_password":
	default:
		return
	}
	if key == "hashed_password" {
		key = "password"
	}
	if _, done := s.Values[key]; done {
		return // a higher-priority file set it
	}
	at.Detail = cls + "." + key
	s.Values[key] = Value{Value: value, Set: true, At: at}
}

func othersRead(r *Reader, path string) bool {
	st, err := r.Stat(path)
	return err == nil && st.Mode().Perm()&0o044 != 0
}

func scalar(v *pyjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Kind {
	case pyjson.String:
		return v.Str
	case pyjson.Int:
		return v.Int
	case pyjson.Bool:
		return strconv.FormatBool(v.Bool)
	}
	return ""
}

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return s[1 : len(s)-1]
	}
	return s
}

// classicFrontend is an env whose notebook reads nbconfig: notebook 6, or nbclassic.
func classicFrontend(version func(name string) string) bool {
	nb := version("notebook")
	return nb != "" && !jupyter.IsNotebook7(nb) || version("nbclassic") != ""
}
