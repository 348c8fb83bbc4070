package kms_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/xtest"
)

func listAliases(t *testing.T, c *kms.Client, in *kms.ListAliasesInput) map[string]types.AliasListEntry {
	t.Helper()
	out := map[string]types.AliasListEntry{}
	for {
		page := xtest.Must[*kms.ListAliasesOutput](t)(c.ListAliases(ctx, in))
		for _, a := range page.Aliases {
			out[*a.AliasName] = a
		}
		if !page.Truncated {
			return out
		}
		next := *in
		next.Marker = page.NextMarker
		in = &next
	}
}

func TestAliases(t *testing.T) {
	e := start(t)
	k1 := createKey(t, e.East, nil)
	k2 := createKey(t, e.East, nil)
	for _, n := range []string{"alias/one", "alias/two"} {
		xtest.Must[*kms.CreateAliasOutput](t)(e.East.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(n), TargetKeyId: k1.KeyId}))
	}
	// A key ARN is a valid target too.
	xtest.Must[*kms.CreateAliasOutput](t)(e.East.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/three"), TargetKeyId: k2.Arn}))

	all := listAliases(t, e.East, &kms.ListAliasesInput{Limit: aws.Int32(2)})
	one, ok := all["alias/one"]
	if !ok || *one.TargetKeyId != *k1.KeyId || *one.AliasArn != "arn:aws:kms:us-east-1:"+account+":alias/one" || one.CreationDate == nil || one.LastUpdatedDate == nil {
		t.Errorf("alias/one = %+v", one)
	}
	// The predefined aliases of AWS managed keys are listed before their keys exist.
	if sm, ok := all["alias/aws/secretsmanager"]; !ok || sm.TargetKeyId != nil {
		t.Errorf("alias/aws/secretsmanager = %+v (listed %v)", sm, ok)
	}
	byKey := listAliases(t, e.East, &kms.ListAliasesInput{KeyId: k1.Arn})
	if len(byKey) != 2 || byKey["alias/one"].AliasName == nil || byKey["alias/two"].AliasName == nil {
		t.Errorf("ListAliases(KeyId) = %v", byKey)
	}
	if len(listAliases(t, e.West, &kms.ListAliasesInput{})) != 6 { // the predefined aliases of AWS managed keys only
		t.Errorf("aliases leak to another Region")
	}

	xtest.Must[*kms.UpdateAliasOutput](t)(e.East.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/two"), TargetKeyId: k2.KeyId}))
	if d := describe(t, e.East, "alias/two"); *d.KeyId != *k2.KeyId {
		t.Errorf("alias/two points at %s after UpdateAlias", *d.KeyId)
	}
	if byKey := listAliases(t, e.East, &kms.ListAliasesInput{KeyId: k1.KeyId}); len(byKey) != 1 {
		t.Errorf("k1 aliases after update: %v", byKey)
	}
	xtest.Must[*kms.DeleteAliasOutput](t)(e.East.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/one")}))
	_, err := e.East.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/one")})
	wantErr(t, err, "NotFoundException", "Alias arn:aws:kms:us-east-1:"+account+":alias/one is not found.")
	// The key outlives its alias.
	describe(t, e.East, *k1.KeyId)
}

func TestAliasErrors(t *testing.T) {
	e := start(t)
	k := createKey(t, e.East, nil)
	hmacKey := createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac256, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
	xtest.Must[*kms.CreateAliasOutput](t)(e.East.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/taken"), TargetKeyId: k.KeyId}))
	create := func(name, target string) error {
		_, err := e.East.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: aws.String(target)})
		return err
	}
	wantErr(t, create("alias/taken", *k.KeyId), "AlreadyExistsException", "An alias with the name arn:aws:kms:us-east-1:"+account+":alias/taken already exists")
	wantErr(t, create("noprefix", *k.KeyId), "ValidationException", `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	wantErr(t, create("alias/aws/mine", *k.KeyId), "NotAuthorizedException", "")
	wantErr(t, create("alias/a:b", *k.KeyId), "ValidationException", "alias/a:b contains invalid characters for an alias")
	wantErr(t, create("alias/", *k.KeyId), "InvalidAliasNameException", "")
	wantErr(t, create("alias/sp ace", *k.KeyId), "ValidationException",
		"1 validation error detected: Value 'alias/sp ace' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")
	wantErr(t, create("alias/to-alias", "alias/taken"), "ValidationException", "Aliases must refer to keys. Not aliases")
	wantErr(t, create("alias/nokey", "0b1f0b1f-0b1f-4b1f-8b1f-0b1f0b1f0b1f"), "NotFoundException", "")

	_, err := e.East.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/absent"), TargetKeyId: k.KeyId})
	wantErr(t, err, "NotFoundException", "Alias arn:aws:kms:us-east-1:"+account+":alias/absent is not found.")
	_, err = e.East.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/taken"), TargetKeyId: hmacKey.KeyId})
	wantErr(t, err, "ValidationException", "")
	_, err = e.East.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/absent")})
	wantErr(t, err, "NotFoundException", "Alias arn:aws:kms:us-east-1:"+account+":alias/absent is not found.")
	_, err = e.East.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/aws/secretsmanager")})
	wantErr(t, err, "NotAuthorizedException", "")

	// An alias cannot point at a key pending deletion.
	xtest.Must[*kms.ScheduleKeyDeletionOutput](t)(e.East.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: hmacKey.KeyId}))
	wantErr(t, create("alias/late", *hmacKey.KeyId), "KMSInvalidStateException", *hmacKey.Arn+" is pending deletion.")
	// ListAliases filters by key id or key ARN only: aliases, existing or not, are refused.
	for _, id := range []string{"alias/absent", "alias/taken", "arn:aws:kms:us-east-1:" + account + ":alias/taken"} {
		_, err = e.East.ListAliases(ctx, &kms.ListAliasesInput{KeyId: aws.String(id)})
		wantErr(t, err, "InvalidArnException", "Key Aliases are not supported for this operation.")
	}
	_, err = e.East.ListAliases(ctx, &kms.ListAliasesInput{KeyId: aws.String("0b1f0b1f-0b1f-4b1f-8b1f-0b1f0b1f0b1f")})
	wantErr(t, err, "NotFoundException", "Key 'arn:aws:kms:us-east-1:"+account+":key/0b1f0b1f-0b1f-4b1f-8b1f-0b1f0b1f0b1f' does not exist")
}
