package integration

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// reportNotebook is laid out with the dashboards extension (its grid view) and prints a
// known value.
const reportNotebook = `{
 "cells": [
  {"cell_type": "markdown", "metadata": {"extensions": {"jupyter_dashboards": {"version": 1, "views": {"grid_default": {"col": 0, "row": 0, "width": 6, "height": 2, "hidden": false}}}}}, "source": ["# Quarterly report"]},
  {"cell_type": "code", "execution_count": null, "metadata": {"extensions": {"jupyter_dashboards": {"version": 1, "views": {"grid_default": {"col": 6, "row": 0, "width": 6, "height": 4, "hidden": false}}}}}, "outputs": [], "source": ["print('jdash-dashboard-' + str(6*7))"]}
 ],
 "metadata": {
  "extensions": {"jupyter_dashboards": {"version": 1, "activeView": "grid_default", "views": {"grid_default": {"name": "grid", "type": "grid", "cellMargin": 10, "defaultCellHeight": 20, "maxColumns": 12}}}},
  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
 },
 "nbformat": 4, "nbformat_minor": 5
}`

// The seed's deploy loop: a classic notebook set up by jdash, File > Deploy as > Dashboard
// (the bundler's endpoint, called as the menu calls it), the dashboard stored in the
// dashboards root, its link rendered by Voilà with the gridstack layout in a real browser.
func TestDeployAsDashboard(t *testing.T) {
	integration(t)
	venv := freshClassic(t)
	env := append(stackEnv(t), "PIP_FIND_LINKS="+filepath.Join(buildDir(), "wheelhouse"))
	if out, err := runEnv(env, jdashBin, "setup", "--env", venv, "--install"); err != nil {
		t.Fatalf("setup: %v\n%s", err, tail(string(out), 10))
	}
	deployLoop(t, env, venv, "classic", "/bundle/", "deploy-dashboard.png")
}

func deployLoop(t *testing.T, env []string, venv, kind, bundle, shot string) {
	dir := filepath.Join(t.TempDir(), "proj")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "report.ipynb"), []byte(reportNotebook), 0o644)
	nbPort, voPort, dashPort := freePort(t), freePort(t), freePort(t)
	os.WriteFile(filepath.Join(dir, "jdash.yaml"), []byte(fmt.Sprintf(`root_dir: .
services:
  notebook:   {env: %s, kind: %s, port: %d}
  voila:      {env: %s, kind: voila, port: %d}
  dashboards: {kind: dashboards, port: %d, render: voila}
`, venv, kind, nbPort, requireEnv(t, "voila"), voPort, dashPort)), 0o644)
	if out, errs, code := jdashIn(t, env, dir, "up", "-d"); code != 0 {
		t.Fatalf("up: %d\n%s\n%s", code, out, errs)
	}
	defer jdashIn(t, env, dir, "down")
	d := ps(t, env, dir)
	if u := d.url("dashboards"); u != fmt.Sprintf("http://127.0.0.1:%d/", dashPort) {
		t.Errorf("ps lists dashboards at %q", u)
	}

	// File > Deploy as > Dashboard on Jupyter Dashboards Server
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d%sreport.ipynb?bundler=dashboards_server_upload", nbPort, bundle), nil)
	req.Header.Set("Authorization", "token "+token(d.url("notebook")))
	client := &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	link := resp.Header.Get("Location")
	if resp.StatusCode != 302 || link != fmt.Sprintf("http://127.0.0.1:%d/dashboards/report", dashPort) {
		logs, _, _ := jdashIn(t, env, dir, "logs", "--tail", "20")
		t.Fatalf("the bundler answered %d, Location %q\n%s", resp.StatusCode, link, logs)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "dashboards", "report.ipynb")); err != nil || string(b) != reportNotebook {
		t.Fatalf("the dashboard did not land in the dashboards root: %v", err)
	}
	// the link opens: Voilà's render, gridstack layout, the value printed by the kernel
	// (gs-x="6": gridstack placed the output cell in the grid column the layout gave it)
	dom := browse(t, link, shot)
	for _, want := range []string{"jdash-dashboard-42", "grid-stack", "Quarterly report", `gs-x="6"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered dashboard lacks %q", want)
		}
	}
	if strings.Contains(dom, "token=") {
		t.Error("the dashboard page carries a token")
	}
	if code, body := get(t, fmt.Sprintf("http://127.0.0.1:%d/", dashPort), ""); code != 200 || !strings.Contains(body, `href="/dashboards/report"`) {
		t.Errorf("the list: %d %s", code, body)
	}
}
