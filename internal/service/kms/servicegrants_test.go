package kms_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/xregion/xregion/internal/xtest"
)

// In strict mode Secrets Manager decrypts a value with its caller's own permissions on
// the secret's key (kms:ViaService): a caller that may not decrypt gets AWS's
// AccessDeniedException, whatever Secrets Manager lets it do.
func TestStrictGetSecretValueNeedsDecryptOnTheKey(t *testing.T) {
	e := startStrict(t)
	const smOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}]}`
	const smAndDecrypt = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:*","kms:Decrypt"],"Resource":"*"}]}`
	onlyCfg, _ := e.sessionConfig(t, "secrets-only", smOnly)
	readerCfg, readerARN := e.sessionConfig(t, "reader", smAndDecrypt)
	viaOnly := `{"Effect":"Allow","Principal":{"AWS":"` + readerARN + `"},"Action":"kms:Decrypt","Resource":"*",
		"Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}}`
	// The account's own principals may encrypt under it (root writes the secret, with
	// kms:GenerateDataKey), not decrypt.
	encrypt := `{"Effect":"Allow","Principal":{"AWS":"` + strictRoot + `"},"Action":"kms:GenerateDataKey","Resource":"*"}`
	cmk := createKey(t, e.root, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(viaOnly, encrypt))})
	byDefault := createKey(t, e.root, nil)

	root := secretsmanager.NewFromConfig(e.inst.ConfigAs("us-east-1", "AKIDSTRICT", "secret-s"))
	for _, name := range []string{"managed", "cmk", "default-policy"} {
		in := &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("v-" + name)}
		switch name {
		case "cmk":
			in.KmsKeyId = cmk.Arn
		case "default-policy":
			in.KmsKeyId = byDefault.KeyId
		}
		if _, err := root.CreateSecret(ctx, in); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	only, reader := secretsmanager.NewFromConfig(onlyCfg), secretsmanager.NewFromConfig(readerCfg)
	for _, c := range []struct {
		who    string
		client *secretsmanager.Client
		secret string
		denied bool
	}{
		{"any principal of the account, under aws/secretsmanager", only, "managed", false},
		{"no kms:Decrypt, under a key whose policy delegates to IAM", only, "default-policy", true},
		{"kms:Decrypt in IAM, under a key whose policy delegates to IAM", reader, "default-policy", false},
		{"no statement of the key policy for the caller", only, "cmk", true},
		{"a key policy statement for Secrets Manager only", reader, "cmk", false},
	} {
		out, err := c.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(c.secret)})
		switch {
		case c.denied:
			xtest.WantClientErrorContaining(t, err, "AccessDeniedException", "Access to KMS is not allowed")
		case err != nil:
			t.Errorf("%s: %v", c.who, err)
		case *out.SecretString != "v-"+c.secret:
			t.Errorf("%s: value %q", c.who, *out.SecretString)
		}
	}
	batch := xtest.Must[*secretsmanager.BatchGetSecretValueOutput](t)(only.BatchGetSecretValue(ctx,
		&secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"managed", "cmk"}}))
	if len(batch.SecretValues) != 1 || len(batch.Errors) != 1 || *batch.Errors[0].ErrorCode != "AccessDeniedException" {
		t.Errorf("BatchGetSecretValue: %d values, errors %+v", len(batch.SecretValues), batch.Errors)
	}
}

// RDS holds a grant on an encrypted instance's key while the instance exists, as AWS's
// RDS does.
func TestRDSGrantsForEncryptedInstances(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	db := rds.NewFromConfig(e.Config("us-east-1"))
	inst := xtest.Must[*rds.CreateDBInstanceOutput](t)(db.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("orders"), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin1"), MasterUserPassword: aws.String("password123"),
		StorageEncrypted: aws.Bool(true), KmsKeyId: md.KeyId,
	})).DBInstance
	e.WaitIdle()
	grants := xtest.Must[*kms.ListGrantsOutput](t)(e.East.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId})).Grants
	if len(grants) != 1 {
		t.Fatalf("grants %+v, want RDS's", grants)
	}
	g := grants[0]
	if *g.GranteePrincipal != "rds.us-east-1.amazonaws.com" || *g.RetiringPrincipal != "rds.us-east-1.amazonaws.com" ||
		*g.Name != *inst.DbiResourceId || *g.IssuingAccount != "arn:aws:iam::"+account+":root" ||
		g.Constraints == nil || g.Constraints.EncryptionContextSubset["aws:rds:db-id"] != *inst.DbiResourceId ||
		!slices.Contains(g.Operations, types.GrantOperationDecrypt) {
		t.Errorf("RDS's grant %+v", g)
	}
	xtest.Must[*rds.DeleteDBInstanceOutput](t)(db.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{
		DBInstanceIdentifier: aws.String("orders"), SkipFinalSnapshot: aws.Bool(true), DeleteAutomatedBackups: aws.Bool(true),
	}))
	e.WaitIdle()
	if left := xtest.Must[*kms.ListGrantsOutput](t)(e.East.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId})).Grants; len(left) != 0 {
		t.Errorf("grants after the instance is gone: %+v", left)
	}
}
