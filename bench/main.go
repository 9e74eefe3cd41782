// Command bench measures jdash against its targets and against the Python tool it replaces,
// in one run, and prints the figures recorded in bench/README.md.
//
//	go run ./bench [-envs 1000] [-runs 20] [-testenv build/testenvs/modern] [-cold]
//
// (a) `jdash envs --json` over a generated tree of -envs envs of mixed kinds, warm page cache
// (and cold with -cold, which drops the page cache: root only); (b) `jdash paths --json` vs
// `<env>/bin/python -m jupyter --paths --json` in the same env, and their ratio; (c) the
// peak RSS of `jdash envs` on the tree.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	nEnvs := flag.Int("envs", 1000, "envs in the generated tree")
	runs := flag.Int("runs", 20, "timed runs per measurement")
	testenv := flag.String("testenv", "build/testenvs/modern", "a real env with jupyter_core for the paths comparison")
	cold := flag.Bool("cold", false, "also measure with a dropped page cache (root)")
	only := flag.String("only", "", "stack: only (i), jdash up; kernel: only (j), jdash kernel list; labext: only (k), jdash labext list")
	flag.Parse()

	work, err := os.MkdirTemp("", "jdash-bench-")
	check(err)
	defer os.RemoveAll(work)
	// Built as the README builds it: CGO_ENABLED=0 (a static binary starts ~1ms faster).
	bin := filepath.Join(work, "jdash")
	run("go", "build", "-o", bin, ".")
	if *only == "stack" {
		benchStack(bin, *runs)
		return
	}
	if *only == "labext" {
		prefix, err := filepath.Abs(*testenv)
		check(err)
		home := filepath.Join(work, "home")
		check(os.MkdirAll(home, 0o755))
		benchLabextList([]string{"HOME=" + home, "PATH=/usr/bin:/bin", "LC_ALL=C", "NO_COLOR=1"}, bin, filepath.Join(prefix, "bin", "python"), prefix, *runs)
		return
	}
	if *only == "kernel" {
		prefix, err := filepath.Abs(*testenv)
		check(err)
		home := filepath.Join(work, "home")
		check(os.MkdirAll(home, 0o755))
		benchKernelList([]string{"HOME=" + home, "PATH=/usr/bin:/bin", "LC_ALL=C"}, bin, filepath.Join(prefix, "bin", "python"), prefix, *runs)
		return
	}
	floor := filepath.Join(work, "floor")
	run("go", "build", "-o", floor, "./bench/floor")
	home := filepath.Join(work, "home")
	made := generate(home, *nEnvs)
	env := []string{"HOME=" + home, "PATH=/usr/bin:/bin", "LC_ALL=C"}

	fmt.Printf("machine: %s\n", machine())
	fmt.Printf("tree: %d envs (%s)\n\n", made.total(), made)

	// Sanity: jdash must see every generated env, or the timing measures something else.
	out := capture(env, bin, "envs", "--json", "--workspace", filepath.Join(home, "work"))
	if got := strings.Count(string(out), `"prefix": "`+home); got != made.total() {
		fmt.Fprintf(os.Stderr, "jdash envs found %d of the %d generated envs\n", got, made.total())
		os.Exit(1)
	}

	envsArgs := []string{"envs", "--json", "--workspace", filepath.Join(home, "work")}
	warm := measure(*runs, env, bin, envsArgs...)
	fmt.Printf("(a) jdash envs --json, %d envs, warm cache: median %s, min %s, max %s (target < 150ms)\n",
		made.total(), ms(warm.median), ms(warm.min), ms(warm.max))
	if *cold {
		var colds []time.Duration
		for i := 0; i < 5; i++ {
			if err := dropCaches(); err != nil {
				fmt.Printf("    cold: cannot drop the page cache (%v)\n", err)
				break
			}
			colds = append(colds, measure(1, env, bin, envsArgs...).median)
		}
		if len(colds) > 0 {
			sort.Slice(colds, func(i, j int) bool { return colds[i] < colds[j] })
			fmt.Printf("    cold cache (page cache dropped before each run, %d runs): median %s\n", len(colds), ms(colds[len(colds)/2]))
		}
	}
	fmt.Printf("(c) peak RSS of jdash envs on the tree: max %.1f MB over %d runs (target < 50 MB)\n\n", float64(warm.maxRSS)/1024, *runs)

	benchExtensions(env, bin, *runs)
	benchPatchList(env, bin, *runs)
	benchStack(bin, 5)

	prefix, err := filepath.Abs(*testenv)
	check(err)
	py := filepath.Join(prefix, "bin", "python")
	if _, err := os.Stat(py); err != nil {
		fmt.Printf("(b) skipped: %s not built (testenvs/build.sh)\n", prefix)
		return
	}
	pyOut := capture(env, py, "-m", "jupyter", "--paths", "--json")
	jdOut := capture(env, bin, "paths", "--env", prefix, "--json")
	if !bytes.Equal(pyOut, jdOut) {
		fmt.Fprintf(os.Stderr, "outputs differ:\n%s%s", pyOut, jdOut)
		os.Exit(1)
	}
	p := measure(*runs, env, py, "-m", "jupyter", "--paths", "--json")
	j := measure(*runs, env, bin, "paths", "--env", prefix, "--json")
	fmt.Printf("(b) paths --json in %s (identical output):\n", filepath.Base(prefix))
	fmt.Printf("    python -m jupyter --paths --json: median %s\n", ms(p.median))
	fmt.Printf("    jdash paths --json:               median %s\n", ms(j.median))
	fmt.Printf("    ratio: jdash is %.1fx faster (target >= 20x)\n", float64(p.median)/float64(j.median))
	fl := measure(*runs, env, floor)
	fmt.Printf("    floor: a program that only imports the libraries jdash links starts in %s,\n", ms(fl.median))
	fmt.Printf("           so no jdash built on them can exceed %.1fx here\n", float64(p.median)/float64(fl.median))
	benchKernelList(env, bin, py, prefix, *runs)
}

