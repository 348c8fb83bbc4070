package secretsmanager_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/xregion/xregion/internal/xtest"
)

func TestDeleteWithRecoveryWindow(t *testing.T) {
	e := start(t)
	first := create(t, e.East, "s", "v")
	now := time.Now()
	del := xtest.Must[*secretsmanager.DeleteSecretOutput](t)(e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s")}))
	if d := del.DeletionDate.Sub(now); d < 30*24*time.Hour-time.Minute || d > 30*24*time.Hour+time.Minute {
		t.Errorf("default recovery window = %v, want 30 days", d)
	}
	if aws.ToString(del.ARN) != aws.ToString(first.ARN) {
		t.Errorf("ARN %v", aws.ToString(del.ARN))
	}
	d := describe(t, e.East, "s")
	if d.DeletedDate == nil || !d.DeletedDate.Equal(*del.DeletionDate) {
		t.Errorf("DeletedDate = %v, want %v", d.DeletedDate, del.DeletionDate)
	}

	// Scheduled for deletion: unreadable, not listed by default, name still taken.
	_, err := e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
	wantErr(t, err, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
	_, err = e.East.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("x")})
	wantErr(t, err, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
	_, err = e.East.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("s"), Description: aws.String("x")})
	wantErr(t, err, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
	_, err = e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s")})
	wantErr(t, err, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
	_, err = e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v")})
	wantErr(t, err, "InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.")
	if l := listNames(t, e.East, &secretsmanager.ListSecretsInput{}); len(l) != 0 {
		t.Errorf("listed: %v", l)
	}
	if l := listNames(t, e.East, &secretsmanager.ListSecretsInput{IncludePlannedDeletion: aws.Bool(true)}); len(l) != 1 {
		t.Errorf("listed with IncludePlannedDeletion: %v", l)
	}

	// RestoreSecret cancels the deletion.
	xtest.Must[*secretsmanager.RestoreSecretOutput](t)(e.East.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String("s")}))
	if d := describe(t, e.East, "s"); d.DeletedDate != nil {
		t.Errorf("DeletedDate after restore: %v", d.DeletedDate)
	}
	e.Instance.Advance(31 * 24 * time.Hour)
	if v := getValue(t, e.East, "s"); aws.ToString(v.SecretString) != "v" {
		t.Errorf("restored value = %q", aws.ToString(v.SecretString))
	}

	// A 7-day window ends on the engine clock; then the name is free and a new secret of
	// that name gets a new ARN.
	xtest.Must[*secretsmanager.DeleteSecretOutput](t)(e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), RecoveryWindowInDays: aws.Int64(7)}))
	e.Instance.Advance(6 * 24 * time.Hour)
	describe(t, e.East, "s")
	e.Instance.Advance(24*time.Hour + time.Minute)
	_, err = e.East.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	second := create(t, e.East, "s", "w")
	if aws.ToString(second.ARN) == aws.ToString(first.ARN) {
		t.Errorf("a recreated secret kept the ARN %s", aws.ToString(first.ARN))
	}
	_, err = e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: first.ARN})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestDeleteErrorsAndForce(t *testing.T) {
	e := start(t)
	create(t, e.East, "s", "v")
	for _, days := range []int64{6, 31, 0} {
		_, err := e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), RecoveryWindowInDays: aws.Int64(days), ForceDeleteWithoutRecovery: aws.Bool(days == 0)})
		wantErr(t, err, "InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
	}
	_, err := e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), RecoveryWindowInDays: aws.Int64(7), ForceDeleteWithoutRecovery: aws.Bool(true)})
	wantErr(t, err, "InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	_, err = e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("missing")})
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = e.East.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String("missing")})
	wantErr(t, err, "ResourceNotFoundException", "")

	// Forcing works on a scheduled secret and on one that does not exist.
	xtest.Must[*secretsmanager.DeleteSecretOutput](t)(e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s")}))
	xtest.Must[*secretsmanager.DeleteSecretOutput](t)(e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), ForceDeleteWithoutRecovery: aws.Bool(true)}))
	_, err = e.East.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
	wantErr(t, err, "ResourceNotFoundException", "")
	out := xtest.Must[*secretsmanager.DeleteSecretOutput](t)(e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("never"), ForceDeleteWithoutRecovery: aws.Bool(true)}))
	if aws.ToString(out.Name) != "never" || out.DeletionDate == nil {
		t.Errorf("forced deletion of a missing secret = %+v", out)
	}
	// The name is free at once.
	create(t, e.East, "s", "again")
}
