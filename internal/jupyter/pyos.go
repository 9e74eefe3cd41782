package jupyter

import "strings"

// The helpers in this file reproduce Python's os.path and pathlib string semantics, because
// Jupyter compares and prints paths as strings: a "//" or a trailing "/" that Python keeps
// must be kept here too, or the search path would differ from what Jupyter sees.

// flavour is the path syntax of one operating system.
type flavour struct {
	sep     string
	pathsep string
}

var (
	posixFlavour = flavour{sep: "/", pathsep: ":"}
	ntFlavour    = flavour{sep: `\`, pathsep: ";"}
)

func flavourFor(goos string) flavour {
	if goos == "windows" {
		return ntFlavour
	}
	return posixFlavour
}

// isAbs reports whether p is absolute in this flavour (ntpath: a drive or a root).
func (f flavour) isAbs(p string) bool {
	if f.sep == "/" {
		return strings.HasPrefix(p, "/")
	}
	p = strings.ReplaceAll(p, "/", `\`)
	if len(p) >= 2 && p[1] == ':' {
		return true
	}
	return strings.HasPrefix(p, `\`)
}

// join is os.path.join: a later absolute part replaces what came before, and no separator
// is added after a part that already ends with one.
func (f flavour) join(base string, parts ...string) string {
	out := base
	for _, p := range parts {
		switch {
		case f.isAbs(p):
			out = p
		case out == "" || strings.HasSuffix(out, f.sep) || (f.sep == `\` && strings.HasSuffix(out, "/")):
			out += p
		default:
			out += f.sep + p
		}
	}
	return out
}

// pathStr is str(pathlib.Path(base, *parts)) on POSIX: empty and "." parts dropped, repeated
// separators folded, a leading "//" (exactly two) kept, no trailing separator.
// On Windows it folds "/" into "\" and applies the same rules after the drive.
func (f flavour) pathStr(base string, parts ...string) string {
	joined := f.join(base, parts...)
	if f.sep == `\` {
		joined = strings.ReplaceAll(joined, "/", `\`)
	}
	root := ""
	rest := joined
	if f.sep == "/" {
		switch {
		case strings.HasPrefix(rest, "//") && !strings.HasPrefix(rest, "///"):
			root = "//"
		case strings.HasPrefix(rest, "/"):
			root = "/"
		}
	} else {
		if len(rest) >= 2 && rest[1] == ':' {
			root = rest[:2]
			rest = rest[2:]
		}
		if strings.HasPrefix(rest, `\`) {
			root += `\`
		}
	}
	var kept []string
	for _, c := range strings.Split(rest, f.sep) {
		if c == "" || c == "." {
			continue
		}
		kept = append(kept, c)
	}
	out := root + strings.Join(kept, f.sep)
	if out == "" {
		return "."
	}
	return out
}

// rstripSep is str.rstrip(os.sep), applied by Jupyter to each JUPYTER_PATH entry.
func (f flavour) rstripSep(p string) string {
	return strings.TrimRight(p, f.sep)
}

// expandUser is os.path.expanduser for a path starting with "~" and the given home value
// (HOME on POSIX; USERPROFILE on Windows). homeSet false means the variable is absent, in
// which case Python asks the password database: the caller passes that result as home.
func (f flavour) expandUser(p, home string) string {
	if !strings.HasPrefix(p, "~") {
		return p
	}
	rest := p[1:]
	if i := strings.IndexAny(rest, f.sep+"/"); i > 0 {
		return p // ~user form: not used by Jupyter
	}
	h := strings.TrimRight(home, f.sep)
	if h+rest == "" {
		return f.sep
	}
	return h + rest
}
