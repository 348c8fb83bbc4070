package sts_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/xregion/xregion/internal/server/servertest"
)

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func createRole(t *testing.T, inst *servertest.Instance, account, name string, maxSession int32) string {
	t.Helper()
	cfg := inst.ConfigAs("us-east-1", account, "secret")
	out, err := iam.NewFromConfig(cfg).CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(maxSession),
	})
	if err != nil {
		t.Fatal(err)
	}
	return *out.Role.Arn
}

func TestGetCallerIdentity(t *testing.T) {
	inst := servertest.Start(t)
	out, err := sts.NewFromConfig(inst.Config("eu-west-3")).GetCallerIdentity(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if *out.Account != "123456789012" || *out.Arn != "arn:aws:iam::123456789012:root" || *out.UserId != "123456789012" {
		t.Errorf("GetCallerIdentity = %s %s %s", *out.Account, *out.Arn, *out.UserId)
	}
}

// Credentials from AssumeRole act in the role's account, across Regions, until they expire.
func TestAssumeRoleCrossAccount(t *testing.T) {
	inst := servertest.Start(t)
	ctx := context.Background()
	roleARN := createRole(t, inst, "210987654321", "deployer", 7200)

	out, err := sts.NewFromConfig(inst.Config("us-east-1")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("ci-run"), DurationSeconds: aws.Int32(7200),
		SourceIdentity: aws.String("alice"),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if !strings.HasPrefix(*c.AccessKeyId, "ASIA") || len(*c.AccessKeyId) != 20 || len(*c.SecretAccessKey) != 40 || *c.SessionToken == "" {
		t.Errorf("credentials = %+v", c)
	}
	if want := "arn:aws:sts::210987654321:assumed-role/deployer/ci-run"; *out.AssumedRoleUser.Arn != want {
		t.Errorf("assumed role ARN = %s, want %s", *out.AssumedRoleUser.Arn, want)
	}
	if !strings.HasPrefix(*out.AssumedRoleUser.AssumedRoleId, "AROA") || !strings.HasSuffix(*out.AssumedRoleUser.AssumedRoleId, ":ci-run") {
		t.Errorf("assumed role id = %s", *out.AssumedRoleUser.AssumedRoleId)
	}
	if *out.SourceIdentity != "alice" || time.Until(*c.Expiration) < 119*time.Minute {
		t.Errorf("source identity %s, expiration %v", *out.SourceIdentity, c.Expiration)
	}

	session := inst.Config("ap-southeast-2")
	session.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}, nil
	})
	id, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *id.Account != "210987654321" || *id.Arn != *out.AssumedRoleUser.Arn || *id.UserId != *out.AssumedRoleUser.AssumedRoleId {
		t.Errorf("session identity = %s %s %s", *id.Account, *id.Arn, *id.UserId)
	}
	info, err := sts.NewFromConfig(inst.Config("us-east-1")).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: c.AccessKeyId})
	if err != nil || *info.Account != "210987654321" {
		t.Errorf("GetAccessKeyInfo = %v, %v", info, err)
	}

	// Role chaining is limited to one hour, and a session cannot get a session token.
	_, err = sts.NewFromConfig(session).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("chained"), DurationSeconds: aws.Int32(7200),
	})
	if code(err) != "ValidationError" || !strings.Contains(err.Error(), "role chaining") {
		t.Errorf("chained 2h session: %v", err)
	}
	if _, err := sts.NewFromConfig(session).GetSessionToken(ctx, nil); code(err) != "AccessDenied" {
		t.Errorf("GetSessionToken with session credentials: %v", err)
	}
}

