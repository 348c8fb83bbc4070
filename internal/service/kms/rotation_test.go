package kms_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

func rotationStatus(t *testing.T, c *kms.Client, id *string) *kms.GetKeyRotationStatusOutput {
	t.Helper()
	return xtest.Must[*kms.GetKeyRotationStatusOutput](t)(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id}))
}

func rotations(t *testing.T, c *kms.Client, id *string) []types.RotationsListEntry {
	t.Helper()
	return xtest.Must[*kms.ListKeyRotationsOutput](t)(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: id})).Rotations
}

func TestOnDemandRotationKeepsOldCiphertexts(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	ec := map[string]string{"a": "b"}
	old := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("before"), EncryptionContext: ec}))

	r := xtest.Must[*kms.RotateKeyOnDemandOutput](t)(e.East.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.Arn}))
	if *r.KeyId != *md.KeyId {
		t.Errorf("RotateKeyOnDemand KeyId %s", *r.KeyId)
	}
	e.Instance.WaitIdle()
	if st := rotationStatus(t, e.East, md.KeyId); st.OnDemandRotationStartDate != nil || st.KeyRotationEnabled {
		t.Errorf("status after rotation %+v", st)
	}
	rs := rotations(t, e.East, md.KeyId)
	if len(rs) != 1 || rs[0].RotationType != types.RotationTypeOnDemand || *rs[0].KeyId != *md.KeyId || rs[0].RotationDate == nil {
		t.Fatalf("ListKeyRotations %+v", rs)
	}
	after := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("after"), EncryptionContext: ec}))
	for blob, want := range map[*[]byte]string{&old.CiphertextBlob: "before", &after.CiphertextBlob: "after"} {
		dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: *blob, EncryptionContext: ec}))
		if string(dec.Plaintext) != want {
			t.Errorf("Decrypt = %q, want %q", dec.Plaintext, want)
		}
	}
	// ReEncrypt moves old ciphertext to the new material.
	re := xtest.Must[*kms.ReEncryptOutput](t)(e.East.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: old.CiphertextBlob, SourceEncryptionContext: ec, DestinationKeyId: md.KeyId, DestinationEncryptionContext: ec}))
	if dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob, EncryptionContext: ec})); string(dec.Plaintext) != "before" {
		t.Errorf("re-encrypted = %q", dec.Plaintext)
	}
}

func TestOnDemandRotationLimitsAndErrors(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	md := createKey(t, e.East, nil)
	xtest.Must[*kms.RotateKeyOnDemandOutput](t)(e.East.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId}))
	if st := rotationStatus(t, e.East, md.KeyId); st.OnDemandRotationStartDate == nil {
		t.Error("OnDemandRotationStartDate missing while the rotation runs")
	}
	_, err := e.East.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	wantErr(t, err, "ConflictException", "")
	e.Instance.Advance(time.Minute)
	for i := 1; i < 10; i++ {
		xtest.Must[*kms.RotateKeyOnDemandOutput](t)(e.East.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId}))
		e.Instance.Advance(time.Minute)
	}
	_, err = e.East.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	wantErr(t, err, "LimitExceededException", "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: "+*md.Arn)
	page := xtest.Must[*kms.ListKeyRotationsOutput](t)(e.East.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: md.KeyId, Limit: aws.Int32(4)}))
	if len(page.Rotations) != 4 || !page.Truncated {
		t.Fatalf("first page %d truncated %v", len(page.Rotations), page.Truncated)
	}
	n := 4
	for page.Truncated {
		page = xtest.Must[*kms.ListKeyRotationsOutput](t)(e.East.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: md.KeyId, Limit: aws.Int32(4), Marker: page.NextMarker}))
		n += len(page.Rotations)
	}
	if n != 10 {
		t.Errorf("%d rotations listed, want 10", n)
	}
	rsa := createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify})
	_, err = e.East.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: rsa.KeyId})
	wantErr(t, err, "UnsupportedOperationException", *rsa.Arn+" key spec is RSA_2048 which is not valid for RotateKeyOnDemand.")
	_, err = e.East.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: rsa.KeyId})
	wantErr(t, err, "UnsupportedOperationException", *rsa.Arn+" key spec is RSA_2048 which is not valid for EnableKeyRotation.")
	_, err = e.East.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: rsa.KeyId})
	wantErr(t, err, "UnsupportedOperationException", "")
	xtest.Must[*kms.DisableKeyOutput](t)(e.East.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}))
	_, err = e.East.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId})
	wantErr(t, err, "DisabledException", *md.Arn+" is disabled.")
}

