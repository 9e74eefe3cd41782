package pyver

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/packaging.golden with packaging's answers")

// The differential test: (specifier, version) pairs built from real release histories,
// answered by jdash and by Python's packaging.specifiers (SpecifierSet(s).contains(v,
// prereleases=True): the installed-version policy). With JDASH_PACKAGING_PYTHON set to an
// interpreter that has packaging (scripts/test.sh sets it), packaging answers live;
// otherwise the answers it gave when the golden file was last made are used.
const packagingScript = `import json, sys
from packaging.specifiers import SpecifierSet
from packaging.version import Version
pairs = json.load(sys.stdin)
print("".join("1" if SpecifierSet(s).contains(Version(v), prereleases=True) else "0" for s, v in pairs))
`

func releases(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	files, _ := filepath.Glob("testdata/releases/*.txt")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
				out[strings.TrimSuffix(filepath.Base(f), ".txt")] = append(out[strings.TrimSuffix(filepath.Base(f), ".txt")], l)
			}
		}
	}
	if len(out) < 5 {
		t.Fatalf("release histories missing: %v", files)
	}
	return out
}

// pairs builds, per package, specifiers of every operator from its own releases and checks
// them against a spread of its releases (pre, post and dev releases included), plus local
// and epoch variants packaging treats specially.
func pairs(t *testing.T) [][2]string {
	var out [][2]string
	hist := releases(t)
	for _, pkg := range []string{"ipywidgets", "jupyter_core", "jupyter_server", "notebook", "setuptools"} {
		vs := hist[pkg]
		var specs []string
		for i := 0; i < len(vs); i += max(1, len(vs)/12) {
			v := MustParse(vs[i])
			specs = append(specs, "=="+vs[i], "!="+vs[i], "<"+vs[i], "<="+vs[i], ">"+vs[i], ">="+vs[i], "==="+vs[i])
			specs = append(specs, fmt.Sprintf("==%d.*", v.Part(0)), fmt.Sprintf("!=%d.%d.*", v.Part(0), v.Part(1)))
			if len(v.Release) >= 2 {
				specs = append(specs, "~="+vs[i])
			}
			specs = append(specs, fmt.Sprintf(">=%s,<%d", vs[i], v.Part(0)+1), fmt.Sprintf(">=%d.%d.0a0", v.Part(0), v.Part(1)))
		}
		var probes []string
		for i := 0; i < len(vs); i += max(1, len(vs)/25) {
			probes = append(probes, vs[i])
		}
		probes = append(probes, vs[0]+"+local.1", vs[len(vs)/2]+".post1", vs[len(vs)/2]+"+ubuntu1", "1!"+vs[1], vs[len(vs)-1]+".dev0")
		for _, s := range specs {
			for _, p := range probes {
				out = append(out, [2]string{s, p})
			}
		}
	}
	return out
}

func TestDifferentialAgainstPackaging(t *testing.T) {
	ps := pairs(t)
	input, _ := json.Marshal(ps)
	sum := sha256.Sum256(input)
	key := hex.EncodeToString(sum[:8])
	var want string
	live := os.Getenv("JDASH_PACKAGING_PYTHON")
	if live != "" || *update {
		py := live
		if py == "" {
			py = "python3"
		}
		c := exec.Command(py, "-I", "-c", packagingScript)
		c.Stdin = bytes.NewReader(input)
		out, err := c.Output()
		if err != nil {
			t.Fatalf("packaging (%s): %v", py, err)
		}
		want = strings.TrimSpace(string(out))
		if *update {
			if err := os.WriteFile("testdata/packaging.golden", []byte(key+" "+want+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		data, err := os.ReadFile("testdata/packaging.golden")
		if err != nil {
			t.Fatal(err)
		}
		gk, answers, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
		if gk != key {
			t.Fatalf("the pairs changed since testdata/packaging.golden was made: rerun with -update")
		}
		want = answers
	}
	if len(want) != len(ps) {
		t.Fatalf("packaging answered %d of %d pairs", len(want), len(ps))
	}
	disagree := 0
	for i, p := range ps {
		spec, err := ParseSpec(p[0])
		if err != nil {
			t.Errorf("%s: %v", p[0], err)
			disagree++
			continue
		}
		got := spec.ContainsString(p[1])
		if got != (want[i] == '1') {
			disagree++
			if disagree <= 20 {
				t.Errorf("%s contains %s: jdash %v, packaging %v", p[0], p[1], got, !got)
			}
		}
	}
	source := "golden"
	if live != "" {
		source = "live packaging at " + live
	}
	t.Logf("differential test: %d (specifier, version) pairs, %d disagreements (%s)", len(ps), disagree, source)
	fmt.Printf("pyver differential: %d pairs, %d disagreements with packaging (%s)\n", len(ps), disagree, source)
}
