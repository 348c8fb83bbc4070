package backup_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/xregion/xregion/internal/xtest"
)

func TestVaultLifeCycle(t *testing.T) {
	e := start(t)
	key := e.key(t, "us-east-1")
	created := xtest.Must[*backup.CreateBackupVaultOutput](t)(e.east.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{
		BackupVaultName: aws.String("prod-vault"), EncryptionKeyArn: aws.String(key),
		BackupVaultTags: map[string]string{"team": "dr"}, CreatorRequestId: aws.String("req-1"),
	}))
	wantARN := "arn:aws:backup:us-east-1:" + account + ":backup-vault:prod-vault"
	if aws.ToString(created.BackupVaultArn) != wantARN || aws.ToString(created.BackupVaultName) != "prod-vault" || created.CreationDate == nil {
		t.Fatalf("CreateBackupVault = %+v", created)
	}

	d := xtest.Must[*backup.DescribeBackupVaultOutput](t)(e.east.DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: aws.String("prod-vault")}))
	if aws.ToString(d.EncryptionKeyArn) != key || aws.ToString(d.BackupVaultArn) != wantARN || string(d.VaultType) != "BACKUP_VAULT" ||
		d.NumberOfRecoveryPoints != 0 || aws.ToString(d.CreatorRequestId) != "req-1" || aws.ToBool(d.Locked) ||
		d.VaultState != "AVAILABLE" || d.EncryptionKeyType != "CUSTOMER_MANAGED_KMS_KEY" {
		t.Errorf("DescribeBackupVault = %+v", d)
	}
	listed := xtest.Must[*backup.ListBackupVaultsOutput](t)(e.east.ListBackupVaults(ctx, &backup.ListBackupVaultsInput{})).BackupVaultList
	if len(listed) != 1 || listed[0].VaultType != "BACKUP_VAULT" || listed[0].VaultState != "AVAILABLE" || listed[0].EncryptionKeyType != "CUSTOMER_MANAGED_KMS_KEY" {
		t.Errorf("ListBackupVaults = %+v", listed)
	}

	// A retry with the same CreatorRequestId answers the same vault; another request is
	// refused.
	again := xtest.Must[*backup.CreateBackupVaultOutput](t)(e.east.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{
		BackupVaultName: aws.String("prod-vault"), EncryptionKeyArn: aws.String(key), CreatorRequestId: aws.String("req-1"),
	}))
	if !aws.ToTime(again.CreationDate).Equal(aws.ToTime(created.CreationDate)) {
		t.Errorf("retried create answered another vault: %+v", again)
	}
	_, err := e.east.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String("prod-vault")})
	xtest.WantError(t, err, "AlreadyExistsException", 400, "Backup vault with the same name already exists")

	tags := xtest.Must[*backup.ListTagsOutput](t)(e.east.ListTags(ctx, &backup.ListTagsInput{ResourceArn: aws.String(wantARN)}))
	if tags.Tags["team"] != "dr" || len(tags.Tags) != 1 {
		t.Errorf("ListTags = %v", tags.Tags)
	}

	// Vaults are per Region.
	_, err = e.west.DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: aws.String("prod-vault")})
	xtest.WantError(t, err, "ResourceNotFoundException", 400, "Backup vault prod-vault cannot be found")

	xtest.Must[*backup.DeleteBackupVaultOutput](t)(e.east.DeleteBackupVault(ctx, &backup.DeleteBackupVaultInput{BackupVaultName: aws.String("prod-vault")}))
	_, err = e.east.DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: aws.String("prod-vault")})
	xtest.WantError(t, err, "ResourceNotFoundException", 400, "Backup vault prod-vault cannot be found")
	_, err = e.east.DeleteBackupVault(ctx, &backup.DeleteBackupVaultInput{BackupVaultName: aws.String("prod-vault")})
	xtest.WantError(t, err, "ResourceNotFoundException", 400, "Backup vault prod-vault cannot be found")
}

