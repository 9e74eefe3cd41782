// Package config is jdash's one loader of its configuration: it finds the project's
// jdash.yaml (the --config file, else the nearest jdash.yaml from the working dir up, else the
// user's $XDG_CONFIG_HOME/jdash/jdash.yaml for settings), reads it once, checks every key
// (file:line), and returns the settings (flags > JDASH_* variables > the file > defaults) and
// the stack it holds.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/jdash-dev/jdash/internal/appdirs"
	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/compose/engine"
	"github.com/jdash-dev/jdash/internal/envctx"
	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
)

// Options say where to look.
type Options struct {
	File    string            // --config: this file and no other
	Cwd     string            // where the command runs
	Environ map[string]string // the process environment (JDASH_*, HOME, XDG_*)
	Flags   *pflag.FlagSet    // the command's flags: a changed --workspace outranks the rest
}

// Config is what one run is configured with.
type Config struct {
	// File is the file the settings came from ("" when none was found).
	File     string
	Settings envctx.Settings
	// Project is the dir the stack commands work on: the project file's dir, else the nearest
	// dir above the working dir with a stack that ran, else the working dir.
	Project string
	// StateHome is jdash's state dir (the stacks' state lives under it).
	StateHome string

	stackFile bool // File is the project's stack file (not the user's settings file)
	stack     *compose.Stack
	stackErr  error
}

// Stack is the project's stack: nil, nil when the project has no jdash.yaml (the zero-config
// default applies); a usage error naming the file when it is empty, holds no services or is
// wrong (file:line).
func (c *Config) Stack() (*compose.Stack, error) {
	if !c.stackFile {
		return nil, nil
	}
	if c.stackErr != nil {
		return nil, c.stackErr
	}
	if c.stack == nil {
		return nil, clierr.Usagef("%s: no services: a stack file names its services (README, jdash up); without a jdash.yaml, jdash up runs the active env's default stack", c.File)
	}
	return c.stack, nil
}

// setting is one key of jdash.yaml, also given as a JDASH_* variable (and some as a flag).
type setting struct {
	key  string
	kind string // list (PATH-separated in a variable), count (a whole number >= 0), abspath
}

// settings are every key jdash reads from flags, JDASH_* variables and jdash.yaml.
var settings = []setting{
	{"workspace", "list"},
	{"env_dirs", "list"},
	{"workspace_depth", "count"},
	{"system_root", "abspath"},
}

func settingKeys() []string {
	var out []string
	for _, s := range settings {
		out = append(out, s.key)
	}
	return out
}

// maxFile bounds jdash.yaml: it is a handful of keys and services.
const maxFile = 1 << 20

// Load finds and reads the config once. Every value is checked: an empty or invalid
// variable or key is a usage error that names where it came from (the variable, or
// file:line).
func Load(o Options) (*Config, error) {
	dirs := appdirs.For(o.Environ)
	c := &Config{StateHome: dirs.State, Project: filepath.Clean(o.Cwd)}
	file := o.File
	if file != "" {
		abs, err := filepath.Abs(file)
		if err != nil {
			return nil, err
		}
		file, c.stackFile, c.Project = abs, true, filepath.Dir(abs)
	} else {
		c.Project = Find(o.Cwd, dirs.State)
		if p := filepath.Join(c.Project, "jdash.yaml"); isRegular(p) {
			file, c.stackFile = p, true
		} else if isRegular(dirs.ConfigFile()) {
			file = dirs.ConfigFile()
		}
	}
	v := viper.New()
	v.SetDefault("workspace_depth", envdetect.DefaultWorkspaceDepth)
	if file != "" {
		c.File = file
		data, err := fsx.ReadRegular(file, maxFile)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", file, err)
		}
		if err := checkFile(file, data); err != nil {
			return nil, err
		}
		v.SetConfigType("yaml")
		if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
			return nil, clierr.Usagef("config %s: %w", file, err)
		}
		if c.stackFile {
			c.stack, c.stackErr = compose.Parse(file, data)
			var ce *compose.Error
			if errors.As(c.stackErr, &ce) {
				c.stackErr = &clierr.UsageError{Err: c.stackErr}
			}
		}
	}
	changed := map[string]bool{}
	if o.Flags != nil {
		var bindErr error
		o.Flags.VisitAll(func(fl *pflag.Flag) {
			key := strings.ReplaceAll(fl.Name, "-", "_")
			if fl.Changed && slices.ContainsFunc(settings, func(s setting) bool { return s.key == key }) {
				changed[key] = true
				if err := v.BindPFlag(key, fl); err != nil {
					bindErr = err
				}
			}
		})
		if bindErr != nil {
			return nil, bindErr
		}
	}
	for _, s := range settings {
		name := "JDASH_" + strings.ToUpper(s.key)
		val, ok := o.Environ[name]
		if !ok || changed[s.key] {
			continue
		}
		parsed, err := s.parse(val)
		if err != nil {
			return nil, clierr.Usagef("%s=%q: %v", name, val, err)
		}
		v.Set(s.key, parsed) // Set outranks the config file, and a changed flag was skipped above
	}
	c.Settings = envctx.Settings{Workspaces: v.GetStringSlice("workspace"), EnvDirs: v.GetStringSlice("env_dirs"),
		WorkspaceDepth: v.GetInt("workspace_depth"), SystemRoot: v.GetString("system_root")}
	return c, nil
}