// benchKernelList is (j): `jdash kernel list` against `python -m jupyter kernelspec list` in
// the same env, one after the other in this run, once both are shown to name the same kernels
// from the same dirs.
func benchKernelList(env []string, bin, py, prefix string, runs int) {
	var pyDoc struct {
		Kernelspecs map[string]struct {
			ResourceDir string `json:"resource_dir"`
		} `json:"kernelspecs"`
	}
	var jdDoc struct {
		Kernels []struct {
			Name        string `json:"name"`
			ResourceDir string `json:"resource_dir"`
			Active      bool   `json:"active"`
		} `json:"kernels"`
	}
	check(json.Unmarshal(capture(env, py, "-m", "jupyter", "kernelspec", "list", "--json"), &pyDoc))
	check(json.Unmarshal(capture(env, bin, "kernel", "list", "--env", prefix, "--json"), &jdDoc))
	offered := 0
	for _, k := range jdDoc.Kernels {
		if k.Active {
			offered++
			if pyDoc.Kernelspecs[k.Name].ResourceDir != k.ResourceDir {
				fmt.Fprintf(os.Stderr, "kernel %s: jdash %s, jupyter %s\n", k.Name, k.ResourceDir, pyDoc.Kernelspecs[k.Name].ResourceDir)
				os.Exit(1)
			}
		}
	}
	if offered != len(pyDoc.Kernelspecs) {
		fmt.Fprintf(os.Stderr, "jdash offers %d kernels, jupyter %d\n", offered, len(pyDoc.Kernelspecs))
		os.Exit(1)
	}
	p := measure(runs, env, py, "-m", "jupyter", "kernelspec", "list")
	j := measure(runs, env, bin, "kernel", "list", "--env", prefix)
	fmt.Printf("\n(j) kernel list in %s (%d kernels, the same names and dirs):\n", filepath.Base(prefix), offered)
	fmt.Printf("    python -m jupyter kernelspec list: median %s\n", ms(p.median))
	fmt.Printf("    jdash kernel list:                 median %s\n", ms(j.median))
	fmt.Printf("    ratio: jdash is %.1fx faster (target >= 50x)\n", float64(p.median)/float64(j.median))
}

