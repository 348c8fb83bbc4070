package kittest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// KeyRing is a fake port.KeyRing for testing a service without KMS: AES-256-GCM keys held
// in memory, per account and Region, with the encryption context bound as additional
// data, as KMS binds it. Keys are made with AddKey; the AWS managed aliases
// (alias/aws/...) get a key on first use in a writable transaction, as in KMS. Nothing
// it holds follows the store's transactions. It records the encryption context of every
// Encrypt, for tests that check what a service binds its ciphertexts to.
type KeyRing struct {
	mu       sync.Mutex
	keys     map[string]*fakeKey // by account/region/id
	aliases  map[string]string   // account/region/alias → key id
	contexts []map[string]string
}

type fakeKey struct {
	info port.KeyInfo
	aead cipher.AEAD
}

var _ port.KeyRing = (*KeyRing)(nil)

// NewKeyRing returns a key ring without keys.
func NewKeyRing() *KeyRing {
	return &KeyRing{keys: map[string]*fakeKey{}, aliases: map[string]string{}}
}

func where(account, region, name string) string { return account + "/" + region + "/" + name }

// AddKey makes an enabled symmetric encryption key and returns its ARN.
func (r *KeyRing) AddKey(account, region string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addLocked(account, region, false).ARN
}

func (r *KeyRing) addLocked(account, region string, managed bool) port.KeyInfo {
	id := ids.UUID()
	material := make([]byte, 32)
	if _, err := rand.Read(material); err != nil {
		panic(err)
	}
	block, _ := aes.NewCipher(material)
	aead, _ := cipher.NewGCM(block)
	info := port.KeyInfo{
		ID: id, ARN: arn.New("aws", "kms", region, account, "key/"+id), State: "Enabled", Spec: "SYMMETRIC_DEFAULT",
		Usage: "ENCRYPT_DECRYPT", Enabled: true, AWSManaged: managed, CreationDate: Epoch,
	}
	r.keys[where(account, region, id)] = &fakeKey{info: info, aead: aead}
	return info
}

// SetState puts a key in a state: "Enabled", "Disabled" or "PendingDeletion".
func (r *KeyRing) SetState(keyARN, state string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range r.keys {
		if k.info.ARN == keyARN {
			k.info.State, k.info.Enabled = state, state == "Enabled"
			if state == "PendingDeletion" {
				k.info.DeletionDate = new(Epoch.Add(7 * 24 * time.Hour))
			}
			return
		}
	}
	panic("kittest: no key " + keyARN)
}

// Contexts returns the encryption contexts of the Encrypt calls so far, in order.
func (r *KeyRing) Contexts() []map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.contexts)
}

// Resolve implements port.KeyRing.
func (r *KeyRing) Resolve(tx kit.Tx, account, region, keyID string) (port.KeyInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, err := r.resolveLocked(tx, account, region, keyID)
	if err != nil {
		return port.KeyInfo{}, err
	}
	return k.info, nil
}

func (r *KeyRing) resolveLocked(tx kit.Tx, account, region, keyID string) (*fakeKey, error) {
	name := keyID
	if arn.IsARN(keyID) {
		a, err := arn.Parse(keyID)
		if err != nil || a.Service != "kms" || a.Account != account || a.Region != region {
			return nil, port.ErrKeyNotFound
		}
		name = strings.TrimPrefix(a.Resource, "key/")
	}
	if strings.HasPrefix(name, "alias/") {
		id, ok := r.aliases[where(account, region, name)]
		if !ok && strings.HasPrefix(name, "alias/aws/") && tx.Writable() {
			id = r.addLocked(account, region, true).ID
			r.aliases[where(account, region, name)] = id
		}
		name = id
	}
	k, ok := r.keys[where(account, region, name)]
	if !ok {
		return nil, port.ErrKeyNotFound
	}
	return k, nil
}

func usable(k *fakeKey) error {
	switch {
	case k.info.State == "Disabled":
		return port.ErrKeyDisabled
	case k.info.State == "PendingDeletion":
		return port.ErrKeyPendingDeletion
	case !k.info.Enabled:
		return port.ErrKeyInvalidState
	}
	return nil
}

// aad encodes an encryption context canonically.
func aad(encCtx map[string]string) []byte {
	keys := make([]string, 0, len(encCtx))
	for k := range encCtx {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%d:%s=%d:%s;", len(k), k, len(encCtx[k]), encCtx[k])
	}
	return []byte(b.String())
}

// Encrypt implements port.KeyRing. A ciphertext is the key id, a colon, the nonce and the
// sealed plaintext.
func (r *KeyRing) Encrypt(tx kit.Tx, account, region, keyID string, plaintext []byte, encCtx map[string]string) ([]byte, port.KeyInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, err := r.resolveLocked(tx, account, region, keyID)
	if err == nil {
		err = usable(k)
	}
	if err != nil {
		return nil, port.KeyInfo{}, err
	}
	r.contexts = append(r.contexts, encCtx)
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, port.KeyInfo{}, err
	}
	out := append([]byte(k.info.ID+":"), nonce...)
	return k.aead.Seal(out, nonce, plaintext, aad(encCtx)), k.info, nil
}

// Decrypt implements port.KeyRing.
func (r *KeyRing) Decrypt(tx kit.Tx, account, region string, ciphertext []byte, encCtx map[string]string) ([]byte, port.KeyInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, rest, ok := strings.Cut(string(ciphertext), ":")
	if !ok {
		return nil, port.KeyInfo{}, port.ErrInvalidCiphertext
	}
	k, found := r.keys[where(account, region, id)]
	if !found {
		return nil, port.KeyInfo{}, port.ErrKeyNotFound
	}
	if err := usable(k); err != nil {
		return nil, port.KeyInfo{}, err
	}
	n := k.aead.NonceSize()
	if len(rest) < n {
		return nil, port.KeyInfo{}, port.ErrInvalidCiphertext
	}
	pt, err := k.aead.Open(nil, []byte(rest[:n]), []byte(rest[n:]), aad(encCtx))
	if err != nil {
		return nil, port.KeyInfo{}, port.ErrInvalidCiphertext
	}
	return pt, k.info, nil
}

// GenerateDataKey implements port.KeyRing.
func (r *KeyRing) GenerateDataKey(tx kit.Tx, account, region, keyID string, encCtx map[string]string) ([]byte, []byte, port.KeyInfo, error) {
	dk := make([]byte, 32)
	if _, err := rand.Read(dk); err != nil {
		return nil, nil, port.KeyInfo{}, err
	}
	ct, info, err := r.Encrypt(tx, account, region, keyID, dk, encCtx)
	if err != nil {
		return nil, nil, port.KeyInfo{}, err
	}
	return dk, ct, info, nil
}
