//go:build !linux

package main

import "runtime/debug"

// trimAfterStart returns the heap start-up left as garbage; the binary's own pages are
// given back on Linux only (trim_linux.go).
func trimAfterStart() { debug.FreeOSMemory() }
