package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/jupyter"
)

// fuzzTargets are the files of a machine doctor reads and does not control.
var fuzzTargets = []string{
	"home/.local/share/jupyter/kernels/k/kernel.json",
	"home/.jupyter/jupyter_notebook_config.json",
	"home/.jupyter/jupyter_notebook_config.py",
	"home/.jupyter/jupyter_notebook_config.d/x.json",
	"home/.jupyter/nbconfig/notebook.json",
	"home/.local/share/jupyter/labextensions/@s/ext/package.json",
	"home/.ipython/profile_default/startup/00.py",
	"home/.ipython/profile_default/ipython_config.py",
	"home/.bashrc",
	"env/etc/jupyter/jupyter_server_config.json",
	"env/lib/python3.11/site-packages/x-1.0.dist-info/METADATA",
}

// FuzzGather writes arbitrary bytes into one of those files and runs every check: doctor
// never panics on what it reads, and every finding is well formed.
func FuzzGather(f *testing.F) {
	for i := range fuzzTargets {
		f.Add(uint8(i), []byte(`{"NotebookApp": {"nbserver_extensions": {"x": true}, "token": "t", "ip": "0.0.0.0"}}`))
		f.Add(uint8(i), []byte(`{"argv": ["/gone/python"], "display_name": 7, "load_extensions": {"a/b": 1}, "bundlerextensions": {"b": {"module_name": "m"}}}`))
		f.Add(uint8(i), []byte("c.NotebookApp.token = 'x'\nc.InteractiveShellApp.extensions = ['sql', \"a.b\"]\nimport os, missing\nexport JUPYTER_PATH=/x\n"))
		f.Add(uint8(i), []byte("{\"version\": [1]}\x00\xff"))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		root := t.TempDir()
		target := filepath.Join(root, fuzzTargets[int(which)%len(fuzzTargets)])
		os.MkdirAll(filepath.Dir(target), 0o755)
		if err := os.WriteFile(target, data, 0o644); err != nil {
			t.Skip()
		}
		prefix := filepath.Join(root, "env")
		sp := filepath.Join(prefix, "lib", "python3.11", "site-packages")
		os.MkdirAll(filepath.Join(sp, "notebook-6.5.7.dist-info"), 0o755)
		os.MkdirAll(filepath.Join(sp, "ipykernel-6.29.5.dist-info"), 0o755)
		os.MkdirAll(filepath.Join(sp, "ipython-8.31.0.dist-info"), 0o755)
		home := filepath.Join(root, "home")
		env := map[string]string{"HOME": home, "PATH": filepath.Join(prefix, "bin"), "JUPYTER_PATH": filepath.Join(root, "jp")}
		e := &envdetect.Env{Prefix: prefix, Python: filepath.Join(prefix, "bin", "python"), PythonVersion: "3.11.7", SitePackages: []string{sp}}
		facts, pkgs, _ := jupyter.FactsFor(e, env)
		facts.SystemRoot = filepath.Join(root, "sys")
		p := jupyter.Resolve(facts)
		s := Gather(Input{Env: e, Facts: facts, Paths: p, Packages: pkgs, Reader: NewReader(),
			Others: []Other{{Prefix: filepath.Join(root, "other"), ConfigDirs: p.ConfigDirs(), DataDirs: p.DataDirs(), Packages: pkgs, Paths: p}}})
		fs, _ := Run(s, nil)
		for _, fd := range fs {
			if fd.ID == "" || fd.Title == "" || fd.Evidence == nil || len(fd.Affects) == 0 || fd.Fix.Commands == nil {
				t.Fatalf("malformed finding %+v", fd)
			}
			if strings.HasPrefix(fd.Title, "check "+fd.ID+" crashed") {
				t.Fatalf("%s", fd.Title)
			}
		}
	})
}
