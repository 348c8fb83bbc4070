package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/xregion/xregion/internal/store/postgres/pgtest"
	"github.com/xregion/xregion/internal/xtest"
)

// TestMain lets the test binary serve as the reference server, which the load generator
// starts by running itself again.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == "-reference-server" {
		if err := serveReference(os.Args[2]); err != nil {
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

// TestSmoke runs every scenario for a moment against a freshly built xregion: the load
// generator must work and the server must answer without errors or lost writes. It
// measures nothing; figures come from full runs (see bench/README.md).
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts servers")
	}
	binary := filepath.Join(t.TempDir(), "xregion")
	xtest.NoteSources("../..")
	build := exec.Command("go", "build", "-o", binary, "../../cmd/xregion")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building xregion: %v\n%s", err, out)
	}
	for _, mode := range []string{"raw", "sdk"} {
		err := run([]string{"-binary", binary, "-mode", mode, "-duration", "300ms", "-max-requests", "300",
			"-concurrency", "4", "-secrets", "20", "-rss-secrets", "50", "-fail-on-errors"})
		if err != nil {
			t.Errorf("mode %s: %v", mode, err)
		}
	}
	// A shared deployment: reads and writes spread over three nodes on PostgreSQL.
	for _, sc := range []string{"get", "create"} {
		err := run([]string{"-binary", binary, "-nodes", "3", "-scenario", sc, "-duration", "300ms", "-max-requests", "300",
			"-concurrency", "4", "-secrets", "20", "-fail-on-errors"})
		if errors.Is(err, pgtest.ErrNotInstalled) {
			t.Logf("SKIPPED the shared deployment: %v", err)
			return
		}
		if err != nil {
			t.Errorf("%s through three nodes: %v", sc, err)
		}
	}
}
