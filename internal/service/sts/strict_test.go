package sts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// Two accounts with a key each, in strict mode.
const (
	accountA   = "111111111111"
	accountB   = "222222222222"
	strictKeys = "AKIDACCOUNTA:secret-a:" + accountA + ",AKIDACCOUNTB:secret-b:" + accountB
)

func strictRole(t *testing.T, inst *servertest.Instance, key, secret, name, trust string) string {
	t.Helper()
	out, err := iam.NewFromConfig(inst.ConfigAs("us-east-1", key, secret)).CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust),
	})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return *out.Role.Arn
}

func wantDenied(t *testing.T, what string, err error, text string) {
	t.Helper()
	if code(err) != "AccessDenied" || !strings.Contains(err.Error(), text) {
		t.Errorf("%s: %v, want AccessDenied saying %q", what, err, text)
	}
}

// TestStrictAssumeRoleEvaluatesTrust is the probe's reproduction: a key of account A
// assumed account B's role and acted in B.
func TestStrictAssumeRoleEvaluatesTrust(t *testing.T) {
	inst := servertest.Start(t, servertest.WithStrictAuth(strictKeys))
	ctx := context.Background()
	fromA := sts.NewFromConfig(inst.ConfigAs("us-east-1", "AKIDACCOUNTA", "secret-a"))
	fromB := sts.NewFromConfig(inst.ConfigAs("us-east-1", "AKIDACCOUNTB", "secret-b"))

	private := strictRole(t, inst, "AKIDACCOUNTB", "secret-b", "private",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+accountB+`"},"Action":"sts:AssumeRole"}]}`)
	_, err := fromA.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &private, RoleSessionName: aws.String("intruder")})
	wantDenied(t, "account A assumes B's private role", err,
		"User: arn:aws:iam::"+accountA+":root is not authorized to perform: sts:AssumeRole on resource: "+private)
	if _, err := fromB.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &private, RoleSessionName: aws.String("owner")}); err != nil {
		t.Errorf("account B assumes its own role: %v", err)
	}

	shared := strictRole(t, inst, "AKIDACCOUNTB", "secret-b", "shared", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+accountA+`:root"},"Action":"sts:AssumeRole",
		 "Condition":{"StringEquals":{"sts:ExternalId":"shared-secret"}}},
		{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:RoleSessionName":"blocked-*"}}}]}`)
	_, err = fromA.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &shared, RoleSessionName: aws.String("s1"), ExternalId: aws.String("guess")})
	wantDenied(t, "wrong external id", err, "sts:AssumeRole")
	_, err = fromA.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &shared, RoleSessionName: aws.String("blocked-1"), ExternalId: aws.String("shared-secret")})
	wantDenied(t, "an explicit Deny", err, "sts:AssumeRole")
	_, err = fromA.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &shared, RoleSessionName: aws.String("s1"), ExternalId: aws.String("shared-secret"),
		Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("dr")}}})
	wantDenied(t, "session tags without sts:TagSession", err, "sts:TagSession")
	out, err := fromA.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &shared, RoleSessionName: aws.String("s1"), ExternalId: aws.String("shared-secret")})
	if err != nil {
		t.Fatalf("the right external id: %v", err)
	}
	c := out.Credentials
	session := inst.Config("us-east-1")
	session.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}, nil
	})
	id, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, nil)
	if err != nil || *id.Account != accountB {
		t.Errorf("the session acts in %v, %v; want %s", id, err, accountB)
	}

	// A role that trusts another role lets that role's sessions in, and no one else.
	chained := strictRole(t, inst, "AKIDACCOUNTB", "secret-b", "chained",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+accountB+`:role/shared"},"Action":"sts:AssumeRole"}]}`)
	if _, err := sts.NewFromConfig(session).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &chained, RoleSessionName: aws.String("next")}); err != nil {
		t.Errorf("a session of the trusted role: %v", err)
	}
	_, err = fromB.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &chained, RoleSessionName: aws.String("root")})
	wantDenied(t, "the account root, which the role does not name", err, "sts:AssumeRole")
}

const githubIssuer = "https://token.actions.githubusercontent.com"

