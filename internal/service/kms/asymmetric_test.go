package kms_test

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/xtest"
)

func hashFor(alg types.SigningAlgorithmSpec) crypto.Hash {
	switch alg {
	case types.SigningAlgorithmSpecRsassaPkcs1V15Sha384, types.SigningAlgorithmSpecRsassaPssSha384, types.SigningAlgorithmSpecEcdsaSha384:
		return crypto.SHA384
	case types.SigningAlgorithmSpecRsassaPkcs1V15Sha512, types.SigningAlgorithmSpecRsassaPssSha512, types.SigningAlgorithmSpecEcdsaSha512:
		return crypto.SHA512
	}
	return crypto.SHA256
}

// verifyLocally checks a KMS signature with the standard library and the public key from
// GetPublicKey, so that KMS's signatures are standard ones, not merely self-consistent.
func verifyLocally(t *testing.T, pubDER []byte, alg types.SigningAlgorithmSpec, msg, sig []byte) {
	t.Helper()
	pub, err := x509.ParsePKIXPublicKey(pubDER)
	if err != nil {
		t.Fatalf("public key: %v", err)
	}
	h := hashFor(alg).New()
	h.Write(msg)
	digest := h.Sum(nil)
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(p, digest, sig) {
			t.Errorf("%s: signature does not verify locally", alg)
		}
	case *rsa.PublicKey:
		switch alg {
		case types.SigningAlgorithmSpecRsassaPssSha256, types.SigningAlgorithmSpecRsassaPssSha384, types.SigningAlgorithmSpecRsassaPssSha512:
			err = rsa.VerifyPSS(p, hashFor(alg), digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		default:
			err = rsa.VerifyPKCS1v15(p, hashFor(alg), digest, sig)
		}
		if err != nil {
			t.Errorf("%s: signature does not verify locally: %v", alg, err)
		}
	default:
		t.Fatalf("unexpected public key %T", pub)
	}
}

func TestSignVerify(t *testing.T) {
	e := start(t)
	specs := []types.KeySpec{types.KeySpecRsa2048, types.KeySpecRsa3072, types.KeySpecEccNistP256, types.KeySpecEccNistP384, types.KeySpecEccNistP521, types.KeySpecEccSecgP256k1}
	if !testing.Short() {
		specs = append(specs, types.KeySpecRsa4096)
	}
	msg := []byte("the message to sign")
	for _, spec := range specs {
		t.Run(string(spec), func(t *testing.T) {
			md := createKey(t, e.East, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: types.KeyUsageTypeSignVerify})
			if md.KeySpec != spec || md.KeyUsage != types.KeyUsageTypeSignVerify || len(md.SigningAlgorithms) == 0 || md.EncryptionAlgorithms != nil {
				t.Fatalf("metadata %+v", md)
			}
			pub := xtest.Must[*kms.GetPublicKeyOutput](t)(e.East.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId}))
			if pub.KeySpec != spec || pub.KeyUsage != types.KeyUsageTypeSignVerify || *pub.KeyId != *md.Arn || len(pub.SigningAlgorithms) != len(md.SigningAlgorithms) {
				t.Errorf("GetPublicKey %+v", pub)
			}
			for _, alg := range md.SigningAlgorithms {
				s := xtest.Must[*kms.SignOutput](t)(e.East.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: msg, SigningAlgorithm: alg}))
				if *s.KeyId != *md.Arn || s.SigningAlgorithm != alg {
					t.Errorf("Sign = %+v", s)
				}
				v := xtest.Must[*kms.VerifyOutput](t)(e.East.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: msg, Signature: s.Signature, SigningAlgorithm: alg}))
				if !v.SignatureValid {
					t.Errorf("%s: Verify says invalid", alg)
				}
				if spec == types.KeySpecEccSecgP256k1 {
					checkK256PublicKey(t, pub.PublicKey)
				} else {
					verifyLocally(t, pub.PublicKey, alg, msg, s.Signature)
				}
				// A signed digest verifies against the raw message.
				h := hashFor(alg).New()
				h.Write(msg)
				d := xtest.Must[*kms.SignOutput](t)(e.East.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: h.Sum(nil), MessageType: types.MessageTypeDigest, SigningAlgorithm: alg}))
				xtest.Must[*kms.VerifyOutput](t)(e.East.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: msg, Signature: d.Signature, SigningAlgorithm: alg}))
				_, err := e.East.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: []byte("another message"), Signature: s.Signature, SigningAlgorithm: alg})
				wantErr(t, err, "KMSInvalidSignatureException", "")
			}
			alg := md.SigningAlgorithms[0]
			_, err := e.East.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: []byte("short"), MessageType: types.MessageTypeDigest, SigningAlgorithm: alg})
			wantErr(t, err, "ValidationException", "Digest is invalid length for algorithm "+string(alg)+".")
			// EXTERNAL_MU is for ML-DSA keys only; it is not taken for RAW.
			_, err = e.East.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: make([]byte, 64), MessageType: types.MessageTypeExternalMu, SigningAlgorithm: alg})
			wantErr(t, err, "ValidationException", "MessageType EXTERNAL_MU is valid only with the ML_DSA_SHAKE_256 signing algorithm.")
			other := types.SigningAlgorithmSpecEcdsaSha384
			if spec == types.KeySpecEccNistP384 {
				other = types.SigningAlgorithmSpecRsassaPssSha256
			}
			_, err = e.East.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: msg, SigningAlgorithm: other})
			wantErr(t, err, "InvalidKeyUsageException", "Algorithm "+string(other)+" is incompatible with key spec "+string(spec)+".")
			_, err = e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
			wantErr(t, err, "InvalidKeyUsageException", *md.Arn+" key usage is SIGN_VERIFY which is not valid for Encrypt.")
			_, err = e.East.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: msg, SigningAlgorithm: alg, DryRun: aws.Bool(true)})
			wantErr(t, err, "DryRunOperationException", "")
		})
	}
	sym := createKey(t, e.East, nil)
	_, err := e.East.Sign(ctx, &kms.SignInput{KeyId: sym.KeyId, Message: msg, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	wantErr(t, err, "InvalidKeyUsageException", *sym.Arn+" key usage is ENCRYPT_DECRYPT which is not valid for Sign.")
	_, err = e.East.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: sym.KeyId})
	wantErr(t, err, "UnsupportedOperationException", *sym.Arn+" key spec is SYMMETRIC_DEFAULT which is not valid for GetPublicKey.")
}

