package kms

import (
	"time"

	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/store"
)

// Keyring is how other services use KMS keys. Methods work inside the caller's store
// transaction; Resolve may create an AWS managed key on first use, so it needs a writable tx
// for alias/aws/* names (in a read-only tx, a managed key that does not exist yet is ErrKeyNotFound).
// See the package documentation for the whole contract.
type Keyring interface {
	// Resolve finds a key by key id, key ARN, alias name or alias ARN; an ARN of another
	// Region or account is ErrKeyNotFound.
	Resolve(tx store.Tx, account, region, keyID string) (KeyInfo, error)
	// Encrypt encrypts plaintext under an enabled symmetric key. There is no 4 KiB limit
	// here (Secrets Manager values are 64 KiB).
	Encrypt(tx store.Tx, account, region, keyID string, plaintext []byte, encCtx map[string]string) ([]byte, KeyInfo, error)
	// Decrypt decrypts a ciphertext made by Encrypt or GenerateDataKey with the same
	// encryption context, under the key (and key version) it names, which must be enabled.
	Decrypt(tx store.Tx, account, region string, ciphertext []byte, encCtx map[string]string) ([]byte, KeyInfo, error)
	// GenerateDataKey makes a 256-bit AES data key, returned in plain text and encrypted.
	GenerateDataKey(tx store.Tx, account, region, keyID string, encCtx map[string]string) (plaintext, ciphertext []byte, key KeyInfo, err error)
}

// KeyInfo describes a key to the services that use it. Enabled means the key can be used
// for cryptography now: Enabled, or a multi-Region key Updating from Enabled.
type KeyInfo struct {
	ID, ARN, State, Spec, Usage      string
	Enabled, AWSManaged, MultiRegion bool
	CreationDate                     time.Time
	DeletionDate                     *time.Time
}

func infoOf(k *keyRecord) KeyInfo {
	ki := KeyInfo{
		ID: k.ID, ARN: k.ARN(), State: k.State, Spec: k.Spec, Usage: k.Usage,
		Enabled: usable(k), AWSManaged: k.awsManaged(), MultiRegion: k.MultiRegion,
		CreationDate: k.CreationDate,
	}
	if k.DeletionDate != nil {
		d := *k.DeletionDate
		ki.DeletionDate = &d
	}
	return ki
}

// Resolve implements Keyring.
func (s *Service) Resolve(tx store.Tx, account, region, keyID string) (KeyInfo, error) {
	k, err := s.resolveKey(tx, account, region, keyID)
	if err != nil {
		return KeyInfo{}, err
	}
	return infoOf(k), nil
}

// Encrypt implements Keyring.
func (s *Service) Encrypt(tx store.Tx, account, region, keyID string, plaintext []byte, encCtx map[string]string) ([]byte, KeyInfo, error) {
	k, err := s.resolveKey(tx, account, region, keyID)
	if err != nil {
		return nil, KeyInfo{}, err
	}
	blob, err := s.encryptSymmetric(tx, k, plaintext, encCtx, "Encrypt")
	if err != nil {
		return nil, KeyInfo{}, err
	}
	return blob, infoOf(k), nil
}

// Decrypt implements Keyring.
func (s *Service) Decrypt(tx store.Tx, account, region string, ciphertext []byte, encCtx map[string]string) ([]byte, KeyInfo, error) {
	h, ok := parseBlob(ciphertext)
	if !ok {
		return nil, KeyInfo{}, invalidCiphertext()
	}
	k, err := s.blobKey(tx, account, region, h)
	if err != nil {
		return nil, KeyInfo{}, err
	}
	pt, err := s.decryptSymmetric(tx, k, h, encCtx)
	if err != nil {
		return nil, KeyInfo{}, err
	}
	return pt, infoOf(k), nil
}

// GenerateDataKey implements Keyring.
func (s *Service) GenerateDataKey(tx store.Tx, account, region, keyID string, encCtx map[string]string) ([]byte, []byte, KeyInfo, error) {
	k, err := s.resolveKey(tx, account, region, keyID)
	if err != nil {
		return nil, nil, KeyInfo{}, err
	}
	plaintext := randomBytes(32)
	blob, err := s.encryptSymmetric(tx, k, plaintext, encCtx, "GenerateDataKey")
	if err != nil {
		return nil, nil, KeyInfo{}, err
	}
	return plaintext, blob, infoOf(k), nil
}

// encryptSymmetric checks that k can encrypt now and encrypts under its current version.
func (s *Service) encryptSymmetric(tx store.Tx, k *keyRecord, plaintext []byte, encCtx map[string]string, op string) ([]byte, error) {
	if k.Usage != kmsapi.KeyUsageTypeEncryptDecrypt || k.Spec != kmsapi.KeySpecSymmetricDefault {
		return nil, invalidUsage(k.ARN(), k.Usage, op)
	}
	if err := requireEnabled(k); err != nil {
		return nil, err
	}
	v := k.current().N
	m, err := s.materialOf(tx, k, v)
	if err != nil {
		return nil, err
	}
	return sealBlob(m, k.ID, v, plaintext, encCtx), nil
}

// blobKey finds the key a symmetric ciphertext names, in the caller's account and Region.
func (s *Service) blobKey(tx store.Tx, account, region string, h blobHeader) (*keyRecord, error) {
	if !validKeyID(h.keyID) {
		return nil, invalidCiphertext()
	}
	k, err := s.recs.get(tx, keyRecordKey(scopeOf(account, region), h.keyID))
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, keyNotFound(keyARN(account, region, h.keyID))
	}
	return k, nil
}

func (s *Service) decryptSymmetric(tx store.Tx, k *keyRecord, h blobHeader, encCtx map[string]string) ([]byte, error) {
	if k.Spec != kmsapi.KeySpecSymmetricDefault {
		return nil, invalidCiphertext()
	}
	if err := requireEnabled(k); err != nil {
		return nil, err
	}
	if h.version < 1 || h.version > len(k.Versions) {
		return nil, invalidCiphertext()
	}
	m, err := s.materialOf(tx, k, h.version)
	if err != nil {
		return nil, err
	}
	pt, ok := openBlob(m, h, encCtx)
	if !ok {
		return nil, invalidCiphertext()
	}
	return pt, nil
}
