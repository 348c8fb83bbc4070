package kms

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

const (
	testAccount = kittest.Account
	east        = "us-east-1"
	west        = "us-west-2"
)

type fixture struct {
	st     store.Store
	engine *jobs.Engine
	svc    *Service
	kr     ring
}

// ring calls the KeyRing as a caller holding a store transaction does.
type ring struct{ port.KeyRing }

func (r ring) Resolve(tx store.Tx, account, region, id string) (port.KeyInfo, error) {
	return r.KeyRing.Resolve(kit.Adopt(tx), account, region, id)
}

func (r ring) Encrypt(tx store.Tx, account, region, id string, pt []byte, ec map[string]string) ([]byte, port.KeyInfo, error) {
	return r.KeyRing.Encrypt(kit.Adopt(tx), account, region, id, pt, ec)
}

func (r ring) Decrypt(tx store.Tx, account, region string, ct []byte, ec map[string]string) ([]byte, port.KeyInfo, error) {
	return r.KeyRing.Decrypt(kit.Adopt(tx), account, region, ct, ec)
}

func (r ring) GenerateDataKey(tx store.Tx, account, region, id string, ec map[string]string) ([]byte, []byte, port.KeyInfo, error) {
	return r.KeyRing.GenerateDataKey(kit.Adopt(tx), account, region, id, ec)
}

// newFixture builds KMS the way the server does, through the module registry, and gets
// the KeyRing as other services will.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureWithDelay(t, 0)
}

// newFixtureWithDelay is newFixture with asynchronous transitions that take delay. KMS is
// built alone, in process, by the kit's harness.
func newFixtureWithDelay(t testing.TB, delay time.Duration) *fixture {
	t.Helper()
	h := kittest.Start(t, []string{serviceName}, kittest.WithTransitionDelay(delay))
	svc := h.Service(serviceName).(*Service)
	return &fixture{st: h.Store, engine: h.Engine, svc: svc, kr: ring{keyRing{svc}}}
}

func apiCtx(region string) context.Context {
	return request.With(context.Background(), &request.Info{
		Account: testAccount, Region: region, Partition: "aws",
		Caller: request.Caller{ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount},
	})
}

