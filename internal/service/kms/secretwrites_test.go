package kms_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/xregion/xregion/internal/xtest"
)

// In strict mode Secrets Manager encrypts a new value with its caller's own
// kms:GenerateDataKey on the secret's key (kms:ViaService), as AWS's does: a caller that
// may manage secrets but not generate data keys with the key gets AWS's
// AccessDeniedException, and nothing is written.
func TestStrictSecretWritesNeedGenerateDataKey(t *testing.T) {
	e := startStrict(t)
	const noDataKeys = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:*","kms:Decrypt"],"Resource":"*"}]}`
	const withDataKeys = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:*","kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}]}`
	deniedCfg, _ := e.sessionConfig(t, "no-data-keys", noDataKeys)
	writerCfg, _ := e.sessionConfig(t, "writer", withDataKeys)
	denied, writer := secretsmanager.NewFromConfig(deniedCfg), secretsmanager.NewFromConfig(writerCfg)
	key := createKey(t, e.root, nil) // the default policy: IAM decides
	other := createKey(t, e.root, nil)
	refused := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s without kms:GenerateDataKey: allowed", what)
			return
		}
		xtest.WantClientErrorContaining(t, err, "AccessDeniedException", "Access to KMS is not allowed")
	}

	_, err := denied.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("refused"), SecretString: aws.String("v"), KmsKeyId: key.Arn})
	refused("CreateSecret", err)
	if _, err := writer.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("refused")}); err == nil {
		t.Error("a refused CreateSecret left its secret behind")
	}
	// Without a value nothing is encrypted, so nothing is asked of KMS.
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(denied.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app"), KmsKeyId: key.Arn}))
	_, err = denied.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app"), SecretString: aws.String("v1")})
	refused("PutSecretValue", err)
	_, err = denied.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("app"), SecretString: aws.String("v1")})
	refused("UpdateSecret", err)
	if ids := versionKeys(t, writer, "app"); len(ids) != 0 {
		t.Errorf("refused writes left versions %v", ids)
	}
	first := xtest.Must[*secretsmanager.PutSecretValueOutput](t)(writer.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app"), SecretString: aws.String("v1")}))

	_, err = denied.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("app"),
		RotationLambdaARN: aws.String("arn:aws:lambda:us-east-1:" + strictAccount + ":function:rotate")})
	refused("RotateSecret", err)
	if d := xtest.Must[*secretsmanager.DescribeSecretOutput](t)(writer.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app")})); d.RotationEnabled != nil && *d.RotationEnabled {
		t.Error("a refused RotateSecret turned rotation on")
	}

	// A new key that the caller may not use leaves the versions under the old one, as
	// AWS documents; a caller who may moves them.
	xtest.Must[*secretsmanager.UpdateSecretOutput](t)(denied.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("app"), KmsKeyId: other.Arn}))
	if got := versionKeys(t, writer, "app")[*first.VersionId]; got != *key.Arn {
		t.Errorf("after a key change without kms:GenerateDataKey the version is under %q, want the old key", got)
	}
	if v := xtest.Must[*secretsmanager.GetSecretValueOutput](t)(writer.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app")})); *v.SecretString != "v1" {
		t.Errorf("value %q after the key change", *v.SecretString)
	}
	xtest.Must[*secretsmanager.UpdateSecretOutput](t)(writer.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("app"), KmsKeyId: key.Arn}))
	xtest.Must[*secretsmanager.UpdateSecretOutput](t)(writer.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("app"), KmsKeyId: other.Arn}))
	if got := versionKeys(t, writer, "app")[*first.VersionId]; got != *other.Arn {
		t.Errorf("after a key change with kms:GenerateDataKey the version is under %q, want the new key", got)
	}
	xtest.Must[*secretsmanager.PutSecretValueOutput](t)(writer.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app"), SecretString: aws.String("v2")}))
	xtest.Must[*secretsmanager.RotateSecretOutput](t)(writer.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("app"),
		RotationLambdaARN: aws.String("arn:aws:lambda:us-east-1:" + strictAccount + ":function:rotate")}))
}

// ReplicateSecretToRegions decrypts the primary's value with the caller's kms:Decrypt
// (refused: nothing changes) and encrypts each replica with the caller's
// kms:GenerateDataKey on the replica's key in its Region (refused: that replica fails).
func TestStrictReplicationUsesTheCallersKeys(t *testing.T) {
	e := startStrict(t)
	const writes = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:*","kms:GenerateDataKey"],"Resource":"*"}]}`
	const all = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:*","kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}]}`
	writesCfg, _ := e.sessionConfig(t, "writes-only", writes)
	allCfg, _ := e.sessionConfig(t, "all", all)
	noDecrypt, caller := secretsmanager.NewFromConfig(writesCfg), secretsmanager.NewFromConfig(allCfg)
	westRoot := kms.NewFromConfig(e.inst.ConfigAs("us-west-2", "AKIDSTRICT", "secret-s"))
	open := createKey(t, westRoot, nil)
	closed := createKey(t, westRoot, &kms.CreateKeyInput{Policy: aws.String(keyPolicy())}) // no statement for the caller
	primaryKey := createKey(t, e.root, nil)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(caller.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("v"), KmsKeyId: primaryKey.Arn}))

	_, err := noDecrypt.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: aws.String("db"),
		AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("us-west-2"), KmsKeyId: open.Arn}}})
	xtest.WantClientErrorContaining(t, err, "AccessDeniedException", "Access to KMS is not allowed")
	if d := xtest.Must[*secretsmanager.DescribeSecretOutput](t)(caller.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})); len(d.ReplicationStatus) != 0 {
		t.Errorf("a refused replication left %+v", d.ReplicationStatus)
	}

	out := xtest.Must[*secretsmanager.ReplicateSecretToRegionsOutput](t)(caller.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: aws.String("db"),
		AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("us-west-2"), KmsKeyId: closed.Arn}}}))
	if st := out.ReplicationStatus; len(st) != 1 || st[0].Status != smtypes.StatusTypeFailed || !strings.Contains(aws.ToString(st[0].StatusMessage), "Access to KMS is not allowed") {
		t.Errorf("replica under a key the caller may not use: %+v", st)
	}
	west := secretsmanager.NewFromConfig(e.inst.ConfigAs("us-west-2", "AKIDSTRICT", "secret-s"))
	if _, err := west.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")}); err == nil {
		t.Error("a replica the caller may not encrypt was written")
	}
	// Retried with a key the caller may use, the replica is made.
	xtest.Must[*secretsmanager.ReplicateSecretToRegionsOutput](t)(caller.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: aws.String("db"),
		AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("us-west-2"), KmsKeyId: open.Arn}}}))
	xtest.CheckFor(t, 10*time.Second, func() error {
		d, err := west.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
		if err == nil && aws.ToString(d.PrimaryRegion) != "us-east-1" {
			return fmt.Errorf("replica's primary Region %q", aws.ToString(d.PrimaryRegion))
		}
		return err
	})
}

// versionKeys maps each version of a secret to the key ListSecretVersionIds shows for it.
func versionKeys(t *testing.T, c *secretsmanager.Client, id string) map[string]string {
	t.Helper()
	out := xtest.Must[*secretsmanager.ListSecretVersionIdsOutput](t)(c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(id)}))
	keys := map[string]string{}
	for _, v := range out.Versions {
		if len(v.KmsKeyIds) > 0 {
			keys[*v.VersionId] = v.KmsKeyIds[0]
		}
	}
	return keys
}
