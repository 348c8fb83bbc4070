package kms_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/xtest"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestCreateKeyDefaults(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, &kms.CreateKeyInput{Description: aws.String("my key")})
	if !uuidRE.MatchString(*md.KeyId) {
		t.Errorf("key id %q is not a UUID", *md.KeyId)
	}
	if want := "arn:aws:kms:us-east-1:" + account + ":key/" + *md.KeyId; *md.Arn != want {
		t.Errorf("Arn = %s, want %s", *md.Arn, want)
	}
	if *md.AWSAccountId != account || !md.Enabled || md.KeyState != types.KeyStateEnabled || md.KeyManager != types.KeyManagerTypeCustomer ||
		md.Origin != types.OriginTypeAwsKms || md.KeySpec != types.KeySpecSymmetricDefault || md.KeyUsage != types.KeyUsageTypeEncryptDecrypt ||
		md.CustomerMasterKeySpec != types.CustomerMasterKeySpecSymmetricDefault || *md.Description != "my key" || *md.MultiRegion ||
		md.MultiRegionConfiguration != nil || md.DeletionDate != nil || md.CreationDate == nil {
		t.Errorf("unexpected metadata %+v", md)
	}
	if !slices.Equal(md.EncryptionAlgorithms, []types.EncryptionAlgorithmSpec{types.EncryptionAlgorithmSpecSymmetricDefault}) {
		t.Errorf("EncryptionAlgorithms = %v", md.EncryptionAlgorithms)
	}
	// Read after write is consistent, as the Terraform provider needs.
	if got := describe(t, e.East, *md.KeyId); *got.Arn != *md.Arn || *got.Description != "my key" {
		t.Errorf("DescribeKey = %+v", got)
	}
}

func TestCreateKeyErrors(t *testing.T) {
	e := start(t)
	cases := []struct {
		name      string
		in        kms.CreateKeyInput
		code, msg string
	}{
		{"asymmetric without usage", kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048}, "ValidationException",
			"You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."},
		{"symmetric signing", kms.CreateKeyInput{KeyUsage: types.KeyUsageTypeSignVerify}, "ValidationException",
			"KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT"},
		{"ECC encryption", kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeEncryptDecrypt}, "ValidationException",
			"KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_P256"},
		{"HMAC encryption", kms.CreateKeyInput{KeySpec: types.KeySpecHmac256, KeyUsage: types.KeyUsageTypeEncryptDecrypt}, "ValidationException",
			"KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_256"},
		{"both specs", kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, CustomerMasterKeySpec: types.CustomerMasterKeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify},
			"ValidationException", ""},
		{"SM2", kms.CreateKeyInput{KeySpec: types.KeySpecSm2, KeyUsage: types.KeyUsageTypeSignVerify}, "UnsupportedOperationException", ""},
		// Specs the current model lists and xregion does not implement are refused as such.
		{"Ed25519", kms.CreateKeyInput{KeySpec: types.KeySpecEccNistEdwards25519, KeyUsage: types.KeyUsageTypeSignVerify}, "UnsupportedOperationException",
			"KeySpec ECC_NIST_EDWARDS25519 is not supported by xregion."},
		{"ML-DSA", kms.CreateKeyInput{KeySpec: types.KeySpecMlDsa65, KeyUsage: types.KeyUsageTypeSignVerify}, "UnsupportedOperationException",
			"KeySpec ML_DSA_65 is not supported by xregion."},
		{"CloudHSM material", kms.CreateKeyInput{Origin: types.OriginTypeAwsCloudhsm}, "UnsupportedOperationException", ""},
		{"imported multi-Region", kms.CreateKeyInput{Origin: types.OriginTypeExternal, MultiRegion: aws.Bool(true)}, "UnsupportedOperationException", ""},
		{"custom key store", kms.CreateKeyInput{CustomKeyStoreId: aws.String("cks-1234567890abcdef0")}, "CustomKeyStoreNotFoundException", ""},
		{"bad policy", kms.CreateKeyInput{Policy: aws.String("{not json")}, "MalformedPolicyDocumentException", ""},
		{"reserved tag", kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("v")}}}, "TagException",
			"Tags beginning with aws: are reserved"},
		{"duplicate tag", kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("a"), TagValue: aws.String("1")}, {TagKey: aws.String("a"), TagValue: aws.String("2")}}},
			"TagException", "Duplicate tag keys"},
		{"bad enum", kms.CreateKeyInput{KeySpec: "AES_512"}, "ValidationException",
			"1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, HMAC_384, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.East.CreateKey(ctx, &c.in)
			wantErr(t, err, c.code, c.msg)
		})
	}
	// Nothing was half-written by the refused requests.
	keys := xtest.Must[*kms.ListKeysOutput](t)(e.East.ListKeys(ctx, &kms.ListKeysInput{}))
	if len(keys.Keys) != 0 {
		t.Errorf("refused CreateKey requests left keys: %+v", keys.Keys)
	}
}

