package kms_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/xtest"
)

const grantee = "arn:aws:iam::" + account + ":role/app"

func createGrant(t *testing.T, c *kms.Client, in *kms.CreateGrantInput) *kms.CreateGrantOutput {
	t.Helper()
	return xtest.Must[*kms.CreateGrantOutput](t)(c.CreateGrant(ctx, in))
}

func TestCreateGrantNameIsIdempotentAndListGrantsShowsIt(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	in := &kms.CreateGrantInput{
		KeyId: md.KeyId, GranteePrincipal: aws.String(grantee), Name: aws.String("app-grant"),
		RetiringPrincipal: aws.String("arn:aws:iam::" + account + ":role/ops"),
		Operations:        []types.GrantOperation{types.GrantOperationDecrypt, types.GrantOperationEncrypt},
		Constraints:       &types.GrantConstraints{EncryptionContextSubset: map[string]string{"app": "web"}},
	}
	first := createGrant(t, e.East, in)
	again := createGrant(t, e.East, in)
	if *first.GrantId != *again.GrantId || len(*first.GrantId) != 64 {
		t.Errorf("GrantIds %s and %s, want one 64-digit id", *first.GrantId, *again.GrantId)
	}
	if *first.GrantToken == "" || *again.GrantToken == "" {
		t.Error("empty grant token")
	}
	other := createGrant(t, e.East, &kms.CreateGrantInput{KeyId: md.Arn, GranteePrincipal: aws.String(account), Operations: []types.GrantOperation{types.GrantOperationDescribeKey}})
	if *other.GrantId == *first.GrantId {
		t.Error("a grant without a name reused another's id")
	}

	all := xtest.Must[*kms.ListGrantsOutput](t)(e.East.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId}))
	if len(all.Grants) != 2 || all.Truncated {
		t.Fatalf("ListGrants %d grants, truncated %v", len(all.Grants), all.Truncated)
	}
	byGrantee := xtest.Must[*kms.ListGrantsOutput](t)(e.East.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee)}))
	if len(byGrantee.Grants) != 1 {
		t.Fatalf("ListGrants by grantee: %d", len(byGrantee.Grants))
	}
	g := byGrantee.Grants[0]
	if *g.KeyId != *md.Arn || *g.Name != "app-grant" || *g.IssuingAccount != "arn:aws:iam::"+account+":root" ||
		g.Constraints.EncryptionContextSubset["app"] != "web" || len(g.Operations) != 2 || g.CreationDate == nil {
		t.Errorf("grant %+v", g)
	}
	byID := xtest.Must[*kms.ListGrantsOutput](t)(e.East.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId, GrantId: other.GrantId}))
	if len(byID.Grants) != 1 || *byID.Grants[0].GrantId != *other.GrantId {
		t.Errorf("ListGrants by id %+v", byID.Grants)
	}
	_, err := e.East.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId, GrantId: aws.String("0000")})
	wantErr(t, err, "InvalidGrantIdException", "")
}

func TestListGrantsPages(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	for range 5 {
		createGrant(t, e.East, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee), Operations: []types.GrantOperation{types.GrantOperationDecrypt}})
	}
	seen := map[string]bool{}
	var marker *string
	for pages := 0; ; pages++ {
		out := xtest.Must[*kms.ListGrantsOutput](t)(e.East.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId, Limit: aws.Int32(2), Marker: marker}))
		for _, g := range out.Grants {
			seen[*g.GrantId] = true
		}
		if !out.Truncated {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		marker = out.NextMarker
	}
	if len(seen) != 5 {
		t.Errorf("pages held %d grants, want 5", len(seen))
	}
	_, err := e.East.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId, Marker: aws.String("made-up")})
	wantErr(t, err, "InvalidMarkerException", "")
}

