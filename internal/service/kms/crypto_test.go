package kms_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/xtest"
)

func TestEncryptDecrypt(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	xtest.Must[*kms.CreateAliasOutput](t)(e.East.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/data"), TargetKeyId: md.KeyId}))
	ec := map[string]string{"purpose": "test", "tenant": "a"}
	for _, id := range []string{*md.KeyId, *md.Arn, "alias/data", "arn:aws:kms:us-east-1:" + account + ":alias/data"} {
		enc := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("secret value"), EncryptionContext: ec}))
		if *enc.KeyId != *md.Arn || enc.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
			t.Errorf("Encrypt(%s) = %s %s", id, *enc.KeyId, enc.EncryptionAlgorithm)
		}
		if bytes.Contains(enc.CiphertextBlob, []byte("secret value")) {
			t.Fatal("ciphertext contains the plaintext")
		}
		dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec}))
		if string(dec.Plaintext) != "secret value" || *dec.KeyId != *md.Arn || dec.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
			t.Errorf("Decrypt = %q %s", dec.Plaintext, *dec.KeyId)
		}
	}
	enc := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), EncryptionContext: ec}))
	// Two encryptions of one plaintext differ (fresh nonces).
	enc2 := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), EncryptionContext: ec}))
	if bytes.Equal(enc.CiphertextBlob, enc2.CiphertextBlob) {
		t.Error("two encryptions gave the same ciphertext")
	}

	// The encryption context is bound: any difference fails.
	for _, other := range []map[string]string{nil, {"purpose": "test"}, {"purpose": "test", "tenant": "b"}, {"purpose": "test", "tenant": "a", "x": "y"}} {
		_, err := e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: other})
		wantErr(t, err, "InvalidCiphertextException", "")
	}
	// A damaged or foreign ciphertext fails.
	bad := bytes.Clone(enc.CiphertextBlob)
	bad[len(bad)-1] ^= 1
	_, err := e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: bad, EncryptionContext: ec})
	wantErr(t, err, "InvalidCiphertextException", "")
	_, err = e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("not a ciphertext at all, really")})
	wantErr(t, err, "InvalidCiphertextException", "")

	// The current model makes CiphertextBlob optional, for permission-only dry runs; without
	// one, Decrypt answers as AWS does for a missing member, and such dry runs are refused.
	_, err = e.East.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null")
	_, err = e.East.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, DryRun: aws.Bool(true), DryRunModifiers: []types.DryRunModifierType{types.DryRunModifierTypeIgnoreCiphertext}})
	wantErrContains(t, err, "UnsupportedOperationException", "xregion does not support DryRunModifiers IGNORE_CIPHERTEXT")

	// A named key must be the one that encrypted.
	other := createKey(t, e.East, nil)
	_, err = e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: other.KeyId})
	wantErr(t, err, "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")
	dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: aws.String("alias/data")}))
	if string(dec.Plaintext) != "x" {
		t.Errorf("Decrypt with KeyId = %q", dec.Plaintext)
	}

	// Ciphertext made in one Region does not decrypt in another.
	_, err = e.West.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	wantErr(t, err, "NotFoundException", "Key 'arn:aws:kms:us-west-2:"+account+":key/"+*md.KeyId+"' does not exist")

	// Disabled and pending-deletion keys refuse to decrypt.
	xtest.Must[*kms.DisableKeyOutput](t)(e.East.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}))
	_, err = e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	wantErr(t, err, "DisabledException", *md.Arn+" is disabled.")
	xtest.Must[*kms.ScheduleKeyDeletionOutput](t)(e.East.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId}))
	_, err = e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	wantErr(t, err, "KMSInvalidStateException", *md.Arn+" is pending deletion.")
}

func TestEncryptErrors(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	_, err := e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, 4097)})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
	// A sensitive member is named without its value, as AWS names it.
	_, err = e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte{}})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1")
	// Enum values are listed in the current model's order.
	_, err = e.East.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: "AES_512"})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]")
	_, err = e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	wantErr(t, err, "InvalidKeyUsageException", "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.")
	mac := createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac256, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
	_, err = e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: mac.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "InvalidKeyUsageException", *mac.Arn+" key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.")
	_, err = e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), DryRun: aws.Bool(true)})
	wantErr(t, err, "DryRunOperationException", "The request would have succeeded, but the DryRun flag is set.")
	_, err = e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/none"), Plaintext: []byte("x")})
	wantErr(t, err, "NotFoundException", "Alias arn:aws:kms:us-east-1:"+account+":alias/none is not found.")
}

