package patch

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Each rule on a real upstream excerpt (testdata/excerpts/I-N.*.py): the rule changes the
// file, every change is marked, the result is still Python (checked with python3 when it
// is on PATH), a second run changes nothing, and the fallback keeps the original import.
func TestRulesOnUpstreamExcerpts(t *testing.T) {
	rules, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Rule{}
	for _, r := range rules {
		byID[r.ID] = r
	}
	want := map[string][]string{
		"I-1.get_nbext_dir.py": {"from notebook.nbextensions import _get_nbextension_dir as _jdash_get_nbextension_dir",
			"def get_nbext_dir(nbextensions_dir=None, user=False, prefix=None):", "from notebook.nbextensions import install_nbextension\n"},
		"I-3.jupyter_dashboards.extensionapp.py": {"from nbclassic.nbextensions import InstallNBExtensionApp, EnableNBExtensionApp", "from nbclassic.extensions import BaseExtensionApp",
			"from nbclassic import nbextensions"},
		"I-4.configurator.py":                         {"from jupyter_server.base.handlers import"},
		"I-5.dashboards_bundlers.server_upload.py":    {"from jupyter_server.utils import url_path_join"},
		"I-7.jupyter_contrib_nbextensions.install.py": {"from jupyter_server.serverapp import list_running_servers"},
		"I-8.migrate.py":                              {"from jupyter_server.services.config import ConfigManager as FrontendConfigManager"},
		"I-9.execute_time.py":                         {"import jupyter_server._tz as nbtz"},
		"I-11.nbconvert-6.1.0.html.py":                {"from jinja2 import pass_context as contextfilter"},
		"I-12.nbconvert-6.4.4.html.py":                {"markupsafe.Markup(code)", "import markupsafe  # jdash I-12"},
		"I-13.jinja2-2.11.3.filters.py":               {"from markupsafe import soft_str as soft_unicode"},
		"I-17.jupyter-pip-0.3.1.py":                   {"from notebook.nbextensions import install_nbextension", "from notebook.services.config import ConfigManager"},
		"I-17.metakernel-0.10.5.py":                   {"from ipywidgets import Widget"},
		"I-18.ipython-traitlets.py":                   {"from traitlets import Instance, Dict, Unicode, Bool", "from traitlets.config.application import Application"},
		"I-27.notebook.utils.py":                      {"from packaging.version import Version as LooseVersion"},
		"I-28.contrib_core.application.py":            {"def iter_entry_points(group, name=None):"},
	}
	files, _ := filepath.Glob("testdata/excerpts/*.py")
	if len(files) != len(want) {
		t.Errorf("%d excerpts, %d expectations", len(files), len(want))
	}
	for _, f := range files {
		base := filepath.Base(f)
		id := strings.SplitN(base, ".", 2)[0]
		r, ok := byID[id]
		if !ok {
			t.Errorf("%s: no rule %s", base, id)
			continue
		}
		src, _ := os.ReadFile(f)
		out, hits, err := Transform(src, []Rule{r})
		if err != nil {
			t.Errorf("%s: %v", base, err)
			continue
		}
		if string(out) == string(src) || len(hits) == 0 {
			t.Errorf("%s: rule %s changed nothing (%v)", base, id, hits)
			continue
		}
		for _, w := range want[base] {
			if !strings.Contains(string(out), w) {
				t.Errorf("%s: output lacks %q:\n%s", base, w, out)
			}
		}
		if got := AppliedRules(out); len(got) != 1 || got[0] != id {
			t.Errorf("%s: markers name %v", base, got)
		}
		again, hits2, err := Transform(out, []Rule{r})
		if err != nil || string(again) != string(out) {
			t.Errorf("%s: not idempotent (%v, %v)", base, err, hits2)
		}
		pyCompiles(t, base, out)
	}
}

func pyCompiles(t *testing.T, name string, src []byte) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		return
	}
	c := exec.Command(py, "-I", "-c", "import ast, sys; ast.parse(sys.stdin.read())")
	c.Stdin = strings.NewReader(string(src))
	if out, err := c.CombinedOutput(); err != nil {
		t.Errorf("%s: patched source is not Python: %v\n%s\n%s", name, err, out, src)
	}
}

func TestAnchorAbsentAndInlineStatements(t *testing.T) {
	rules, _ := Rules()
	src := []byte("import os\ns = 'from notebook.utils import url_path_join'\n# from notebook.utils import x\n")
	out, hits, err := Transform(src, rules)
	if err != nil || string(out) != string(src) || len(hits) != 0 {
		t.Errorf("strings and comments must never match: %v %v", hits, err)
	}
	src = []byte("if True: from notebook.utils import url_path_join\n")
	out, hits, _ = Transform(src, rules)
	if string(out) != string(src) || len(hits) != 1 || hits[0].Change || hits[0].Note == "" {
		t.Errorf("an inline statement is reported, not patched: %v", hits)
	}
}

// Rules compose: I-1's new import on notebook 7 needs I-3, as a nested block; a second run
// changes nothing.
func TestNestedRulesAreIdempotent(t *testing.T) {
	rules, _ := Rules()
	src, _ := os.ReadFile("testdata/excerpts/I-1.get_nbext_dir.py")
	out, _, err := Transform(src, rules)
	if err != nil {
		t.Fatal(err)
	}
	if got := AppliedRules(out); strings.Join(got, ",") != "I-1,I-3" {
		t.Errorf("markers %v:\n%s", got, out)
	}
	if !strings.Contains(string(out), "from nbclassic.nbextensions import _get_nbextension_dir as _jdash_get_nbextension_dir") {
		t.Errorf("nested I-3 missing:\n%s", out)
	}
	again, hits, _ := Transform(out, rules)
	if string(again) != string(out) {
		t.Errorf("second run changed the file: %v", hits)
	}
	pyCompiles(t, "nested", out)
}
