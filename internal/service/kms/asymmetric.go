package kms

import (
	"context"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"slices"

	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// withKey resolves the key of a request and checks its usage and state: the common start
// of the signing, MAC and key agreement operations.
func (s *Service) withKey(ctx context.Context, ident, usage, op string, check func(*keyRecord) error, fn func(tx kit.Tx, k *keyRecord, m *material) error) error {
	c := s.Call(ctx)
	return s.read(ident, func(tx kit.Tx) error {
		k, err := s.resolveKey(tx, c.Account, c.Region, ident)
		if err != nil {
			return err
		}
		if err := s.allow(tx, c, k, op, nil); err != nil {
			return err
		}
		if usage != "" && k.Usage != usage {
			return invalidUsage(k.ARN(), k.Usage, op)
		}
		if err := check(k); err != nil {
			return err
		}
		m, err := s.materialOf(tx, k, k.current().N)
		if err != nil {
			return err
		}
		return fn(tx, k, m)
	})
}

// digestOf hashes a RAW message, or checks a DIGEST message's length.
func digestOf(message []byte, messageType *string, algorithm string) ([]byte, error) {
	h := signingHash(algorithm)
	if deref(messageType) == kmsapi.MessageTypeExternalMu {
		// EXTERNAL_MU is for ML-DSA keys, which xregion does not make (see supportedSpec),
		// so no key here can take it; treating it as RAW would sign the wrong thing.
		return nil, msgExternalMu.New()
	}
	if deref(messageType) == kmsapi.MessageTypeDigest {
		if len(message) != h.Size() {
			return nil, msgDigestLength.New(algorithm)
		}
		return message, nil
	}
	d := h.New()
	d.Write(message)
	return d.Sum(nil), nil
}

func checkSigningAlgorithm(k *keyRecord, algorithm string) error {
	if !slices.Contains(signingAlgorithms(k.Spec), algorithm) {
		return incompatibleAlgorithm(algorithm, k.Spec)
	}
	return nil
}

// signatureInput checks a Sign or Verify request against the key, in the order AWS
// reports problems, and returns the digest to sign or verify.
func signatureInput(k *keyRecord, alg string, message []byte, messageType *string, dry *bool) ([]byte, error) {
	if err := checkSigningAlgorithm(k, alg); err != nil {
		return nil, err
	}
	digest, err := digestOf(message, messageType, alg)
	if err != nil {
		return nil, err
	}
	return digest, dryRun(dry)
}

func (s *Service) Sign(ctx context.Context, in *kmsapi.SignRequest) (*kmsapi.SignResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	var out *kmsapi.SignResponse
	alg := *in.SigningAlgorithm
	err := s.withKey(ctx, *in.KeyId, kmsapi.KeyUsageTypeSignVerify, "Sign", requireEnabled, func(_ kit.Tx, k *keyRecord, m *material) error {
		digest, err := signatureInput(k, alg, in.Message, in.MessageType, in.DryRun)
		if err != nil {
			return err
		}
		var sig []byte
		switch {
		case m.k256 != nil:
			sig, err = m.k256.sign(digest)
		case isPSS(alg):
			sig, err = rsa.SignPSS(rand.Reader, m.signer.(*rsa.PrivateKey), signingHash(alg), digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		default:
			// RSASSA-PKCS1-v1_5 and ECDSA (ASN.1 DER signatures) through crypto.Signer.
			sig, err = m.signer.Sign(rand.Reader, digest, signingHash(alg))
		}
		if err != nil {
			return err
		}
		out = &kmsapi.SignResponse{KeyId: new(k.ARN()), Signature: sig, SigningAlgorithm: new(alg)}
		return nil
	})
	return out, err
}

func (s *Service) Verify(ctx context.Context, in *kmsapi.VerifyRequest) (*kmsapi.VerifyResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	var out *kmsapi.VerifyResponse
	alg := *in.SigningAlgorithm
	err := s.withKey(ctx, *in.KeyId, kmsapi.KeyUsageTypeSignVerify, "Verify", requireEnabled, func(_ kit.Tx, k *keyRecord, m *material) error {
		digest, err := signatureInput(k, alg, in.Message, in.MessageType, in.DryRun)
		if err != nil {
			return err
		}
		var ok bool
		switch pub := m.signer.(type) {
		case nil:
			ok = k256Verify(m.k256.pub, digest, in.Signature)
		case *ecdsa.PrivateKey:
			ok = ecdsa.VerifyASN1(&pub.PublicKey, digest, in.Signature)
		case *rsa.PrivateKey:
			if isPSS(alg) {
				ok = rsa.VerifyPSS(&pub.PublicKey, signingHash(alg), digest, in.Signature, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
			} else {
				ok = rsa.VerifyPKCS1v15(&pub.PublicKey, signingHash(alg), digest, in.Signature) == nil
			}
		}
		if !ok {
			return msgInvalidSignature.New()
		}
		out = &kmsapi.VerifyResponse{KeyId: new(k.ARN()), SignatureValid: new(true), SigningAlgorithm: new(alg)}
		return nil
	})
	return out, err
}

// asymmetric refuses symmetric and HMAC keys in operations on key pairs.
func asymmetric(op string) func(*keyRecord) error {
	return func(k *keyRecord) error {
		if k.Spec == kmsapi.KeySpecSymmetricDefault || hmacKeyBytes(k.Spec) > 0 {
			return msgSpecNotValidFor.New(k.ARN(), k.Spec, op)
		}
		if k.State == kmsapi.KeyStatePendingImport {
			return stateError(k) // no material, so no public key yet
		}
		return requireLive(k)
	}
}

func (s *Service) GetPublicKey(ctx context.Context, in *kmsapi.GetPublicKeyRequest) (*kmsapi.GetPublicKeyResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	var out *kmsapi.GetPublicKeyResponse
	// AWS answers GetPublicKey for disabled keys too, so the check is requireLive.
	err := s.withKey(ctx, *in.KeyId, "", "GetPublicKey", asymmetric("GetPublicKey"), func(_ kit.Tx, k *keyRecord, m *material) error {
		out = &kmsapi.GetPublicKeyResponse{
			KeyId: new(k.ARN()), PublicKey: m.public, CustomerMasterKeySpec: new(k.Spec), KeySpec: new(k.Spec), KeyUsage: new(k.Usage),
		}
		switch k.Usage {
		case kmsapi.KeyUsageTypeEncryptDecrypt:
			out.EncryptionAlgorithms = encryptionAlgorithms(k.Spec)
		case kmsapi.KeyUsageTypeSignVerify:
			out.SigningAlgorithms = signingAlgorithms(k.Spec)
		case kmsapi.KeyUsageTypeKeyAgreement:
			out.KeyAgreementAlgorithms = []string{kmsapi.KeyAgreementAlgorithmSpecEcdh}
		}
		return nil
	})
	return out, err
}

func (s *Service) DeriveSharedSecret(ctx context.Context, in *kmsapi.DeriveSharedSecretRequest) (*kmsapi.DeriveSharedSecretResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	if err := recipientUnsupported(in.Recipient); err != nil {
		return nil, err
	}
	var out *kmsapi.DeriveSharedSecretResponse
	err := s.withKey(ctx, *in.KeyId, kmsapi.KeyUsageTypeKeyAgreement, "DeriveSharedSecret", requireEnabled, func(_ kit.Tx, k *keyRecord, m *material) error {
		priv, err := m.signer.(*ecdsa.PrivateKey).ECDH()
		if err != nil {
			return err
		}
		parsed, err := x509.ParsePKIXPublicKey(in.PublicKey)
		if err != nil {
			return msgBadPublicKey.New()
		}
		ecPub, ok := parsed.(*ecdsa.PublicKey)
		if !ok {
			return msgNotECPublicKey.New()
		}
		pub, err := ecPub.ECDH()
		if err != nil || pub.Curve() != priv.Curve() {
			return msgCurveMismatch.New(k.Spec, k.ARN())
		}
		if err := dryRun(in.DryRun); err != nil {
			return err
		}
		secret, err := priv.ECDH(pub)
		if err != nil {
			return msgECDHInvalid.New(k.ARN())
		}
		out = &kmsapi.DeriveSharedSecretResponse{
			KeyId: new(k.ARN()), SharedSecret: secret, KeyAgreementAlgorithm: new(kmsapi.KeyAgreementAlgorithmSpecEcdh), KeyOrigin: new(k.Origin),
		}
		return nil
	})
	return out, err
}

func checkMacAlgorithm(k *keyRecord, algorithm string) error {
	if macAlgorithm(k.Spec) != algorithm {
		return incompatibleAlgorithm(algorithm, k.Spec)
	}
	return nil
}

func computeMac(m *material, algorithm string, message []byte) []byte {
	h := hmac.New(macHash(algorithm), m.raw)
	h.Write(message)
	return h.Sum(nil)
}

func (s *Service) GenerateMac(ctx context.Context, in *kmsapi.GenerateMacRequest) (*kmsapi.GenerateMacResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	var out *kmsapi.GenerateMacResponse
	alg := *in.MacAlgorithm
	err := s.withKey(ctx, *in.KeyId, kmsapi.KeyUsageTypeGenerateVerifyMac, "GenerateMac", requireEnabled, func(_ kit.Tx, k *keyRecord, m *material) error {
		if err := checkMacAlgorithm(k, alg); err != nil {
			return err
		}
		if err := dryRun(in.DryRun); err != nil {
			return err
		}
		out = &kmsapi.GenerateMacResponse{Mac: computeMac(m, alg, in.Message), MacAlgorithm: new(alg), KeyId: new(k.ARN())}
		return nil
	})
	return out, err
}

func (s *Service) VerifyMac(ctx context.Context, in *kmsapi.VerifyMacRequest) (*kmsapi.VerifyMacResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	var out *kmsapi.VerifyMacResponse
	alg := *in.MacAlgorithm
	err := s.withKey(ctx, *in.KeyId, kmsapi.KeyUsageTypeGenerateVerifyMac, "VerifyMac", requireEnabled, func(_ kit.Tx, k *keyRecord, m *material) error {
		if err := checkMacAlgorithm(k, alg); err != nil {
			return err
		}
		if err := dryRun(in.DryRun); err != nil {
			return err
		}
		if !hmac.Equal(computeMac(m, alg, in.Message), in.Mac) {
			return msgInvalidMac.New()
		}
		out = &kmsapi.VerifyMacResponse{KeyId: new(k.ARN()), MacValid: new(true), MacAlgorithm: new(alg)}
		return nil
	})
	return out, err
}

// dataKeyPair makes a key pair of a KeyPairSpec: the private key as PKCS #8 DER and the
// public key as X.509 SubjectPublicKeyInfo DER.
func dataKeyPair(spec string) (priv, pub []byte, err error) {
	if spec == kmsapi.DataKeyPairSpecSm2 {
		return nil, nil, msgSM2KeyPair.New()
	}
	if !supportedSpec(spec) {
		return nil, nil, msgKeyPairSpec.New(spec)
	}
	raw, err := generateMaterial(spec)
	if err != nil {
		return nil, nil, err
	}
	m, err := parseMaterial(spec, raw)
	if err != nil {
		return nil, nil, err
	}
	if m.k256 != nil {
		return m.k256.marshalPKCS8(), m.public, nil
	}
	return raw, m.public, nil
}

func (s *Service) keyPair(ctx context.Context, ident, spec string, encCtx map[string]string, op string, dry *bool) (*keyRecord, []byte, []byte, []byte, error) {
	c := s.Call(ctx)
	// The pair is made outside any transaction, because RSA key generation is slow; the
	// key is checked first so that a refused request costs no key generation.
	err := s.read(ident, func(tx kit.Tx) error {
		k, err := s.resolveKey(tx, c.Account, c.Region, ident)
		if err != nil {
			return err
		}
		if err := s.allow(tx, c, k, op, encCtx); err != nil {
			return err
		}
		if k.Usage != kmsapi.KeyUsageTypeEncryptDecrypt || k.Spec != kmsapi.KeySpecSymmetricDefault {
			return invalidUsage(k.ARN(), k.Usage, op)
		}
		return requireEnabled(k)
	})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	priv, pub, err := dataKeyPair(spec)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var key *keyRecord
	var blob []byte
	err = s.read(ident, func(tx kit.Tx) error {
		k, err := s.resolveKey(tx, c.Account, c.Region, ident)
		if err != nil {
			return err
		}
		if err := s.allow(tx, c, k, op, encCtx); err != nil {
			return err
		}
		if blob, err = s.encryptSymmetric(tx, k, priv, encCtx, op); err != nil {
			return err
		}
		if err := dryRun(dry); err != nil {
			return err
		}
		key = k
		return nil
	})
	return key, priv, pub, blob, err
}

func (s *Service) GenerateDataKeyPair(ctx context.Context, in *kmsapi.GenerateDataKeyPairRequest) (*kmsapi.GenerateDataKeyPairResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	if err := recipientUnsupported(in.Recipient); err != nil {
		return nil, err
	}
	k, priv, pub, blob, err := s.keyPair(ctx, *in.KeyId, *in.KeyPairSpec, in.EncryptionContext, "GenerateDataKeyPair", in.DryRun)
	if err != nil {
		return nil, err
	}
	return &kmsapi.GenerateDataKeyPairResponse{
		PrivateKeyCiphertextBlob: blob, PrivateKeyPlaintext: priv, PublicKey: pub, KeyId: new(k.ARN()), KeyPairSpec: in.KeyPairSpec,
	}, nil
}

func (s *Service) GenerateDataKeyPairWithoutPlaintext(ctx context.Context, in *kmsapi.GenerateDataKeyPairWithoutPlaintextRequest) (*kmsapi.GenerateDataKeyPairWithoutPlaintextResponse, error) {
	if err := s.grantTokensValid(ctx, in.GrantTokens); err != nil {
		return nil, err
	}
	k, _, pub, blob, err := s.keyPair(ctx, *in.KeyId, *in.KeyPairSpec, in.EncryptionContext, "GenerateDataKeyPairWithoutPlaintext", in.DryRun)
	if err != nil {
		return nil, err
	}
	return &kmsapi.GenerateDataKeyPairWithoutPlaintextResponse{
		PrivateKeyCiphertextBlob: blob, PublicKey: pub, KeyId: new(k.ARN()), KeyPairSpec: in.KeyPairSpec,
	}, nil
}
