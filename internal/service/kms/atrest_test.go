package kms_test

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/server/servertest"
	kmssvc "github.com/xregion/xregion/internal/service/kms"
	"github.com/xregion/xregion/internal/xtest"
)

// TestNoKeyMaterialAtRest creates keys of every kind in a durable server, then reads every
// file of its data directory looking for any key material, in any common encoding, and
// for the plaintext of a value it encrypted.
func TestNoKeyMaterialAtRest(t *testing.T) {
	dir := t.TempDir()
	e := start(t, servertest.WithDataDir(dir))
	type key struct{ region, id string }
	var keys []key
	add := func(region string, md *types.KeyMetadata) { keys = append(keys, key{region, *md.KeyId}) }

	sym := createKey(t, e.East, nil)
	add("us-east-1", sym)
	add("us-east-1", createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac512, KeyUsage: types.KeyUsageTypeGenerateVerifyMac}))
	add("us-east-1", createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify}))
	add("us-east-1", createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecEccSecgP256k1, KeyUsage: types.KeyUsageTypeSignVerify}))
	add("us-east-1", createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeEncryptDecrypt}))
	add("us-east-1", describe(t, e.East, "alias/aws/secretsmanager"))
	mrk := createKey(t, e.East, &kms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	add("us-east-1", mrk)
	xtest.Must[*kms.ReplicateKeyOutput](t)(e.East.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: mrk.KeyId, ReplicaRegion: aws.String("us-west-2")}))
	add("us-west-2", mrk)
	xtest.Must[*kms.RotateKeyOnDemandOutput](t)(e.East.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: sym.KeyId}))
	e.Instance.WaitIdle()

	canary := []byte("plaintext-canary-" + hex.EncodeToString(randomish()))
	enc := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: sym.KeyId, Plaintext: canary}))
	xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}))

	sealer, err := seal.Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	var secrets [][]byte
	for _, k := range keys {
		mats, err := kmssvc.MaterialForTest(e.Instance.Server.Store(), sealer, account, k.region, k.id)
		if err != nil {
			t.Fatal(err)
		}
		if len(mats) == 0 {
			t.Fatalf("no material found for %s in %s", k.id, k.region)
		}
		secrets = append(secrets, mats...)
	}
	if n := len(secrets); n != len(keys)+1 {
		t.Fatalf("%d material versions for %d keys and one rotation", n, len(keys))
	}
	// The key id is stored as it is: finding it shows the search would find material.
	xtest.WantNotAtRest(t, dir, []byte(*sym.KeyId), append(secrets, canary)...)
}

func randomish() []byte {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}
