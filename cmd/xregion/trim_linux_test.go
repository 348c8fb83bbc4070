package main

import (
	"reflect"
	"testing"
)

// The binary's code is among the mappings trimAfterStart gives back, and giving them
// back leaves the process running the same code.
func TestTrimFindsTheCodeAndKeepsRunning(t *testing.T) {
	code := reflect.ValueOf(trimAfterStart).Pointer()
	found := false
	for _, m := range executableMappings() {
		found = found || (m.start <= code && code < m.end)
	}
	if !found {
		t.Fatalf("no read-only mapping of the binary holds its code at %#x", code)
	}
	trimAfterStart()
	if got := splitList("a, b"); len(got) != 2 || got[1] != "b" {
		t.Errorf("after the trim, splitList = %q", got)
	}
}