func TestCreateGrantRefusesWhatAWSRefuses(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	signing := createKey(t, e.East, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	cases := []struct {
		name string
		in   *kms.CreateGrantInput
		code string
		text string
	}{
		{"bad grantee", &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String("nobody"), Operations: []types.GrantOperation{"Decrypt"}},
			"InvalidArnException", "ARN does not refer to a valid principal: nobody"},
		{"unknown operation", &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee), Operations: []types.GrantOperation{"Fly"}},
			"ValidationException", ""},
		{"sign on a symmetric key", &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee), Operations: []types.GrantOperation{"Sign"}},
			"ValidationException", "Grant operation Sign is not valid for " + *md.Arn},
		{"constraint on an asymmetric key", &kms.CreateGrantInput{KeyId: signing.KeyId, GranteePrincipal: aws.String(grantee), Operations: []types.GrantOperation{"Sign"},
			Constraints: &types.GrantConstraints{EncryptionContextEquals: map[string]string{"a": "b"}}}, "ValidationException", ""},
		{"bad grant token", &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee), Operations: []types.GrantOperation{"Decrypt"}, GrantTokens: []string{"forged"}},
			"InvalidGrantTokenException", ""},
		{"dry run", &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee), Operations: []types.GrantOperation{"Decrypt"}, DryRun: aws.Bool(true)},
			"DryRunOperationException", ""},
	}
	for _, c := range cases {
		_, err := e.East.CreateGrant(ctx, c.in)
		if c.text == "" {
			wantErrContains(t, err, c.code, "")
		} else {
			wantErrContains(t, err, c.code, c.text)
		}
	}
	out := xtest.Must[*kms.ListGrantsOutput](t)(e.East.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId}))
	if len(out.Grants) != 0 {
		t.Errorf("refused requests left %d grants", len(out.Grants))
	}
}

func TestRetireAndRevokeGrants(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	ops := []types.GrantOperation{types.GrantOperationDecrypt}
	retiring := "arn:aws:iam::" + account + ":role/ops"
	byToken := createGrant(t, e.East, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee), RetiringPrincipal: aws.String(retiring), Operations: ops})
	byID := createGrant(t, e.East, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee), RetiringPrincipal: aws.String(retiring), Operations: ops})
	revoked := createGrant(t, e.East, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee), Operations: ops})

	retirable := xtest.Must[*kms.ListRetirableGrantsOutput](t)(e.East.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(retiring)}))
	if len(retirable.Grants) != 2 {
		t.Fatalf("ListRetirableGrants %d, want 2", len(retirable.Grants))
	}

	xtest.Must[*kms.RetireGrantOutput](t)(e.East.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: byToken.GrantToken}))
	xtest.Must[*kms.RetireGrantOutput](t)(e.East.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: md.Arn, GrantId: byID.GrantId}))
	xtest.Must[*kms.RevokeGrantOutput](t)(e.East.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: revoked.GrantId}))

	_, err := e.East.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: byToken.GrantToken})
	wantErr(t, err, "InvalidGrantIdException", "")
	_, err = e.East.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: revoked.GrantId})
	wantErr(t, err, "InvalidGrantIdException", "")
	_, err = e.East.RetireGrant(ctx, &kms.RetireGrantInput{GrantId: byID.GrantId})
	wantErr(t, err, "ValidationException", "Grant token OR (grant ID, key ID) must be specified")
	_, err = e.East.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: aws.String("not-a-token")})
	wantErr(t, err, "InvalidGrantTokenException", "")
	if out := xtest.Must[*kms.ListGrantsOutput](t)(e.East.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId})); len(out.Grants) != 0 {
		t.Errorf("%d grants left", len(out.Grants))
	}
	// A token of one Region names nothing in another.
	west := createKey(t, e.West, nil)
	wg := createGrant(t, e.West, &kms.CreateGrantInput{KeyId: west.KeyId, GranteePrincipal: aws.String(grantee), Operations: ops})
	_, err = e.East.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: wg.GrantToken})
	wantErr(t, err, "InvalidGrantTokenException", "")
}

func TestGrantsGoWithTheirKey(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	g := createGrant(t, e.East, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee), RetiringPrincipal: aws.String(grantee), Operations: []types.GrantOperation{"Decrypt"}})
	xtest.Must[*kms.ScheduleKeyDeletionOutput](t)(e.East.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)}))
	_, err := e.East.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee), Operations: []types.GrantOperation{"Decrypt"}})
	wantErr(t, err, "KMSInvalidStateException", "")
	e.Instance.Advance(8 * 24 * 3600 * 1e9)
	out := xtest.Must[*kms.ListRetirableGrantsOutput](t)(e.East.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(grantee)}))
	if len(out.Grants) != 0 {
		t.Errorf("grant %s outlived its key", *g.GrantId)
	}
}
