package kms_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

var mrkRE = regexp.MustCompile(`^mrk-[0-9a-f]{32}$`)

func replicaRegions(md *types.KeyMetadata) []string {
	var out []string
	for _, r := range md.MultiRegionConfiguration.ReplicaKeys {
		out = append(out, *r.Region)
	}
	return out
}

func TestMultiRegionKeys(t *testing.T) {
	e := start(t)
	eu := e.In("eu-west-1")
	md := createKey(t, e.East, &kms.CreateKeyInput{MultiRegion: aws.Bool(true), Description: aws.String("primary")})
	if !mrkRE.MatchString(*md.KeyId) || !*md.MultiRegion {
		t.Fatalf("multi-Region key id %s", *md.KeyId)
	}
	c := md.MultiRegionConfiguration
	if c.MultiRegionKeyType != types.MultiRegionKeyTypePrimary || *c.PrimaryKey.Region != "us-east-1" || *c.PrimaryKey.Arn != *md.Arn || len(c.ReplicaKeys) != 0 {
		t.Errorf("MultiRegionConfiguration %+v", c)
	}
	ec := map[string]string{"app": "x"}
	fromPrimary := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("everywhere"), EncryptionContext: ec}))

	rep := xtest.Must[*kms.ReplicateKeyOutput](t)(e.East.ReplicateKey(ctx, &kms.ReplicateKeyInput{
		KeyId: md.Arn, ReplicaRegion: aws.String("us-west-2"), Description: aws.String("replica"),
		Tags: []types.Tag{{TagKey: aws.String("r"), TagValue: aws.String("1")}},
	}))
	r := rep.ReplicaKeyMetadata
	wantARN := fmt.Sprintf("arn:aws:kms:us-west-2:%s:key/%s", account, *md.KeyId)
	if *r.KeyId != *md.KeyId || *r.Arn != wantARN || *r.Description != "replica" || r.MultiRegionConfiguration.MultiRegionKeyType != types.MultiRegionKeyTypeReplica ||
		*r.MultiRegionConfiguration.PrimaryKey.Arn != *md.Arn || r.KeySpec != md.KeySpec {
		t.Errorf("replica metadata %+v", r)
	}
	if r.KeyState != types.KeyStateCreating && r.KeyState != types.KeyStateEnabled {
		t.Errorf("new replica state %s", r.KeyState)
	}
	if !strings.Contains(*rep.ReplicaPolicy, "arn:aws:iam::"+account+":root") || len(rep.ReplicaTags) != 1 {
		t.Errorf("ReplicaPolicy %s tags %v", *rep.ReplicaPolicy, rep.ReplicaTags)
	}
	e.Instance.WaitIdle()
	if d := describe(t, e.West, *md.KeyId); d.KeyState != types.KeyStateEnabled || !slices.Equal(replicaRegions(d), []string{"us-west-2"}) {
		t.Errorf("replica after creation: %s %v", d.KeyState, replicaRegions(d))
	}
	if d := describe(t, e.East, *md.KeyId); !slices.Equal(replicaRegions(d), []string{"us-west-2"}) || *d.Description != "primary" {
		t.Errorf("primary lists replicas %v", replicaRegions(d))
	}

	// The replica decrypts what the primary encrypted, and the reverse.
	dec := xtest.Must[*kms.DecryptOutput](t)(e.West.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: fromPrimary.CiphertextBlob, EncryptionContext: ec}))
	if string(dec.Plaintext) != "everywhere" || *dec.KeyId != wantARN {
		t.Errorf("replica Decrypt = %q under %s", dec.Plaintext, *dec.KeyId)
	}
	fromReplica := xtest.Must[*kms.EncryptOutput](t)(e.West.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("back"), EncryptionContext: ec}))
	if dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: fromReplica.CiphertextBlob, EncryptionContext: ec})); string(dec.Plaintext) != "back" {
		t.Errorf("primary Decrypt of replica ciphertext = %q", dec.Plaintext)
	}
	// A Region without a replica cannot decrypt.
	_, err := eu.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: fromPrimary.CiphertextBlob, EncryptionContext: ec})
	wantErr(t, err, "NotFoundException", "")

	// Rotating the primary shares the new material with the replica.
	xtest.Must[*kms.RotateKeyOnDemandOutput](t)(e.East.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId}))
	e.Instance.WaitIdle()
	rotated := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("v2")}))
	if dec := xtest.Must[*kms.DecryptOutput](t)(e.West.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rotated.CiphertextBlob})); string(dec.Plaintext) != "v2" {
		t.Errorf("replica Decrypt after rotation = %q", dec.Plaintext)
	}
	if n := len(rotations(t, e.West, md.KeyId)); n != 1 {
		t.Errorf("replica lists %d rotations", n)
	}
	_, err = e.West.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	wantErr(t, err, "UnsupportedOperationException", "")
	xtest.Must[*kms.EnableKeyRotationOutput](t)(e.East.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId}))
	if st := rotationStatus(t, e.West, md.KeyId); !st.KeyRotationEnabled {
		t.Error("replica does not report its primary's automatic rotation")
	}

	// A third copy; every copy describes the whole set.
	xtest.Must[*kms.ReplicateKeyOutput](t)(e.East.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: md.KeyId, ReplicaRegion: aws.String("eu-west-1")}))
	e.Instance.WaitIdle()
	for _, c := range []*kms.Client{e.East, e.West, eu} {
		if d := describe(t, c, *md.KeyId); !slices.Equal(replicaRegions(d), []string{"us-west-2", "eu-west-1"}) || *d.MultiRegionConfiguration.PrimaryKey.Region != "us-east-1" {
			t.Errorf("configuration %v primary %s", replicaRegions(d), *d.MultiRegionConfiguration.PrimaryKey.Region)
		}
	}

	// Errors.
	_, err = e.East.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: md.KeyId, ReplicaRegion: aws.String("us-west-2")})
	wantErr(t, err, "AlreadyExistsException", "Unable to replicate key "+*md.KeyId+" to region us-west-2, as the key already exist there")
	_, err = e.East.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: md.KeyId, ReplicaRegion: aws.String("us-east-1")})
	wantErr(t, err, "AlreadyExistsException", "")
	_, err = e.West.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: md.KeyId, ReplicaRegion: aws.String("ap-south-1")})
	wantErr(t, err, "UnsupportedOperationException", "")
	_, err = e.East.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: md.KeyId, ReplicaRegion: aws.String("xx-nowhere-9")})
	wantErr(t, err, "ValidationException", "xx-nowhere-9 is not a valid AWS Region.")
	single := createKey(t, e.East, nil)
	_, err = e.East.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: single.KeyId, ReplicaRegion: aws.String("us-west-2")})
	wantErr(t, err, "UnsupportedOperationException", "Unable to replicate a non-MultiRegion key "+*single.KeyId)
	_, err = e.East.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: single.KeyId, PrimaryRegion: aws.String("us-west-2")})
	wantErr(t, err, "UnsupportedOperationException", *single.Arn+" is not a multi-Region key.")
	_, err = e.East.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: md.KeyId, PrimaryRegion: aws.String("ap-south-1")})
	wantErr(t, err, "NotFoundException", "Key 'arn:aws:kms:ap-south-1:"+account+":key/"+*md.KeyId+"' does not exist")
	_, err = e.West.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: md.KeyId, PrimaryRegion: aws.String("eu-west-1")})
	wantErr(t, err, "UnsupportedOperationException", "")

	// Move the primary to us-west-2.
	xtest.Must[*kms.UpdatePrimaryRegionOutput](t)(e.East.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: md.KeyId, PrimaryRegion: aws.String("us-west-2")}))
	e.Instance.WaitIdle()
	for _, c := range []*kms.Client{e.East, e.West, eu} {
		d := describe(t, c, *md.KeyId)
		if *d.MultiRegionConfiguration.PrimaryKey.Region != "us-west-2" || d.KeyState != types.KeyStateEnabled {
			t.Errorf("after UpdatePrimaryRegion: primary %s state %s", *d.MultiRegionConfiguration.PrimaryKey.Region, d.KeyState)
		}
	}
	if d := describe(t, e.West, *md.KeyId); d.MultiRegionConfiguration.MultiRegionKeyType != types.MultiRegionKeyTypePrimary ||
		!slices.Equal(replicaRegions(d), []string{"us-east-1", "eu-west-1"}) {
		t.Errorf("new primary %s replicas %v", d.MultiRegionConfiguration.MultiRegionKeyType, replicaRegions(d))
	}
	if d := describe(t, e.East, *md.KeyId); d.MultiRegionConfiguration.MultiRegionKeyType != types.MultiRegionKeyTypeReplica {
		t.Errorf("old primary is %s", d.MultiRegionConfiguration.MultiRegionKeyType)
	}

	// Deleting: the primary waits for its replicas.
	sched := xtest.Must[*kms.ScheduleKeyDeletionOutput](t)(e.West.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)}))
	if sched.KeyState != types.KeyStatePendingReplicaDeletion || sched.DeletionDate != nil {
		t.Errorf("primary with replicas: %s %v", sched.KeyState, sched.DeletionDate)
	}
	if d := describe(t, e.West, *md.KeyId); *d.PendingDeletionWindowInDays != 7 {
		t.Errorf("PendingDeletionWindowInDays %v", d.PendingDeletionWindowInDays)
	}
	for _, c := range []*kms.Client{e.East, eu} {
		xtest.Must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)}))
	}
	e.Instance.Advance(7*24*time.Hour + time.Minute)
	_, err = e.East.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	wantErr(t, err, "NotFoundException", "")
	d := describe(t, e.West, *md.KeyId)
	if d.KeyState != types.KeyStatePendingDeletion || d.DeletionDate == nil || len(replicaRegions(d)) != 0 {
		t.Errorf("primary after its replicas went: %s %v %v", d.KeyState, d.DeletionDate, replicaRegions(d))
	}
	e.Instance.Advance(7*24*time.Hour + time.Minute)
	_, err = e.West.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	wantErr(t, err, "NotFoundException", "")
}

