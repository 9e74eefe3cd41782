package pyflags

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// cases are the variable values and options whose reading the table fixes; the
// differential test asks a real interpreter the same.
var cases = []struct {
	opts             []string
	nousersite       *string
	safepath         *string
	noUserSite, safe bool
}{
	{nil, nil, nil, false, false},
	{nil, str(""), str(""), false, false},
	{nil, str("0"), nil, false, false},
	{nil, str("1"), nil, true, false},
	{nil, str("2"), nil, true, false},
	{nil, str("yes"), nil, true, false},
	{nil, str("no"), nil, true, false},
	{nil, str("-1"), nil, true, false},
	{nil, str(" 0"), nil, false, false},
	{nil, str("0 "), nil, true, false},
	{nil, str("+0"), nil, false, false},
	{nil, str("99999999999"), nil, true, false},
	{nil, nil, str("0"), false, true},
	{nil, nil, str("1"), false, true},
	{[]string{"-s"}, nil, nil, true, false},
	{[]string{"-E"}, str("1"), str("1"), false, false},
	{[]string{"-I"}, nil, nil, true, true},
	{[]string{"-sE"}, nil, nil, true, false},
	{[]string{"-P"}, nil, nil, false, true},
	{[]string{"-X", "utf8", "-s"}, nil, nil, true, false},
	{[]string{"-Wignore", "-s"}, nil, nil, true, false},
}

func str(s string) *string { return &s }

func env(c struct {
	opts             []string
	nousersite       *string
	safepath         *string
	noUserSite, safe bool
}) func(string) (string, bool) {
	return func(k string) (string, bool) {
		var p *string
		switch k {
		case "PYTHONNOUSERSITE":
			p = c.nousersite
		case "PYTHONSAFEPATH":
			p = c.safepath
		}
		if p == nil {
			return "", false
		}
		return *p, true
	}
}

func TestRead(t *testing.T) {
	for _, c := range cases {
		f := Read(append([]string{"python"}, append(c.opts, "-m", "ipykernel_launcher", "-s")...), env(c))
		if f.NoUserSite != c.noUserSite || f.SafePath != c.safe {
			t.Errorf("%v PYTHONNOUSERSITE=%v PYTHONSAFEPATH=%v: %+v, want no_user_site %v safe_path %v", c.opts, show(c.nousersite), show(c.safepath), f, c.noUserSite, c.safe)
		}
	}
	// options after -m or -c belong to the program
	if f := Read([]string{"python", "-c", "pass", "-s"}, nil); f.NoUserSite {
		t.Error("-s after -c read as the interpreter's")
	}
}

func show(p *string) string {
	if p == nil {
		return "(unset)"
	}
	return "\"" + *p + "\""
}

// TestDifferentialAgainstPython asks a real interpreter (JDASH_PACKAGING_PYTHON, which
// scripts/test.sh sets; skipped without it) the same cases.
func TestDifferentialAgainstPython(t *testing.T) {
	py := os.Getenv("JDASH_PACKAGING_PYTHON")
	if py == "" {
		t.Skip("set JDASH_PACKAGING_PYTHON to a python3.11+ to compare with")
	}
	// a venv's Python has no user site at all: ask its base interpreter
	clean := []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()} // never the caller's PYTHON* variables
	q := exec.Command(py, "-I", "-c", "import sys; print(sys._base_executable)")
	q.Env = clean
	base, err := q.Output()
	if err != nil {
		t.Fatal(err)
	}
	py = strings.TrimSpace(string(base))
	for _, c := range cases {
		args := append(append([]string{}, c.opts...), "-c", `import json, site, sys; print(json.dumps({"no_user_site": not site.ENABLE_USER_SITE, "safe_path": sys.flags.safe_path == 1}))`)
		cmd := exec.Command(py, args...)
		cmd.Env = clean
		if c.nousersite != nil {
			cmd.Env = append(cmd.Env, "PYTHONNOUSERSITE="+*c.nousersite)
		}
		if c.safepath != nil {
			cmd.Env = append(cmd.Env, "PYTHONSAFEPATH="+*c.safepath)
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %v: %v", py, args, err)
		}
		var real Flags
		if err := json.Unmarshal(out, &real); err != nil {
			t.Fatal(err)
		}
		got := Read(append([]string{py}, args...), env(c))
		if got.NoUserSite != real.NoUserSite || got.SafePath != real.SafePath {
			t.Errorf("%s %s PYTHONNOUSERSITE=%s PYTHONSAFEPATH=%s: jdash %+v, Python %+v", py, strings.Join(c.opts, " "), show(c.nousersite), show(c.safepath), got, real)
		}
	}
}