// webIdentitySetup runs a strict server that knows the keys of the issuers given and has,
// in account B, an OIDC provider for GitHub and a role trusting it for one repository.
func webIdentitySetup(t *testing.T, issuers ...*xtest.Issuer) (*servertest.Instance, string) {
	t.Helper()
	dir := t.TempDir()
	for _, i := range issuers {
		i.WriteJWKS(t, dir)
	}
	inst := servertest.Start(t, servertest.WithStrictAuth(strictKeys), servertest.WithOIDCKeys(dir))
	admin := iam.NewFromConfig(inst.ConfigAs("us-east-1", "AKIDACCOUNTB", "secret-b"))
	for _, url := range []string{githubIssuer, "https://keyless.example.com"} {
		if _, err := admin.CreateOpenIDConnectProvider(context.Background(), &iam.CreateOpenIDConnectProviderInput{
			Url: aws.String(url), ClientIDList: []string{"sts.amazonaws.com"},
		}); err != nil {
			t.Fatal(err)
		}
	}
	role := strictRole(t, inst, "AKIDACCOUNTB", "secret-b", "deploy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Federated":"arn:aws:iam::`+accountB+`:oidc-provider/token.actions.githubusercontent.com"},
		"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
		             "StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:*"}}}]}`)
	return inst, role
}

func assumeWeb(inst *servertest.Instance, role, token string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	return sts.NewFromConfig(inst.Config("us-east-1")).AssumeRoleWithWebIdentity(context.Background(), &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(role), RoleSessionName: aws.String("gha"), WebIdentityToken: aws.String(token),
	})
}

func TestStrictWebIdentity(t *testing.T) {
	github := xtest.NewIssuer(t, githubIssuer, "RS256")
	inst, role := webIdentitySetup(t, github)
	good := map[string]any{"sub": "repo:octo/app:ref:refs/heads/main", "aud": "sts.amazonaws.com"}

	out, err := assumeWeb(inst, role, github.Token(t, good))
	if err != nil {
		t.Fatalf("a signed token the role trusts: %v", err)
	}
	if *out.AssumedRoleUser.Arn != "arn:aws:sts::"+accountB+":assumed-role/deploy/gha" || *out.Audience != "sts.amazonaws.com" ||
		*out.Provider != githubIssuer || *out.SubjectFromWebIdentityToken != "repo:octo/app:ref:refs/heads/main" {
		t.Errorf("answer %+v %+v", out, out.AssumedRoleUser)
	}

	with := func(changes map[string]any) map[string]any {
		c := map[string]any{}
		for k, v := range good {
			c[k] = v
		}
		for k, v := range changes {
			c[k] = v
		}
		return c
	}
	forger := xtest.NewIssuer(t, githubIssuer, "RS256") // the right name, another key
	now := time.Now()
	for _, c := range []struct {
		name, token, code, text string
	}{
		{"alg none, as the probe sent", xtest.UnsignedToken(with(map[string]any{"iss": githubIssuer})), "InvalidIdentityToken", "could not be validated"},
		{"not a JWT", "not-a-jwt", "InvalidIdentityToken", "not a valid JWT"},
		{"signed with another key", forger.Token(t, good), "InvalidIdentityToken", "could not be validated"},
		{"an issuer without a provider", xtest.NewIssuer(t, "https://evil.example.com", "ES256").Token(t, good),
			"InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://evil.example.com"},
		{"an issuer without keys", xtest.NewIssuer(t, "https://keyless.example.com", "ES256").Token(t, good),
			"InvalidIdentityToken", "Couldn't retrieve verification key"},
		{"expired", github.Token(t, with(map[string]any{"exp": now.Add(-time.Minute).Unix()})), "ExpiredTokenException", "Token expired"},
		{"not valid yet", github.Token(t, with(map[string]any{"nbf": now.Add(time.Hour).Unix()})), "IDPRejectedClaim", "not valid yet"},
		{"another audience", github.Token(t, with(map[string]any{"aud": "someone-else"})), "InvalidIdentityToken", "Incorrect token audience"},
		{"another repository", github.Token(t, with(map[string]any{"sub": "repo:evil/app:ref:refs/heads/main"})),
			"AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
	} {
		_, err := assumeWeb(inst, role, c.token)
		if code(err) != c.code || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v, want %s saying %q", c.name, err, c.code, c.text)
		}
	}
	_, err = assumeWeb(inst, "arn:aws:iam::"+accountB+":role/missing", github.Token(t, good))
	wantDenied(t, "a role that does not exist", err, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
}

func TestStrictWebIdentityES256(t *testing.T) {
	github := xtest.NewIssuer(t, githubIssuer, "ES256")
	inst, role := webIdentitySetup(t, github)
	if _, err := assumeWeb(inst, role, github.Token(t, map[string]any{"sub": "repo:octo/app:pull_request", "aud": []any{"sts.amazonaws.com"}})); err != nil {
		t.Errorf("an ES256 token: %v", err)
	}
}
