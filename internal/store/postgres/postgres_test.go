package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/postgres/pgtest"
	"github.com/xregion/xregion/internal/store/storetest"
)

// server is the PostgreSQL every test of the package uses; nil when there is none, and
// then every test skips, with a banner at the end so that nobody mistakes it for a pass.
var (
	server     *pgtest.Server
	missingWhy error
)

func TestMain(m *testing.M) {
	var err error
	server, err = pgtest.Start()
	if err != nil {
		if !errors.Is(err, pgtest.ErrNotInstalled) {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			os.Exit(1)
		}
		missingWhy = err
	}
	code := m.Run()
	if server != nil {
		if err := server.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	if missingWhy != nil {
		fmt.Fprintf(os.Stderr, "\n*** store/postgres: EVERY TEST WAS SKIPPED: %v ***\n", missingWhy)
	}
	os.Exit(code)
}

// needServer skips tb, loudly, when there is no PostgreSQL to test against.
func needServer(tb testing.TB) {
	tb.Helper()
	if server == nil {
		tb.Skipf("SKIPPED: %v", missingWhy)
	}
}

// schemaURL is a connection URL of a schema of tb's own.
func schemaURL(tb testing.TB) string {
	tb.Helper()
	needServer(tb)
	return server.Schema(tb)
}

// openURL opens a store on u and closes it when tb ends.
func openURL(tb testing.TB, u string) *Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, u)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// openTemp opens a store on an empty schema of its own.
func openTemp(tb testing.TB) *Store {
	tb.Helper()
	return openURL(tb, schemaURL(tb))
}

func TestConformance(t *testing.T) {
	needServer(t)
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store { return openTemp(b) })
}

func mustUpdate(tb testing.TB, s store.Store, fn func(tx store.Tx) error) {
	tb.Helper()
	if err := s.Update(fn); err != nil {
		tb.Fatalf("Update: %v", err)
	}
}

func mustGet(tb testing.TB, s store.Store, key string) string {
	tb.Helper()
	var v string
	err := s.View(func(tx store.Tx) error {
		v = string(tx.Get(key))
		return nil
	})
	if err != nil {
		tb.Fatalf("View: %v", err)
	}
	return v
}
