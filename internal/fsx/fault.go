//go:build !jdashfault

package fsx

// fault is a fault-injection point; it does nothing unless jdash is built with the
// jdashfault tag (fault_on.go), for the kill-at-every-operation tests.
func fault(string) {}