// benchLabextList is (k): `python -m jupyter labextension list` against `jdash labext list` in
// the same env, one after the other in this run, once both are shown to list the same
// extensions, versions and states.
func benchLabextList(env []string, bin, py, prefix string, runs int) {
	line := regexp.MustCompile(`(?m)^\s+(\S+) v(\S+) (enabled|disabled) `)
	ansi := regexp.MustCompile(`\x1b\[[0-9;]*m`)
	list := func(out []byte) map[string]string {
		m := map[string]string{}
		for _, x := range line.FindAllStringSubmatch(ansi.ReplaceAllString(string(out), ""), -1) {
			m[x[1]] = x[2] + " " + x[3]
		}
		return m
	}
	theirs := list(captureAll(env, py, "-m", "jupyter", "labextension", "list"))
	ours := list(capture(env, bin, "labext", "list", "--env", prefix))
	if len(theirs) == 0 || fmt.Sprint(theirs) != fmt.Sprint(ours) {
		fmt.Fprintf(os.Stderr, "labextensions differ: jupyter %v, jdash %v\n", theirs, ours)
		os.Exit(1)
	}
	p := measure(runs, env, py, "-m", "jupyter", "labextension", "list")
	j := measure(runs, env, bin, "labext", "list", "--env", prefix)
	fmt.Printf("\n(k) labextension list in %s (%d extensions, the same names, versions and states):\n", filepath.Base(prefix), len(ours))
	fmt.Printf("    python -m jupyter labextension list: median %s\n", ms(p.median))
	fmt.Printf("    jdash labext list:                   median %s\n", ms(j.median))
	fmt.Printf("    ratio: jdash is %.1fx faster (target >= 50x)\n", float64(p.median)/float64(j.median))
}

type stats struct {
	median, min, max time.Duration
	maxRSS           int64 // KiB
}

func measure(n int, env []string, argv0 string, args ...string) stats {
	return measureCodes(n, env, false, argv0, args...)
}

// measureAny times a command whose exit code says what it found (doctor exits 3 on errors).
func measureAny(n int, env []string, argv0 string, args ...string) stats {
	return measureCodes(n, env, true, argv0, args...)
}

