package install

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jdash-dev/jdash/internal/lazyre"
	"github.com/jdash-dev/jdash/internal/pkgindex"
	"github.com/jdash-dev/jdash/internal/pyver"
	"github.com/jdash-dev/jdash/internal/runner"
)

// Change is what an install does to one distribution: From "" adds it, else To replaces From.
type Change struct {
	Name string `json:"name"`
	From string `json:"from,omitempty"`
	To   string `json:"to"`
}

func (c Change) String() string {
	if c.From == "" {
		return c.Name + " " + c.To + " (new)"
	}
	return c.Name + " " + c.From + " → " + c.To
}

// Major reports a change of an installed distribution's major version (a release's first
// number: 6.5.7 → 7.0.1, 7.8.5 → 8.1.5), where APIs and extensions break.
func (c Change) Major() bool {
	if c.From == "" {
		return false
	}
	from, to := pyver.MajorOf(c.From), pyver.MajorOf(c.To)
	return from >= 0 && to >= 0 && from != to
}

// Plan asks the installer what installing reqs would change, changing nothing: pip install
// --dry-run --report (pip 22.2 and later), or uv pip install --dry-run. installed gives the
// env's version of a distribution ("" when absent).
func Plan(ctx context.Context, r *runner.Runner, python string, reqs []string, breakSystem bool, installed func(string) string) ([]Change, error) {
	var opts []string
	if breakSystem {
		opts = append(opts, "--break-system-packages")
	}
	var out, errs bytes.Buffer
	c := runner.Cmd{Path: python, Args: slices.Concat([]string{"-m", "pip", "install", "--dry-run", "--quiet", "--report", "-", "--no-cache-dir", "--disable-pip-version-check"}, opts, reqs)}
	uv, err := r.LookPath("uv")
	if err == nil {
		c = runner.Cmd{Path: uv, Args: slices.Concat([]string{"pip", "install", "--dry-run", "--no-cache", "--python", python}, opts, reqs)}
	}
	c.Stdout, c.Stderr, c.Timeout = &out, &errs, Timeout
	if _, err := r.Run(ctx, c); err != nil {
		return nil, fmt.Errorf("asking what installing %s would change: %w\n%s", strings.Join(reqs, " "), err, tail(errs.String()))
	}
	var to map[string]string
	if uv != "" {
		to = parseUVDryRun(out.String() + errs.String())
	} else if to, err = parsePipReport(out.Bytes()); err != nil {
		return nil, err
	}
	before := map[string]string{}
	for name := range to {
		before[name] = installed(name)
	}
	return Diff(before, to), nil
}

// parsePipReport reads pip's installation report (https://pip.pypa.io/en/stable/reference/installation-report/):
// what it would install, by normalized name.
func parsePipReport(data []byte) (map[string]string, error) {
	var rep struct {
		Install []struct {
			Metadata struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"metadata"`
		} `json:"install"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("pip's installation report: %w (pip 22.2 or later has pip install --dry-run --report)", err)
	}
	out := map[string]string{}
	for _, i := range rep.Install {
		if n := pkgindex.NormalizeName(i.Metadata.Name); n != "" && i.Metadata.Version != "" {
			out[n] = i.Metadata.Version
		}
	}
	return out, nil
}

// uvAdds are the lines of uv pip install --dry-run that name what it would install.
var uvAdds = lazyre.New(`(?m)^\s*\+\s*([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)\s*$`)

func parseUVDryRun(s string) map[string]string {
	out := map[string]string{}
	for _, m := range uvAdds().FindAllStringSubmatch(s, -1) {
		out[pkgindex.NormalizeName(m[1])] = m[2]
	}
	return out
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], "\n")
}

// Diff is what changed between two listings of an env's distributions (normalized names to
// versions); a removed distribution is not a change an install makes.
func Diff(before, after map[string]string) []Change {
	var out []Change
	for name, v := range after {
		if before[name] != v {
			out = append(out, Change{Name: name, From: before[name], To: v})
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Name, b.Name) })
	return out
}
