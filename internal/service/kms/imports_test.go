package kms_test

import (
	"bytes"
	"crypto/aes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/xtest"
)

func externalKey(t *testing.T, e *env, in *kms.CreateKeyInput) *types.KeyMetadata {
	t.Helper()
	if in == nil {
		in = &kms.CreateKeyInput{}
	}
	in.Origin = types.OriginTypeExternal
	md := createKey(t, e.East, in)
	if md.KeyState != types.KeyStatePendingImport || md.Origin != types.OriginTypeExternal || md.Enabled {
		t.Fatalf("new EXTERNAL key: state %s origin %s enabled %v", md.KeyState, md.Origin, md.Enabled)
	}
	return md
}

func importParams(t *testing.T, c *kms.Client, keyID *string, alg types.AlgorithmSpec) (*kms.GetParametersForImportOutput, *rsa.PublicKey) {
	t.Helper()
	p := xtest.Must[*kms.GetParametersForImportOutput](t)(c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{
		KeyId: keyID, WrappingAlgorithm: alg, WrappingKeySpec: types.WrappingKeySpecRsa2048,
	}))
	pub, err := x509.ParsePKIXPublicKey(p.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return p, pub.(*rsa.PublicKey)
}

func wrapOAEP(t *testing.T, pub *rsa.PublicKey, material []byte) []byte {
	t.Helper()
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, material, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// wrapKWP is AES Key Wrap with Padding (RFC 5649), as a client wraps material for the
// RSA_AES_KEY_WRAP algorithms.
func wrapKWP(kek, plain []byte) []byte {
	block, _ := aes.NewCipher(kek)
	padded := append(bytes.Clone(plain), make([]byte, (8-len(plain)%8)%8)...)
	var a [8]byte
	copy(a[:], []byte{0xA6, 0x59, 0x59, 0xA6})
	binary.BigEndian.PutUint32(a[4:], uint32(len(plain)))
	n := len(padded) / 8
	if n == 1 {
		out := make([]byte, 16)
		block.Encrypt(out, append(a[:], padded...))
		return out
	}
	r := padded
	var b [16]byte
	for j := 0; j <= 5; j++ {
		for i := 1; i <= n; i++ {
			copy(b[:8], a[:])
			copy(b[8:], r[(i-1)*8:i*8])
			block.Encrypt(b[:], b[:])
			binary.BigEndian.PutUint64(a[:], binary.BigEndian.Uint64(b[:8])^uint64(n*j+i))
			copy(r[(i-1)*8:i*8], b[8:])
		}
	}
	return append(a[:], r...)
}

func TestImportedSymmetricMaterialLifecycle(t *testing.T) {
	e := start(t)
	md := externalKey(t, e, nil)
	_, err := e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "KMSInvalidStateException", *md.Arn+" is pending import.")

	material := make([]byte, 32)
	rand.Read(material)
	p, pub := importParams(t, e.East, md.KeyId, types.AlgorithmSpecRsaesOaepSha256)
	if *p.KeyId != *md.Arn || p.ParametersValidTo == nil {
		t.Fatalf("GetParametersForImport %+v", p)
	}
	imp := xtest.Must[*kms.ImportKeyMaterialOutput](t)(e.East.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{
		KeyId: md.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapOAEP(t, pub, material),
		ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire,
	}))
	got := describe(t, e.East, *md.KeyId)
	if got.KeyState != types.KeyStateEnabled || got.ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire || *got.CurrentKeyMaterialId != *imp.KeyMaterialId {
		t.Fatalf("after import: %s %s", got.KeyState, got.ExpirationModel)
	}
	ct := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("imported")}))

	del := xtest.Must[*kms.DeleteImportedKeyMaterialOutput](t)(e.East.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId}))
	if *del.KeyMaterialId != *imp.KeyMaterialId {
		t.Errorf("DeleteImportedKeyMaterial material %s", *del.KeyMaterialId)
	}
	if got := describe(t, e.East, *md.KeyId); got.KeyState != types.KeyStatePendingImport || got.ExpirationModel != "" {
		t.Errorf("after delete: %s %s", got.KeyState, got.ExpirationModel)
	}
	_, err = e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob})
	wantErr(t, err, "KMSInvalidStateException", "")

	// Other material is refused; the same material comes back, and the old ciphertext
	// decrypts again.
	other := make([]byte, 32)
	rand.Read(other)
	p, pub = importParams(t, e.East, md.KeyId, types.AlgorithmSpecRsaesOaepSha256)
	_, err = e.East.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapOAEP(t, pub, other), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	wantErr(t, err, "IncorrectKeyMaterialException", "")
	xtest.Must[*kms.ImportKeyMaterialOutput](t)(e.East.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapOAEP(t, pub, material), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}))
	dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob}))
	if string(dec.Plaintext) != "imported" {
		t.Errorf("Decrypt = %q", dec.Plaintext)
	}
	_, err = e.East.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId})
	wantErr(t, err, "UnsupportedOperationException", *md.Arn+" origin is EXTERNAL which is not valid for EnableKeyRotation.")
}

