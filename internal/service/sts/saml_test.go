package sts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// samlSetup creates a SAML provider for idp and a role it may assume in account
// 123456789012, with trust a policy (%s is the provider's ARN).
func samlSetup(t *testing.T, cfg aws.Config, idp *xtest.SAMLIdP, trust string) (provider, role string) {
	t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(cfg)
	p, err := c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(idp.Metadata())})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("sso-admin"),
		AssumeRolePolicyDocument: aws.String(strings.ReplaceAll(trust, "PROVIDER", *p.SAMLProviderArn))})
	if err != nil {
		t.Fatal(err)
	}
	return *p.SAMLProviderArn, *r.Role.Arn
}

const samlTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"PROVIDER"},` +
	`"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`

func TestAssumeRoleWithSAML(t *testing.T) {
	inst := servertest.Start(t, servertest.WithStrictAuth("AKIDADMIN:admin-secret:123456789012"))
	ctx := context.Background()
	admin := inst.ConfigAs("us-east-1", "AKIDADMIN", "admin-secret")
	idp := xtest.NewSAMLIdP(t, "https://idp.example.com")
	provider, role := samlSetup(t, admin, idp, samlTrust)
	pair := role + "," + provider
	client := sts.NewFromConfig(inst.Config("us-east-1"))
	assume := func(assertion string) (*sts.AssumeRoleWithSAMLOutput, error) {
		return client.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: &role, PrincipalArn: &provider, SAMLAssertion: &assertion})
	}

	out, err := assume(idp.Response(t, xtest.SAMLClaims{Subject: "alice", Roles: []string{pair}, SessionName: "alice@example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/sso-admin/alice@example.com" ||
		aws.ToString(out.Subject) != "alice" || aws.ToString(out.SubjectType) != "persistent" || aws.ToString(out.Issuer) != "https://idp.example.com" ||
		aws.ToString(out.Audience) != "https://signin.aws.amazon.com/saml" || aws.ToString(out.NameQualifier) == "" {
		t.Errorf("AssumeRoleWithSAML = %+v %+v", out, out.AssumedRoleUser)
	}
	who, err := sts.NewFromConfig(withCredentials(inst.Config("us-east-1"), out.Credentials)).GetCallerIdentity(ctx, nil)
	if err != nil || aws.ToString(who.Arn) != aws.ToString(out.AssumedRoleUser.Arn) {
		t.Errorf("the SAML session's caller: %v, %v", who, err)
	}

	other := xtest.NewSAMLIdP(t, "https://idp.example.com")
	cases := []struct {
		name, assertion, code, text string
	}{
		{"unsigned", idp.UnsignedResponse(t, xtest.SAMLClaims{Subject: "alice", Roles: []string{pair}, SessionName: "alice"}), "InvalidIdentityToken", "signature"},
		{"another key", other.Response(t, xtest.SAMLClaims{Subject: "alice", Roles: []string{pair}, SessionName: "alice"}), "InvalidIdentityToken", "signature"},
		{"not SAML", "bm90IFNBTUw=", "InvalidIdentityToken", "Invalid SAML response"},
		{"another audience", idp.Response(t, xtest.SAMLClaims{Subject: "alice", Audience: "https://app.example.com", Roles: []string{pair}, SessionName: "alice"}), "InvalidIdentityToken", "Audience"},
		{"expired", idp.Response(t, xtest.SAMLClaims{Subject: "alice", NotOnOrAfter: time.Now().Add(-time.Minute), Roles: []string{pair}, SessionName: "alice"}), "ExpiredTokenException", "expired"},
		{"role not offered", idp.Response(t, xtest.SAMLClaims{Subject: "alice", Roles: []string{"arn:aws:iam::123456789012:role/other," + provider}, SessionName: "alice"}), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"no session name", idp.Response(t, xtest.SAMLClaims{Subject: "alice", Roles: []string{pair}}), "InvalidIdentityToken", "RoleSessionName"},
		{"trust refuses the recipient", idp.Response(t, xtest.SAMLClaims{Subject: "alice", Recipient: "https://elsewhere.example.com/saml", Roles: []string{pair}, SessionName: "alice"}), "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
	}
	for _, c := range cases {
		_, err := assume(c.assertion)
		if code(err) != c.code || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v, want %s containing %q", c.name, err, c.code, c.text)
		}
	}

	// The assertion's window is on the engine's clock.
	fresh := idp.Response(t, xtest.SAMLClaims{Subject: "alice", Roles: []string{pair}, SessionName: "alice"})
	inst.Advance(10 * time.Minute)
	if _, err := assume(fresh); code(err) != "ExpiredTokenException" {
		t.Errorf("assertion after its NotOnOrAfter: %v", err)
	}

	_, err = client.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: &role, PrincipalArn: aws.String("arn:aws:iam::123456789012:saml-provider/nobody"), SAMLAssertion: &fresh})
	if code(err) != "InvalidIdentityToken" {
		t.Errorf("unknown provider: %v", err)
	}
}

