// Package pgtest holds what the engines' tests share: finding PostgreSQL (and skipping,
// loudly, without it), directories the servers' user can reach, and client connections
// made the way a user's would be.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xregion/xregion/internal/engines/pgbin"
)

var (
	findOnce sync.Once
	installs []pgbin.Install
	findErr  error

	skippedMu sync.Mutex
	skipped   []string
)

// Need returns the newest PostgreSQL installed, or skips the test with a banner when
// there is none. XREGION_POSTGRES_BIN names a directory to use instead of searching.
func Need(t testing.TB) pgbin.Install {
	t.Helper()
	findOnce.Do(func() {
		installs, findErr = pgbin.Find(context.Background(), os.Getenv("XREGION_POSTGRES_BIN"))
	})
	if findErr != nil {
		skippedMu.Lock()
		skipped = append(skipped, t.Name())
		skippedMu.Unlock()
		t.Skipf("SKIPPED: PostgreSQL is not installed (%v); .ci/run installs it with apt-get", findErr)
	}
	return installs[0]
}

// Main runs the tests and then, if any skipped for want of PostgreSQL, says so in a
// banner that a scrolling CI log does not hide. Use it as TestMain's body.
func Main(m interface{ Run() int }) int {
	code := m.Run()
	if len(skipped) > 0 {
		sort.Strings(skipped)
		fmt.Fprintf(os.Stderr, "\n*** SOME TESTS WERE SKIPPED BECAUSE POSTGRESQL IS NOT INSTALLED ***\n***   %s\n",
			strings.Join(skipped, ", "))
	}
	return code
}

// Dir returns a temporary directory the servers' user can reach when the tests run as
// root: t.TempDir makes private (0700) directories, which PostgreSQL, running as another
// user, could not enter.
func Dir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Connect logs in over TCP on 127.0.0.1 with a password, as a user's client would.
func Connect(ctx context.Context, port int, user, password, db string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig("sslmode=disable")
	if err != nil {
		return nil, err
	}
	cfg.Host, cfg.Port, cfg.User, cfg.Password, cfg.Database = "127.0.0.1", uint16(port), user, password, db
	cfg.TLSConfig, cfg.Fallbacks = nil, nil
	cfg.ConnectTimeout = 10 * time.Second
	return pgx.ConnectConfig(ctx, cfg)
}

// MustConnect is Connect that fails the test.
func MustConnect(t testing.TB, port int, user, password, db string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := Connect(ctx, port, user, password, db)
	if err != nil {
		t.Fatalf("connecting to 127.0.0.1:%d as %s: %v", port, user, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Exec runs statements, failing the test on error.
func Exec(t testing.TB, conn *pgx.Conn, sql ...string) {
	t.Helper()
	for _, q := range sql {
		if _, err := conn.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// Ints returns the first column of a query's rows as integers.
func Ints(t testing.TB, conn *pgx.Conn, query string) []int {
	t.Helper()
	rows, err := conn.Query(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}