func TestReplicaWaitsForUnreachableRegion(t *testing.T) {
	e := start(t)
	e.Instance.SetUnreachable("us-west-2", true)
	md := createKey(t, e.East, &kms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	xtest.Must[*kms.ReplicateKeyOutput](t)(e.East.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: md.KeyId, ReplicaRegion: aws.String("us-west-2")}))
	e.Instance.WaitIdle()
	if d := describe(t, e.West, *md.KeyId); d.KeyState != types.KeyStateCreating {
		t.Errorf("replica in an unreachable Region is %s", d.KeyState)
	}
	_, err := e.West.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, "KMSInvalidStateException", "")
	e.Instance.SetUnreachable("us-west-2", false)
	e.Instance.Advance(15 * time.Minute) // the next try
	xtest.CheckFor(t, 10*time.Second, func() error {
		if d := describe(t, e.West, *md.KeyId); d.KeyState != types.KeyStateEnabled {
			return fmt.Errorf("replica is %s", d.KeyState)
		}
		return nil
	})
}

// replicatedKey makes a multi-Region key in us-east-1 with a replica in us-west-2 that has
// finished its creation, on a server whose transitions take delay.
func replicatedKey(t *testing.T, e *env, delay time.Duration) *types.KeyMetadata {
	t.Helper()
	md := createKey(t, e.East, &kms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	xtest.Must[*kms.ReplicateKeyOutput](t)(e.East.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: md.KeyId, ReplicaRegion: aws.String("us-west-2")}))
	e.Instance.Advance(delay)
	if d := describe(t, e.West, *md.KeyId); d.KeyState != types.KeyStateEnabled {
		t.Fatalf("replica is %s", d.KeyState)
	}
	return md
}

