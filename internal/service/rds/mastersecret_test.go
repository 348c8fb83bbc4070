package rds_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/xregion/xregion/internal/xtest"
)

// masterPassword reads the password of an RDS-managed secret through Secrets Manager.
func masterPassword(t *testing.T, sm *secretsmanager.Client, arn string) (string, string) {
	t.Helper()
	out := xtest.Must[*secretsmanager.GetSecretValueOutput](t)(sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)}))
	var v struct{ Username, Password string }
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &v); err != nil {
		t.Fatal(err)
	}
	return v.Username, v.Password
}

// TestManagedMasterUserPassword: the master password in a secret RDS owns, read and
// replicated through Secrets Manager like any secret, rotated on request, removed when
// management is turned off or the instance deleted, and made anew when turned on again.
func TestManagedMasterUserPassword(t *testing.T) {
	e := start(t)
	smEast, smWest := secretsmanager.NewFromConfig(e.Config("us-east-1")), secretsmanager.NewFromConfig(e.Config("us-west-2"))
	in := postgres("managed")
	in.MasterUserPassword, in.ManageMasterUserPassword = nil, aws.Bool(true)
	created := xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	if s := created.DBInstance.MasterUserSecret; s == nil || aws.ToString(s.SecretStatus) != "creating" {
		t.Fatalf("MasterUserSecret on create = %+v", s)
	}
	e.WaitIdle()
	secret := e.describe(t, e.East, "managed").MasterUserSecret
	arn := aws.ToString(secret.SecretArn)
	if aws.ToString(secret.SecretStatus) != "active" || !strings.Contains(arn, ":secret:rds!db-") || !strings.Contains(aws.ToString(secret.KmsKeyId), ":key/") {
		t.Fatalf("MasterUserSecret = %s %s %s", arn, aws.ToString(secret.SecretStatus), aws.ToString(secret.KmsKeyId))
	}
	desc := xtest.Must[*secretsmanager.DescribeSecretOutput](t)(smEast.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)}))
	if aws.ToString(desc.OwningService) != "rds" || !aws.ToBool(desc.RotationEnabled) || aws.ToInt64(desc.RotationRules.AutomaticallyAfterDays) != 7 {
		t.Errorf("secret = owner %s, rotation %v %+v", aws.ToString(desc.OwningService), aws.ToBool(desc.RotationEnabled), desc.RotationRules)
	}
	user, first := masterPassword(t, smEast, arn)
	if user != "masterusername" || len(first) < 16 {
		t.Errorf("secret value: user %q, password of %d characters", user, len(first))
	}

	xtest.Must[*secretsmanager.ReplicateSecretToRegionsOutput](t)(smEast.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{
		SecretId: aws.String(arn), AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("us-west-2")}},
	}))
	e.WaitIdle()
	westARN := strings.Replace(arn, "us-east-1", "us-west-2", 1)
	if _, pw := masterPassword(t, smWest, westARN); pw != first {
		t.Error("the replica in us-west-2 does not hold the password")
	}

	modify := func(in *rds.ModifyDBInstanceInput) error {
		in.DBInstanceIdentifier = aws.String("managed")
		_, err := e.East.ModifyDBInstance(ctx, in)
		e.WaitIdle()
		return err
	}
	err := modify(&rds.ModifyDBInstanceInput{RotateMasterUserPassword: aws.Bool(true)})
	wantErr(t, err, "InvalidParameterCombination", 400, "ApplyImmediately")
	err = modify(&rds.ModifyDBInstanceInput{MasterUserPassword: aws.String("anotherpassword1")})
	wantErr(t, err, "InvalidParameterCombination", 400, "managed in Secrets Manager")
	if err := modify(&rds.ModifyDBInstanceInput{RotateMasterUserPassword: aws.Bool(true), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.advance(time.Hour) // Secrets Manager finishes the rotation
	if _, pw := masterPassword(t, smEast, arn); pw == first {
		t.Error("RotateMasterUserPassword left the password as it was")
	}

	err = modify(&rds.ModifyDBInstanceInput{ManageMasterUserPassword: aws.Bool(false)})
	wantErr(t, err, "InvalidParameterCombination", 400, "You must specify MasterUserPassword")
	if err := modify(&rds.ModifyDBInstanceInput{ManageMasterUserPassword: aws.Bool(false), MasterUserPassword: aws.String("anotherpassword1"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if s := e.describe(t, e.East, "managed").MasterUserSecret; s != nil {
		t.Errorf("MasterUserSecret after turning management off = %+v", s)
	}
	_, err = smEast.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	wantErr(t, err, "ResourceNotFoundException", 400, "")
	_, err = smWest.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(westARN)})
	wantErr(t, err, "ResourceNotFoundException", 400, "")

	if err := modify(&rds.ModifyDBInstanceInput{ManageMasterUserPassword: aws.Bool(true), MasterUserSecretKmsKeyId: aws.String(e.kmsKey(t, e.kmsEast))}); err != nil {
		t.Fatal(err)
	}
	again := aws.ToString(e.describe(t, e.East, "managed").MasterUserSecret.SecretArn)
	if again == "" || again == arn {
		t.Fatalf("turning management on again made secret %q", again)
	}
	xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("managed"), SkipFinalSnapshot: aws.Bool(true)}))
	e.WaitIdle()
	_, err = smEast.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(again)})
	wantErr(t, err, "ResourceNotFoundException", 400, "")
}