func TestAutomaticRotation(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	if st := rotationStatus(t, e.East, md.KeyId); st.KeyRotationEnabled || st.RotationPeriodInDays != nil || *st.KeyId != *md.KeyId {
		t.Errorf("new key rotation status %+v", st)
	}
	_, err := e.East.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId, RotationPeriodInDays: aws.Int32(89)})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90")
	xtest.Must[*kms.EnableKeyRotationOutput](t)(e.East.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId, RotationPeriodInDays: aws.Int32(90)}))
	st := rotationStatus(t, e.East, md.KeyId)
	if !st.KeyRotationEnabled || *st.RotationPeriodInDays != 90 || st.NextRotationDate == nil {
		t.Fatalf("status %+v", st)
	}
	if d := time.Until(*st.NextRotationDate); d < 89*24*time.Hour || d > 91*24*time.Hour {
		t.Errorf("next rotation in %v", d)
	}
	old := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("v1")}))
	e.Instance.Advance(181 * 24 * time.Hour) // two periods
	rs := rotations(t, e.East, md.KeyId)
	if len(rs) != 2 || rs[0].RotationType != types.RotationTypeAutomatic {
		t.Fatalf("rotations after 181 days: %+v", rs)
	}
	if !rs[1].RotationDate.After(*rs[0].RotationDate) {
		t.Errorf("rotation dates %v then %v", rs[0].RotationDate, rs[1].RotationDate)
	}
	if dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: old.CiphertextBlob})); string(dec.Plaintext) != "v1" {
		t.Errorf("old ciphertext decrypts to %q", dec.Plaintext)
	}
	xtest.Must[*kms.DisableKeyRotationOutput](t)(e.East.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: md.KeyId}))
	if st := rotationStatus(t, e.East, md.KeyId); st.KeyRotationEnabled || st.NextRotationDate != nil {
		t.Errorf("status after disabling %+v", st)
	}
	e.Instance.Advance(200 * 24 * time.Hour)
	if n := len(rotations(t, e.East, md.KeyId)); n != 2 {
		t.Errorf("%d rotations after disabling rotation", n)
	}
	_, err = e.East.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(fmt.Sprintf("arn:aws:kms:eu-west-1:%s:key/%s", account, *md.KeyId))})
	wantErr(t, err, "NotFoundException", "Invalid arn eu-west-1")
}

// TestRotationStatusWhilePendingDeletion: AWS reports rotation off while a key is pending
// deletion, and the setting comes back when the deletion is cancelled.
func TestRotationStatusWhilePendingDeletion(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	xtest.Must[*kms.EnableKeyRotationOutput](t)(e.East.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId, RotationPeriodInDays: aws.Int32(100)}))
	xtest.Must[*kms.ScheduleKeyDeletionOutput](t)(e.East.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId}))
	if st := rotationStatus(t, e.East, md.KeyId); st.KeyRotationEnabled || st.RotationPeriodInDays != nil || st.NextRotationDate != nil {
		t.Errorf("pending deletion: %+v", st)
	}
	_, err := e.East.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: md.KeyId})
	wantErr(t, err, "KMSInvalidStateException", *md.Arn+" is pending deletion.")
	xtest.Must[*kms.CancelKeyDeletionOutput](t)(e.East.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId}))
	if st := rotationStatus(t, e.East, md.KeyId); !st.KeyRotationEnabled || *st.RotationPeriodInDays != 100 || st.NextRotationDate == nil {
		t.Errorf("after cancelling the deletion: %+v", st)
	}
}
