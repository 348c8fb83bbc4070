package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/bolt"
)

// startStop builds a durable server in dir and shuts it down, or returns why it would
// not start.
func startStop(t *testing.T, dir, rootKey string) error {
	t.Helper()
	s, err := New(Config{DataDir: dir, RootKey: rootKey})
	if err != nil {
		return err
	}
	// Some state, so that the store is not empty.
	if err := s.Store().Update(func(tx store.Tx) error { return tx.Put("test/marker", []byte("x")) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	return nil
}

func wantRefusal(t *testing.T, err error, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("the server started, want a refusal saying %q", words)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("refusal %q does not say %q", err, w)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("refusal is more than one line: %q", err)
	}
}

func TestReplacedRootKeyRefused(t *testing.T) {
	dir := t.TempDir()
	if err := startStop(t, dir, ""); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, seal.RootKeyFile)
	original, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	other := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, seal.KeySize)) + "\n"
	if err := os.WriteFile(keyPath, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, startStop(t, dir, ""), keyPath, "is not the one the store", "put the original root key back")
	// The store was not touched: the original key opens it again.
	if err := os.WriteFile(keyPath, original, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := startStop(t, dir, ""); err != nil {
		t.Fatalf("with the original key back: %v", err)
	}
	// The environment's key is held to the same fingerprint.
	wantRefusal(t, startStop(t, dir, strings.TrimSpace(other)), seal.EnvRootKey, "is not the one")
	if err := startStop(t, dir, strings.TrimSpace(string(original))); err != nil {
		t.Errorf("the original key given in the environment: %v", err)
	}
}

func TestMissingRootKeyRefused(t *testing.T) {
	dir := t.TempDir()
	if err := startStop(t, dir, ""); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, seal.RootKeyFile)
	if err := os.Remove(keyPath); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, startStop(t, dir, ""), keyPath, "is missing")
	if _, err := os.Stat(keyPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a new root key was made beside a sealed store: %v", err)
	}
}

// TestResetKeepsTheRootKeyFingerprint: the admin API's reset empties the store, which
// stays sealed with the same key.
func TestResetKeepsTheRootKeyFingerprint(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "http://127.0.0.1:4566/_xregion/reset", http.NoBody)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("reset: %d %s", rec.Code, rec.Body)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	other := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, seal.KeySize))
	if err := os.WriteFile(filepath.Join(dir, seal.RootKeyFile), []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, startStop(t, dir, ""), "is not the one")
}

func TestEmptyStoreFile(t *testing.T) {
	t.Run("beside a root key: a lost store", func(t *testing.T) {
		dir := t.TempDir()
		if err := startStop(t, dir, ""); err != nil {
			t.Fatal(err)
		}
		dbPath := filepath.Join(dir, storeFile)
		if err := os.Truncate(dbPath, 0); err != nil {
			t.Fatal(err)
		}
		err := startStop(t, dir, "")
		wantRefusal(t, err, dbPath, "empty", "restore it from a backup")
		if !errors.Is(err, bolt.ErrEmptyFile) {
			t.Errorf("refusal %v is not ErrEmptyFile", err)
		}
	})
	t.Run("without a root key: an interrupted first start", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, storeFile), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := startStop(t, dir, ""); err != nil {
			t.Errorf("a first start that never finished: %v", err)
		}
	})
}

func TestTruncatedStoreFile(t *testing.T) {
	dir := t.TempDir()
	if err := startStop(t, dir, ""); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, storeFile)
	if err := os.Truncate(dbPath, int64(os.Getpagesize())*2+100); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, startStop(t, dir, ""), dbPath, "truncated", "restore it from a backup")
}

func TestDataDirectoryMadePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := startStop(t, dir, ""); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v, want 0700", fi.Mode().Perm())
	}
}
