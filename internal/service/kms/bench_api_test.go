package kms_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/xregion/xregion/internal/xtest"
)

// API benchmarks: a real SDK client against the in-process server, so the figures include
// HTTP, SigV4, JSON and the client itself; the server's share is a part of it.

func BenchmarkAPIEncrypt(b *testing.B) {
	e := start(b)
	md := xtest.Must[*kms.CreateKeyOutput](b)(e.East.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	pt := make([]byte, 256)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAPIDecrypt(b *testing.B) {
	e := start(b)
	md := xtest.Must[*kms.CreateKeyOutput](b)(e.East.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	enc := xtest.Must[*kms.EncryptOutput](b)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, 256)}))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
			b.Fatal(err)
		}
	}
}
