package kms

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
	"slices"

	"github.com/xregion/xregion/internal/gen/kmsapi"
)

func encryptionAlgorithms(spec string) []string {
	if spec == kmsapi.KeySpecSymmetricDefault {
		return []string{kmsapi.EncryptionAlgorithmSpecSymmetricDefault}
	}
	return []string{kmsapi.EncryptionAlgorithmSpecRsaesOaepSha1, kmsapi.EncryptionAlgorithmSpecRsaesOaepSha256}
}

func signingAlgorithms(spec string) []string {
	switch spec {
	case kmsapi.KeySpecEccNistP256, kmsapi.KeySpecEccSecgP256k1:
		return []string{kmsapi.SigningAlgorithmSpecEcdsaSha256}
	case kmsapi.KeySpecEccNistP384:
		return []string{kmsapi.SigningAlgorithmSpecEcdsaSha384}
	case kmsapi.KeySpecEccNistP521:
		return []string{kmsapi.SigningAlgorithmSpecEcdsaSha512}
	}
	return []string{
		kmsapi.SigningAlgorithmSpecRsassaPkcs1V15Sha256, kmsapi.SigningAlgorithmSpecRsassaPkcs1V15Sha384,
		kmsapi.SigningAlgorithmSpecRsassaPkcs1V15Sha512, kmsapi.SigningAlgorithmSpecRsassaPssSha256,
		kmsapi.SigningAlgorithmSpecRsassaPssSha384, kmsapi.SigningAlgorithmSpecRsassaPssSha512,
	}
}

func macAlgorithm(spec string) string {
	switch spec {
	case kmsapi.KeySpecHmac224:
		return kmsapi.MacAlgorithmSpecHmacSha224
	case kmsapi.KeySpecHmac256:
		return kmsapi.MacAlgorithmSpecHmacSha256
	case kmsapi.KeySpecHmac384:
		return kmsapi.MacAlgorithmSpecHmacSha384
	}
	return kmsapi.MacAlgorithmSpecHmacSha512
}

// signingHash is the digest a signing algorithm signs.
func signingHash(algorithm string) crypto.Hash {
	switch algorithm {
	case kmsapi.SigningAlgorithmSpecRsassaPkcs1V15Sha384, kmsapi.SigningAlgorithmSpecRsassaPssSha384, kmsapi.SigningAlgorithmSpecEcdsaSha384:
		return crypto.SHA384
	case kmsapi.SigningAlgorithmSpecRsassaPkcs1V15Sha512, kmsapi.SigningAlgorithmSpecRsassaPssSha512, kmsapi.SigningAlgorithmSpecEcdsaSha512:
		return crypto.SHA512
	}
	return crypto.SHA256
}

func isPSS(algorithm string) bool {
	return algorithm == kmsapi.SigningAlgorithmSpecRsassaPssSha256 || algorithm == kmsapi.SigningAlgorithmSpecRsassaPssSha384 ||
		algorithm == kmsapi.SigningAlgorithmSpecRsassaPssSha512
}

func macHash(algorithm string) func() hash.Hash {
	switch algorithm {
	case kmsapi.MacAlgorithmSpecHmacSha224:
		return sha256.New224
	case kmsapi.MacAlgorithmSpecHmacSha256:
		return sha256.New
	case kmsapi.MacAlgorithmSpecHmacSha384:
		return crypto.SHA384.New
	}
	return crypto.SHA512.New
}

func oaepHash(algorithm string) hash.Hash {
	if algorithm == kmsapi.EncryptionAlgorithmSpecRsaesOaepSha1 {
		return sha1.New()
	}
	return sha256.New()
}

// checkEncryptionAlgorithm applies the key's algorithms; an absent algorithm means
// SYMMETRIC_DEFAULT, as in AWS.
func checkEncryptionAlgorithm(k *keyRecord, algorithm *string) (string, error) {
	a := deref(algorithm)
	if a == "" {
		a = kmsapi.EncryptionAlgorithmSpecSymmetricDefault
	}
	if !slices.Contains(encryptionAlgorithms(k.Spec), a) {
		return "", incompatibleAlgorithm(a, k.Spec)
	}
	return a, nil
}

// rsaEncrypt encrypts with RSAES-OAEP (MGF1 with the same hash), as KMS does.
func rsaEncrypt(m *material, algorithm string, plaintext []byte) ([]byte, error) {
	pub := m.signer.Public().(*rsa.PublicKey)
	h := oaepHash(algorithm)
	if max := pub.Size() - 2*h.Size() - 2; len(plaintext) > max {
		return nil, msgRSATooLarge.New(algorithm, pub.Size()*8, max)
	}
	return rsa.EncryptOAEP(h, rand.Reader, pub, plaintext, nil)
}

func rsaDecrypt(m *material, algorithm string, ciphertext []byte) ([]byte, error) {
	priv, ok := m.signer.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("kms: %T is not an RSA key", m.signer)
	}
	pt, err := rsa.DecryptOAEP(oaepHash(algorithm), nil, priv, ciphertext, nil)
	if err != nil {
		return nil, invalidCiphertext()
	}
	return pt, nil
}
