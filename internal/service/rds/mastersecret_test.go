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