// checkK256PublicKey checks the SubjectPublicKeyInfo of a secp256k1 key: the algorithm
// identifiers, and that the point is on the curve y² = x³ + 7.
func checkK256PublicKey(t *testing.T, der []byte) {
	t.Helper()
	var spki struct {
		Algorithm struct{ Algorithm, Parameters asn1.ObjectIdentifier }
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		t.Fatal(err)
	}
	if !spki.Algorithm.Algorithm.Equal(asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}) || !spki.Algorithm.Parameters.Equal(asn1.ObjectIdentifier{1, 3, 132, 0, 10}) {
		t.Fatalf("algorithm %v", spki.Algorithm)
	}
	b := spki.PublicKey.Bytes
	if len(b) != 65 || b[0] != 4 {
		t.Fatalf("point encoding %x", b)
	}
	p, _ := new(bigInt).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", 16)
	x, y := new(bigInt).SetBytes(b[1:33]), new(bigInt).SetBytes(b[33:])
	lhs := new(bigInt).Exp(y, bigTwo, p)
	rhs := new(bigInt).Exp(x, bigThree, p)
	rhs.Add(rhs, bigSeven).Mod(rhs, p)
	if lhs.Cmp(rhs) != 0 {
		t.Fatal("public key is not on secp256k1")
	}
}