func TestDescribeKeyIdentifiers(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	if _, err := e.East.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{*md.KeyId, *md.Arn, "alias/app", "arn:aws:kms:us-east-1:" + account + ":alias/app"} {
		if got := describe(t, e.East, id); *got.KeyId != *md.KeyId {
			t.Errorf("DescribeKey(%s) = %s", id, *got.KeyId)
		}
	}
	missing := "0b1f0b1f-0b1f-4b1f-8b1f-0b1f0b1f0b1f"
	cases := []struct{ id, code, msg string }{
		{missing, "NotFoundException", "Key 'arn:aws:kms:us-east-1:" + account + ":key/" + missing + "' does not exist"},
		{"arn:aws:kms:us-east-1:" + account + ":key/" + missing, "NotFoundException", "Key 'arn:aws:kms:us-east-1:" + account + ":key/" + missing + "' does not exist"},
		{"not-a-key", "NotFoundException", "Invalid keyId 'not-a-key'"},
		{"alias/none", "NotFoundException", "Alias arn:aws:kms:us-east-1:" + account + ":alias/none is not found."},
		{"arn:aws:kms:us-west-2:" + account + ":key/" + *md.KeyId, "NotFoundException", "Invalid arn us-west-2"},
		{"arn:aws:kms:us-east-1:210987654321:key/" + *md.KeyId, "NotFoundException", "Key 'arn:aws:kms:us-east-1:210987654321:key/" + *md.KeyId + "' does not exist"},
		{"", "ValidationException", "1 validation error detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	}
	for _, c := range cases {
		_, err := e.East.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(c.id)})
		wantErr(t, err, c.code, c.msg)
	}
	// Keys belong to their Region.
	_, err := e.West.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	wantErr(t, err, "NotFoundException", "Key 'arn:aws:kms:us-west-2:"+account+":key/"+*md.KeyId+"' does not exist")
}

func TestListKeysPages(t *testing.T) {
	e := start(t)
	var want []string
	for range 5 {
		want = append(want, *createKey(t, e.East, nil).KeyId)
	}
	createKey(t, e.West, nil) // another Region's key is not listed
	slices.Sort(want)
	var got []string
	var marker *string
	for pages := 0; ; pages++ {
		out := xtest.Must[*kms.ListKeysOutput](t)(e.East.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(2), Marker: marker}))
		for _, k := range out.Keys {
			got = append(got, *k.KeyId)
			if *k.KeyArn != "arn:aws:kms:us-east-1:"+account+":key/"+*k.KeyId {
				t.Errorf("KeyArn %s", *k.KeyArn)
			}
		}
		if !out.Truncated {
			if out.NextMarker != nil || pages != 2 {
				t.Errorf("last page %d: NextMarker %v", pages, out.NextMarker)
			}
			break
		}
		marker = out.NextMarker
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListKeys = %v, want %v", got, want)
	}
	_, err := e.East.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1001)})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000")
}

func TestUpdateDescriptionEnableDisable(t *testing.T) {
	e := start(t)
	id := createKey(t, e.East, nil).KeyId
	if _, err := e.East.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: id, Description: aws.String("new")}); err != nil {
		t.Fatal(err)
	}
	if d := describe(t, e.East, *id); *d.Description != "new" {
		t.Errorf("Description = %q", *d.Description)
	}
	if _, err := e.East.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	d := describe(t, e.East, *id)
	if d.Enabled || d.KeyState != types.KeyStateDisabled {
		t.Errorf("after DisableKey: %v %s", d.Enabled, d.KeyState)
	}
	_, err := e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	wantErr(t, err, "DisabledException", *d.Arn+" is disabled.")
	if _, err := e.East.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}); err != nil {
		t.Errorf("DisableKey on a disabled key: %v", err)
	}
	if _, err := e.East.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	if d := describe(t, e.East, *id); !d.Enabled || d.KeyState != types.KeyStateEnabled {
		t.Errorf("after EnableKey: %v %s", d.Enabled, d.KeyState)
	}
	if _, err := e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")}); err != nil {
		t.Errorf("Encrypt after EnableKey: %v", err)
	}
	_, err = e.East.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String("alias/missing")})
	wantErr(t, err, "NotFoundException", "Alias arn:aws:kms:us-east-1:"+account+":alias/missing is not found.")
	_, err = e.East.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: aws.String("nope"), Description: aws.String("x")})
	wantErr(t, err, "NotFoundException", "Invalid keyId 'nope'")
}