func TestAssumeRoleErrors(t *testing.T) {
	inst := servertest.Start(t)
	ctx := context.Background()
	client := sts.NewFromConfig(inst.Config("us-east-1"))
	roleARN := createRole(t, inst, "123456789012", "short", 3600)

	cases := []struct {
		name string
		in   *sts.AssumeRoleInput
		code string
		text string
	}{
		{"too long for the role", &sts.AssumeRoleInput{RoleArn: &roleARN, RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(7200)},
			"ValidationError", "exceeds the MaxSessionDuration"},
		{"below the minimum", &sts.AssumeRoleInput{RoleArn: &roleARN, RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(60)},
			"ValidationError", "Member must have value greater than or equal to 900"},
		{"bad session name", &sts.AssumeRoleInput{RoleArn: &roleARN, RoleSessionName: aws.String("has space")},
			"ValidationError", "roleSessionName"},
		{"not a role ARN", &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:s3:::bucket/nothing-here"), RoleSessionName: aws.String("s1")},
			"ValidationError", "is invalid"},
		{"malformed policy", &sts.AssumeRoleInput{RoleArn: &roleARN, RoleSessionName: aws.String("s1"), Policy: aws.String("{not json")},
			"MalformedPolicyDocument", "valid JSON"},
		{"packed policy too large", &sts.AssumeRoleInput{RoleArn: &roleARN, RoleSessionName: aws.String("s1"),
			Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"` + strings.Repeat("a", 2040) + `"}]}`)},
			"PackedPolicyTooLarge", "exceeds"},
	}
	for _, tc := range cases {
		_, err := client.AssumeRole(ctx, tc.in)
		if code(err) != tc.code || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: %v, want %s containing %q", tc.name, err, tc.code, tc.text)
		}
	}

	// A session policy within budget reports its packed size.
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &roleARN, RoleSessionName: aws.String("s1"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
		Tags:   []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("dr")}}})
	if err != nil || out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 || *out.PackedPolicySize >= 100 {
		t.Errorf("PackedPolicySize = %v, %v", out, err)
	}

	// Permissive mode lets clients assume a role that was never created here.
	out, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/path/ci"), RoleSessionName: aws.String("s1")})
	if err != nil || *out.AssumedRoleUser.Arn != "arn:aws:sts::111122223333:assumed-role/ci/s1" {
		t.Errorf("unknown role in permissive mode: %v, %v", out, err)
	}
	again, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/path/ci"), RoleSessionName: aws.String("s1")})
	if err != nil || *again.AssumedRoleUser.AssumedRoleId != *out.AssumedRoleUser.AssumedRoleId {
		t.Errorf("the role id of an unknown role is not stable: %v, %v", again, err)
	}
}

// Strict mode verifies session credentials and refuses roles that do not exist.
func TestStrictSessions(t *testing.T) {
	inst := servertest.Start(t, servertest.WithStrictAuth("AKIDADMIN:admin-secret:123456789012"))
	ctx := context.Background()
	admin := inst.ConfigAs("us-east-1", "AKIDADMIN", "admin-secret")
	client := sts.NewFromConfig(admin)

	_, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/nobody"), RoleSessionName: aws.String("s1")})
	if code(err) != "AccessDenied" {
		t.Errorf("unknown role in strict mode: %v", err)
	}
	if _, err := iam.NewFromConfig(admin).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ops"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/ops"), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	withToken := func(token string) aws.Config {
		cfg := inst.Config("us-east-1")
		cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: token}, nil
		})
		return cfg
	}
	if _, err := sts.NewFromConfig(withToken(*c.SessionToken)).GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("valid session: %v", err)
	}
	if _, err := sts.NewFromConfig(withToken("forged")).GetCallerIdentity(ctx, nil); code(err) != "InvalidClientTokenId" {
		t.Errorf("forged session token: %v", err)
	}
	inst.Advance(16 * time.Minute)
	if _, err := sts.NewFromConfig(withToken(*c.SessionToken)).GetCallerIdentity(ctx, nil); code(err) != "ExpiredToken" {
		t.Errorf("expired session: %v", err)
	}
}

func TestGetSessionToken(t *testing.T) {
	inst := servertest.Start(t)
	out, err := sts.NewFromConfig(inst.Config("us-east-1")).GetSessionToken(context.Background(), &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(7200)})
	if err != nil {
		t.Fatal(err)
	}
	// The account root's sessions last at most an hour.
	if d := time.Until(*out.Credentials.Expiration); d > time.Hour || d < 59*time.Minute {
		t.Errorf("root session lasts %v", d)
	}
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	inst := servertest.Start(t)
	ctx := context.Background()
	roleARN := createRole(t, inst, "123456789012", "github", 3600)
	enc := base64.RawURLEncoding.EncodeToString
	token := enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(`{"sub":"repo:org/app:ref:refs/heads/main","iss":"https://token.actions.githubusercontent.com","aud":["sts.amazonaws.com"]}`)) + ".sig"

	// The SDK sends this operation unsigned.
	out, err := sts.NewFromConfig(inst.Config("us-east-1")).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("gha"), WebIdentityToken: aws.String(token),
	})
	if err != nil {
		t.Fatal(err)
	}
	if *out.SubjectFromWebIdentityToken != "repo:org/app:ref:refs/heads/main" || *out.Audience != "sts.amazonaws.com" ||
		*out.Provider != "https://token.actions.githubusercontent.com" || *out.AssumedRoleUser.Arn != "arn:aws:sts::123456789012:assumed-role/github/gha" {
		t.Errorf("AssumeRoleWithWebIdentity = %+v %+v", out, out.AssumedRoleUser)
	}
	_, err = sts.NewFromConfig(inst.Config("us-east-1")).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("gha"), WebIdentityToken: aws.String("not-a-jwt-at-all"),
	})
	if code(err) != "InvalidIdentityToken" {
		t.Errorf("bad token: %v", err)
	}
}

func TestUnimplementedOperationsSayWhich(t *testing.T) {
	inst := servertest.Start(t)
	_, err := sts.NewFromConfig(inst.Config("us-east-1")).AssumeRoot(context.Background(), &sts.AssumeRootInput{
		TargetPrincipal: aws.String("123456789012"), TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")},
	})
	if code(err) != "InvalidAction" || !strings.Contains(err.Error(), "sts:AssumeRoot") {
		t.Errorf("AssumeRoot: %v", err)
	}
}
