// Package internal holds jdash's packages, in tiers: a package imports only from its own tier
// or the tiers below it, and cmd/ (the top) only wires flags to one call of a domain package.
//
//	wiring support   config (jdash.yaml read once: settings and stack)
//	verbs, domain    compose (stack model, kinds, plan, export), compose/engine (runs a stack
//	                 here), compose/supervisor (Jupyter-agnostic processes), dashserver,
//	                 doctor, setup, nbext, labext, serverext, patch, kernels, uiconfig, deployext, profile, install,
//	                 txn (lock, journal, dry run, undo for every verb that writes), run
//	                 (what every verb runs with)
//	env facts        envctx (ENV -> env, facts, paths, packages; one scan per run),
//	                 envdetect, pkgindex, jupyter, pyflags, registry
//	Python formats   pyver, pyjson, pysrc, pydist (jdash's modules as distributions)
//	infrastructure   fsx (the one writer, bounded reads, JSON state), runner (every child
//	                 process), proc (/proc facts), ports, endpoint (ports, hosts, URLs),
//	                 archive (checked zip/tar), appdirs (XDG dirs), clierr (exit codes),
//	                 pyrun, ui, lazyre
//
// tiers_test.go holds the same table and fails when an import points up a tier.
//
// docs/design.md has one line per package and the one place of each fact.
package internal