func TestImportedMaterialExpiresOnTheClock(t *testing.T) {
	e := start(t)
	md := externalKey(t, e, nil)
	material := make([]byte, 32)
	rand.Read(material)
	p, pub := importParams(t, e.East, md.KeyId, types.AlgorithmSpecRsaesOaepSha256)
	now := p.ParametersValidTo.Add(-24 * time.Hour)
	in := &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapOAEP(t, pub, material)}
	_, err := e.East.ImportKeyMaterial(ctx, in)
	wantErr(t, err, "ValidationException", "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
	in.ValidTo = aws.Time(now.Add(400 * 24 * time.Hour))
	_, err = e.East.ImportKeyMaterial(ctx, in)
	wantErr(t, err, "ValidationException", "")
	in.ValidTo = aws.Time(now.Add(2 * time.Hour))
	xtest.Must[*kms.ImportKeyMaterialOutput](t)(e.East.ImportKeyMaterial(ctx, in))
	got := describe(t, e.East, *md.KeyId)
	if got.ExpirationModel != types.ExpirationModelTypeKeyMaterialExpires || got.ValidTo == nil || !got.ValidTo.Equal(*in.ValidTo) {
		t.Fatalf("after import: %s %v", got.ExpirationModel, got.ValidTo)
	}
	e.Instance.Advance(3 * time.Hour)
	if got := describe(t, e.East, *md.KeyId); got.KeyState != types.KeyStatePendingImport || got.ValidTo != nil {
		t.Errorf("after ValidTo: %s %v", got.KeyState, got.ValidTo)
	}
	// The token is still valid for the rest of its 24 hours; then it expires.
	in.ExpirationModel, in.ValidTo = types.ExpirationModelTypeKeyMaterialDoesNotExpire, nil
	e.Instance.Advance(22 * time.Hour)
	_, err = e.East.ImportKeyMaterial(ctx, in)
	wantErr(t, err, "ExpiredImportTokenException", "")
}

func TestImportTokensAndWrappingErrors(t *testing.T) {
	e := start(t)
	md := externalKey(t, e, nil)
	md2 := externalKey(t, e, nil)
	material := make([]byte, 32)
	rand.Read(material)
	p, pub := importParams(t, e.East, md.KeyId, types.AlgorithmSpecRsaesOaepSha256)
	in := &kms.ImportKeyMaterialInput{KeyId: md2.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapOAEP(t, pub, material), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}
	_, err := e.East.ImportKeyMaterial(ctx, in)
	wantErr(t, err, "InvalidImportTokenException", "")
	in.KeyId, in.EncryptedKeyMaterial = md.KeyId, []byte("not wrapped")
	_, err = e.East.ImportKeyMaterial(ctx, in)
	wantErr(t, err, "InvalidCiphertextException", "")
	in.EncryptedKeyMaterial = wrapOAEP(t, pub, material[:16])
	_, err = e.East.ImportKeyMaterial(ctx, in)
	wantErr(t, err, "IncorrectKeyMaterialException", "")
	if got := describe(t, e.East, *md.KeyId); got.KeyState != types.KeyStatePendingImport {
		t.Errorf("refused imports changed the key: %s", got.KeyState)
	}

	kmsKey := createKey(t, e.East, nil)
	_, err = e.East.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: kmsKey.KeyId, WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048})
	wantErr(t, err, "UnsupportedOperationException", *kmsKey.Arn+" origin is AWS_KMS which is not valid for GetParametersForImport.")
	_, err = e.East.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: kmsKey.KeyId})
	wantErr(t, err, "UnsupportedOperationException", "")
	_, err = e.East.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, MultiRegion: aws.Bool(true)})
	wantErr(t, err, "UnsupportedOperationException", "")
}

func TestImportedRSAKeyWithAESKeyWrap(t *testing.T) {
	e := start(t)
	md := externalKey(t, e, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify})
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	p, pub := importParams(t, e.East, md.KeyId, types.AlgorithmSpecRsaAesKeyWrapSha256)
	kek := make([]byte, 32)
	rand.Read(kek)
	wrapped := append(wrapOAEP(t, pub, kek), wrapKWP(kek, der)...)
	xtest.Must[*kms.ImportKeyMaterialOutput](t)(e.East.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{
		KeyId: md.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire,
	}))
	got := xtest.Must[*kms.GetPublicKeyOutput](t)(e.East.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId}))
	want, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if !bytes.Equal(got.PublicKey, want) {
		t.Error("the key's public key is not the imported key's")
	}
}

func TestPendingImportKeyStates(t *testing.T) {
	e := start(t)
	md := externalKey(t, e, nil)
	_, err := e.East.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId})
	wantErr(t, err, "KMSInvalidStateException", *md.Arn+" is pending import.")
	xtest.Must[*kms.UpdateKeyDescriptionOutput](t)(e.East.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: md.KeyId, Description: aws.String("waiting")}))
	xtest.Must[*kms.CreateAliasOutput](t)(e.East.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/imported"), TargetKeyId: md.KeyId}))
	xtest.Must[*kms.ScheduleKeyDeletionOutput](t)(e.East.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)}))
	xtest.Must[*kms.CancelKeyDeletionOutput](t)(e.East.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId}))
	if got := describe(t, e.East, *md.KeyId); got.KeyState != types.KeyStatePendingImport {
		t.Errorf("a key without material after CancelKeyDeletion is %s, want PendingImport", got.KeyState)
	}
	signing := externalKey(t, e, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	_, err = e.East.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: signing.KeyId})
	wantErr(t, err, "KMSInvalidStateException", "")
}