func TestVaultDefaultKeyIsAWSManaged(t *testing.T) {
	e := start(t)
	createVault(t, e.west, "default-key")
	d := xtest.Must[*backup.DescribeBackupVaultOutput](t)(e.west.DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: aws.String("default-key")}))
	k := xtest.Must[*kms.DescribeKeyOutput](t)(e.kms("us-west-2").DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/backup")}))
	if aws.ToString(d.EncryptionKeyArn) != aws.ToString(k.KeyMetadata.Arn) {
		t.Errorf("vault key %s, want the us-west-2 alias/aws/backup key %s", aws.ToString(d.EncryptionKeyArn), aws.ToString(k.KeyMetadata.Arn))
	}
	// The AWS managed key is neither customer managed nor AWS owned: no type.
	if d.EncryptionKeyType != "" || d.VaultState != "AVAILABLE" {
		t.Errorf("a vault under aws/backup: type %q, state %q", d.EncryptionKeyType, d.VaultState)
	}
}

func TestVaultInvalidInput(t *testing.T) {
	e := start(t)
	eastKey := e.key(t, "us-east-1")
	disabled := e.key(t, "us-east-1")
	xtest.Must[*kms.DisableKeyOutput](t)(e.kms("us-east-1").DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(disabled)}))
	for _, c := range []struct {
		name, key, code, part string
	}{
		{"a", "", "InvalidParameterValueException", "Backup vault name a is not valid"},
		{"has.dot", "", "InvalidParameterValueException", "Backup vault name has.dot is not valid"},
		{"k1", "alias/aws/backup", "InvalidParameterValueException", "must be the ARN of a KMS key"},
		{"k2", eastKey, "InvalidParameterValueException", "Unable to find the KMS key"}, // a us-east-1 key for a us-west-2 vault
		{"k3", "arn:aws:kms:us-west-2:" + account + ":key/00000000-0000-0000-0000-000000000000", "InvalidParameterValueException", "Unable to find the KMS key"},
	} {
		in := &backup.CreateBackupVaultInput{BackupVaultName: aws.String(c.name)}
		if c.key != "" {
			in.EncryptionKeyArn = aws.String(c.key)
		}
		_, err := e.west.CreateBackupVault(ctx, in)
		xtest.WantErrorContaining(t, err, c.code, 400, c.part)
	}
	_, err := e.east.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String("off"), EncryptionKeyArn: aws.String(disabled)})
	xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, "must be an enabled symmetric encryption key")
	// Nothing was half-written.
	list := xtest.Must[*backup.ListBackupVaultsOutput](t)(e.west.ListBackupVaults(ctx, &backup.ListBackupVaultsInput{}))
	if len(list.BackupVaultList) != 0 {
		t.Errorf("failed creates left vaults: %+v", list.BackupVaultList)
	}
}

func TestListBackupVaultsPages(t *testing.T) {
	e := start(t)
	names := []string{"v-a", "v-b", "v-c", "v-d", "v-e"}
	for _, n := range names {
		createVault(t, e.east, n)
	}
	createVault(t, e.west, "west-only")
	var got []string
	p := backup.NewListBackupVaultsPaginator(e.east, &backup.ListBackupVaultsInput{MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out := xtest.Must[*backup.ListBackupVaultsOutput](t)(p.NextPage(ctx))
		pages++
		for _, v := range out.BackupVaultList {
			got = append(got, aws.ToString(v.BackupVaultName))
			if v.EncryptionKeyArn == nil || v.CreationDate == nil {
				t.Errorf("list member %+v lacks fields", v)
			}
		}
	}
	if pages != 3 || len(got) != len(names) {
		t.Fatalf("%d pages %v, want 3 pages of %v", pages, got, names)
	}
	for i := range names {
		if got[i] != names[i] {
			t.Errorf("vault %d = %s, want %s", i, got[i], names[i])
		}
	}
	shared := xtest.Must[*backup.ListBackupVaultsOutput](t)(e.east.ListBackupVaults(ctx, &backup.ListBackupVaultsInput{ByShared: true}))
	if len(shared.BackupVaultList) != 0 {
		t.Errorf("ByShared listed %d vaults", len(shared.BackupVaultList))
	}
	_, err := e.east.ListBackupVaults(ctx, &backup.ListBackupVaultsInput{NextToken: aws.String("bogus")})
	xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, "Invalid NextToken")
}