func measureCodes(n int, env []string, anyExit bool, argv0 string, args ...string) stats {
	var ds []time.Duration
	var rss int64
	for i := 0; i < n; i++ {
		c := exec.Command(argv0, args...)
		c.Env = env
		c.Stdout, c.Stderr = nil, nil
		start := time.Now()
		err := c.Run()
		if _, exited := err.(*exec.ExitError); !anyExit || !exited {
			check(err)
		}
		ds = append(ds, time.Since(start))
		if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > rss {
			rss = ru.Maxrss
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return stats{median: ds[len(ds)/2], min: ds[0], max: ds[len(ds)-1], maxRSS: rss}
}

func capture(env []string, argv0 string, args ...string) []byte {
	c := exec.Command(argv0, args...)
	c.Env = env
	c.Stderr = os.Stderr
	out, err := c.Output()
	check(err)
	return out
}

// captureAll is capture of stdout and stderr (JupyterLab's list logs to stderr).
func captureAll(env []string, argv0 string, args ...string) []byte {
	c := exec.Command(argv0, args...)
	c.Env = env
	out, err := c.CombinedOutput()
	check(err)
	return out
}

// captureAny is capture for a command whose exit code is a verdict.
func captureAny(env []string, argv0 string, args ...string) []byte {
	c := exec.Command(argv0, args...)
	c.Env = env
	out, _ := c.Output()
	return out
}

func run(argv ...string) {
	c := exec.Command(argv[0], argv[1:]...)
	c.Env = append(os.Environ(), "CGO_ENABLED=0")
	c.Stdout, c.Stderr = os.Stderr, os.Stderr
	check(c.Run())
}

func dropCaches() error {
	syscall.Sync()
	return os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0o200)
}

func machine() string {
	n := 0
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		n = strings.Count(string(data), "processor\t:")
	}
	return fmt.Sprintf("%d CPUs", n)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// benchExtensions measures issue 3's targets on a real classic env: `jdash nbext list` vs
// the env's `python -m jupyter nbextension list`, and a no-op `jdash setup` on an env that
// jdash set up (built here: a fresh venv with the classic lock, then setup --install).
func benchExtensions(env []string, bin string, runs int) {
	venv, err := os.MkdirTemp("", "jdash-bench-classic-")
	check(err)
	defer os.RemoveAll(venv)
	fmt.Println("building a set-up classic env (venv + classic lock + jdash setup --install)...")
	run("python3", "-m", "venv", venv)
	py := filepath.Join(venv, "bin", "python")
	run(py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--find-links", "build/wheelhouse", "-r", "testenvs/classic.txt")
	wenv := append(append([]string{}, env...), "PIP_FIND_LINKS="+filepath.Join(must2(os.Getwd()), "build", "wheelhouse"))
	capture(wenv, bin, "setup", "--env", venv, "--install")
	capture(env, bin, "setup", "--env", venv) // fills jdash's module cache; the timed runs are no-ops

	pyEnv := append([]string{"PATH=" + filepath.Join(venv, "bin") + ":/usr/bin:/bin"}, env[:1]...)
	p := measure(runs, pyEnv, py, "-m", "jupyter", "nbextension", "list")
	j := measure(runs, env, bin, "nbext", "list", "--env", venv)
	fmt.Printf("(d) nbextension list on the set-up classic env:\n")
	fmt.Printf("    python -m jupyter nbextension list: median %s\n", ms(p.median))
	fmt.Printf("    jdash nbext list:                   median %s\n", ms(j.median))
	fmt.Printf("    ratio: jdash is %.1fx faster (target >= 30x)\n", float64(p.median)/float64(j.median))
	s := measure(runs, env, bin, "setup", "--env", venv)
	fmt.Printf("(e) jdash setup on the already set-up env (a no-op): median %s, max %s (target < 100ms)\n\n", ms(s.median), ms(s.max))
	benchDoctor(bin, venv, runs)
}

// benchDoctor measures doctor on a machine of 50 envs (the generated kinds) plus the set-up
// classic env, with a leaky HOME: (g) `jdash doctor --env` against the five Jupyter commands
// a user runs to find the same things, in one run; (h) `jdash doctor --all` on the 50 envs.
func benchDoctor(bin, classic string, runs int) {
	home, err := os.MkdirTemp("", "jdash-bench-doctor-")
	check(err)
	defer os.RemoveAll(home)
	made := generate(home, 50)
	py := filepath.Join(classic, "bin", "python")
	kernels := filepath.Join(home, ".local", "share", "jupyter", "kernels")
	write(filepath.Join(kernels, "python3", "kernel.json"), `{"argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "Python 3", "language": "python"}`)
	write(filepath.Join(kernels, "gone", "kernel.json"), `{"argv": ["/nonexistent/envs/gone/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "gone", "language": "python"}`)
	write(filepath.Join(home, ".jupyter", "jupyter_notebook_config.json"), `{"NotebookApp": {"nbserver_extensions": {"nbextensions": true, "jupyter_nbextensions_configurator": true}}}`)
	write(filepath.Join(home, ".jupyter", "nbconfig", "notebook.json"), `{"load_extensions": {"toc2/main": true}}`)
	write(filepath.Join(home, ".local", "share", "jupyter", "runtime", "nbserver-4000003.json"), `{}`)
	env := []string{"HOME=" + home, "PATH=" + filepath.Join(classic, "bin") + ":/usr/bin:/bin", "LC_ALL=C",
		"JDASH_WORKSPACE=" + filepath.Join(home, "work"), "JDASH_ENV_DIRS=" + filepath.Dir(classic)}
	found := strings.Count(string(capture(env, bin, "envs", "--json")), `"prefix": "`)
	// the doctor must see the leaks, or the timing measures something else
	out := captureAny(env, bin, "doctor", "--env", classic, "--json")
	for _, id := range []string{"prefer-env-conflict", "kernel-dangling", "serverext-not-importable", "ext-shared-level", "runtime-stale"} {
		if !strings.Contains(string(out), `"id": "`+id+`"`) {
			fmt.Fprintf(os.Stderr, "bench: doctor did not find %s:\n%s", id, out)
			os.Exit(1)
		}
	}
	var sum time.Duration
	fmt.Printf("(g) doctor on the set-up classic env, %d envs on the machine (%d generated), a leaky HOME:\n", found, made.total())
	for _, args := range [][]string{{"--paths"}, {"kernelspec", "list"}, {"nbextension", "list"}, {"serverextension", "list"}, {"troubleshoot"}} {
		m := measureAny(runs, env, py, append([]string{"-m", "jupyter"}, args...)...)
		sum += m.median
		fmt.Printf("    python -m jupyter %-18s median %s\n", strings.Join(args, " ")+":", ms(m.median))
	}
	d := measureAny(runs, env, bin, "doctor", "--env", classic)
	fmt.Printf("    the five, one after the other:        %s\n", ms(sum))
	fmt.Printf("    jdash doctor --env:                   median %s, max %s\n", ms(d.median), ms(d.max))
	fmt.Printf("    ratio: jdash is %.1fx faster (target >= 20x)\n", float64(sum)/float64(d.median))
	all := measureAny(runs, env, bin, "doctor", "--all")
	fmt.Printf("(h) jdash doctor --all on %d envs: median %s, max %s (target < 300ms for 50 envs)\n\n", found, ms(all.median), ms(all.max))
}

func must2(s string, err error) string {
	check(err)
	return s
}

// benchPatchList measures `jdash patch --list` on a copy of the real nb7compat env (notebook
// 7 with the classic extensions the rules patch), topped up with generated distribution
// records (METADATA, RECORD) to at least 300 installed packages.
func benchPatchList(env []string, bin string, runs int) {
	src := filepath.Join("build", "testenvs", "nb7compat")
	if _, err := os.Stat(src); err != nil {
		fmt.Printf("(f) skipped: %s not built (testenvs/build.sh)\n", src)
		return
	}
	dir, err := os.MkdirTemp("", "jdash-bench-patch-")
	check(err)
	defer os.RemoveAll(dir)
	venv := filepath.Join(dir, "nb7")
	run("cp", "-a", src, venv)
	sp := filepath.Join(venv, "lib", "python3.11", "site-packages")
	ents, _ := os.ReadDir(sp)
	real := 0
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".dist-info") {
			real++
		}
	}
	for i := real; i < 300; i++ {
		info := filepath.Join(sp, fmt.Sprintf("benchpkg%03d-1.0.%d.dist-info", i, i))
		write(filepath.Join(info, "METADATA"), fmt.Sprintf("Metadata-Version: 2.1\nName: benchpkg%03d\nVersion: 1.0.%d\n", i, i))
		write(filepath.Join(info, "RECORD"), fmt.Sprintf("benchpkg%03d/__init__.py,,\n", i))
		write(filepath.Join(sp, fmt.Sprintf("benchpkg%03d", i), "__init__.py"), "import os\n")
	}
	m := measure(runs, env, bin, "patch", "--list", "--env", venv)
	fmt.Printf("(f) jdash patch --list on an env with 300 packages (%d real, %d generated): median %s, max %s (target < 200ms)\n\n",
		real, 300-real, ms(m.median), ms(m.max))
}

