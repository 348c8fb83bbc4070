package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	s := Ephemeral()
	sealed := s.Seal([]byte("material"), []byte("key-1"))
	if bytes.Contains(sealed, []byte("material")) {
		t.Fatal("sealed value holds the plaintext")
	}
	got, err := s.Open(sealed, []byte("key-1"))
	if err != nil || string(got) != "material" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := s.Open(sealed, []byte("key-2")); err != ErrOpen {
		t.Fatalf("Open with other aad = %v, want ErrOpen", err)
	}
	if _, err := Ephemeral().Open(sealed, []byte("key-1")); err != ErrOpen {
		t.Fatalf("Open under other root key = %v, want ErrOpen", err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := s.Open(sealed, []byte("key-1")); err != ErrOpen {
		t.Fatalf("Open of damaged value = %v, want ErrOpen", err)
	}
	if _, err := s.Open([]byte("short"), nil); err != ErrOpen {
		t.Fatalf("Open of short value = %v, want ErrOpen", err)
	}
}

func TestLoadCreatesKeyOnce(t *testing.T) {
	dir := t.TempDir()
	s1, err := Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, RootKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("root key mode = %v, want 0600", perm)
	}
	s2, err := Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Open(s1.Seal([]byte("x"), nil), nil); err != nil {
		t.Fatalf("second Load did not reuse the root key: %v", err)
	}
}

func TestLoadRefusesWorldReadableKey(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir, ""); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, RootKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, ""); err == nil {
		t.Fatal("Load accepted a root key readable by others")
	}
}

func TestLoadFromEnvironment(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	s, err := Load(t.TempDir(), base64.StdEncoding.EncodeToString(key))
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := New(key)
	if _, err := s2.Open(s.Seal([]byte("x"), nil), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(t.TempDir(), "not base64!"); err == nil {
		t.Fatal("Load accepted a malformed key")
	}
	if _, err := Load(t.TempDir(), base64.StdEncoding.EncodeToString([]byte("short"))); err == nil {
		t.Fatal("Load accepted a short key")
	}
}

func TestLoadExistingNeverCreatesAKey(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadExisting(dir, ""); !errors.Is(err, ErrNoRootKey) {
		t.Fatalf("LoadExisting without a key: %v, want ErrNoRootKey", err)
	}
	if _, err := os.Stat(filepath.Join(dir, RootKeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("LoadExisting created a key: %v", err)
	}
	made, err := Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadExisting(dir, "")
	if err != nil || again.Fingerprint() != made.Fingerprint() {
		t.Fatalf("LoadExisting of the key Load made: %v", err)
	}
}

func TestFingerprint(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	a, _ := New(key)
	b, _ := New(key)
	if a.Fingerprint() != b.Fingerprint() || len(a.Fingerprint()) != 32 {
		t.Errorf("fingerprints of one key: %q %q", a.Fingerprint(), b.Fingerprint())
	}
	if Ephemeral().Fingerprint() == a.Fingerprint() {
		t.Error("two keys share a fingerprint")
	}
	if strings.Contains(a.Fingerprint(), hex.EncodeToString(key[:4])) {
		t.Error("the fingerprint shows the key")
	}
}

// A generated key is on disk only once written, then whole, private and loadable; no
// temporary file is left beside it.
func TestGenerateWritesOnlyWhenAsked(t *testing.T) {
	dir := t.TempDir()
	k, err := Generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadExisting(dir, ""); !errors.Is(err, ErrNoRootKey) {
		t.Fatalf("before Write: LoadExisting = %v, want ErrNoRootKey", err)
	}
	sealed := k.Sealer().Seal([]byte("x"), nil)
	if err := k.Write(); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadExisting(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := loaded.Open(sealed, nil); err != nil || string(got) != "x" {
		t.Fatalf("the written key does not open what the generated one sealed: %q, %v", got, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != RootKeyFile {
		t.Errorf("data directory holds %v, want only %s", entries, RootKeyFile)
	}
	if info, _ := entries[0].Info(); info.Mode().Perm() != 0o600 {
		t.Errorf("root key mode = %v, want 0600", info.Mode().Perm())
	}
}
