package kms

import (
	"context"
	"slices"

	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

func dryRun(flag *bool) error {
	if flag != nil && *flag {
		return msgDryRun.New()
	}
	return nil
}

// recipientUnsupported refuses requests for a Nitro Enclaves recipient: xregion cannot
// check an attestation document.
func recipientUnsupported(r *kmsapi.RecipientInfo) error {
	if r == nil {
		return nil
	}
	return msgRecipient.New()
}

// ciphertextGiven checks the CiphertextBlob of Decrypt and ReEncrypt. The current model
// lets it be absent because a dry run with the IGNORE_CIPHERTEXT modifier needs none;
// xregion does not run those permission-only dry runs, and says so. Without the modifier
// an absent ciphertext gets the ValidationException AWS gives for a missing member.
func ciphertextGiven(blob []byte, dry *bool, modifiers []string) error {
	switch {
	case blob != nil:
		return nil
	case dry != nil && *dry && slices.Contains(modifiers, kmsapi.DryRunModifierTypeIgnoreCiphertext):
		return msgIgnoreCiphertext.New()
	}
	return msgNeedCiphertext.New()
}

// encryptWith encrypts under any key that can encrypt: symmetric keys produce xregion's
// ciphertext blob, RSA keys plain RSAES-OAEP.
func (s *Service) encryptWith(tx kit.Tx, k *keyRecord, plaintext []byte, encCtx map[string]string, algorithm *string, op string) ([]byte, string, error) {
	if k.Usage != kmsapi.KeyUsageTypeEncryptDecrypt {
		return nil, "", invalidUsage(k.ARN(), k.Usage, op)
	}
	alg, err := checkEncryptionAlgorithm(k, algorithm)
	if err != nil {
		return nil, "", err
	}
	if err := requireEnabled(k); err != nil {
		return nil, "", err
	}
	if k.Spec == kmsapi.KeySpecSymmetricDefault {
		blob, err := s.encryptSymmetric(tx, k, plaintext, encCtx, op)
		return blob, alg, err
	}
	if len(encCtx) > 0 {
		return nil, "", msgContextAsymmetric.New()
	}
	m, err := s.materialOf(tx, k, k.current().N)
	if err != nil {
		return nil, "", err
	}
	ct, err := rsaEncrypt(m, alg, plaintext)
	return ct, alg, err
}

// decryptWith decrypts a ciphertext. With a key named by the caller (keyIdent), the
// ciphertext must be under that key; without one it must be a symmetric blob, which
// names its key.
func (s *Service) decryptWith(ctx context.Context, tx kit.Tx, blob []byte, encCtx map[string]string, keyIdent, algorithm *string, action string) ([]byte, *keyRecord, string, error) {
	c := s.Call(ctx)
	var named *keyRecord
	if keyIdent != nil {
		k, err := s.resolveKey(tx, c.Account, c.Region, *keyIdent)
		if err != nil {
			return nil, nil, "", err
		}
		named = k
	}
	if named != nil && named.Spec != kmsapi.KeySpecSymmetricDefault {
		if err := s.allow(tx, c, named, action, encCtx); err != nil {
			return nil, nil, "", err
		}
		if named.Usage != kmsapi.KeyUsageTypeEncryptDecrypt {
			return nil, nil, "", invalidUsage(named.ARN(), named.Usage, "Decrypt")
		}
		alg, err := checkEncryptionAlgorithm(named, algorithm)
		if err != nil {
			return nil, nil, "", err
		}
		if err := requireEnabled(named); err != nil {
			return nil, nil, "", err
		}
		m, err := s.materialOf(tx, named, named.current().N)
		if err != nil {
			return nil, nil, "", err
		}
		pt, err := rsaDecrypt(m, alg, blob)
		return pt, named, alg, err
	}
	h, ok := parseBlob(blob)
	if !ok {
		return nil, nil, "", invalidCiphertext()
	}
	if named != nil && named.ID != h.keyID {
		return nil, nil, "", incorrectKey()
	}
	k, err := s.blobKey(c.In(tx), h)
	if err != nil {
		return nil, nil, "", err
	}
	if err := s.allow(tx, c, k, action, encCtx); err != nil {
		return nil, nil, "", err
	}
	alg, err := checkEncryptionAlgorithm(k, algorithm)
	if err != nil {
		return nil, nil, "", err
	}
	pt, err := s.decryptSymmetric(tx, k, h, encCtx)
	return pt, k, alg, err
}

func (s *Service) Encrypt(ctx context.Context, in *kmsapi.EncryptRequest) (*kmsapi.EncryptResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	c := s.Call(ctx)
	var out *kmsapi.EncryptResponse
	err := s.read(*in.KeyId, func(tx kit.Tx) error {
		k, err := s.resolveKey(tx, c.Account, c.Region, *in.KeyId)
		if err != nil {
			return err
		}
		if err := s.allow(tx, c, k, "Encrypt", in.EncryptionContext); err != nil {
			return err
		}
		blob, alg, err := s.encryptWith(tx, k, in.Plaintext, in.EncryptionContext, in.EncryptionAlgorithm, "Encrypt")
		if err != nil {
			return err
		}
		if err := dryRun(in.DryRun); err != nil {
			return err
		}
		out = &kmsapi.EncryptResponse{CiphertextBlob: blob, KeyId: new(k.ARN()), EncryptionAlgorithm: new(alg)}
		return nil
	})
	return out, err
}

func (s *Service) Decrypt(ctx context.Context, in *kmsapi.DecryptRequest) (*kmsapi.DecryptResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	if err := recipientUnsupported(in.Recipient); err != nil {
		return nil, err
	}
	if err := ciphertextGiven(in.CiphertextBlob, in.DryRun, in.DryRunModifiers); err != nil {
		return nil, err
	}
	var out *kmsapi.DecryptResponse
	err := s.read(deref(in.KeyId), func(tx kit.Tx) error {
		pt, k, alg, err := s.decryptWith(ctx, tx, in.CiphertextBlob, in.EncryptionContext, in.KeyId, in.EncryptionAlgorithm, "Decrypt")
		if err != nil {
			return err
		}
		if err := dryRun(in.DryRun); err != nil {
			return err
		}
		out = &kmsapi.DecryptResponse{KeyId: new(k.ARN()), Plaintext: pt, EncryptionAlgorithm: new(alg)}
		return nil
	})
	return out, err
}

func (s *Service) ReEncrypt(ctx context.Context, in *kmsapi.ReEncryptRequest) (*kmsapi.ReEncryptResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	c := s.Call(ctx)
	if err := ciphertextGiven(in.CiphertextBlob, in.DryRun, in.DryRunModifiers); err != nil {
		return nil, err
	}
	var out *kmsapi.ReEncryptResponse
	ident := *in.DestinationKeyId
	if namesManagedAlias(deref(in.SourceKeyId)) {
		ident = *in.SourceKeyId
	}
	err := s.read(ident, func(tx kit.Tx) error {
		pt, src, srcAlg, err := s.decryptWith(ctx, tx, in.CiphertextBlob, in.SourceEncryptionContext, in.SourceKeyId, in.SourceEncryptionAlgorithm, "ReEncryptFrom")
		if err != nil {
			return err
		}
		dst, err := s.resolveKey(tx, c.Account, c.Region, *in.DestinationKeyId)
		if err != nil {
			return err
		}
		if err := s.allow(tx, c, dst, "ReEncryptTo", in.DestinationEncryptionContext); err != nil {
			return err
		}
		blob, dstAlg, err := s.encryptWith(tx, dst, pt, in.DestinationEncryptionContext, in.DestinationEncryptionAlgorithm, "ReEncrypt")
		if err != nil {
			return err
		}
		if err := dryRun(in.DryRun); err != nil {
			return err
		}
		out = &kmsapi.ReEncryptResponse{
			CiphertextBlob: blob, SourceKeyId: new(src.ARN()), KeyId: new(dst.ARN()),
			SourceEncryptionAlgorithm: new(srcAlg), DestinationEncryptionAlgorithm: new(dstAlg),
		}
		return nil
	})
	return out, err
}

// dataKeyBytes applies GenerateDataKey's rule: exactly one of NumberOfBytes and KeySpec.
func dataKeyBytes(n *int64, spec *string) (int, error) {
	switch {
	case n != nil && spec != nil:
		return 0, msgBytesAndSpec.New()
	case n != nil:
		return int(*n), nil
	case spec != nil && *spec == kmsapi.DataKeySpecAes128:
		return 16, nil
	case spec != nil:
		return 32, nil
	}
	return 0, msgBytesOrSpec.New()
}

// dataKey makes a data key and encrypts it under a symmetric encryption key.
func (s *Service) dataKey(ctx context.Context, ident string, size int, encCtx map[string]string, op string, dry *bool) ([]byte, []byte, *keyRecord, error) {
	c := s.Call(ctx)
	var pt, blob []byte
	var key *keyRecord
	err := s.read(ident, func(tx kit.Tx) error {
		k, err := s.resolveKey(tx, c.Account, c.Region, ident)
		if err != nil {
			return err
		}
		if err := s.allow(tx, c, k, op, encCtx); err != nil {
			return err
		}
		pt = randomBytes(size)
		if blob, err = s.encryptSymmetric(tx, k, pt, encCtx, op); err != nil {
			return err
		}
		if err := dryRun(dry); err != nil {
			return err
		}
		key = k
		return nil
	})
	return pt, blob, key, err
}

func (s *Service) GenerateDataKey(ctx context.Context, in *kmsapi.GenerateDataKeyRequest) (*kmsapi.GenerateDataKeyResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	size, err := dataKeyBytes(in.NumberOfBytes, in.KeySpec)
	if err != nil {
		return nil, err
	}
	if err := recipientUnsupported(in.Recipient); err != nil {
		return nil, err
	}
	pt, blob, k, err := s.dataKey(ctx, *in.KeyId, size, in.EncryptionContext, "GenerateDataKey", in.DryRun)
	if err != nil {
		return nil, err
	}
	return &kmsapi.GenerateDataKeyResponse{CiphertextBlob: blob, Plaintext: pt, KeyId: new(k.ARN())}, nil
}

func (s *Service) GenerateDataKeyWithoutPlaintext(ctx context.Context, in *kmsapi.GenerateDataKeyWithoutPlaintextRequest) (*kmsapi.GenerateDataKeyWithoutPlaintextResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	size, err := dataKeyBytes(in.NumberOfBytes, in.KeySpec)
	if err != nil {
		return nil, err
	}
	_, blob, k, err := s.dataKey(ctx, *in.KeyId, size, in.EncryptionContext, "GenerateDataKeyWithoutPlaintext", in.DryRun)
	if err != nil {
		return nil, err
	}
	return &kmsapi.GenerateDataKeyWithoutPlaintextResponse{CiphertextBlob: blob, KeyId: new(k.ARN())}, nil
}

func (s *Service) GenerateRandom(ctx context.Context, in *kmsapi.GenerateRandomRequest) (*kmsapi.GenerateRandomResponse, error) {
	if in.CustomKeyStoreId != nil {
		return nil, msgNoKeyStore.New(*in.CustomKeyStoreId)
	}
	if err := recipientUnsupported(in.Recipient); err != nil {
		return nil, err
	}
	if in.NumberOfBytes == nil {
		return nil, msgNeedBytes.New()
	}
	c := s.Call(ctx)
	if err := s.View(func(tx kit.Tx) error { return s.allowAccount(tx, c, "GenerateRandom") }); err != nil {
		return nil, err
	}
	return &kmsapi.GenerateRandomResponse{Plaintext: randomBytes(int(*in.NumberOfBytes))}, nil
}
