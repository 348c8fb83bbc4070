package kms

import (
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// KMS provides port.KeyRing: the other services' keys, used in their own transactions,
// which KMS joins.

// keyRing is KMS as port.KeyRing. The port is an adapter rather than the Service itself
// because its Encrypt, Decrypt and GenerateDataKey share their names with KMS operations,
// and the Service's methods of those names are the operations' handlers (kmsapi.Bind).
type keyRing struct{ *Service }

var _ port.KeyRing = keyRing{}

func infoOf(k *keyRecord) port.KeyInfo {
	ki := port.KeyInfo{
		ID: k.ID, ARN: k.ARN(), State: k.State, Spec: k.Spec, Usage: k.Usage,
		Enabled: usable(k), AWSManaged: k.awsManaged(), MultiRegion: k.MultiRegion,
		CreationDate: k.CreationDate,
	}
	if k.DeletionDate != nil {
		ki.DeletionDate = new(*k.DeletionDate)
	}
	return ki
}

// Resolve implements port.KeyRing.
func (s keyRing) Resolve(tx kit.Tx, account, region, keyID string) (port.KeyInfo, error) {
	k, err := s.resolveKey(s.Join(tx), account, region, keyID)
	if err != nil {
		return port.KeyInfo{}, err
	}
	return infoOf(k), nil
}

// Encrypt implements port.KeyRing.
func (s keyRing) Encrypt(tx kit.Tx, account, region, keyID string, plaintext []byte, encCtx map[string]string) ([]byte, port.KeyInfo, error) {
	tx = s.Join(tx)
	k, err := s.resolveKey(tx, account, region, keyID)
	if err != nil {
		return nil, port.KeyInfo{}, err
	}
	blob, err := s.encryptSymmetric(tx, k, plaintext, encCtx, "Encrypt")
	if err != nil {
		return nil, port.KeyInfo{}, err
	}
	return blob, infoOf(k), nil
}

// Decrypt implements port.KeyRing.
func (s keyRing) Decrypt(tx kit.Tx, account, region string, ciphertext []byte, encCtx map[string]string) ([]byte, port.KeyInfo, error) {
	tx = s.Join(tx)
	h, ok := parseBlob(ciphertext)
	if !ok {
		return nil, port.KeyInfo{}, invalidCiphertext()
	}
	k, err := s.blobKey(tx.In(account, region), h)
	if err != nil {
		return nil, port.KeyInfo{}, err
	}
	pt, err := s.decryptSymmetric(tx, k, h, encCtx)
	if err != nil {
		return nil, port.KeyInfo{}, err
	}
	return pt, infoOf(k), nil
}

// GenerateDataKey implements port.KeyRing.
func (s keyRing) GenerateDataKey(tx kit.Tx, account, region, keyID string, encCtx map[string]string) ([]byte, []byte, port.KeyInfo, error) {
	tx = s.Join(tx)
	k, err := s.resolveKey(tx, account, region, keyID)
	if err != nil {
		return nil, nil, port.KeyInfo{}, err
	}
	plaintext := randomBytes(32)
	blob, err := s.encryptSymmetric(tx, k, plaintext, encCtx, "GenerateDataKey")
	if err != nil {
		return nil, nil, port.KeyInfo{}, err
	}
	return plaintext, blob, infoOf(k), nil
}

// encryptSymmetric checks that k can encrypt now and encrypts under its current version.
func (s *Service) encryptSymmetric(tx kit.Tx, k *keyRecord, plaintext []byte, encCtx map[string]string, op string) ([]byte, error) {
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

// blobKey finds the key a symmetric ciphertext names, in the records of v.
func (s *Service) blobKey(v kit.View, h blobHeader) (*keyRecord, error) {
	if !validKeyID(h.keyID) {
		return nil, invalidCiphertext()
	}
	k, err := s.cache.Get(v, h.keyID)
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, keyNotFound(keyARN(v.Account(), v.Region(), h.keyID))
	}
	return k, nil
}

func (s *Service) decryptSymmetric(tx kit.Tx, k *keyRecord, h blobHeader, encCtx map[string]string) ([]byte, error) {
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
