package kms

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"strconv"
	"sync"

	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// material is one version of a key's material, unsealed and ready to use. It is immutable
// and shared between goroutines through the material cache.
type material struct {
	raw    []byte      // the secret: symmetric or HMAC key bytes, or the private key encoding
	aead   cipher.AEAD // SYMMETRIC_DEFAULT
	signer crypto.Signer
	k256   *k256Key // ECC_SECG_P256K1, which the standard library's curves do not include
	public []byte   // asymmetric keys: DER SubjectPublicKeyInfo
}

func rsaBits(spec string) int {
	switch spec {
	case kmsapi.KeySpecRsa2048:
		return 2048
	case kmsapi.KeySpecRsa3072:
		return 3072
	case kmsapi.KeySpecRsa4096:
		return 4096
	}
	return 0
}

func nistCurve(spec string) elliptic.Curve {
	switch spec {
	case kmsapi.KeySpecEccNistP256:
		return elliptic.P256()
	case kmsapi.KeySpecEccNistP384:
		return elliptic.P384()
	case kmsapi.KeySpecEccNistP521:
		return elliptic.P521()
	}
	return nil
}

// hmacKeyBytes is the key length of each HMAC key spec: the size of its digest.
func hmacKeyBytes(spec string) int {
	switch spec {
	case kmsapi.KeySpecHmac224:
		return 28
	case kmsapi.KeySpecHmac256:
		return 32
	case kmsapi.KeySpecHmac384:
		return 48
	case kmsapi.KeySpecHmac512:
		return 64
	}
	return 0
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}

// supportedSpec reports whether xregion makes keys of a key spec (or the KeyPairSpec of the
// same name). The model also lists specs xregion does not implement (ECC_NIST_EDWARDS25519,
// ML_DSA_44/65/87): requests for them are refused as unsupported, not mistaken for a usage
// that does not fit or left to fail inside.
func supportedSpec(spec string) bool {
	return spec == kmsapi.KeySpecSymmetricDefault || hmacKeyBytes(spec) > 0 || rsaBits(spec) > 0 ||
		nistCurve(spec) != nil || spec == kmsapi.KeySpecEccSecgP256k1
}

// generateMaterial makes new secret material for a key spec: raw key bytes for symmetric
// and HMAC keys, PKCS#8 DER for RSA and NIST curve keys, the 32-byte scalar for secp256k1.
func generateMaterial(spec string) ([]byte, error) {
	switch {
	case spec == kmsapi.KeySpecSymmetricDefault:
		return randomBytes(32), nil
	case hmacKeyBytes(spec) > 0:
		return randomBytes(hmacKeyBytes(spec)), nil
	case rsaBits(spec) > 0:
		k, err := rsa.GenerateKey(rand.Reader, rsaBits(spec))
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	case nistCurve(spec) != nil:
		k, err := ecdsa.GenerateKey(nistCurve(spec), rand.Reader)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	case spec == kmsapi.KeySpecEccSecgP256k1:
		return generateK256().scalarBytes(), nil
	}
	return nil, fmt.Errorf("kms: no material for key spec %q", spec)
}

// parseMaterial prepares raw material of a spec for use.
func parseMaterial(spec string, raw []byte) (*material, error) {
	m := &material{raw: raw}
	switch {
	case spec == kmsapi.KeySpecSymmetricDefault:
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		if m.aead, err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
	case hmacKeyBytes(spec) > 0:
	case rsaBits(spec) > 0 || nistCurve(spec) != nil:
		k, err := x509.ParsePKCS8PrivateKey(raw)
		if err != nil {
			return nil, err
		}
		signer, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("kms: %T is not a signing key", k)
		}
		m.signer = signer
		if m.public, err = x509.MarshalPKIXPublicKey(signer.Public()); err != nil {
			return nil, err
		}
	case spec == kmsapi.KeySpecEccSecgP256k1:
		k, err := k256FromScalar(raw)
		if err != nil {
			return nil, err
		}
		m.k256 = k
		m.public = k.marshalPKIX()
	default:
		return nil, fmt.Errorf("kms: no material for key spec %q", spec)
	}
	return m, nil
}

// materialAAD binds sealed material to its account, Region, key and version, so that a
// sealed value copied to another record does not open.
func materialAAD(account, region, id string, version int) []byte {
	return []byte("xregion/kms/material\x00" + account + "\x00" + region + "\x00" + id + "\x00" + strconv.Itoa(version))
}

// addFirstVersion gives a new key its material.
func (s *Service) addFirstVersion(tx kit.Tx, k *keyRecord) error {
	raw, err := generateMaterial(k.Spec)
	if err != nil {
		return err
	}
	k.Versions = []keyVersion{{N: 1, Created: k.CreationDate}}
	return s.putMaterial(tx, k, 1, raw)
}

// putMaterial seals raw and stores it as a version of key k (in k's account and Region).
func (s *Service) putMaterial(tx kit.Tx, k *keyRecord, version int, raw []byte) error {
	sealed := s.Sealer.Seal(raw, materialAAD(k.Account, k.Region, k.ID, version))
	return materials.Put(k.in(tx), sealed, k.ID, versionPos(version))
}

// materialOf returns version v of key k's material, from the cache or by unsealing it.
func (s *Service) materialOf(tx kit.Tx, k *keyRecord, v int) (*material, error) {
	id := materialID{account: k.Account, region: k.Region, key: k.ID, version: v}
	if m := s.mats.get(id); m != nil {
		return m, nil
	}
	sealed := materials.Get(k.in(tx), k.ID, versionPos(v))
	if sealed == nil {
		return nil, fmt.Errorf("kms: material %d of key %s in %s is missing", v, k.ID, k.Region)
	}
	raw, err := s.Sealer.Open(sealed, materialAAD(k.Account, k.Region, k.ID, v))
	if err != nil {
		return nil, fmt.Errorf("kms: material %d of key %s in %s: %w", v, k.ID, k.Region, err)
	}
	m, err := parseMaterial(k.Spec, raw)
	if err != nil {
		return nil, err
	}
	s.mats.put(id, m)
	return m, nil
}

// materialID names one version of one key's material in one Region. A struct of strings
// is a map key that needs no allocation to look up.
type materialID struct {
	account, region, key string
	version              int
}

// materialCache holds unsealed key material, ready to use. It lives in memory only.
type materialCache struct {
	mu sync.RWMutex
	m  map[materialID]*material
}

func (c *materialCache) get(id materialID) *material {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[id]
}

func (c *materialCache) put(id materialID, m *material) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[materialID]*material{}
	}
	if len(c.m) >= cacheLimit {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[id] = m
}

// forget drops a key's material, for keys that are deleted.
func (c *materialCache) forget(account, region, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id := range c.m {
		if id.account == account && id.region == region && id.key == key {
			delete(c.m, id)
		}
	}
}

func (c *materialCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}
