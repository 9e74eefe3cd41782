package doctor

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/jupyter"
)

// entryOf finds the search-path entry holding path (a dir on the path or a file below it).
func entryOf(es []jupyter.Entry, path string) (int, jupyter.Entry, bool) {
	for i, e := range es {
		if e.Path == path || strings.HasPrefix(path, e.Path+string(filepath.Separator)) {
			return i, e, true
		}
	}
	return -1, jupyter.Entry{}, false
}

// onPath explains why a file's dir is read by this env, in the words of paths --explain.
func onPath(es []jupyter.Entry, kind, path string) string {
	i, e, ok := entryOf(es, path)
	if !ok {
		return fmt.Sprintf("%s is not on this env's %s path", path, kind)
	}
	return fmt.Sprintf("%s is #%d on this env's %s path: %s", e.Path, i+1, kind, e.Why)
}

// order is the user/env order sentence of paths --explain.
func order(p jupyter.Paths) string {
	if p.PreferEnv {
		return "env dirs are searched before user dirs because " + p.PreferEnvWhy
	}
	return "user dirs are searched before env dirs because " + p.PreferEnvWhy
}

// beats explains why the entry holding winner comes before the one holding loser.
func beats(es []jupyter.Entry, p jupyter.Paths, winner, loser string) string {
	wi, we, ok1 := entryOf(es, winner)
	li, le, ok2 := entryOf(es, loser)
	if !ok1 || !ok2 {
		return ""
	}
	head := fmt.Sprintf("%s (#%d) is searched before %s (#%d)", we.Path, wi+1, le.Path, li+1)
	switch {
	case we.Origin == jupyter.OriginVar:
		return head + " because " + we.Why
	case le.Origin == jupyter.OriginSystem:
		return head + " because machine-wide dirs are searched last"
	case isUserOrigin(we.Origin) && le.Origin == jupyter.OriginEnv:
		return head + " because user dirs come first: " + p.PreferEnvWhy
	case we.Origin == jupyter.OriginEnv && isUserOrigin(le.Origin):
		return head + " because env dirs come first: " + p.PreferEnvWhy
	}
	return head
}

func isUserOrigin(o jupyter.Origin) bool {
	return o == jupyter.OriginUser || o == jupyter.OriginUserSite
}

// reach lists the env prefixes whose config (or data) path holds dir: this env first.
func reach(s *Snapshot, dir string, data bool) []string {
	return reachWhere(s, dir, data, nil)
}

// reachWhere is reach limited to the envs for which reads holds (this env is always in).
func reachWhere(s *Snapshot, dir string, data bool, reads func(OtherEnv) bool) []string {
	out := []string{s.Prefix}
	for _, o := range s.Others {
		if reads != nil && !reads(o) {
			continue
		}
		dirs := o.ConfigDirs
		if data {
			dirs = o.DataDirs
		}
		if slices.ContainsFunc(dirs, func(d string) bool { return d == dir || strings.HasPrefix(dir, d+string(filepath.Separator)) }) {
			out = append(out, o.Prefix)
		}
	}
	return out
}

// shared reports a level outside the env: HOME, the machine, a variable.
func shared(level string) bool {
	switch level {
	case "sys-prefix", "native", "python", "env", "other":
		return false
	}
	return true
}

func readsNBConfig(o OtherEnv) bool   { return o.Classic }
func readsServerExts(o OtherEnv) bool { return o.Server }
func readsKernels(o OtherEnv) bool    { return o.Kernels }
