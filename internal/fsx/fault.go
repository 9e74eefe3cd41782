//go:build !jdashfault

package fsx

// fault is a fault-injection point (what is happening, to which path); it does nothing unless
// jdash is built with the jdashfault tag (fault_on.go), for the kill-at-every-operation tests.
// The two parts stay apart so that a normal build builds no string on every write.
func fault(string, string) {}