// The assertion's SessionDuration attribute and SessionNotOnOrAfter shorten the
// credentials below DurationSeconds, never lengthen them; DurationSeconds is still held
// to the role's MaxSessionDuration.
func TestAssumeRoleWithSAMLSessionDuration(t *testing.T) {
	inst := servertest.Start(t, servertest.WithStrictAuth("AKIDADMIN:admin-secret:123456789012"))
	ctx := context.Background()
	idp := xtest.NewSAMLIdP(t, "https://idp.example.com")
	provider, role := samlSetup(t, inst.ConfigAs("us-east-1", "AKIDADMIN", "admin-secret"), idp, samlTrust)
	pair := role + "," + provider
	client := sts.NewFromConfig(inst.Config("us-east-1"))
	assume := func(c xtest.SAMLClaims, duration *int32) (*sts.AssumeRoleWithSAMLOutput, error) {
		c.Subject, c.Roles, c.SessionName = "alice", []string{pair}, "alice"
		return client.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: &role, PrincipalArn: &provider,
			SAMLAssertion: aws.String(idp.Response(t, c)), DurationSeconds: duration})
	}
	for _, c := range []struct {
		name     string
		claims   xtest.SAMLClaims
		duration *int32
		want     time.Duration
	}{
		{"no attribute: DurationSeconds' default", xtest.SAMLClaims{}, nil, time.Hour},
		{"SessionDuration shortens the default", xtest.SAMLClaims{SessionDuration: "1200"}, nil, 20 * time.Minute},
		{"SessionDuration does not lengthen", xtest.SAMLClaims{SessionDuration: "43200"}, aws.Int32(1800), 30 * time.Minute},
		{"SessionNotOnOrAfter is shorter", xtest.SAMLClaims{SessionDuration: "3600", SessionNotOnOrAfter: time.Now().Add(16 * time.Minute)}, nil, 16 * time.Minute},
	} {
		out, err := assume(c.claims, c.duration)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := time.Until(*out.Credentials.Expiration); got > c.want+5*time.Second || got < c.want-time.Minute {
			t.Errorf("%s: the credentials last %v, want %v", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		name, code string
		claims     xtest.SAMLClaims
		duration   *int32
	}{
		{"SessionDuration under 900", "InvalidIdentityToken", xtest.SAMLClaims{SessionDuration: "600"}, nil},
		{"SessionDuration not a number", "InvalidIdentityToken", xtest.SAMLClaims{SessionDuration: "1h"}, nil},
		{"a session the IdP already ended", "ExpiredTokenException", xtest.SAMLClaims{SessionNotOnOrAfter: time.Now().Add(-time.Minute)}, nil},
		{"DurationSeconds over the role's maximum", "ValidationError", xtest.SAMLClaims{SessionDuration: "900"}, aws.Int32(7200)},
	} {
		if _, err := assume(c.claims, c.duration); code(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}
