package envdetect

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Describe describes the env at prefix, or says why it is not one.
func Describe(h Host, prefix string) (*Env, error) {
	abs, err := filepath.Abs(prefix)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("%s: %w", prefix, err)
	}
	// A prefix we may not read is not "not an env": say so, naming it.
	if _, err := os.ReadDir(abs); err != nil && errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("%s: %w (jdash cannot tell whether it is a Python environment)", abs, err)
	}
	e := describe(abs, h, newPlaces(h))
	if e == nil {
		return nil, fmt.Errorf("%s is not a Python environment (no pyvenv.cfg, conda-meta/ or bin/python)", abs)
	}
	e.FoundBy = []string{SrcGiven}
	markActive([]*Env{e}, h)
	return e, nil
}

// NotFoundError is an unknown env name, with the closest names known.
type NotFoundError struct {
	Ref     string
	Closest []string
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no environment named %q", e.Ref)
	if len(e.Closest) > 0 {
		msg += "; did you mean " + strings.Join(e.Closest, ", ") + "?"
	}
	return msg + " (see `jdash envs`)"
}

// Find resolves an ENV argument shared by every command: a prefix path, a name shown by
// `jdash envs`, or when empty the active env (VIRTUAL_ENV, then CONDA_PREFIX), else the
// first Python on PATH. scan is only called for names, so a path needs no machine scan.
func Find(h Host, ref string, scan func() Result) (*Env, error) {
	if ref == "" {
		for _, k := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
			if v := h.getenv(k); v != "" {
				return Describe(h, v)
			}
		}
		c := &collector{h: h, pl: newPlaces(h)}
		for _, d := range h.pathList("PATH") {
			c.addInterpreterDir(d, SrcPath)
			if len(c.cands) > 0 {
				return Describe(h, c.cands[0].path)
			}
		}
		return nil, fmt.Errorf("no active environment and no Python on PATH; pass --env")
	}
	// A path that exists is a path; names may contain "/" too ("proj/.venv", shown by envs).
	if p := h.expand(ref); exists(p) || filepath.IsAbs(p) || strings.HasPrefix(ref, ".") || strings.HasPrefix(ref, "~") {
		return Describe(h, p)
	}
	res := scan()
	var hits []*Env
	for _, e := range res.Envs {
		if e.Name == ref {
			hits = append(hits, e)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return nil, &NotFoundError{Ref: ref, Closest: closest(ref, res.Envs)}
	}
	var ps []string
	for _, e := range hits {
		ps = append(ps, e.Prefix)
	}
	return nil, fmt.Errorf("%d environments are named %q: %s; pass a prefix path", len(hits), ref, strings.Join(ps, ", "))
}

// closest returns up to three env names nearest to ref.
func closest(ref string, envs []*Env) []string {
	names := make([]string, 0, len(envs))
	for _, e := range envs {
		names = append(names, e.Name)
	}
	return Closest(ref, names)
}

// Closest returns up to three of names nearest to ref (edit distance, then substring): what
// an error about an unknown name offers instead.
func Closest(ref string, names []string) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		d := editDistance(strings.ToLower(ref), strings.ToLower(n))
		if strings.Contains(strings.ToLower(n), strings.ToLower(ref)) {
			d = min(d, 1)
		}
		if d <= max(2, len(ref)/3) {
			cs = append(cs, cand{n, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