// benchStack measures jdash up on the real classic, gateway and Voilà envs: the time from
// `up -d` to every service ready against the slowest service started alone, the detached
// supervisor's peak RSS, and `down`.
func benchStack(bin string, runs int) {
	envs := map[string]string{}
	for _, n := range []string{"classic", "gateway", "voila"} {
		p, _ := filepath.Abs(filepath.Join("build", "testenvs", n))
		if _, err := os.Stat(p); err != nil {
			fmt.Printf("(i) skipped: %s not built (testenvs/build.sh)\n", p)
			return
		}
		envs[n] = p
	}
	work, err := os.MkdirTemp("", "jdash-bench-stack-")
	check(err)
	defer os.RemoveAll(work)
	env := []string{"HOME=" + work, "PATH=/usr/bin:/bin", "XDG_STATE_HOME=" + filepath.Join(work, "state")}
	services := map[string]string{
		"notebook":   fmt.Sprintf("{env: %s, kind: classic, port: 18888}", envs["classic"]),
		"gateway":    fmt.Sprintf("{env: %s, kind: kernel_gateway, port: 18889}", envs["gateway"]),
		"dashboards": fmt.Sprintf("{env: %s, kind: voila, port: 18866}", envs["voila"]),
	}
	upDown := func(dir string, names ...string) (up, down, cpuMedian time.Duration, rss int64) {
		var cpu []time.Duration
		var yaml strings.Builder
		yaml.WriteString("root_dir: .\nservices:\n")
		for _, n := range names {
			fmt.Fprintf(&yaml, "  %s: %s\n", n, services[n])
		}
		os.MkdirAll(dir, 0o755)
		check(os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(yaml.String()), 0o644))
		var ups, downs []time.Duration
		for i := 0; i < runs; i++ {
			start := time.Now()
			c := exec.Command(bin, "up", "-d")
			c.Env, c.Dir = env, dir
			if out, err := c.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "bench: up: %v\n%s", err, out)
				os.Exit(1)
			}
			ups = append(ups, time.Since(start))
			c = exec.Command(bin, "ps", "--json")
			c.Env, c.Dir = env, dir
			out, _ := c.Output()
			var doc struct {
				Supervisor int `json:"supervisor_pid"`
				Services   []struct{ PID int }
			}
			json.Unmarshal(out, &doc)
			// the CPU the services spent starting (user + system, clock ticks of 10 ms)
			var ticks int64
			for _, sv := range doc.Services {
				if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", sv.PID)); err == nil {
					if i := strings.LastIndexByte(string(st), ')'); i > 0 {
						f := strings.Fields(string(st[i+1:]))
						u, _ := strconv.ParseInt(f[11], 10, 64)
						k, _ := strconv.ParseInt(f[12], 10, 64)
						ticks += u + k
					}
				}
			}
			cpu = append(cpu, time.Duration(ticks)*10*time.Millisecond)
			if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", doc.Supervisor)); err == nil {
				for _, l := range strings.Split(string(st), "\n") {
					var kb int64
					if n, _ := fmt.Sscanf(l, "VmHWM: %d kB", &kb); n == 1 && kb > rss {
						rss = kb
					}
				}
			}
			start = time.Now()
			c = exec.Command(bin, "down")
			c.Env, c.Dir = env, dir
			check(c.Run())
			downs = append(downs, time.Since(start))
		}
		sort.Slice(ups, func(i, j int) bool { return ups[i] < ups[j] })
		sort.Slice(downs, func(i, j int) bool { return downs[i] < downs[j] })
		sort.Slice(cpu, func(i, j int) bool { return cpu[i] < cpu[j] })
		return ups[len(ups)/2], downs[len(downs)-1], cpu[len(cpu)/2], rss
	}
	fmt.Printf("(i) jdash up -d on the real envs (%d runs each, median):\n", runs)
	var slowest time.Duration
	slowName := ""
	for _, n := range []string{"notebook", "gateway", "dashboards"} {
		up, _, cpu, _ := upDown(filepath.Join(work, n), n)
		fmt.Printf("    %-10s alone: up to ready %s (its start took %s of CPU)\n", n, ms(up), ms(cpu))
		if up > slowest {
			slowest, slowName = up, n
		}
	}
	up, down, cpu, rss := upDown(filepath.Join(work, "all"), "notebook", "gateway", "dashboards")
	fmt.Printf("    the three:        up to all ready %s: %.2fx the slowest alone (%s; target <= 1.15x)\n", ms(up), float64(up)/float64(slowest), slowName)
	fmt.Printf("                      their starts took %s of CPU together: on %d CPUs no schedule is ready before %s\n",
		ms(cpu), runtime.NumCPU(), ms(cpu/time.Duration(runtime.NumCPU())))
	fmt.Printf("    supervisor peak RSS %.1f MB (target < 30 MB); down: max %s (target < 3s)\n\n", float64(rss)/1024, ms(down))
}
