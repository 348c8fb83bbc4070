package kms

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // crypto.SHA1, for the SHA-1 wrapping algorithms
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
)

// Imported key material: a key created with Origin EXTERNAL has no material and waits in
// PendingImport. GetParametersForImport makes an RSA wrapping key pair, keeps the private
// key sealed in the store (wrap/<key>/<params>) for 24 hours on the job clock, and hands
// out the public key with an import token: the key, the parameters and the wrapping
// algorithm, sealed with the root key. ImportKeyMaterial unwraps the material with the
// private key and stores it sealed as the key's version 1; material that expires leaves
// on the clock at ValidTo, and the key waits in PendingImport again for the same material.
// xregion keeps one material per key: importing other material than the first is
// IncorrectKeyMaterialException, and on-demand rotation of such keys is not offered.

const (
	importParamsValidity = 24 * time.Hour
	maxMaterialValidity  = 365 * 24 * time.Hour
)

// importToken is what an import token holds, sealed.
type importToken struct {
	KeyID     string    `json:"k"`
	Params    string    `json:"p"`
	Algorithm string    `json:"a"`
	ValidTo   time.Time `json:"t"`
}

func importTokenAAD(account, region string) []byte {
	return []byte("xregion/kms/import-token\x00" + account + "\x00" + region)
}

func wrappingKeyAAD(account, region, keyID, params string) []byte {
	return []byte("xregion/kms/wrapping-key\x00" + account + "\x00" + region + "\x00" + keyID + "\x00" + params)
}

// requireExternal refuses the import operations on keys whose material KMS made.
func requireExternal(k *keyRecord, op string) error {
	if k.Origin != kmsapi.OriginTypeExternal {
		return msgNotExternal.New(k.ARN(), k.Origin, op)
	}
	return nil
}

// requireImportable is the key state rule of GetParametersForImport and ImportKeyMaterial.
func requireImportable(k *keyRecord) error {
	switch k.State {
	case kmsapi.KeyStatePendingImport, kmsapi.KeyStateEnabled, kmsapi.KeyStateDisabled:
		return nil
	}
	return stateError(k)
}

func wrappingBits(spec string) (int, error) {
	switch spec {
	case kmsapi.WrappingKeySpecRsa2048:
		return 2048, nil
	case kmsapi.WrappingKeySpecRsa3072:
		return 3072, nil
	case kmsapi.WrappingKeySpecRsa4096:
		return 4096, nil
	}
	return 0, msgSM2Wrapping.New()
}

func (s *Service) GetParametersForImport(ctx context.Context, in *kmsapi.GetParametersForImportRequest) (*kmsapi.GetParametersForImportResponse, error) {
	c := s.Call(ctx)
	if *in.WrappingAlgorithm == kmsapi.AlgorithmSpecSm2pke {
		return nil, msgSM2Wrapping.New()
	}
	bits, err := wrappingBits(*in.WrappingKeySpec)
	if err != nil {
		return nil, err
	}
	check := func(tx kit.Tx) (*keyRecord, error) {
		k, err := s.resolveKey(tx, c.Account, c.Region, *in.KeyId)
		if err != nil {
			return nil, err
		}
		if err := s.allow(tx, c, k, "GetParametersForImport", nil); err != nil {
			return nil, err
		}
		if err := requireExternal(k, "GetParametersForImport"); err != nil {
			return nil, err
		}
		return k, requireImportable(k)
	}
	if _, err := kit.Read(s.Kit, check); err != nil {
		return nil, err
	}
	// The RSA key pair is made outside the transaction: it is slow.
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*kmsapi.GetParametersForImportResponse, error) {
		k, err := check(tx)
		if err != nil {
			return nil, err
		}
		t := importToken{KeyID: k.ID, Params: hex.EncodeToString(randomBytes(16)), Algorithm: *in.WrappingAlgorithm, ValidTo: c.Now().Add(importParamsValidity)}
		sealed := s.Sealer.Seal(der, wrappingKeyAAD(k.Account, k.Region, k.ID, t.Params))
		if err := wrappingKeys.Put(k.in(tx), sealed, k.ID, t.Params); err != nil {
			return nil, err
		}
		if _, err := jobForgetWrappingKey.Enqueue(tx, t.ValidTo, importRef{Account: k.Account, Region: k.Region, KeyID: k.ID, Params: t.Params}); err != nil {
			return nil, err
		}
		plain, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		return &kmsapi.GetParametersForImportResponse{
			KeyId: new(k.ARN()), ImportToken: s.Sealer.Seal(plain, importTokenAAD(k.Account, k.Region)),
			PublicKey: pub, ParametersValidTo: new(t.ValidTo),
		}, nil
	})
}