func (f *fixture) createKey(t testing.TB, region string, in *kmsapi.CreateKeyRequest) *kmsapi.KeyMetadata {
	t.Helper()
	if in == nil {
		in = &kmsapi.CreateKeyRequest{}
	}
	out, err := f.svc.CreateKey(apiCtx(region), in)
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

func (f *fixture) update(t testing.TB, fn func(tx store.Tx) error) error {
	t.Helper()
	return f.st.Update(fn)
}

func TestKeyringResolve(t *testing.T) {
	f := newFixture(t)
	md := f.createKey(t, east, nil)
	if _, err := f.svc.CreateAlias(apiCtx(east), &kmsapi.CreateAliasRequest{AliasName: new("alias/app"), TargetKeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	err := f.st.View(func(tx store.Tx) error {
		for _, id := range []string{*md.KeyId, *md.Arn, "alias/app", "arn:aws:kms:us-east-1:" + testAccount + ":alias/app"} {
			ki, err := f.kr.Resolve(tx, testAccount, east, id)
			if err != nil {
				t.Errorf("Resolve(%s): %v", id, err)
				continue
			}
			if ki.ID != *md.KeyId || ki.ARN != *md.Arn || !ki.Enabled || ki.AWSManaged || ki.State != "Enabled" ||
				ki.Spec != "SYMMETRIC_DEFAULT" || ki.Usage != "ENCRYPT_DECRYPT" || ki.CreationDate.IsZero() || ki.DeletionDate != nil {
				t.Errorf("Resolve(%s) = %+v", id, ki)
			}
		}
		for _, id := range []string{
			"arn:aws:kms:us-west-2:" + testAccount + ":key/" + *md.KeyId, // another Region
			"arn:aws:kms:us-east-1:999999999999:key/" + *md.KeyId,        // another account
			"alias/none", "not-a-key-id",
		} {
			if _, err := f.kr.Resolve(tx, testAccount, east, id); !errors.Is(err, port.ErrKeyNotFound) {
				t.Errorf("Resolve(%s) = %v, want port.ErrKeyNotFound", id, err)
			}
		}
		if _, err := f.kr.Resolve(tx, testAccount, west, *md.KeyId); !errors.Is(err, port.ErrKeyNotFound) {
			t.Errorf("a key resolves in another Region: %v", err)
		}
		// An AWS managed key that does not exist yet cannot be made in a read-only tx.
		if _, err := f.kr.Resolve(tx, testAccount, east, "alias/aws/secretsmanager"); !errors.Is(err, port.ErrKeyNotFound) {
			t.Errorf("managed key in a read-only tx: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var managed port.KeyInfo
	if err := f.update(t, func(tx store.Tx) error {
		var err error
		managed, err = f.kr.Resolve(tx, testAccount, east, "alias/aws/secretsmanager")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !managed.AWSManaged || !managed.Enabled || managed.ID == "" {
		t.Errorf("managed key %+v", managed)
	}
	f.st.View(func(tx store.Tx) error {
		again, err := f.kr.Resolve(tx, testAccount, east, "alias/aws/secretsmanager")
		if err != nil || again.ID != managed.ID {
			t.Errorf("managed key resolves to %+v, %v", again, err)
		}
		return nil
	})
}

func TestKeyringEncryptDecrypt(t *testing.T) {
	f := newFixture(t)
	md := f.createKey(t, east, nil)
	secret := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB: no API size limit here
	ec := map[string]string{"SecretARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf"}
	var blob []byte
	if err := f.update(t, func(tx store.Tx) error {
		var ki port.KeyInfo
		var err error
		blob, ki, err = f.kr.Encrypt(tx, testAccount, east, "alias/aws/secretsmanager", secret, ec)
		if err != nil {
			return err
		}
		if !ki.AWSManaged {
			t.Errorf("Encrypt used %+v", ki)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f.st.View(func(tx store.Tx) error {
		pt, ki, err := f.kr.Decrypt(tx, testAccount, east, blob, ec)
		if err != nil || !bytes.Equal(pt, secret) || !ki.AWSManaged {
			t.Errorf("Decrypt: %v, %d bytes, %+v", err, len(pt), ki)
		}
		if _, _, err := f.kr.Decrypt(tx, testAccount, east, blob, map[string]string{"SecretARN": "other"}); !errors.Is(err, port.ErrInvalidCiphertext) {
			t.Errorf("other context: %v", err)
		}
		if _, _, err := f.kr.Decrypt(tx, testAccount, west, blob, ec); !errors.Is(err, port.ErrKeyNotFound) {
			t.Errorf("other Region: %v", err)
		}
		if _, _, err := f.kr.Decrypt(tx, testAccount, east, []byte("garbage"), ec); !errors.Is(err, port.ErrInvalidCiphertext) {
			t.Errorf("garbage: %v", err)
		}
		// Keyring errors are also the AWS errors the API answers.
		_, _, err = f.kr.Decrypt(tx, testAccount, east, []byte("garbage"), ec)
		if !awserr.Is(err, "InvalidCiphertextException") {
			t.Errorf("garbage as AWS error: %v", err)
		}
		return nil
	})

	var pt, dk []byte
	if err := f.update(t, func(tx store.Tx) error {
		var ki port.KeyInfo
		var err error
		pt, dk, ki, err = f.kr.GenerateDataKey(tx, testAccount, east, *md.Arn, nil)
		if err == nil && (len(pt) != 32 || ki.ID != *md.KeyId) {
			t.Errorf("GenerateDataKey: %d bytes under %+v", len(pt), ki)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.st.View(func(tx store.Tx) error {
		got, _, err := f.kr.Decrypt(tx, testAccount, east, dk, nil)
		if err != nil || !bytes.Equal(got, pt) {
			t.Errorf("data key decrypts to %x, %v", got, err)
		}
		return nil
	})

	// Key states.
	var mine []byte
	f.update(t, func(tx store.Tx) error {
		var err error
		mine, _, err = f.kr.Encrypt(tx, testAccount, east, *md.KeyId, []byte("x"), nil)
		return err
	})
	if _, err := f.svc.DisableKey(apiCtx(east), &kmsapi.DisableKeyRequest{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	f.st.View(func(tx store.Tx) error {
		if _, _, err := f.kr.Decrypt(tx, testAccount, east, mine, nil); !errors.Is(err, port.ErrKeyDisabled) || !awserr.Is(err, "DisabledException") {
			t.Errorf("disabled key: %v", err)
		}
		if _, _, err := f.kr.Encrypt(tx, testAccount, east, *md.KeyId, []byte("x"), nil); !errors.Is(err, port.ErrKeyDisabled) {
			t.Errorf("Encrypt under a disabled key: %v", err)
		}
		return nil
	})
	if _, err := f.svc.ScheduleKeyDeletion(apiCtx(east), &kmsapi.ScheduleKeyDeletionRequest{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	f.st.View(func(tx store.Tx) error {
		_, ki, err := f.kr.Decrypt(tx, testAccount, east, mine, nil)
		if !errors.Is(err, port.ErrKeyPendingDeletion) || ki.ID != "" {
			t.Errorf("pending deletion: %v %+v", err, ki)
		}
		info, err := f.kr.Resolve(tx, testAccount, east, *md.KeyId)
		if err != nil || info.State != "PendingDeletion" || info.DeletionDate == nil || info.Enabled {
			t.Errorf("Resolve of a key pending deletion: %+v %v", info, err)
		}
		return nil
	})
	mac := f.createKey(t, east, &kmsapi.CreateKeyRequest{KeySpec: new("HMAC_256"), KeyUsage: new("GENERATE_VERIFY_MAC")})
	f.update(t, func(tx store.Tx) error {
		if _, _, err := f.kr.Encrypt(tx, testAccount, east, *mac.KeyId, []byte("x"), nil); !errors.Is(err, port.ErrInvalidKeyUsage) {
			t.Errorf("HMAC key: %v", err)
		}
		return nil
	})
}

func TestKeyringMultiRegionReplica(t *testing.T) {
	f := newFixture(t)
	md := f.createKey(t, east, &kmsapi.CreateKeyRequest{MultiRegion: new(true)})
	if _, err := f.svc.ReplicateKey(apiCtx(east), &kmsapi.ReplicateKeyRequest{KeyId: md.KeyId, ReplicaRegion: new(west)}); err != nil {
		t.Fatal(err)
	}
	if err := f.engine.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	var blob []byte
	f.update(t, func(tx store.Tx) error {
		var err error
		blob, _, err = f.kr.Encrypt(tx, testAccount, east, *md.KeyId, []byte("replicated"), nil)
		return err
	})
	f.st.View(func(tx store.Tx) error {
		pt, ki, err := f.kr.Decrypt(tx, testAccount, west, blob, nil)
		if err != nil || string(pt) != "replicated" || !ki.MultiRegion || ki.ARN != "arn:aws:kms:us-west-2:"+testAccount+":key/"+*md.KeyId {
			t.Errorf("replica Decrypt: %q %+v %v", pt, ki, err)
		}
		return nil
	})
}

func TestKeyringCacheSeesChanges(t *testing.T) {
	f := newFixture(t)
	md := f.createKey(t, east, nil)
	encrypt := func() error {
		return f.update(t, func(tx store.Tx) error {
			_, _, err := f.kr.Encrypt(tx, testAccount, east, *md.KeyId, []byte("x"), nil)
			return err
		})
	}
	if err := encrypt(); err != nil {
		t.Fatal(err)
	}
	// A change committed after the record was cached is seen at once.
	f.svc.DisableKey(apiCtx(east), &kmsapi.DisableKeyRequest{KeyId: md.KeyId})
	if err := encrypt(); !errors.Is(err, port.ErrKeyDisabled) {
		t.Errorf("after DisableKey: %v", err)
	}
	// And a change rolled back is not.
	f.svc.Update(func(tx kit.Tx) error {
		k, _ := keys.Get(tx.In(testAccount, east), *md.KeyId)
		k.State = "Enabled"
		putKey(tx, k)
		if _, _, err := (keyRing{f.svc}).Encrypt(tx, testAccount, east, *md.KeyId, []byte("x"), nil); err != nil {
			t.Errorf("inside the enabling tx: %v", err)
		}
		return errors.New("roll back")
	})
	if err := encrypt(); !errors.Is(err, port.ErrKeyDisabled) {
		t.Errorf("after a rolled-back enable: %v", err)
	}
	f.svc.Reset()
	if err := encrypt(); !errors.Is(err, port.ErrKeyDisabled) {
		t.Errorf("after Reset: %v", err)
	}
}

// TestKeyringUsesUpdatingKeys: other services go on using a multi-Region key while
// UpdatePrimaryRegion's Updating state lasts, and port.KeyInfo says it is usable.
func TestKeyringUsesUpdatingKeys(t *testing.T) {
	f := newFixtureWithDelay(t, time.Minute)
	md := f.createKey(t, east, &kmsapi.CreateKeyRequest{MultiRegion: new(true)})
	if _, err := f.svc.ReplicateKey(apiCtx(east), &kmsapi.ReplicateKeyRequest{KeyId: md.KeyId, ReplicaRegion: new(west)}); err != nil {
		t.Fatal(err)
	}
	if err := f.engine.Advance(context.Background(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdatePrimaryRegion(apiCtx(east), &kmsapi.UpdatePrimaryRegionRequest{KeyId: md.KeyId, PrimaryRegion: new(west)}); err != nil {
		t.Fatal(err)
	}
	var blob []byte
	err := f.update(t, func(tx store.Tx) error {
		var ki port.KeyInfo
		var err error
		blob, ki, err = f.kr.Encrypt(tx, testAccount, east, *md.KeyId, []byte("updating"), nil)
		if err == nil && (ki.State != kmsapi.KeyStateUpdating || !ki.Enabled) {
			t.Errorf("port.KeyInfo while Updating: %+v", ki)
		}
		return err
	})
	if err != nil {
		t.Fatalf("Encrypt while Updating: %v", err)
	}
	f.st.View(func(tx store.Tx) error {
		if pt, _, err := f.kr.Decrypt(tx, testAccount, west, blob, nil); err != nil || string(pt) != "updating" {
			t.Errorf("Decrypt while Updating: %q %v", pt, err)
		}
		return nil
	})
}
