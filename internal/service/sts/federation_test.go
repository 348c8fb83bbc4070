package sts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/xregion/xregion/internal/server/servertest"
)

func TestGetFederationToken(t *testing.T) {
	inst := servertest.Start(t)
	ctx := context.Background()
	client := sts.NewFromConfig(inst.Config("us-east-1"))
	out, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob@example"), DurationSeconds: aws.Int32(129600)})
	if err != nil {
		t.Fatal(err)
	}
	u := out.FederatedUser
	if aws.ToString(u.Arn) != "arn:aws:sts::123456789012:federated-user/bob@example" || aws.ToString(u.FederatedUserId) != "123456789012:bob@example" {
		t.Errorf("federated user %s %s", aws.ToString(u.Arn), aws.ToString(u.FederatedUserId))
	}
	if out.PackedPolicySize != nil {
		t.Errorf("PackedPolicySize %d without session policies", *out.PackedPolicySize)
	}
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || aws.ToString(c.SessionToken) == "" {
		t.Errorf("credentials %+v", c)
	}
	// The caller is the account's root user: its federation sessions last an hour at most.
	if d := time.Until(*c.Expiration); d > time.Hour || d < 59*time.Minute {
		t.Errorf("root's federation session lasts %v", d)
	}
	who, err := sts.NewFromConfig(withCredentials(inst.Config("eu-west-1"), c)).GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Arn) != aws.ToString(u.Arn) || aws.ToString(who.UserId) != "123456789012:bob@example" || aws.ToString(who.Account) != "123456789012" {
		t.Errorf("federated caller %s %s %s", aws.ToString(who.Arn), aws.ToString(who.UserId), aws.ToString(who.Account))
	}

	// The federated user of a China Region is an aws-cn principal.
	cn, err := sts.NewFromConfig(inst.Config("cn-north-1")).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob")})
	if err != nil || aws.ToString(cn.FederatedUser.Arn) != "arn:aws-cn:sts::123456789012:federated-user/bob" {
		t.Errorf("in cn-north-1: %v, %v", cn, err)
	}
}

func TestGetFederationTokenRefusals(t *testing.T) {
	inst := servertest.Start(t)
	ctx := context.Background()
	client := sts.NewFromConfig(inst.Config("us-east-1"))
	allowAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	cases := []struct {
		name       string
		in         *sts.GetFederationTokenInput
		code, text string
	}{
		{"too short", &sts.GetFederationTokenInput{Name: aws.String("bob"), DurationSeconds: aws.Int32(899)}, "ValidationError", "Member must have value greater than or equal to 900"},
		{"too long", &sts.GetFederationTokenInput{Name: aws.String("bob"), DurationSeconds: aws.Int32(129601)}, "ValidationError", "Member must have value less than or equal to 129600"},
		{"name too short", &sts.GetFederationTokenInput{Name: aws.String("b")}, "ValidationError", "'name'"},
		{"policy not JSON", &sts.GetFederationTokenInput{Name: aws.String("bob"), Policy: aws.String("{not json")}, "MalformedPolicyDocument", "The policy is not in the valid JSON format."},
		{"packed too large", &sts.GetFederationTokenInput{Name: aws.String("bob"),
			Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"` + strings.Repeat("a", 1900) + `"}]}`),
			Tags:   []ststypes.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 200))}}},
			"PackedPolicyTooLarge", "Packed size of the policy and tags exceeds 10"},
	}
	for _, tc := range cases {
		_, err := client.GetFederationToken(ctx, tc.in)
		if code(err) != tc.code || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: %v, want %s containing %q", tc.name, err, tc.code, tc.text)
		}
	}

	// Inline and managed session policies count into the packed size.
	inline, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob"), Policy: aws.String(allowAll)})
	if err != nil {
		t.Fatal(err)
	}
	both, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob"), Policy: aws.String(allowAll),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := aws.ToInt32(inline.PackedPolicySize), aws.ToInt32(both.PackedPolicySize); a <= 0 || b <= a || b >= 100 {
		t.Errorf("PackedPolicySize inline %d, with a managed policy %d", a, b)
	}

	// Session credentials, from any operation, cannot federate.
	role := createRole(t, inst, "123456789012", "ops", 3600)
	assumed, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	for name, creds := range map[string]*ststypes.Credentials{"role session": assumed.Credentials, "federated user": inline.Credentials} {
		_, err := sts.NewFromConfig(withCredentials(inst.Config("us-east-1"), creds)).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("eve")})
		if code(err) != "AccessDenied" || !strings.Contains(err.Error(), "Cannot call GetFederationToken with session credentials") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFederatedUserInStrictMode: the federated user's credentials are verified and expire
// on the clock.
func TestFederatedUserInStrictMode(t *testing.T) {
	inst := servertest.Start(t, servertest.WithStrictAuth("AKIDADMIN:admin-secret:123456789012"))
	ctx := context.Background()
	admin := inst.ConfigAs("us-east-1", "AKIDADMIN", "admin-secret")
	out, err := sts.NewFromConfig(admin).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	fed := sts.NewFromConfig(withCredentials(inst.Config("us-east-1"), out.Credentials))
	if who, err := fed.GetCallerIdentity(ctx, nil); err != nil || aws.ToString(who.Arn) != "arn:aws:sts::123456789012:federated-user/bob" {
		t.Fatalf("federated caller: %v, %v", who, err)
	}
	inst.Advance(16 * time.Minute)
	if _, err := fed.GetCallerIdentity(ctx, nil); code(err) != "ExpiredToken" {
		t.Errorf("expired federation session: %v", err)
	}
}