// expiry checks ExpirationModel and ValidTo: ValidTo is needed exactly when the material
// expires, and must lie in the next 365 days.
func expiry(in *kmsapi.ImportKeyMaterialRequest, now time.Time) (string, *time.Time, error) {
	model := deref(in.ExpirationModel)
	if model == "" {
		model = kmsapi.ExpirationModelTypeKeyMaterialExpires
	}
	if model == kmsapi.ExpirationModelTypeKeyMaterialDoesNotExpire {
		if in.ValidTo != nil {
			return "", nil, msgValidToNotExpiring.New()
		}
		return model, nil, nil
	}
	if in.ValidTo == nil {
		return "", nil, msgValidToNeeded.New()
	}
	if !in.ValidTo.After(now) || in.ValidTo.After(now.Add(maxMaterialValidity)) {
		return "", nil, msgValidToRange.New()
	}
	return model, new(*in.ValidTo), nil
}

func (s *Service) ImportKeyMaterial(ctx context.Context, in *kmsapi.ImportKeyMaterialRequest) (*kmsapi.ImportKeyMaterialResponse, error) {
	c := s.Call(ctx)
	model, validTo, err := expiry(in, c.Now())
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*kmsapi.ImportKeyMaterialResponse, error) {
		k, err := s.resolveKey(tx, c.Account, c.Region, *in.KeyId)
		if err != nil {
			return nil, err
		}
		if err := s.allow(tx, c, k, "ImportKeyMaterial", nil); err != nil {
			return nil, err
		}
		if err := requireExternal(k, "ImportKeyMaterial"); err != nil {
			return nil, err
		}
		if err := requireImportable(k); err != nil {
			return nil, err
		}
		raw, err := s.unwrapImport(tx, c, k, in.ImportToken, in.EncryptedKeyMaterial)
		if err != nil {
			return nil, err
		}
		id := materialIDOf(k.ID, raw)
		if (k.MaterialID != "" && k.MaterialID != id) || (in.KeyMaterialId != nil && *in.KeyMaterialId != id) {
			return nil, msgIncorrectMaterial.New(k.ARN())
		}
		k = k.clone()
		if err := s.installMaterial(tx, k, raw, id, model, validTo, c.Now()); err != nil {
			return nil, err
		}
		return &kmsapi.ImportKeyMaterialResponse{KeyId: new(k.ARN()), KeyMaterialId: new(id)}, putKey(tx, k)
	})
}

// unwrapImport opens an import token and the material wrapped under its public key.
func (s *Service) unwrapImport(tx kit.Tx, c kit.Call, k *keyRecord, token, wrapped []byte) ([]byte, error) {
	plain, err := s.Sealer.Open(token, importTokenAAD(k.Account, k.Region))
	var t importToken
	if err != nil || json.Unmarshal(plain, &t) != nil || t.KeyID != k.ID {
		return nil, msgInvalidImportToken.New(k.ARN())
	}
	sealed := wrappingKeys.Get(k.in(tx), k.ID, t.Params)
	if !c.Now().Before(t.ValidTo) || sealed == nil {
		return nil, msgExpiredImportToken.New()
	}
	der, err := s.Sealer.Open(sealed, wrappingKeyAAD(k.Account, k.Region, k.ID, t.Params))
	if err != nil {
		return nil, err
	}
	pk, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	raw, err := unwrapMaterial(pk.(*rsa.PrivateKey), t.Algorithm, wrapped)
	if err != nil {
		return nil, msgImportCiphertext.New()
	}
	if !materialFits(k.Spec, raw) {
		return nil, msgIncorrectMaterial.New(k.ARN())
	}
	return raw, nil
}

// unwrapMaterial undoes a wrapping algorithm: RSAES wraps the material itself;
// RSA_AES_KEY_WRAP wraps a fresh AES key with RSA-OAEP, followed by the material wrapped
// with that key (AES Key Wrap with Padding).
func unwrapMaterial(pk *rsa.PrivateKey, algorithm string, wrapped []byte) ([]byte, error) {
	oaep := func(h crypto.Hash, ct []byte) ([]byte, error) {
		return rsa.DecryptOAEP(h.New(), nil, pk, ct, nil)
	}
	switch algorithm {
	case kmsapi.AlgorithmSpecRsaesPkcs1V15:
		return rsa.DecryptPKCS1v15(nil, pk, wrapped)
	case kmsapi.AlgorithmSpecRsaesOaepSha1:
		return oaep(crypto.SHA1, wrapped)
	case kmsapi.AlgorithmSpecRsaesOaepSha256:
		return oaep(crypto.SHA256, wrapped)
	}
	h := crypto.SHA256
	if algorithm == kmsapi.AlgorithmSpecRsaAesKeyWrapSha1 {
		h = crypto.SHA1
	}
	n := pk.Size()
	if len(wrapped) <= n {
		return nil, errKeyWrap
	}
	kek, err := oaep(h, wrapped[:n])
	if err != nil {
		return nil, err
	}
	return unwrapKWP(kek, wrapped[n:])
}

