package secretsmanager_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/xregion/xregion/internal/xtest"
)

func TestUpdateSecret(t *testing.T) {
	e := start(t)
	arn := aws.ToString(create(t, e.East, "s", "v1").ARN)
	before := describe(t, e.East, "s")

	out := xtest.Must[*secretsmanager.UpdateSecretOutput](t)(e.East.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{
		SecretId: aws.String("s"), Description: aws.String("new description"),
	}))
	if out.VersionId != nil {
		t.Errorf("a description change made version %s", aws.ToString(out.VersionId))
	}
	d := describe(t, e.East, "s")
	if aws.ToString(d.Description) != "new description" || !d.LastChangedDate.After(*before.LastChangedDate) && !d.LastChangedDate.Equal(*before.LastChangedDate) {
		t.Errorf("describe after update = %+v", d)
	}

	out = xtest.Must[*secretsmanager.UpdateSecretOutput](t)(e.East.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{
		SecretId: aws.String("s"), SecretString: aws.String("v2"), ClientRequestToken: aws.String(token("u2")),
	}))
	if aws.ToString(out.VersionId) != token("u2") {
		t.Errorf("VersionId = %v", aws.ToString(out.VersionId))
	}
	if v := getValue(t, e.East, "s"); aws.ToString(v.SecretString) != "v2" {
		t.Errorf("value = %q", aws.ToString(v.SecretString))
	}
	// The same request again creates nothing and answers the version the first made;
	// another value under the token is refused.
	again := xtest.Must[*secretsmanager.UpdateSecretOutput](t)(e.East.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{
		SecretId: aws.String("s"), SecretString: aws.String("v2"), ClientRequestToken: aws.String(token("u2")),
	}))
	if aws.ToString(again.VersionId) != token("u2") {
		t.Errorf("retry answered VersionId %v, want %s", aws.ToString(again.VersionId), token("u2"))
	}
	if n := len(stagesOf(t, e.East, "s")); n != 2 {
		t.Errorf("%d versions after the retry, want 2", n)
	}
	_, err := e.East.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{
		SecretId: aws.String("s"), SecretString: aws.String("v3"), ClientRequestToken: aws.String(token("u2")),
	})
	wantErr(t, err, "ResourceExistsException", "You can't use ClientRequestToken "+token("u2")+" because that value is already in use for a version of secret "+arn+".")
	_, err = e.East.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("missing"), Description: aws.String("x")})
	wantErr(t, err, "ResourceNotFoundException", "")
}

// TestUpdateSecretKmsKey: the labelled versions move under the new key, so disabling the
// new key stops reads and disabling the old one does not.
func TestUpdateSecretKmsKey(t *testing.T) {
	e := start(t)
	k := kmsIn(e, "us-east-1")
	oldKey := xtest.Must[*kms.CreateKeyOutput](t)(k.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	newKey := xtest.Must[*kms.CreateKeyOutput](t)(k.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), KmsKeyId: oldKey.KeyId,
	}))
	put(t, e.East, "s", token("k2"), "v2")

	out := xtest.Must[*secretsmanager.UpdateSecretOutput](t)(e.East.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("s"), KmsKeyId: newKey.Arn}))
	if out.VersionId != nil {
		t.Errorf("a key change made a version")
	}
	if d := describe(t, e.East, "s"); aws.ToString(d.KmsKeyId) != aws.ToString(newKey.Arn) {
		t.Errorf("KmsKeyId = %v", aws.ToString(d.KmsKeyId))
	}
	xtest.Must[*kms.DisableKeyOutput](t)(k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: oldKey.KeyId}))
	if v := getValue(t, e.East, "s"); aws.ToString(v.SecretString) != "v2" {
		t.Errorf("value = %q", aws.ToString(v.SecretString))
	}
	xtest.Must[*kms.EnableKeyOutput](t)(k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: oldKey.KeyId}))
	xtest.Must[*kms.DisableKeyOutput](t)(k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: newKey.KeyId}))
	_, err := e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionStage: aws.String("AWSPREVIOUS")})
	wantErr(t, err, "DecryptionFailure", "Secrets Manager can't decrypt the protected secret text using the provided KMS key.")

	_, err = e.East.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("s"), KmsKeyId: aws.String("alias/none")})
	wantErr(t, err, "EncryptionFailure", "")
	// An empty KmsKeyId goes back to aws/secretsmanager, which DescribeSecret omits.
	xtest.Must[*kms.EnableKeyOutput](t)(k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: newKey.KeyId}))
	xtest.Must[*secretsmanager.UpdateSecretOutput](t)(e.East.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("s"), KmsKeyId: aws.String("")}))
	if d := describe(t, e.East, "s"); d.KmsKeyId != nil {
		t.Errorf("KmsKeyId = %v after going back to the default key", aws.ToString(d.KmsKeyId))
	}
	list := xtest.Must[*secretsmanager.ListSecretVersionIdsOutput](t)(e.East.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("s")}))
	for _, v := range list.Versions {
		if v.KmsKeyIds[0] != "DefaultEncryptionKey" {
			t.Errorf("version %s under %v", aws.ToString(v.VersionId), v.KmsKeyIds)
		}
	}
}

