package doctor

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/jupyter"
	"github.com/jdash-dev/jdash/internal/nbext"
	"github.com/jdash-dev/jdash/internal/pyjson"
	"github.com/jdash-dev/jdash/internal/serverext"
)

// Action is what doctor --fix does for a finding. Every kind moves or removes files through
// the journaled writer, so `doctor --undo` restores the exact bytes; nothing is deleted that
// the journal does not keep.
type Action struct {
	// Kind: move-serverext (enable at the env level of the envs that have the module, then
	// drop the shared-level key), move-nbext (the same for an nbextension), quarantine (move
	// a kernelspec dir out of the kernel path), remove (stale runtime files).
	Kind    string
	Path    string
	Paths   []string
	App     serverext.App
	Module  string
	Section string
	Require string
	Value   *pyjson.Value
	Targets []string // env-level config dirs that get the enable
	Dest    string   // where a quarantined dir goes
}

// Key de-duplicates actions (two findings may share one fix).
func (a *Action) Key() string {
	return strings.Join([]string{a.Kind, a.Path, strings.Join(a.Paths, ","), string(a.App), a.Module, a.Section, a.Require}, "\x00")
}

// Touches lists every path the action may write (for the writer's roots and the question
// whether it reaches outside the env).
func (a *Action) Touches() []string {
	out := append([]string{}, a.Paths...)
	if a.Path != "" {
		out = append(out, a.Path)
	}
	out = append(out, a.Targets...)
	if a.Dest != "" {
		out = append(out, a.Dest)
	}
	return out
}

// Roots are the dirs the writer may change for these actions.
func Roots(actions []*Action) []string {
	var out []string
	add := func(d string) {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	for _, a := range actions {
		switch a.Kind {
		case "move-serverext", "move-nbext":
			for _, p := range append([]string{a.Path}, a.Paths...) {
				add(filepath.Dir(p))
			}
			for _, t := range a.Targets {
				add(t)
			}
		case "quarantine":
			add(filepath.Dir(filepath.Dir(a.Path))) // the data dir: kernels/ and jdash-quarantine/
		case "remove":
			for _, p := range a.Paths {
				add(filepath.Dir(p))
			}
		}
	}
	return out
}

// Actions collects the distinct automatic fixes of findings.
func Actions(fs []Finding) []*Action {
	var out []*Action
	seen := map[string]bool{}
	for _, f := range fs {
		if f.Action == nil || seen[f.Action.Key()] {
			continue
		}
		seen[f.Action.Key()] = true
		out = append(out, f.Action)
	}
	return out
}

// Outside lists the paths actions change outside prefix (HOME, the machine, other envs).
func Outside(actions []*Action, prefix string) []string {
	var out []string
	for _, a := range actions {
		for _, p := range a.Touches() {
			if p != prefix && !strings.HasPrefix(p, prefix+string(filepath.Separator)) && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// Apply performs actions through w (a journaled writer, or a dry run) and says what it did.
func Apply(w fsx.Writer, actions []*Action) ([]string, error) {
	var done []string
	for _, a := range actions {
		var err error
		var msg string
		switch a.Kind {
		case "move-serverext":
			msg, err = moveServerext(w, a)
		case "move-nbext":
			msg, err = moveNbext(w, a)
		case "quarantine":
			msg, err = quarantineDir(w, a)
		case "remove":
			for _, p := range a.Paths {
				if _, err = w.Remove(p); err != nil {
					break
				}
			}
			msg = "removed " + strings.Join(a.Paths, ", ")
		default:
			err = fmt.Errorf("unknown fix %q", a.Kind)
		}
		if err != nil {
			return done, err
		}
		done = append(done, msg)
	}
	return done, nil
}

// dropKey removes a nested key from a JSON config file the way Jupyter's config managers
// do (a null update: the key goes, emptied dicts are pruned).
func dropKey(w fsx.Writer, file string, keys ...string) error {
	upd := pyjson.NewObj()
	cur := upd
	for i, k := range keys {
		if i == len(keys)-1 {
			cur.Set(k, pyjson.NullValue())
			break
		}
		next := pyjson.NewObj()
		cur.Set(k, pyjson.ObjValue(next))
		cur = next
	}
	cd := jupyter.ConfigDir{Dir: filepath.Dir(file), FS: w}
	section := strings.TrimSuffix(filepath.Base(file), ".json")
	content, _, err := cd.Update(section, upd)
	if err != nil {
		return err
	}
	_, err = w.WriteFile(file, content, 0o644)
	return err
}

func moveServerext(w fsx.Writer, a *Action) (string, error) {
	for _, t := range a.Targets {
		if _, _, err := serverext.Toggle(w, t, a.App, a.Module, true); err != nil {
			return "", err
		}
	}
	cls, key := "NotebookApp", "nbserver_extensions"
	if a.App == serverext.Server {
		cls, key = "ServerApp", "jpserver_extensions"
	}
	for _, f := range append([]string{a.Path}, a.Paths...) {
		if err := dropKey(w, f, cls, key, a.Module); err != nil {
			return "", err
		}
	}
	return moved("server extension "+a.Module, a.Path, a.Targets), nil
}

func moveNbext(w fsx.Writer, a *Action) (string, error) {
	v := a.Value
	if v == nil {
		v = pyjson.BoolValue(true)
	}
	for _, t := range a.Targets {
		if _, err := nbext.SetState(w, filepath.Join(t, "nbconfig"), a.Section, a.Require, v); err != nil {
			return "", err
		}
	}
	if err := dropKey(w, a.Path, "load_extensions", a.Require); err != nil {
		return "", err
	}
	return moved(fmt.Sprintf("nbextension %s (%s)", a.Require, a.Section), a.Path, a.Targets), nil
}

// quarantineDir moves a kernelspec dir, in one atomic rename (a kill leaves it in one place
// or the other), to a free name under its data dir's jdash-quarantine/kernels.
func quarantineDir(w fsx.Writer, a *Action) (string, error) {
	dest := a.Dest
	for i := 2; ; i++ {
		ok, _, err := w.Exists(dest)
		if err != nil {
			return "", err
		}
		if !ok {
			break
		}
		dest = fmt.Sprintf("%s-%d", a.Dest, i)
	}
	if _, err := w.Rename(a.Path, dest); err != nil {
		return "", err
	}
	return fmt.Sprintf("quarantined %s in %s", a.Path, dest), nil
}

func moved(what, from string, targets []string) string {
	if len(targets) == 0 {
		return fmt.Sprintf("removed %s from %s: no env has it", what, from)
	}
	return fmt.Sprintf("moved %s from %s to the env level of %s", what, from, strings.Join(targets, ", "))
}
