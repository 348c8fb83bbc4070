package kms_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/xtest"
)

func TestAWSManagedKeys(t *testing.T) {
	e := start(t)
	descriptions := map[string]string{
		"alias/aws/secretsmanager":    "Default key that protects my Secrets Manager data when no other key is defined",
		"alias/aws/rds":               "Default key that protects my RDS database volumes when no other key is defined",
		"alias/aws/backup":            "Default key that protects my Backup data when no other key is defined",
		"alias/aws/dynamodb":          "Default key that protects my DynamoDB data when no other key is defined",
		"alias/aws/ebs":               "Default key that protects my EBS volumes when no other key is defined",
		"alias/aws/elasticfilesystem": "Default key that protects my EFS filesystems when no other key is defined",
	}
	for alias, desc := range descriptions {
		// DescribeKey of a predefined alias creates the AWS managed key, once.
		md := describe(t, e.East, alias)
		if md.KeyManager != types.KeyManagerTypeAws || *md.Description != desc || md.KeyState != types.KeyStateEnabled || md.KeySpec != types.KeySpecSymmetricDefault {
			t.Errorf("%s: %+v", alias, md)
		}
		if again := describe(t, e.East, "arn:aws:kms:us-east-1:"+account+":"+alias); *again.KeyId != *md.KeyId {
			t.Errorf("%s resolves to %s, then %s", alias, *md.KeyId, *again.KeyId)
		}
		// Each Region has its own.
		if west := describe(t, e.West, alias); *west.KeyId == *md.KeyId {
			t.Errorf("%s: the same key in two Regions", alias)
		}
		st := rotationStatus(t, e.East, md.KeyId)
		if !st.KeyRotationEnabled || *st.RotationPeriodInDays != 365 {
			t.Errorf("%s rotation %+v", alias, st)
		}
		p := xtest.Must[*kms.GetKeyPolicyOutput](t)(e.East.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId}))
		var doc struct{ Id string }
		if err := json.Unmarshal([]byte(*p.Policy), &doc); err != nil || !strings.HasPrefix(doc.Id, "auto-") {
			t.Errorf("%s policy %v %s", alias, err, *p.Policy)
		}
		service := strings.TrimPrefix(alias, "alias/aws/")
		if service == "ebs" {
			service = "ec2" // EBS is served by EC2's endpoint
		}
		if !strings.Contains(*p.Policy, service+".us-east-1.amazonaws.com") {
			t.Errorf("%s policy does not limit use to %s", alias, service)
		}
	}
	md := describe(t, e.East, "alias/aws/secretsmanager")
	all := listAliases(t, e.East, &kms.ListAliasesInput{})
	if a := all["alias/aws/secretsmanager"]; a.TargetKeyId == nil || *a.TargetKeyId != *md.KeyId {
		t.Errorf("alias/aws/secretsmanager lists %+v", a)
	}

	// The account cannot manage or directly use an AWS managed key.
	denied := func(action string, err error) {
		t.Helper()
		wantErr(t, err, "AccessDeniedException",
			"User: arn:aws:iam::"+account+":root is not authorized to perform: kms:"+action+" on resource: "+*md.Arn+" because no resource-based policy allows the kms:"+action+" action")
	}
	_, err := e.East.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId})
	denied("DisableKey", err)
	_, err = e.East.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId})
	denied("ScheduleKeyDeletion", err)
	_, err = e.East.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: aws.String(`{"Statement":[]}`)})
	denied("PutKeyPolicy", err)
	_, err = e.East.TagResource(ctx, &kms.TagResourceInput{KeyId: md.KeyId, Tags: []types.Tag{{TagKey: aws.String("a"), TagValue: aws.String("b")}}})
	denied("TagResource", err)
	_, err = e.East.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: md.KeyId})
	denied("DisableKeyRotation", err)
	_, err = e.East.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: md.KeyId, Description: aws.String("mine")})
	denied("UpdateKeyDescription", err)
	_, err = e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/aws/secretsmanager"), Plaintext: []byte("x")})
	denied("Encrypt", err)
	_, err = e.East.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/mine"), TargetKeyId: md.KeyId})
	denied("CreateAlias", err)
	if d := describe(t, e.East, *md.KeyId); d.KeyState != types.KeyStateEnabled || *d.Description != "Default key that protects my Secrets Manager data when no other key is defined" {
		t.Errorf("refused requests changed the key: %+v", d)
	}
	// Reading is allowed.
	xtest.Must[*kms.ListResourceTagsOutput](t)(e.East.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: md.KeyId}))
	xtest.Must[*kms.ListKeyPoliciesOutput](t)(e.East.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: md.KeyId}))
	// An alias under alias/aws/ that names no AWS managed key is just missing.
	_, err = e.East.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/unknown")})
	wantErr(t, err, "NotFoundException", "Alias arn:aws:kms:us-east-1:"+account+":alias/aws/unknown is not found.")
}