func TestRSAEncryption(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeEncryptDecrypt})
	if len(md.EncryptionAlgorithms) != 2 {
		t.Fatalf("EncryptionAlgorithms %v", md.EncryptionAlgorithms)
	}
	for _, alg := range md.EncryptionAlgorithms {
		enc := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("rsa secret"), EncryptionAlgorithm: alg}))
		if len(enc.CiphertextBlob) != 256 || enc.EncryptionAlgorithm != alg {
			t.Errorf("%s: %d-byte ciphertext", alg, len(enc.CiphertextBlob))
		}
		dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: alg}))
		if string(dec.Plaintext) != "rsa secret" || dec.EncryptionAlgorithm != alg {
			t.Errorf("%s: Decrypt = %q", alg, dec.Plaintext)
		}
	}
	// Data encrypted offline with the public key decrypts in KMS.
	pubOut := xtest.Must[*kms.GetPublicKeyOutput](t)(e.East.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId}))
	pub, err := x509.ParsePKIXPublicKey(pubOut.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	for alg, h := range map[types.EncryptionAlgorithmSpec]crypto.Hash{types.EncryptionAlgorithmSpecRsaesOaepSha1: crypto.SHA1, types.EncryptionAlgorithmSpecRsaesOaepSha256: crypto.SHA256} {
		hf := sha256.New()
		if h == crypto.SHA1 {
			hf = sha1.New()
		}
		ct, err := rsa.EncryptOAEP(hf, rand.Reader, pub.(*rsa.PublicKey), []byte("offline"), nil)
		if err != nil {
			t.Fatal(err)
		}
		dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: ct, EncryptionAlgorithm: alg}))
		if string(dec.Plaintext) != "offline" {
			t.Errorf("%s: offline ciphertext decrypts to %q", alg, dec.Plaintext)
		}
	}
	_, err = e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, 191), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	wantErr(t, err, "ValidationException", "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.")
	_, err = e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.")
	enc := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1}))
	_, err = e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1})
	wantErr(t, err, "InvalidCiphertextException", "")
	_, err = e.East.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	wantErr(t, err, "InvalidCiphertextException", "")
	_, err = e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1, EncryptionContext: map[string]string{"a": "b"}})
	wantErr(t, err, "ValidationException", "")
}

func TestHMAC(t *testing.T) {
	e := start(t)
	specs := map[types.KeySpec]types.MacAlgorithmSpec{
		types.KeySpecHmac224: types.MacAlgorithmSpecHmacSha224, types.KeySpecHmac256: types.MacAlgorithmSpecHmacSha256,
		types.KeySpecHmac384: types.MacAlgorithmSpecHmacSha384, types.KeySpecHmac512: types.MacAlgorithmSpecHmacSha512,
	}
	sizes := map[types.MacAlgorithmSpec]int{types.MacAlgorithmSpecHmacSha224: 28, types.MacAlgorithmSpecHmacSha256: 32, types.MacAlgorithmSpecHmacSha384: 48, types.MacAlgorithmSpecHmacSha512: 64}
	for spec, alg := range specs {
		md := createKey(t, e.East, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
		if len(md.MacAlgorithms) != 1 || md.MacAlgorithms[0] != alg {
			t.Errorf("%s MacAlgorithms %v", spec, md.MacAlgorithms)
		}
		m1 := xtest.Must[*kms.GenerateMacOutput](t)(e.East.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, Message: []byte("msg"), MacAlgorithm: alg}))
		m2 := xtest.Must[*kms.GenerateMacOutput](t)(e.East.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, Message: []byte("msg"), MacAlgorithm: alg}))
		if len(m1.Mac) != sizes[alg] || !bytes.Equal(m1.Mac, m2.Mac) || *m1.KeyId != *md.Arn || m1.MacAlgorithm != alg {
			t.Errorf("%s: MAC of %d bytes, deterministic %v", spec, len(m1.Mac), bytes.Equal(m1.Mac, m2.Mac))
		}
		v := xtest.Must[*kms.VerifyMacOutput](t)(e.East.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, Message: []byte("msg"), Mac: m1.Mac, MacAlgorithm: alg}))
		if !v.MacValid || *v.KeyId != *md.Arn {
			t.Errorf("VerifyMac %+v", v)
		}
		bad := bytes.Clone(m1.Mac)
		bad[0] ^= 1
		_, err := e.East.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, Message: []byte("msg"), Mac: bad, MacAlgorithm: alg})
		wantErr(t, err, "KMSInvalidMacException", "")
	}
	md := createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac256, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
	_, err := e.East.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, Message: []byte("m"), MacAlgorithm: types.MacAlgorithmSpecHmacSha512})
	wantErr(t, err, "InvalidKeyUsageException", "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.")
	sym := createKey(t, e.East, nil)
	_, err = e.East.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: sym.KeyId, Message: []byte("m"), MacAlgorithm: types.MacAlgorithmSpecHmacSha256})
	wantErr(t, err, "InvalidKeyUsageException", *sym.Arn+" key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.")
	xtest.Must[*kms.DisableKeyOutput](t)(e.East.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}))
	_, err = e.East.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, Message: []byte("m"), MacAlgorithm: types.MacAlgorithmSpecHmacSha256})
	wantErr(t, err, "DisabledException", *md.Arn+" is disabled.")
	_, err = e.East.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId})
	wantErr(t, err, "UnsupportedOperationException", "")
}