// TestKeyStateBreaksReads: a disabled key, or one pending deletion, makes GetSecretValue
// fail with DecryptionFailure and writes fail with EncryptionFailure.
func TestKeyStateBreaksReads(t *testing.T) {
	e := start(t)
	k := kmsIn(e, "us-east-1")
	key := xtest.Must[*kms.CreateKeyOutput](t)(k.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	_, err := e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), KmsKeyId: aws.String("alias/app"),
	})
	wantErr(t, err, "EncryptionFailure", "")
	// The alias did not exist yet: nothing was created.
	_, err = e.East.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
	wantErr(t, err, "ResourceNotFoundException", "")
	xtest.Must[*kms.CreateAliasOutput](t)(k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: key.KeyId}))
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), KmsKeyId: aws.String("alias/app"),
	}))
	if d := describe(t, e.East, "s"); aws.ToString(d.KmsKeyId) != "alias/app" {
		t.Errorf("KmsKeyId = %v", aws.ToString(d.KmsKeyId))
	}
	xtest.Must[*kms.DisableKeyOutput](t)(k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyId}))
	_, err = e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
	wantErr(t, err, "DecryptionFailure", "Secrets Manager can't decrypt the protected secret text using the provided KMS key.")
	_, err = e.East.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("v2")})
	wantErr(t, err, "EncryptionFailure", "")
	xtest.Must[*kms.EnableKeyOutput](t)(k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: key.KeyId}))
	getValue(t, e.East, "s")
	xtest.Must[*kms.ScheduleKeyDeletionOutput](t)(k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: key.KeyId, PendingWindowInDays: aws.Int32(7)}))
	_, err = e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
	wantErr(t, err, "DecryptionFailure", "")
}

func TestUpdateSecretVersionStage(t *testing.T) {
	e := start(t)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("S1"), ClientRequestToken: aws.String(token("v1")),
	}))
	put(t, e.East, "s", token("v2"), "S2", "AWSPENDING", "PUT1")
	move := func(stage, to, from string) error {
		in := &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("s"), VersionStage: aws.String(stage)}
		if to != "" {
			in.MoveToVersionId = aws.String(to)
		}
		if from != "" {
			in.RemoveFromVersionId = aws.String(from)
		}
		_, err := e.East.UpdateSecretVersionStage(ctx, in)
		return err
	}
	err := move("AWSCURRENT", token("v2"), "")
	wantErr(t, err, "InvalidParameterException", fmt.Sprintf("The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", token("v1")))
	if err := move("AWSCURRENT", token("v2"), token("v1")); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{token("v1"): {"AWSPREVIOUS"}, token("v2"): {"AWSPENDING", "PUT1", "AWSCURRENT"}}
	if got := stagesOf(t, e.East, "s"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after moving AWSCURRENT: %v, want %v", got, want)
	}
	if v := getValue(t, e.East, "s"); aws.ToString(v.SecretString) != "S2" {
		t.Errorf("AWSCURRENT value = %q", aws.ToString(v.SecretString))
	}
	// Removing a label; removing the last one deprecates the version.
	if err := move("PUT1", "", token("v2")); err != nil {
		t.Fatal(err)
	}
	if err := move("AWSPREVIOUS", "", token("v1")); err != nil {
		t.Fatal(err)
	}
	want = map[string][]string{token("v1"): nil, token("v2"): {"AWSPENDING", "AWSCURRENT"}}
	if got := stagesOf(t, e.East, "s"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after removals: %v, want %v", got, want)
	}
	// Moving back to a deprecated version works (rollback).
	if err := move("AWSCURRENT", token("v1"), token("v2")); err != nil {
		t.Fatal(err)
	}
	if v := getValue(t, e.East, "s"); aws.ToString(v.SecretString) != "S1" {
		t.Errorf("after rollback: %q", aws.ToString(v.SecretString))
	}

	wantErr(t, move("AWSCURRENT", "", token("v1")), "InvalidParameterException", "")
	wantErr(t, move("X", token("nope"), ""), "InvalidParameterException", "Not a valid version: "+token("nope"))
	wantErr(t, move("PUT9", "", token("v1")), "InvalidParameterException", "")
	wantErr(t, move("X", "", ""), "InvalidParameterException", "")
}
