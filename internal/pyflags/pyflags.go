// Package pyflags is CPython's own reading of the options and variables that change what an
// interpreter imports: -s, -E, -I, -P on its command line, and PYTHONNOUSERSITE and
// PYTHONSAFEPATH in its environment. The one place jdash interprets them (paths, doctor,
// kernelspecs); table-tested, and compared with a real interpreter when one is given.
package pyflags

import (
	"strconv"
	"strings"
)

// Flags are what an interpreter ends up with.
type Flags struct {
	NoUserSite bool `json:"no_user_site"` // site.ENABLE_USER_SITE is False
	SafePath   bool `json:"safe_path"`    // sys.flags.safe_path: no script or cwd dir first on sys.path
	IgnoreEnv  bool `json:"ignore_environment"`
	Isolated   bool `json:"isolated"`
}

// EnvFlag is CPython's _Py_get_env_flag for one variable's value: unset or empty is 0; a
// value strtol reads whole (leading white space, a sign, digits) is that number, or 1 when
// it is negative or beyond an int; anything else is 1. So PYTHONNOUSERSITE=0 leaves the user
// site on, and PYTHONNOUSERSITE=no turns it off.
func EnvFlag(v string, set bool) int {
	if !set || v == "" {
		return 0
	}
	digits := strings.TrimLeft(v, " \t\n\v\f\r")
	n, err := strconv.ParseInt(digits, 10, 32)
	if err != nil || digits == "" || n < 0 || strings.ContainsAny(digits, "_") {
		return 1
	}
	return int(n)
}

// Read is how an interpreter started with argv (argv[0] the interpreter, then its options
// up to -c, -m or the script) in an environment where getenv answers reads its flags.
// Under -E or -I the PYTHON* variables are ignored.
func Read(argv []string, getenv func(string) (string, bool)) Flags {
	var f Flags
	for _, a := range optionArgs(argv) {
		for _, c := range a {
			switch c {
			case 's':
				f.NoUserSite = true
			case 'E':
				f.IgnoreEnv = true
			case 'P':
				f.SafePath = true
			case 'I':
				f.Isolated, f.IgnoreEnv, f.NoUserSite, f.SafePath = true, true, true, true
			}
		}
	}
	if f.IgnoreEnv || getenv == nil {
		return f
	}
	if v, ok := getenv("PYTHONNOUSERSITE"); EnvFlag(v, ok) > 0 {
		f.NoUserSite = true
	}
	if v, ok := getenv("PYTHONSAFEPATH"); ok && v != "" { // any non-empty value, "0" included
		f.SafePath = true
	}
	return f
}

// optionArgs are the letters of the interpreter's own short options: argv[1:] up to the
// first argument that is not an option, or an option that ends them (-c, -m, -, --), each
// without its dash; the value of an option that takes one (-W, -X) is skipped.
func optionArgs(argv []string) []string {
	var out []string
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		if a == "-" || a == "--" || !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "--") {
			break
		}
		letters := a[1:]
		if j := strings.IndexAny(letters, "cmWX"); j >= 0 {
			out = append(out, letters[:j])
			if strings.ContainsRune("cm", rune(letters[j])) {
				break
			}
			if j == len(letters)-1 {
				i++ // -W arg, -X arg
			}
			continue
		}
		out = append(out, letters)
	}
	return out
}
