package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/jdash-dev/jdash/internal/jupyter"
)

// levelFlags are the write-level flags shared by the extension commands. The default is
// the env's own level (--sys-prefix); --user and --system must be asked for.
type levelFlags struct {
	user, sysPrefix, system bool
	prefix, nbextDir        string
}

// installOnly adds --prefix and --nbextensions, worded for the verb (install or uninstall).
func (l *levelFlags) add(cmd *cobra.Command, installOnly bool) {
	cmd.Flags().BoolVar(&l.sysPrefix, "sys-prefix", false, "the env's own level, <prefix>/{etc,share}/jupyter (default)")
	cmd.Flags().BoolVar(&l.user, "user", false, "your home: reaches every env on this machine")
	cmd.Flags().BoolVar(&l.system, "system", false, "the machine-wide dirs (/usr/local/...)")
	if installOnly {
		verb := strings.Fields(cmd.Use)[0] // install or uninstall
		cmd.Flags().StringVar(&l.prefix, "prefix", "", verb+" in `P`/share/jupyter/nbextensions")
		cmd.Flags().StringVar(&l.nbextDir, "nbextensions", "", verb+" in this nbextensions `DIR`")
	}
}

// kind checks the flags and says which level they ask for (before any env is resolved:
// a usage error costs no scan).
func (l *levelFlags) kind() (jupyter.LevelKind, string, error) {
	n := 0
	for _, b := range []bool{l.user, l.sysPrefix, l.system, l.prefix != "", l.nbextDir != ""} {
		if b {
			n++
		}
	}
	if n > 1 {
		return "", "", flagErrorf("give at most one of --user, --sys-prefix, --system, --prefix, --nbextensions")
	}
	switch {
	case l.user:
		return jupyter.User, "", nil
	case l.system:
		return jupyter.System, "", nil
	case l.prefix != "":
		return jupyter.Prefix, l.prefix, nil
	case l.nbextDir != "":
		return jupyter.ExtDir, l.nbextDir, nil
	}
	return jupyter.SysPrefix, "", nil
}

// addYesFlag is --yes of the verbs that may write where every env reads (--user, --system).
func addYesFlag(cmd *cobra.Command, yes *bool) {
	cmd.Flags().BoolVar(yes, "yes", false, "confirm --user or --system (every env on this machine sees the change)")
}