// materialFits reports whether imported material suits the key spec: 256 bits for
// symmetric keys, AWS's lengths for HMAC keys, a PKCS#8 private key of the spec's size or
// curve for asymmetric keys.
func materialFits(spec string, raw []byte) bool {
	switch {
	case spec == kmsapi.KeySpecSymmetricDefault:
		return len(raw) == 32
	case hmacKeyBytes(spec) > 0:
		// From the digest size to the hash's block size: 64 bytes for SHA-224 and SHA-256,
		// 128 for SHA-384 and SHA-512.
		block := 64
		if hmacKeyBytes(spec) > 32 {
			block = 128
		}
		return len(raw) >= hmacKeyBytes(spec) && len(raw) <= block
	}
	k, err := x509.ParsePKCS8PrivateKey(raw)
	if err != nil {
		return false
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k.N.BitLen() == rsaBits(spec)
	case *ecdsa.PrivateKey:
		return nistCurve(spec) != nil && k.Curve == nistCurve(spec)
	}
	return false
}

// materialIDOf is the id of imported material: a digest bound to the key, so the same
// material imported again is recognised without keeping it in plain text.
func materialIDOf(keyID string, raw []byte) string {
	h := sha256.New()
	h.Write([]byte("xregion/kms/key-material\x00" + keyID + "\x00"))
	h.Write(raw)
	return hex.EncodeToString(h.Sum(nil))
}

// installMaterial makes imported material the key's version 1 and sets its expiry.
func (s *Service) installMaterial(tx kit.Tx, k *keyRecord, raw []byte, id, model string, validTo *time.Time, now time.Time) error {
	if len(k.Versions) == 0 {
		k.Versions = []keyVersion{{N: 1, Created: now}}
	}
	if err := s.putMaterial(tx, k, 1, raw); err != nil {
		return err
	}
	if err := tx.CancelJobs(k.ExpiryJob); err != nil {
		return err
	}
	k.MaterialID, k.ExpirationModel, k.ValidTo, k.ExpiryJob = id, model, validTo, ""
	if validTo != nil {
		job, err := jobMaterialExpires.Enqueue(tx, *validTo, refOf(k))
		if err != nil {
			return err
		}
		k.ExpiryJob = job
	}
	if k.State == kmsapi.KeyStatePendingImport {
		k.State = kmsapi.KeyStateEnabled
	}
	return nil
}

// dropMaterial removes a key's imported material: DeleteImportedKeyMaterial, or its
// expiry. The key waits for the same material in PendingImport, unless it is being
// deleted anyway.
func (s *Service) dropMaterial(tx kit.Tx, k *keyRecord) error {
	if err := materials.DeleteAll(k.in(tx), k.ID); err != nil {
		return err
	}
	if err := tx.CancelJobs(k.ExpiryJob); err != nil {
		return err
	}
	k.ExpirationModel, k.ValidTo, k.ExpiryJob = "", nil, ""
	if k.State != kmsapi.KeyStatePendingDeletion && k.State != kmsapi.KeyStatePendingReplicaDeletion {
		k.State = kmsapi.KeyStatePendingImport
	}
	account, region, id := k.Account, k.Region, k.ID
	tx.OnCommit(func() { s.mats.forget(account, region, id) })
	return nil
}

func (s *Service) DeleteImportedKeyMaterial(ctx context.Context, in *kmsapi.DeleteImportedKeyMaterialRequest) (*kmsapi.DeleteImportedKeyMaterialResponse, error) {
	check := func(k *keyRecord) error {
		if err := requireExternal(k, "DeleteImportedKeyMaterial"); err != nil {
			return err
		}
		if in.KeyMaterialId != nil && *in.KeyMaterialId != k.MaterialID {
			return msgNoSuchMaterial.New(*in.KeyMaterialId, k.ARN())
		}
		switch k.State {
		case kmsapi.KeyStateEnabled, kmsapi.KeyStateDisabled, kmsapi.KeyStatePendingDeletion:
			return nil
		}
		return stateError(k)
	}
	k, err := s.change(ctx, *in.KeyId, "DeleteImportedKeyMaterial", check, s.dropMaterial)
	if err != nil {
		return nil, err
	}
	return &kmsapi.DeleteImportedKeyMaterialResponse{KeyId: new(k.ARN()), KeyMaterialId: new(k.MaterialID)}, nil
}

// runMaterialExpires deletes imported material at its ValidTo.
func (s *Service) runMaterialExpires(_ context.Context, tx kit.Tx, job *jobs.Job, p keyRef) error {
	k, err := keys.Get(tx.In(p.Account, p.Region), p.KeyID)
	if err != nil || k == nil || k.ExpiryJob != job.ID {
		return err
	}
	k.ExpiryJob = "" // this job is finishing; nothing to cancel
	if err := s.dropMaterial(tx, k); err != nil {
		return err
	}
	return putKey(tx, k)
}

// runForgetWrappingKey deletes a wrapping private key when its import token expires.
func (s *Service) runForgetWrappingKey(_ context.Context, tx kit.Tx, _ *jobs.Job, p importRef) error {
	return wrappingKeys.Delete(tx.In(p.Account, p.Region), p.KeyID, p.Params)
}