// TestUpdatingKeysStayUsable: while UpdatePrimaryRegion's Updating state lasts, both keys
// encrypt and decrypt (as in AWS), but management operations wait; the update needs both
// keys Enabled.
func TestUpdatingKeysStayUsable(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	md := replicatedKey(t, e, time.Minute)
	westARN := fmt.Sprintf("arn:aws:kms:us-west-2:%s:key/%s", account, *md.KeyId)
	ec := map[string]string{"k": "v"}
	before := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("before"), EncryptionContext: ec}))

	xtest.Must[*kms.DisableKeyOutput](t)(e.West.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}))
	_, err := e.East.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: md.KeyId, PrimaryRegion: aws.String("us-west-2")})
	wantErr(t, err, "DisabledException", westARN+" is disabled.")
	if d := describe(t, e.East, *md.KeyId); d.KeyState != types.KeyStateEnabled || *d.MultiRegionConfiguration.PrimaryKey.Region != "us-east-1" {
		t.Errorf("refused UpdatePrimaryRegion changed the primary: %s %s", d.KeyState, *d.MultiRegionConfiguration.PrimaryKey.Region)
	}
	xtest.Must[*kms.EnableKeyOutput](t)(e.West.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId}))

	xtest.Must[*kms.UpdatePrimaryRegionOutput](t)(e.East.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: md.KeyId, PrimaryRegion: aws.String("us-west-2")}))
	for _, c := range []*kms.Client{e.East, e.West} {
		if d := describe(t, c, *md.KeyId); d.KeyState != types.KeyStateUpdating || d.Enabled {
			t.Fatalf("during the update: %s enabled %v", d.KeyState, d.Enabled)
		}
	}
	during := xtest.Must[*kms.EncryptOutput](t)(e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("during"), EncryptionContext: ec}))
	for blob, want := range map[*[]byte]string{&before.CiphertextBlob: "before", &during.CiphertextBlob: "during"} {
		dec := xtest.Must[*kms.DecryptOutput](t)(e.West.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: *blob, EncryptionContext: ec}))
		if string(dec.Plaintext) != want {
			t.Errorf("Decrypt while Updating = %q, want %q", dec.Plaintext, want)
		}
	}
	xtest.Must[*kms.GenerateDataKeyOutput](t)(e.West.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: types.DataKeySpecAes256}))

	_, err = e.East.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId})
	wantErr(t, err, "KMSInvalidStateException", *md.Arn+" is updating.")
	_, err = e.West.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId})
	wantErr(t, err, "KMSInvalidStateException", westARN+" is updating.")
	_, err = e.West.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	wantErr(t, err, "KMSInvalidStateException", westARN+" is updating.")

	e.Instance.Advance(time.Minute)
	for _, c := range []*kms.Client{e.East, e.West} {
		if d := describe(t, c, *md.KeyId); d.KeyState != types.KeyStateEnabled || !d.Enabled || *d.MultiRegionConfiguration.PrimaryKey.Region != "us-west-2" {
			t.Errorf("after the update: %s enabled %v primary %s", d.KeyState, d.Enabled, *d.MultiRegionConfiguration.PrimaryKey.Region)
		}
	}
}

