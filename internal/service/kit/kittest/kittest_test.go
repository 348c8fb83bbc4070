package kittest_test

import (
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	_ "github.com/xregion/xregion/internal/service/kms"
	"github.com/xregion/xregion/internal/service/port"
)

// TestHarnessCallsLikeTheGateway: operations run in process with the request's account
// and Region, input is validated against the model first, and jobs run when the clock
// moves.
func TestHarnessCallsLikeTheGateway(t *testing.T) {
	h := kittest.Start(t, []string{"kms"})
	md := kittest.Must[*kmsapi.CreateKeyResponse](t)(kittest.Call(h, "eu-west-3", kmsapi.OpCreateKey, &kmsapi.CreateKeyRequest{})).KeyMetadata
	if *md.AWSAccountId != kittest.Account || *md.Arn != "arn:aws:kms:eu-west-3:"+kittest.Account+":key/"+*md.KeyId {
		t.Errorf("key made as %s: %s", *md.AWSAccountId, *md.Arn)
	}
	enc := kittest.Must[*kmsapi.EncryptResponse](t)(kittest.Call(h, "eu-west-3", kmsapi.OpEncrypt, &kmsapi.EncryptRequest{KeyId: md.KeyId, Plaintext: []byte("hi")}))
	dec := kittest.Must[*kmsapi.DecryptResponse](t)(kittest.Call(h, "eu-west-3", kmsapi.OpDecrypt, &kmsapi.DecryptRequest{CiphertextBlob: enc.CiphertextBlob}))
	if string(dec.Plaintext) != "hi" {
		t.Errorf("Decrypt = %q", dec.Plaintext)
	}
	if _, err := kittest.Call(h, "eu-west-3", kmsapi.OpDescribeKey, &kmsapi.DescribeKeyRequest{KeyId: new("")}); !awserr.Is(err, "ValidationException") {
		t.Errorf("an empty KeyId passed validation: %v", err)
	}
	kittest.Must[*kmsapi.ScheduleKeyDeletionResponse](t)(kittest.Call(h, "eu-west-3", kmsapi.OpScheduleKeyDeletion,
		&kmsapi.ScheduleKeyDeletionRequest{KeyId: md.KeyId, PendingWindowInDays: new(int64(7))}))
	h.Advance(7 * 24 * time.Hour)
	if _, err := kittest.Call(h, "eu-west-3", kmsapi.OpDescribeKey, &kmsapi.DescribeKeyRequest{KeyId: md.KeyId}); !awserr.Is(err, "NotFoundException") {
		t.Errorf("the key outlived its deletion window: %v", err)
	}
}

// TestFakeKeyRing: the fake binds the encryption context, keeps keys per account and
// Region, refuses keys that are not enabled, and makes AWS managed keys on first use in a
// writable transaction only.
func TestFakeKeyRing(t *testing.T) {
	h := kittest.Start(t, []string{"kms"})
	k, err := kit.New("test", kit.Deps{Store: h.Store, Jobs: h.Engine, Clock: h.Clock, Sealer: h.Sealer})
	if err != nil {
		t.Fatal(err)
	}
	r := kittest.NewKeyRing()
	keyARN := r.AddKey(kittest.Account, "us-east-1")
	ec := map[string]string{"SecretARN": "arn", "SecretVersionId": "v1"}
	var blob []byte
	err = k.View(func(tx kit.Tx) error {
		var err error
		blob, _, err = r.Encrypt(tx, kittest.Account, "us-east-1", keyARN, []byte("value"), ec)
		if err != nil {
			return err
		}
		if pt, info, err := r.Decrypt(tx, kittest.Account, "us-east-1", blob, ec); err != nil || string(pt) != "value" || info.ARN != keyARN {
			t.Errorf("Decrypt = %q, %+v, %v", pt, info, err)
		}
		if _, _, err := r.Decrypt(tx, kittest.Account, "us-east-1", blob, map[string]string{"SecretARN": "other"}); !errors.Is(err, port.ErrInvalidCiphertext) {
			t.Errorf("another context: %v", err)
		}
		if _, _, err := r.Decrypt(tx, kittest.Account, "us-west-2", blob, ec); !errors.Is(err, port.ErrKeyNotFound) {
			t.Errorf("another Region: %v", err)
		}
		if _, err := r.Resolve(tx, kittest.Account, "us-east-1", "alias/aws/secretsmanager"); !errors.Is(err, port.ErrKeyNotFound) {
			t.Errorf("a managed key made in a read-only transaction: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Contexts(); len(got) != 1 || !maps.Equal(got[0], ec) {
		t.Errorf("Contexts = %v", got)
	}
	r.SetState(keyARN, "Disabled")
	err = k.Update(func(tx kit.Tx) error {
		if _, _, err := r.Decrypt(tx, kittest.Account, "us-east-1", blob, ec); !errors.Is(err, port.ErrKeyDisabled) {
			t.Errorf("a disabled key decrypted: %v", err)
		}
		managed, err := r.Resolve(tx, kittest.Account, "us-east-1", "alias/aws/secretsmanager")
		if err != nil || !managed.AWSManaged || !managed.Enabled {
			t.Errorf("managed key = %+v, %v", managed, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
