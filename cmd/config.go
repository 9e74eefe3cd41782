package cmd

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/envdetect"
	"github.com/jdash-dev/jdash/internal/fsx"
)

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

// maxConfigFile bounds jdash.yaml: it is a handful of keys.
const maxConfigFile = 1 << 20

// loadConfig sets up the precedence for one run: a flag given on the command line, then a
// JDASH_* variable, then the config file, then defaults. List values in variables are
// separated like PATH. Every value is checked: an empty or invalid flag, variable or key
// is a usage error that names where it came from (the flag, the variable, or file:line).
func loadConfig(f *Factory, cmd *cobra.Command, file string) error {
	v := f.V
	v.SetDefault("workspace_depth", envdetect.DefaultWorkspaceDepth)
	if err := checkFlags(cmd); err != nil {
		return err
	}
	if file == "" {
		for _, c := range []string{"jdash.yaml", f.dirs().ConfigFile()} {
			if _, err := os.Stat(c); err == nil {
				file = c
				break
			}
		}
	}
	if file != "" {
		data, err := fsx.ReadRegular(file, maxConfigFile)
		if err != nil {
			return fmt.Errorf("config %s: %w", file, err)
		}
		if err := checkConfigFile(file, data); err != nil {
			return err
		}
		v.SetConfigType("yaml")
		if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
			return &FlagError{fmt.Errorf("config %s: %w", file, err)}
		}
	}
	changed := map[string]bool{}
	var bindErr error
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		key := strings.ReplaceAll(fl.Name, "-", "_")
		if fl.Changed {
			changed[key] = true
			if err := v.BindPFlag(key, fl); err != nil {
				bindErr = err
			}
		}
	})
	if bindErr != nil {
		return bindErr
	}
	for _, s := range settings {
		name := "JDASH_" + strings.ToUpper(s.key)
		val, ok := f.Env[name]
		if !ok || changed[s.key] {
			continue
		}
		parsed, err := s.parse(val)
		if err != nil {
			return flagErrorf("%s=%q: %v", name, val, err)
		}
		v.Set(s.key, parsed) // Set outranks the config file, and a changed flag was skipped above
	}
	return nil
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

// checkFlags refuses a string flag given an empty value (`--env ”` must not mean "the
// default env").
func checkFlags(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if err != nil {
			return
		}
		switch fl.Value.Type() {
		case "string":
			if fl.Value.String() == "" {
				err = flagErrorf("--%s is empty", fl.Name)
			}
		case "stringSlice":
			if vals, _ := cmd.Flags().GetStringSlice(fl.Name); len(vals) == 0 || slices.Contains(vals, "") {
				err = flagErrorf("--%s has an empty value", fl.Name)
			}
		}
	})
	return err
}

// checkConfigFile checks every key of jdash.yaml and its type, naming the line.
func checkConfigFile(file string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return &FlagError{fmt.Errorf("config %s: %w", file, err)}
	}
	if len(doc.Content) == 0 {
		return nil // an empty file
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return flagErrorf("%s:%d: the config is a mapping of keys (%s)", file, top.Line, strings.Join(settingKeys(), ", "))
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, val := top.Content[i], top.Content[i+1]
		if slices.Contains(compose.Keys, k.Value) {
			continue // the stack: checked by compose when a stack command reads it
		}
		idx := slices.IndexFunc(settings, func(s setting) bool { return s.key == k.Value })
		if idx < 0 {
			return flagErrorf("%s:%d: unknown key %q (the keys are %s)", file, k.Line, k.Value, strings.Join(append(settingKeys(), compose.Keys...), ", "))
		}
		if err := settings[idx].checkNode(val); err != nil {
			return flagErrorf("%s:%d: %s: %v", file, val.Line, k.Value, err)
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
				return fmt.Errorf("a dir or a list of dirs, not %s", describeNode(it))
			}
		}
		return nil
	case "count":
		if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
			if v, err := strconv.Atoi(n.Value); err == nil && v >= 0 {
				return nil
			}
		}
		return fmt.Errorf("a whole number >= 0, not %s", describeNode(n))
	case "abspath":
		if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && filepath.IsAbs(n.Value) {
			return nil
		}
		return fmt.Errorf("an absolute path, not %s", describeNode(n))
	}
	return nil
}

func describeNode(n *yaml.Node) string { return compose.DescribeNode(n) }