func TestScheduleAndCancelKeyDeletion(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	id, arn := md.KeyId, *md.Arn
	xtest.Must[*kms.CreateAliasOutput](t)(e.East.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/doomed"), TargetKeyId: id}))

	_, err := e.East.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(5)})
	wantErr(t, err, "ValidationException", "PendingWindowInDays should be between 7 and 30, but it is 5")
	_, err = e.East.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(366)})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value '366' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365")
	_, err = e.East.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id})
	wantErr(t, err, "KMSInvalidStateException", arn+" is not pending deletion.")

	before := time.Now()
	out := xtest.Must[*kms.ScheduleKeyDeletionOutput](t)(e.East.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)}))
	if *out.KeyId != arn || out.KeyState != types.KeyStatePendingDeletion || *out.PendingWindowInDays != 7 {
		t.Errorf("ScheduleKeyDeletion = %+v", out)
	}
	if d := out.DeletionDate.Sub(before); d < 7*24*time.Hour-time.Minute || d > 7*24*time.Hour+time.Minute {
		t.Errorf("DeletionDate is %v away", d)
	}
	d := describe(t, e.East, *id)
	if d.KeyState != types.KeyStatePendingDeletion || d.Enabled || d.DeletionDate == nil {
		t.Errorf("DescribeKey while pending deletion: %+v", d)
	}
	_, err = e.East.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	wantErr(t, err, "KMSInvalidStateException", arn+" is pending deletion.")
	_, err = e.East.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id})
	wantErr(t, err, "KMSInvalidStateException", arn+" is pending deletion.")
	_, err = e.East.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id})
	wantErr(t, err, "KMSInvalidStateException", arn+" is pending deletion.")

	// Cancelling leaves the key disabled, and the old deadline passes harmlessly.
	c := xtest.Must[*kms.CancelKeyDeletionOutput](t)(e.East.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id}))
	if *c.KeyId != arn {
		t.Errorf("CancelKeyDeletion KeyId = %s", *c.KeyId)
	}
	if d := describe(t, e.East, *id); d.KeyState != types.KeyStateDisabled || d.DeletionDate != nil {
		t.Errorf("after cancel: %s %v", d.KeyState, d.DeletionDate)
	}
	e.Instance.Advance(8 * 24 * time.Hour)
	describe(t, e.East, *id)

	// Default window is 30 days; the key is gone, aliases too, once the clock passes it.
	out = xtest.Must[*kms.ScheduleKeyDeletionOutput](t)(e.East.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id}))
	if *out.PendingWindowInDays != 30 {
		t.Errorf("default window %d", *out.PendingWindowInDays)
	}
	e.Instance.Advance(29 * 24 * time.Hour)
	describe(t, e.East, *id)
	e.Instance.Advance(24*time.Hour + time.Second)
	_, err = e.East.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	wantErr(t, err, "NotFoundException", fmt.Sprintf("Key '%s' does not exist", arn))
	aliases := xtest.Must[*kms.ListAliasesOutput](t)(e.East.ListAliases(ctx, &kms.ListAliasesInput{}))
	for _, a := range aliases.Aliases {
		if *a.AliasName == "alias/doomed" {
			t.Errorf("alias of a deleted key survives")
		}
	}
}