func TestReEncrypt(t *testing.T) {
	e := start(t)
	a := createKey(t, e.East, nil)
	b := createKey(t, e.East, nil)
	enc := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: a.KeyId, Plaintext: []byte("move me"), EncryptionContext: map[string]string{"k": "1"}}))
	re := xtest.Must[*kms.ReEncryptOutput](t)(e.East.ReEncrypt(ctx, &kms.ReEncryptInput{
		CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: map[string]string{"k": "1"},
		DestinationKeyId: b.KeyId, DestinationEncryptionContext: map[string]string{"k": "2"},
	}))
	if *re.SourceKeyId != *a.Arn || *re.KeyId != *b.Arn || re.SourceEncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault ||
		re.DestinationEncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
		t.Errorf("ReEncrypt = %+v", re)
	}
	dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob, EncryptionContext: map[string]string{"k": "2"}}))
	if string(dec.Plaintext) != "move me" || *dec.KeyId != *b.Arn {
		t.Errorf("Decrypt of re-encrypted = %q under %s", dec.Plaintext, *dec.KeyId)
	}
	_, err := e.East.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: map[string]string{"k": "1"}, SourceKeyId: b.KeyId, DestinationKeyId: b.KeyId})
	wantErr(t, err, "IncorrectKeyException", "")
	_, err = e.East.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: b.KeyId})
	wantErr(t, err, "InvalidCiphertextException", "")
	_, err = e.East.ReEncrypt(ctx, &kms.ReEncryptInput{DestinationKeyId: b.KeyId})
	wantErrContains(t, err, "ValidationException", "Value null at 'ciphertextBlob'")
	xtest.Must[*kms.DisableKeyOutput](t)(e.East.DisableKey(ctx, &kms.DisableKeyInput{KeyId: b.KeyId}))
	_, err = e.East.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: map[string]string{"k": "1"}, DestinationKeyId: b.KeyId})
	wantErr(t, err, "DisabledException", *b.Arn+" is disabled.")
}

func TestGenerateDataKey(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	ec := map[string]string{"file": "a.txt"}
	for _, c := range []struct {
		in   kms.GenerateDataKeyInput
		size int
	}{
		{kms.GenerateDataKeyInput{KeySpec: types.DataKeySpecAes256}, 32},
		{kms.GenerateDataKeyInput{KeySpec: types.DataKeySpecAes128}, 16},
		{kms.GenerateDataKeyInput{NumberOfBytes: aws.Int32(64)}, 64},
	} {
		c.in.KeyId, c.in.EncryptionContext = md.KeyId, ec
		out := xtest.Must[*kms.GenerateDataKeyOutput](t)(e.East.GenerateDataKey(ctx, &c.in))
		if len(out.Plaintext) != c.size || *out.KeyId != *md.Arn {
			t.Errorf("GenerateDataKey: %d bytes under %s, want %d", len(out.Plaintext), *out.KeyId, c.size)
		}
		dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: ec}))
		if !bytes.Equal(dec.Plaintext, out.Plaintext) {
			t.Error("the encrypted data key does not decrypt to the plaintext one")
		}
	}
	// The data key works as an AES key.
	dk := xtest.Must[*kms.GenerateDataKeyOutput](t)(e.East.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: types.DataKeySpecAes256}))
	if block, err := aes.NewCipher(dk.Plaintext); err != nil {
		t.Error(err)
	} else if _, err := cipher.NewGCM(block); err != nil {
		t.Error(err)
	}
	wp := xtest.Must[*kms.GenerateDataKeyWithoutPlaintextOutput](t)(e.East.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: md.KeyId, KeySpec: types.DataKeySpecAes256, EncryptionContext: ec}))
	dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wp.CiphertextBlob, EncryptionContext: ec}))
	if len(dec.Plaintext) != 32 || *wp.KeyId != *md.Arn {
		t.Errorf("GenerateDataKeyWithoutPlaintext: %d bytes", len(dec.Plaintext))
	}
	_, err := e.East.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId})
	wantErr(t, err, "ValidationException", "Please specify either number of bytes or key spec.")
	_, err = e.East.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: types.DataKeySpecAes256, NumberOfBytes: aws.Int32(32)})
	wantErr(t, err, "ValidationException", "")
	_, err = e.East.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, NumberOfBytes: aws.Int32(1025)})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024")
	sig := createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	_, err = e.East.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: sig.KeyId, KeySpec: types.DataKeySpecAes256})
	wantErr(t, err, "InvalidKeyUsageException", *sig.Arn+" key usage is SIGN_VERIFY which is not valid for GenerateDataKeyWithoutPlaintext.")
	_, err = e.East.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: types.DataKeySpecAes256, DryRun: aws.Bool(true)})
	wantErr(t, err, "DryRunOperationException", "")
}

func TestGenerateRandom(t *testing.T) {
	e := start(t)
	a := xtest.Must[*kms.GenerateRandomOutput](t)(e.East.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1024)}))
	b := xtest.Must[*kms.GenerateRandomOutput](t)(e.East.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1024)}))
	if len(a.Plaintext) != 1024 || bytes.Equal(a.Plaintext, b.Plaintext) {
		t.Errorf("GenerateRandom: %d bytes, equal twice: %v", len(a.Plaintext), bytes.Equal(a.Plaintext, b.Plaintext))
	}
	_, err := e.East.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(0)})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = e.East.GenerateRandom(ctx, &kms.GenerateRandomInput{})
	wantErr(t, err, "ValidationException", "NumberOfBytes is required.")
	_, err = e.East.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(8), CustomKeyStoreId: aws.String("cks-1")})
	wantErr(t, err, "CustomKeyStoreNotFoundException", "")
}

func TestUnimplementedOperationNamesItself(t *testing.T) {
	e := start(t)
	_, err := e.East.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String("x"), GranteePrincipal: aws.String("arn:aws:iam::123456789012:root"), Operations: []types.GrantOperation{types.GrantOperationDecrypt}})
	if err == nil || !strings.Contains(err.Error(), "CreateGrant") {
		t.Errorf("CreateGrant: %v", err)
	}
}