func TestTagsOnVaults(t *testing.T) {
	e := start(t)
	v := createVault(t, e.east, "tagged")
	a := v.BackupVaultArn
	xtest.Must[*backup.TagResourceOutput](t)(e.east.TagResource(ctx, &backup.TagResourceInput{ResourceArn: a, Tags: map[string]string{"a": "1", "b": "2"}}))
	xtest.Must[*backup.UntagResourceOutput](t)(e.east.UntagResource(ctx, &backup.UntagResourceInput{ResourceArn: a, TagKeyList: []string{"a"}}))
	tags := xtest.Must[*backup.ListTagsOutput](t)(e.east.ListTags(ctx, &backup.ListTagsInput{ResourceArn: a}))
	if len(tags.Tags) != 1 || tags.Tags["b"] != "2" {
		t.Errorf("tags = %v, want b=2", tags.Tags)
	}
	_, err := e.east.TagResource(ctx, &backup.TagResourceInput{ResourceArn: a, Tags: map[string]string{"aws:x": "1"}})
	xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, "reserved")
	// The same ARN read from another Region names nothing there.
	_, err = e.west.ListTags(ctx, &backup.ListTagsInput{ResourceArn: a})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "cannot be found")
	_, err = e.east.ListTags(ctx, &backup.ListTagsInput{ResourceArn: aws.String("arn:aws:backup:us-east-1:" + account + ":backup-vault:missing")})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "cannot be found")
}

func TestVaultAccessPolicy(t *testing.T) {
	e := start(t)
	createVault(t, e.east, "shared")
	_, err := e.east.GetBackupVaultAccessPolicy(ctx, &backup.GetBackupVaultAccessPolicyInput{BackupVaultName: aws.String("shared")})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "no access policy")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"backup:DeleteRecoveryPoint","Resource":"*"}]}`
	xtest.Must[*backup.PutBackupVaultAccessPolicyOutput](t)(e.east.PutBackupVaultAccessPolicy(ctx, &backup.PutBackupVaultAccessPolicyInput{BackupVaultName: aws.String("shared"), Policy: aws.String(policy)}))
	got := xtest.Must[*backup.GetBackupVaultAccessPolicyOutput](t)(e.east.GetBackupVaultAccessPolicy(ctx, &backup.GetBackupVaultAccessPolicyInput{BackupVaultName: aws.String("shared")}))
	if aws.ToString(got.Policy) != policy || !strings.HasSuffix(aws.ToString(got.BackupVaultArn), ":backup-vault:shared") {
		t.Errorf("GetBackupVaultAccessPolicy = %+v", got)
	}
	_, err = e.east.PutBackupVaultAccessPolicy(ctx, &backup.PutBackupVaultAccessPolicyInput{BackupVaultName: aws.String("shared"), Policy: aws.String("{not json")})
	xtest.WantErrorContaining(t, err, "InvalidParameterValueException", 400, "not a valid JSON")
	xtest.Must[*backup.DeleteBackupVaultAccessPolicyOutput](t)(e.east.DeleteBackupVaultAccessPolicy(ctx, &backup.DeleteBackupVaultAccessPolicyInput{BackupVaultName: aws.String("shared")}))
	_, err = e.east.GetBackupVaultAccessPolicy(ctx, &backup.GetBackupVaultAccessPolicyInput{BackupVaultName: aws.String("shared")})
	xtest.WantErrorContaining(t, err, "ResourceNotFoundException", 400, "")
}