func TestKeyPolicies(t *testing.T) {
	e := start(t)
	id := createKey(t, e.East, nil).KeyId
	p := xtest.Must[*kms.GetKeyPolicyOutput](t)(e.East.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id, PolicyName: aws.String("default")}))
	var doc struct {
		Version   string
		Id        string
		Statement []struct {
			Sid, Effect, Action, Resource string
			Principal                     struct{ AWS string }
		}
	}
	if err := json.Unmarshal([]byte(*p.Policy), &doc); err != nil {
		t.Fatalf("default policy is not JSON: %v\n%s", err, *p.Policy)
	}
	if doc.Version != "2012-10-17" || doc.Id != "key-default-1" || len(doc.Statement) != 1 ||
		doc.Statement[0].Principal.AWS != "arn:aws:iam::"+account+":root" || doc.Statement[0].Action != "kms:*" {
		t.Errorf("default policy %+v", doc)
	}
	if *p.PolicyName != "default" {
		t.Errorf("PolicyName %s", *p.PolicyName)
	}
	custom := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*"}]}`
	// The policy would lock the account out of the key: AWS's safety check refuses it
	// unless the request bypasses the check.
	_, err := e.East.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, PolicyName: aws.String("default"), Policy: aws.String(custom)})
	wantErr(t, err, "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")
	xtest.Must[*kms.PutKeyPolicyOutput](t)(e.East.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, PolicyName: aws.String("default"), Policy: aws.String(custom), BypassPolicyLockoutSafetyCheck: true}))
	if p := xtest.Must[*kms.GetKeyPolicyOutput](t)(e.East.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id})); *p.Policy != custom {
		t.Errorf("policy after PutKeyPolicy: %s", *p.Policy)
	}
	_, err = e.East.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String("[1,2")})
	wantErr(t, err, "MalformedPolicyDocumentException", "")
	_, err = e.East.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id, PolicyName: aws.String("other")})
	wantErr(t, err, "NotFoundException", "No such policy exists")
	names := xtest.Must[*kms.ListKeyPoliciesOutput](t)(e.East.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: id}))
	if !slices.Equal(names.PolicyNames, []string{"default"}) || names.Truncated {
		t.Errorf("ListKeyPolicies = %+v", names)
	}
	_, err = e.East.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: aws.String("alias/x")})
	wantErr(t, err, "NotFoundException", "Alias arn:aws:kms:us-east-1:"+account+":alias/x is not found.")
}

func TestTags(t *testing.T) {
	e := start(t)
	id := createKey(t, e.East, &kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("b"), TagValue: aws.String("2")}}}).KeyId
	xtest.Must[*kms.TagResourceOutput](t)(e.East.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []types.Tag{
		{TagKey: aws.String("a"), TagValue: aws.String("1")}, {TagKey: aws.String("b"), TagValue: aws.String("two")}, {TagKey: aws.String("c"), TagValue: aws.String("")},
	}}))
	tags := func(limit int32, marker *string) *kms.ListResourceTagsOutput {
		in := &kms.ListResourceTagsInput{KeyId: id, Marker: marker}
		if limit > 0 {
			in.Limit = aws.Int32(limit)
		}
		return xtest.Must[*kms.ListResourceTagsOutput](t)(e.East.ListResourceTags(ctx, in))
	}
	all := tags(0, nil)
	got := map[string]string{}
	for _, tg := range all.Tags {
		got[*tg.TagKey] = *tg.TagValue
	}
	if len(got) != 3 || got["a"] != "1" || got["b"] != "two" || got["c"] != "" || all.Truncated {
		t.Errorf("tags %v truncated %v", got, all.Truncated)
	}
	p1 := tags(2, nil)
	if len(p1.Tags) != 2 || !p1.Truncated {
		t.Fatalf("page 1 %+v", p1)
	}
	p2 := tags(2, p1.NextMarker)
	if len(p2.Tags) != 1 || p2.Truncated || *p2.Tags[0].TagKey != "c" {
		t.Errorf("page 2 %+v", p2)
	}
	xtest.Must[*kms.UntagResourceOutput](t)(e.East.UntagResource(ctx, &kms.UntagResourceInput{KeyId: id, TagKeys: []string{"a", "absent"}}))
	if n := len(tags(0, nil).Tags); n != 2 {
		t.Errorf("%d tags after untag", n)
	}
	_, err := e.East.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []types.Tag{{TagKey: aws.String("AWS:x"), TagValue: aws.String("v")}}})
	wantErr(t, err, "TagException", "Tags beginning with aws: are reserved")
	var many []types.Tag
	for i := range 49 {
		many = append(many, types.Tag{TagKey: aws.String(fmt.Sprintf("k%02d", i)), TagValue: aws.String("v")})
	}
	_, err = e.East.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: many})
	wantErr(t, err, "LimitExceededException", "")
	if n := len(tags(0, nil).Tags); n != 2 {
		t.Errorf("refused TagResource changed the tags: %d", n)
	}
	_, err = e.East.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String("arn:aws:kms:us-east-1:" + account + ":key/00000000-0000-4000-8000-000000000000")})
	wantErr(t, err, "NotFoundException", "Key 'arn:aws:kms:us-east-1:"+account+":key/00000000-0000-4000-8000-000000000000' does not exist")
}