// TestManagedSecretRefusesUserWrites: Secrets Manager refuses a user's writes to the secret
// RDS owns — its value, versions, key, tags, deletion and a rotation function — while
// reads, the resource policy, replication and managed rotation stay open, and RDS's own
// writes (rotation, re-keying, deletion with the instance) go on working.
func TestManagedSecretRefusesUserWrites(t *testing.T) {
	e := start(t)
	sm := secretsmanager.NewFromConfig(e.Config("us-east-1"))
	in := postgres("owned")
	in.MasterUserPassword, in.ManageMasterUserPassword = nil, aws.Bool(true)
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	e.WaitIdle()
	arn := aws.String(aws.ToString(e.describe(t, e.East, "owned").MasterUserSecret.SecretArn))
	versionID := aws.String(strings.Repeat("a", 36))
	refused := map[string]func() error{
		"PutSecretValue": func() error {
			_, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: arn, SecretString: aws.String("x"), ClientRequestToken: versionID})
			return err
		},
		"UpdateSecret value": func() error {
			_, err := sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: arn, SecretString: aws.String("x"), ClientRequestToken: versionID})
			return err
		},
		"UpdateSecret key": func() error {
			_, err := sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: arn, KmsKeyId: aws.String("alias/aws/secretsmanager")})
			return err
		},
		"UpdateSecretVersionStage": func() error {
			_, err := sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: arn, VersionStage: aws.String("mine"), MoveToVersionId: versionID})
			return err
		},
		"DeleteSecret": func() error {
			_, err := sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: arn, ForceDeleteWithoutRecovery: aws.Bool(true)})
			return err
		},
		"TagResource": func() error {
			_, err := sm.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: arn, Tags: []smtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		},
		"UntagResource": func() error {
			_, err := sm.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: arn, TagKeys: []string{"k"}})
			return err
		},
		"RotateSecret with a function": func() error {
			_, err := sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: arn, RotationLambdaARN: aws.String("arn:aws:lambda:us-east-1:" + account + ":function:rotate")})
			return err
		},
	}
	for name, call := range refused {
		t.Run(name, func(t *testing.T) {
			wantErr(t, call(), "InvalidRequestException", 400, "This secret is managed by rds, and you must use that service to update it.")
		})
	}
	_, pw := masterPassword(t, sm, *arn)

	// Open: the resource policy and managed rotation on a schedule of the user's.
	xtest.Must[*secretsmanager.PutResourcePolicyOutput](t)(sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: arn,
		ResourcePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`)}))
	xtest.Must[*secretsmanager.RotateSecretOutput](t)(sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: arn,
		RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(14)}, RotateImmediately: aws.Bool(false)}))
	if d := describeSecret(t, sm, *arn); aws.ToInt64(d.RotationRules.AutomaticallyAfterDays) != 14 || aws.ToString(d.OwningService) != "rds" {
		t.Errorf("after RotateSecret with rules: %+v, owner %s", d.RotationRules, aws.ToString(d.OwningService))
	}

	// RDS's own writes: rotation and re-keying through ModifyDBInstance, deletion with it.
	key := e.kmsKey(t, e.kmsEast)
	xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("owned"),
		RotateMasterUserPassword: aws.Bool(true), ApplyImmediately: aws.Bool(true), MasterUserSecretKmsKeyId: aws.String(key)}))
	e.advance(time.Hour)
	if _, now := masterPassword(t, sm, *arn); now == pw {
		t.Error("RDS could not rotate its own secret")
	}
	if d := describeSecret(t, sm, *arn); aws.ToString(d.KmsKeyId) != key {
		t.Errorf("KmsKeyId after RDS re-keyed its secret = %s, want %s", aws.ToString(d.KmsKeyId), key)
	}
	xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("owned"), SkipFinalSnapshot: aws.Bool(true)}))
	e.WaitIdle()
	_, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: arn})
	wantErr(t, err, "ResourceNotFoundException", 400, "")
}

func describeSecret(t *testing.T, sm *secretsmanager.Client, arn string) *secretsmanager.DescribeSecretOutput {
	t.Helper()
	return xtest.Must[*secretsmanager.DescribeSecretOutput](t)(sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)}))
}
