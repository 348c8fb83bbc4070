// Package seal encrypts what xregion must never store in plain text — KMS key material,
// secret access keys of temporary credentials — under a root key, with AES-256-GCM.
//
// The root key comes from XREGION_ROOT_KEY (base64 of 32 bytes) or from the file
// root.key in the data directory, created with mode 0600 on first start. Whoever holds
// both the data directory and the root key can read everything; keeping the key out of
// the data directory (the environment variable) is how users separate the two.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/xregion/xregion/internal/engines/atomicfile"
)

// KeySize is the size of the root key in bytes.
const KeySize = 32

// EnvRootKey names the environment variable that can hold the root key.
const EnvRootKey = "XREGION_ROOT_KEY"

// RootKeyFile is the name of the root key file in the data directory.
const RootKeyFile = "root.key"

// Sealer seals and opens values under one root key.
type Sealer struct {
	aead        cipher.AEAD
	fingerprint string
}

// ErrOpen means a sealed value could not be opened: it was made under another root key,
// for other associated data, or was damaged.
var ErrOpen = errors.New("seal: cannot open value (wrong root key or damaged data)")

// New returns a Sealer for a 32-byte root key.
func New(rootKey []byte) (*Sealer, error) {
	if len(rootKey) != KeySize {
		return nil, fmt.Errorf("seal: root key must be %d bytes, got %d", KeySize, len(rootKey))
	}
	block, err := aes.NewCipher(rootKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, fingerprint: fingerprint(rootKey)}, nil
}

// fingerprint names a root key without revealing it: an HMAC of a fixed label under the
// key, so that it can be stored beside the data the key seals.
func fingerprint(rootKey []byte) string {
	m := hmac.New(sha256.New, rootKey)
	m.Write([]byte("xregion root key fingerprint v1"))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Fingerprint identifies the root key, so that a store can record which key sealed it
// and refuse another.
func (s *Sealer) Fingerprint() string { return s.fingerprint }

// ErrNoRootKey is returned by LoadExisting when the data directory has no root key.
var ErrNoRootKey = errors.New("seal: no root key")

// Ephemeral returns a Sealer with a random root key, for stores that do not outlive the
// process (--in-memory).
func Ephemeral() *Sealer {
	s, err := New(randomKey())
	if err != nil {
		panic(err)
	}
	return s
}

func randomKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return k
}

// Load returns the Sealer for a data directory: the root key from the environment value
// env if it is set, else from dir/root.key, which is created when absent.
func Load(dir, env string) (*Sealer, error) {
	return load(dir, env, true)
}

// LoadExisting is Load without creating a key: for a store that already holds sealed
// data, a new key would only make it unreadable. It fails with ErrNoRootKey when env is
// empty and dir has no root.key.
func LoadExisting(dir, env string) (*Sealer, error) {
	return load(dir, env, false)
}

func load(dir, env string, create bool) (*Sealer, error) {
	if env != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(env))
		if err != nil {
			return nil, fmt.Errorf("seal: %s is not base64: %w", EnvRootKey, err)
		}
		return New(key)
	}
	path := filepath.Join(dir, RootKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if !create {
			return nil, fmt.Errorf("%w: %s does not exist", ErrNoRootKey, path)
		}
		return createKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("seal: reading root key: %w", err)
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("seal: %s is readable by others (mode %v); chmod 600 it", path, info.Mode().Perm())
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("seal: %s is not base64: %w", path, err)
	}
	return New(key)
}

// createKey writes a new random root key to path, durably, and returns its Sealer.
func createKey(path string) (*Sealer, error) {
	k, err := Generate(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	if err := k.Write(); err != nil {
		return nil, err
	}
	return k.Sealer(), nil
}

// NewKey is a root key made for a data directory that has none, held in memory until
// Write puts it there: a first start can serve reads while the key is written, as long
// as nothing it seals is acknowledged before Write returns.
type NewKey struct {
	path   string
	key    []byte
	sealer *Sealer
}

// Generate makes a new random root key for the data directory dir without writing it.
func Generate(dir string) (*NewKey, error) {
	key := randomKey()
	sealer, err := New(key)
	if err != nil {
		return nil, err
	}
	return &NewKey{path: filepath.Join(dir, RootKeyFile), key: key, sealer: sealer}, nil
}

// Sealer is the Sealer of the new key.
func (k *NewKey) Sealer() *Sealer { return k.sealer }

// Write puts the key in its data directory durably: written to a temporary file, synced,
// renamed into place and the directory synced, so that a crash at any point leaves
// either no root.key or the whole key — never an empty or partial file, which no later
// start could load. The caller holds the data directory (the store's lock), so nothing
// else writes root.key meanwhile.
func (k *NewKey) Write() error {
	if err := atomicfile.WriteBytes(k.path, []byte(base64.StdEncoding.EncodeToString(k.key)+"\n")); err != nil {
		return fmt.Errorf("seal: writing root key: %w", err)
	}
	return nil
}

// Seal encrypts plaintext, binding it to aad (associated data that must be given again to
// open it — e.g. the record's identity, so a sealed value cannot be moved to another
// record). The result is nonce || ciphertext || tag.
func (s *Sealer) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, aad)
}

// Open decrypts a value made by Seal with the same aad.
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrOpen
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}
