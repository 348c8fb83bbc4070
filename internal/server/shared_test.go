package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/postgres/pgtest"
)

func TestSharedStoreRefusals(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct {
		cfg  Config
		want string
	}{
		"no root key":        {Config{Store: "postgres://u:secret@127.0.0.1:1/db", DataDir: dir}, "needs the root key every node shares"},
		"in memory as well":  {Config{Store: "postgres://u:secret@127.0.0.1:1/db", InMemory: true}, "exclude each other"},
		"not a postgres URL": {Config{Store: "mysql://u:secret@h/db", RootKey: newRootKey(t)}, "takes a postgres:// URL"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "secret") {
				t.Fatalf("New = %v, want an error saying %q without the password", err, c.want)
			}
		})
	}
	// No key was made up for the shared store.
	if _, err := os.Stat(filepath.Join(dir, seal.RootKeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a root key file appeared: %v", err)
	}
}

func newRootKey(t *testing.T) string {
	t.Helper()
	k := make([]byte, seal.KeySize)
	rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}

// With --store postgres://… the server keeps its state in PostgreSQL and takes the root
// key from the environment or from root.key in its data directory.
func TestSharedStore(t *testing.T) {
	pg, err := pgtest.Start()
	if errors.Is(err, pgtest.ErrNotInstalled) {
		t.Skipf("SKIPPED: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() }) // after the schema's own cleanup
	url := pg.Schema(t)
	key := newRootKey(t)
	withFile := t.TempDir()
	if err := os.WriteFile(filepath.Join(withFile, seal.RootKeyFile), []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]Config{
		"key from the environment": {Store: url, RootKey: key, DataDir: t.TempDir()},
		"key from the data dir":    {Store: url, DataDir: withFile},
	} {
		t.Run(name, func(t *testing.T) {
			srv, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Shutdown(context.Background())
			if st := srv.Store().Stats(); st.Kind != "postgres" {
				t.Fatalf("store is %+v", st)
			}
			if name := srv.StoreName(); !strings.HasPrefix(name, "postgres://127.0.0.1:") || strings.Contains(name, "@") {
				t.Fatalf("StoreName = %q", name)
			}
			if err := srv.Store().View(func(store.Tx) error { return nil }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A node started with a root key other than the one the shared store was sealed with is
// refused: it would seal what the other nodes cannot open.
func TestSharedStoreRefusesAnotherRootKey(t *testing.T) {
	pg, err := pgtest.Start()
	if errors.Is(err, pgtest.ErrNotInstalled) {
		t.Skipf("SKIPPED: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })
	url := pg.Schema(t)
	first, err := New(Config{Store: url, RootKey: newRootKey(t), DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Shutdown(context.Background())
	_, err = New(Config{Store: url, RootKey: newRootKey(t), DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "is not the one the store") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("a second node with another key: %v", err)
	}
}
