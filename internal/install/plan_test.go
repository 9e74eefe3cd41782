package install

import (
	"maps"
	"testing"
)

func TestParsePipReport(t *testing.T) {
	// the shape of pip 24's report (https://pip.pypa.io/en/stable/reference/installation-report/), trimmed
	report := `{"version": "1", "pip_version": "24.0", "install": [
	  {"download_info": {"url": "https://files.pythonhosted.org/notebook-7.2.2-py3-none-any.whl"}, "is_direct": false, "requested": true,
	   "metadata": {"metadata_version": "2.3", "name": "notebook", "version": "7.2.2"}},
	  {"metadata": {"name": "Jupyter_Server", "version": "2.14.2"}, "requested": false}],
	 "environment": {"python_version": "3.11"}}`
	got, err := parsePipReport([]byte(report))
	if want := map[string]string{"notebook": "7.2.2", "jupyter-server": "2.14.2"}; err != nil || !maps.Equal(got, want) {
		t.Errorf("got %v %v, want %v", got, err, want)
	}
	if _, err := parsePipReport([]byte("Looking in links: /wheels\n")); err == nil {
		t.Error("text that is not a report must be an error")
	}
}

func TestParseUVDryRun(t *testing.T) {
	out := "Resolved 12 packages in 40ms\nWould download 2 packages\nWould uninstall 1 package\nWould install 2 packages\n - notebook==6.5.7\n + notebook==7.2.2\n + jupyterlab==4.2.5\n"
	if got, want := parseUVDryRun(out), map[string]string{"notebook": "7.2.2", "jupyterlab": "4.2.5"}; !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestChanges(t *testing.T) {
	d := Diff(map[string]string{"notebook": "6.5.7", "ipywidgets": "7.8.5", "gone": "1"}, map[string]string{"notebook": "7.2.2", "ipywidgets": "7.8.5", "voila": "0.5.8"})
	if len(d) != 2 || d[0].String() != "notebook 6.5.7 → 7.2.2" || !d[0].Major() || d[1].String() != "voila 0.5.8 (new)" || d[1].Major() {
		t.Errorf("%v", d)
	}
	if (Change{Name: "x", From: "7.8.5", To: "7.9.0"}).Major() {
		t.Error("a minor change is not major")
	}
}

func FuzzParseInstallerOutput(f *testing.F) {
	f.Add([]byte(`{"install": [{"metadata": {"name": "a", "version": "1"}}]}`))
	f.Add([]byte(" + a==1\n - b==2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, err := parsePipReport(data); err == nil {
			for k, v := range m {
				if k == "" || v == "" {
					t.Fatalf("empty name or version: %q=%q", k, v)
				}
			}
		}
		for k, v := range parseUVDryRun(string(data)) {
			if k == "" || v == "" {
				t.Fatalf("empty name or version: %q=%q", k, v)
			}
		}
	})
}
