package server

import (
	"log/slog"
	"os"
	"strings"
	"testing"
)

// TestPrivateDirSearchable: the data directory is private (0700), or, for the real
// engines' servers under root, searchable but not listable by others (0711); nothing
// more is ever granted.
func TestPrivateDirSearchable(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		from       os.FileMode
		searchable bool
		want       os.FileMode
	}{
		{0o755, true, 0o711}, {0o700, true, 0o711}, {0o711, false, 0o700}, {0o777, false, 0o700},
	} {
		dir := t.TempDir()
		if err := os.Chmod(dir, tc.from); err != nil {
			t.Fatal(err)
		}
		if err := privateDir(dir, tc.searchable, logger); err != nil {
			t.Fatal(err)
		}
		if info, _ := os.Stat(dir); info.Mode().Perm() != tc.want {
			t.Errorf("from %v (searchable %v): %v, want %v", tc.from, tc.searchable, info.Mode().Perm(), tc.want)
		}
	}
}

// TestRealEnginesWithAWrongBinDir: --postgres-bin names where PostgreSQL is; a directory
// without it stops the start with the reason, rather than running without real data.
func TestRealEnginesWithAWrongBinDir(t *testing.T) {
	_, err := New(Config{InMemory: true, RealEngines: true, PostgresBin: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "no executable postgres") {
		t.Errorf("New = %v", err)
	}
	if _, err := New(Config{InMemory: true, RealEngines: true, Store: "postgres://db/xregion"}); err == nil ||
		!strings.Contains(err.Error(), "shared --store") {
		t.Errorf("--real-engines with a shared store: %v", err)
	}
}