// Find is the project dir a command run in dir means: dir itself or the nearest dir above
// it that has a jdash.yaml or a stack that ran (as git finds its repository); dir when none
// has.
func Find(dir, stateHome string) string {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if isRegular(filepath.Join(d, "jdash.yaml")) || engine.StoreFor(stateHome, d).Exists() {
			return d
		}
		if filepath.Dir(d) == d {
			return filepath.Clean(dir)
		}
	}
}

func isRegular(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// parse checks a variable's value.
func (s setting) parse(val string) (any, error) {
	if val == "" {
		return nil, fmt.Errorf("empty (unset it instead)")
	}
	switch s.kind {
	case "list":
		parts := filepath.SplitList(val)
		if slices.Contains(parts, "") {
			return nil, fmt.Errorf("has an empty entry")
		}
		return parts, nil
	case "count":
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("not a whole number >= 0")
		}
		return n, nil
	case "abspath":
		if !filepath.IsAbs(val) {
			return nil, fmt.Errorf("not an absolute path")
		}
	}
	return val, nil
}

// checkFile checks every key of jdash.yaml and its type, naming the line (the stack's keys
// are checked by compose.Parse).
func checkFile(file string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return clierr.Usagef("config %s: %w", file, err)
	}
	if len(doc.Content) == 0 {
		return nil // an empty file
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return clierr.Usagef("%s:%d: the config is a mapping of keys (%s)", file, top.Line, strings.Join(settingKeys(), ", "))
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, val := top.Content[i], top.Content[i+1]
		if slices.Contains(compose.Keys, k.Value) {
			continue
		}
		idx := slices.IndexFunc(settings, func(s setting) bool { return s.key == k.Value })
		if idx < 0 {
			return clierr.Usagef("%s:%d: unknown key %q (the keys are %s)", file, k.Line, k.Value, strings.Join(append(settingKeys(), compose.Keys...), ", "))
		}
		if err := settings[idx].checkNode(val); err != nil {
			return clierr.Usagef("%s:%d: %s: %v", file, val.Line, k.Value, err)
		}
	}
	return nil
}

func (s setting) checkNode(n *yaml.Node) error {
	switch s.kind {
	case "list":
		items := []*yaml.Node{n}
		if n.Kind == yaml.SequenceNode {
			items = n.Content
		}
		for _, it := range items {
			if it.Kind != yaml.ScalarNode || it.Tag != "!!str" || it.Value == "" {
				return fmt.Errorf("a dir or a list of dirs, not %s", compose.DescribeNode(it))
			}
		}
		return nil
	case "count":
		if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
			if v, err := strconv.Atoi(n.Value); err == nil && v >= 0 {
				return nil
			}
		}
		return fmt.Errorf("a whole number >= 0, not %s", compose.DescribeNode(n))
	case "abspath":
		if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && filepath.IsAbs(n.Value) {
			return nil
		}
		return fmt.Errorf("an absolute path, not %s", compose.DescribeNode(n))
	}
	return nil
}
