package server

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/lazyregexp"
)

// Budget of one xregion package's initialisation. A catalogue parsed or a pattern
// compiled at package initialisation costs thousands of allocations and tens of KiB
// (sns's two name patterns were 5,800 allocations and 480 KB), paid by every start
// before the first answer; built on first use it costs nothing until a request needs it
// (bench/README.md, issue 20). Allocations, unlike times, do not depend on the machine's
// load, so the budget holds on a busy CI machine too.
const (
	initAllocsBudget = 200
	initBytesBudget  = 32 << 10
)

// Every xregion package initialises within the budget: what it builds at package level
// is small, and catalogues, models and patterns are built on first use. The test binary
// runs again with no tests and GODEBUG=inittrace=1, which makes the runtime report each
// package's initialisation as it happens.
func TestPackageInitialisationIsCheap(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	traces := parseInitTrace(t, out)
	if len(traces) < 20 {
		t.Fatalf("inittrace reported %d xregion packages:\n%s", len(traces), out)
	}
	for _, tr := range traces {
		if tr.allocs > initAllocsBudget || tr.bytes > initBytesBudget {
			t.Errorf("%s initialises with %d allocations and %d bytes; the budget is %d and %d: build what it holds on first use",
				tr.pkg, tr.allocs, tr.bytes, initAllocsBudget, initBytesBudget)
		}
	}
}

type initTrace struct {
	pkg           string
	bytes, allocs int
}

// parseInitTrace reads the lines of xregion's packages in GODEBUG=inittrace=1 output:
// "init github.com/xregion/xregion/internal/auth @2.1 ms, 0.04 ms clock, 4144 bytes, 111 allocs".
// This package is left out: its initialisation includes its tests' package variables.
func parseInitTrace(t *testing.T, out []byte) []initTrace {
	const module = "github.com/xregion/xregion/"
	var traces []initTrace
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || !strings.HasPrefix(f[1], module) || f[1] == module+"internal/server" {
			continue
		}
		b, errB := strconv.Atoi(f[7])
		a, errA := strconv.Atoi(f[9])
		if errB != nil || errA != nil || f[8] != "bytes," || f[10] != "allocs" {
			t.Fatalf("unexpected inittrace line %q", sc.Text())
		}
		traces = append(traces, initTrace{pkg: f[1], bytes: b, allocs: a})
	}
	return traces
}

// Every pattern compiled on first use (lazyregexp) compiles: the test binary links every
// service, so a mistyped pattern is found here rather than by the request that first
// uses it.
func TestEveryLazyPatternCompiles(t *testing.T) {
	if err := lazyregexp.CompileAll(); err != nil {
		t.Fatal(err)
	}
}