func TestGenerateDataKeyPair(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	ec := map[string]string{"use": "pair"}
	for _, spec := range []types.DataKeyPairSpec{types.DataKeyPairSpecRsa2048, types.DataKeyPairSpecEccNistP256, types.DataKeyPairSpecEccNistP521, types.DataKeyPairSpecEccSecgP256k1} {
		out := xtest.Must[*kms.GenerateDataKeyPairOutput](t)(e.East.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: md.KeyId, KeyPairSpec: spec, EncryptionContext: ec}))
		if out.KeyPairSpec != spec || *out.KeyId != *md.Arn {
			t.Errorf("%s: %+v", spec, out)
		}
		dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: ec}))
		if !bytes.Equal(dec.Plaintext, out.PrivateKeyPlaintext) {
			t.Errorf("%s: encrypted private key does not decrypt to the plaintext one", spec)
		}
		if spec == types.DataKeyPairSpecEccSecgP256k1 {
			checkK256PublicKey(t, out.PublicKey)
			continue
		}
		priv, err := x509.ParsePKCS8PrivateKey(out.PrivateKeyPlaintext)
		if err != nil {
			t.Fatalf("%s: private key: %v", spec, err)
		}
		pub, err := x509.MarshalPKIXPublicKey(priv.(crypto.Signer).Public())
		if err != nil || !bytes.Equal(pub, out.PublicKey) {
			t.Errorf("%s: public key does not match the private key", spec)
		}
	}
	wp := xtest.Must[*kms.GenerateDataKeyPairWithoutPlaintextOutput](t)(e.East.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: md.KeyId, KeyPairSpec: types.DataKeyPairSpecEccNistP384}))
	dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wp.PrivateKeyCiphertextBlob}))
	priv, err := x509.ParsePKCS8PrivateKey(dec.Plaintext)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := priv.(*ecdsa.PrivateKey); !ok || k.Curve != elliptic.P384() {
		t.Errorf("private key %T", priv)
	}
	_, err = e.East.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: md.KeyId, KeyPairSpec: types.DataKeyPairSpecSm2})
	wantErr(t, err, "UnsupportedOperationException", "")
	_, err = e.East.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: md.KeyId, KeyPairSpec: types.DataKeyPairSpecEccNistEdwards25519})
	wantErr(t, err, "UnsupportedOperationException", "KeyPairSpec ECC_NIST_EDWARDS25519 is not supported by xregion.")
	sig := createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	_, err = e.East.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: sig.KeyId, KeyPairSpec: types.DataKeyPairSpecEccNistP256})
	wantErr(t, err, "InvalidKeyUsageException", "")
}

func TestDeriveSharedSecret(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeKeyAgreement})
	if len(md.KeyAgreementAlgorithms) != 1 {
		t.Errorf("KeyAgreementAlgorithms %v", md.KeyAgreementAlgorithms)
	}
	mine, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	myPub, err := x509.MarshalPKIXPublicKey(mine.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	out := xtest.Must[*kms.DeriveSharedSecretOutput](t)(e.East.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: myPub}))
	theirs := xtest.Must[*kms.GetPublicKeyOutput](t)(e.East.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId}))
	p, err := x509.ParsePKIXPublicKey(theirs.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	theirPub, err := p.(*ecdsa.PublicKey).ECDH()
	if err != nil {
		t.Fatal(err)
	}
	want, err := mine.ECDH(theirPub)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.SharedSecret, want) {
		t.Error("KMS and the local key derive different secrets")
	}
	other, _ := ecdh.P384().GenerateKey(rand.Reader)
	otherPub, _ := x509.MarshalPKIXPublicKey(other.PublicKey())
	_, err = e.East.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: otherPub})
	wantErr(t, err, "ValidationException", "")
}
