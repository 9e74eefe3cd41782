package jupyter

import "strings"

// The JUPYTER_PLATFORM_DIRS=1 directories, following platformdirs 4.14 (the version the
// test envs resolve to). Older platformdirs releases differ in details (they did not require
// XDG variables to be absolute, and macOS had no XDG support), so these are best effort.

func (rs resolver) platformUserDir(data bool) string {
	f := rs.f
	switch f.OS {
	case "windows":
		return rs.fl.join(f.Env["LOCALAPPDATA"], rs.appName())
	case "darwin":
		if x := rs.xdgDir(data); x != "" {
			return rs.fl.join(x, rs.appName())
		}
		return rs.fl.join(rs.fl.expandUser("~/Library/Application Support", f.Home), rs.appName())
	}
	if x := rs.xdgDir(data); x != "" {
		return rs.fl.join(x, rs.appName())
	}
	def := "~/.config"
	if data {
		def = "~/.local/share"
	}
	return rs.fl.join(rs.fl.expandUser(def, f.Home), rs.appName())
}

func (rs resolver) xdgDir(data bool) string {
	k := "XDG_CONFIG_HOME"
	if data {
		k = "XDG_DATA_HOME"
	}
	if v := rs.f.Env[k]; strings.HasPrefix(v, "/") {
		return v
	}
	return ""
}

func (rs resolver) platformSiteDirs() (data, config []string) {
	app := rs.appName()
	if rs.f.OS == "darwin" {
		var d []string
		if strings.HasPrefix(rs.f.Prefix, "/opt/homebrew") {
			d = append(d, "/opt/homebrew/share/"+app)
		}
		d = append(d, "/Library/Application Support/"+app)
		return d, append([]string(nil), d...)
	}
	data = rs.xdgList("XDG_DATA_DIRS", app)
	if len(data) == 0 {
		data = []string{"/usr/local/share/" + app, "/usr/share/" + app}
	}
	config = rs.xdgList("XDG_CONFIG_DIRS", app)
	if len(config) == 0 {
		config = []string{"/etc/xdg/" + app}
	}
	return data, config
}

func (rs resolver) xdgList(k, app string) []string {
	var out []string
	for _, p := range strings.Split(rs.f.Env[k], ":") {
		if strings.HasPrefix(p, "/") {
			out = append(out, rs.fl.join(p, app))
		}
	}
	return out
}