// TestOnDemandRotationAcrossPrimaryUpdate: an on-demand rotation started on the primary
// that finishes after UpdatePrimaryRegion still gives the new material to every copy,
// the new primary included.
func TestOnDemandRotationAcrossPrimaryUpdate(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	md := replicatedKey(t, e, time.Minute)
	xtest.Must[*kms.RotateKeyOnDemandOutput](t)(e.East.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId}))
	xtest.Must[*kms.UpdatePrimaryRegionOutput](t)(e.East.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: md.KeyId, PrimaryRegion: aws.String("us-west-2")}))
	e.Instance.Advance(time.Minute)

	for _, c := range []*kms.Client{e.East, e.West} {
		if n := len(rotations(t, c, md.KeyId)); n != 1 {
			t.Errorf("%d rotations listed", n)
		}
	}
	for _, pair := range [][2]*kms.Client{{e.East, e.West}, {e.West, e.East}} {
		enc := xtest.Must[*kms.EncryptOutput](t)(pair[0].Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("v2")}))
		dec := xtest.Must[*kms.DecryptOutput](t)(pair[1].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}))
		if string(dec.Plaintext) != "v2" {
			t.Errorf("Decrypt in the other Region = %q", dec.Plaintext)
		}
	}
	// The new primary's next rotation makes version 3 everywhere, not a second version 2.
	xtest.Must[*kms.RotateKeyOnDemandOutput](t)(e.West.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId}))
	e.Instance.Advance(time.Minute)
	enc := xtest.Must[*kms.EncryptOutput](t)(e.West.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("v3")}))
	if dec := xtest.Must[*kms.DecryptOutput](t)(e.East.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})); string(dec.Plaintext) != "v3" {
		t.Errorf("Decrypt of the third version = %q", dec.Plaintext)
	}
}
