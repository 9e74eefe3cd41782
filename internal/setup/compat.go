package setup

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/pyjson"
)

// The Nbextensions configurator greys out every extension whose yaml `Compatibility` lacks
// the running frontend's "<major>.x": it compares the first two characters of
// sys_info.notebook_version (notebook 6.5 → "6.x") or, where the page has no sys_info,
// Jupyter.version (nbclassic 1.3 → "1.x"). The contrib pack was last released for
// notebook 5 and declares "4.x, 5.x", so on every route jdash sets up all of its
// extensions start disabled as "possibly incompatible". Notebook 6 and nbclassic are the
// notebook 5 frontend carried on, so an extension that declares 5.x gets the frontend's
// token added in the env's installed copy (journaled, undone with setup --undo); one that
// never declared 5.x stays flagged, as the configurator intends.

// FrontendToken is the string the configurator looks for in `Compatibility`: the first
// two characters of the classic frontend's version plus "x" (its own rule, including its
// oddity for a two-digit major). Empty when the env has no classic frontend.
func FrontendToken(app string, version func(name string) string) string {
	v := version("notebook")
	if app == "server" { // nbclassic's tree page has no sys_info: Jupyter.version is nbclassic's
		v = version("nbclassic")
	}
	if len(v) < 2 {
		return ""
	}
	return v[:2] + "x"
}

// DeclareCompat adds token to the `Compatibility:` line of an extension description that
// declares 5.x and not token. Other bytes are kept; ok is false when nothing changes.
func DeclareCompat(data []byte, token string) (out []byte, ok bool) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, l := range lines {
		body := bytes.TrimRight(l, "\r\n")
		key, val, found := bytes.Cut(body, []byte(":"))
		if !found || string(bytes.TrimSpace(key)) != "Compatibility" || len(key) != len(bytes.TrimLeft(key, " \t")) {
			continue
		}
		v := strings.ToLower(string(val))
		if !strings.Contains(v, "5.x") || strings.Contains(v, strings.ToLower(token)) {
			return data, false
		}
		trimmed := bytes.TrimRight(val, " \t")
		var nv []byte
		if n := len(trimmed); n >= 2 && (trimmed[n-1] == '"' || trimmed[n-1] == '\'') && bytes.Contains(trimmed[:n-1], trimmed[n-1:]) {
			nv = append(append(append([]byte{}, trimmed[:n-1]...), ", "+token...), trimmed[n-1])
		} else {
			nv = append(append([]byte{}, trimmed...), ", "+token...)
		}
		nl := append(append(append([]byte{}, key...), ':'), nv...)
		lines[i] = append(nl, l[len(body):]...)
		return bytes.Join(lines, nil), true
	}
	return data, false
}

// declareCompat applies DeclareCompat to the yaml descriptions under the installed dirs. A
// description sits in its extension's dir (contrib's <ext>/<ext>.yaml, the configurator's
// <dir>/<part>/<part>.yaml): the walk goes two levels down, not into the extensions' vendored
// trees, so that a no-op setup stays quick.
func declareCompat(w fsx.Writer, dirs []string, token string) error {
	if token == "" {
		return nil
	}
	const maxDepth = 2
	var walk func(dir string, depth int) error
	walk = func(dir string, depth int) error {
		names, err := w.ReadDirNames(dir)
		if err != nil {
			return err
		}
		for _, n := range names {
			p := filepath.Join(dir, n)
			_, isDir, err := w.Exists(p)
			if err != nil {
				return err
			}
			if isDir {
				if depth < maxDepth {
					if err := walk(p, depth+1); err != nil {
						return err
					}
				}
				continue
			}
			if ext := filepath.Ext(n); ext != ".yaml" && ext != ".yml" {
				continue
			}
			data, err := w.ReadFile(p)
			if err != nil {
				return err
			}
			if out, ok := DeclareCompat(data, token); ok {
				if _, err := w.WriteFile(p, out, 0o644); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, d := range dirs {
		if _, isDir, err := w.Exists(d); err != nil {
			return err
		} else if isDir {
			if err := walk(d, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// showUndeclared turns off, at the level, the configurator's "disable configuration for
// nbextensions without explicit compatibility": the extensions the profile installs that
// carry no description declaring this frontend (the configurator's own, whose package copy
// shadows the installed one; widgets and dashboards, which ship none) can then be toggled
// like the rest, their compatibility line shown. It is the tab's own switch, saved where the
// tab saves it (the common section), here at the env's level instead of the user's.
func showUndeclared(w fsx.Writer, o Options) error {
	dir, err := o.configDir()
	if err != nil {
		return err
	}
	upd := pyjson.NewObj()
	upd.Set("nbext_hide_incompat", pyjson.BoolValue(false))
	_, err = jupyter.ConfigDir{Dir: dir, FS: w}.WriteUpdate(w, "common", upd)
	return err
}
