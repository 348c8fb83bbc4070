package secretsmanager_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/xregion/xregion/internal/xtest"
)

func TestTags(t *testing.T) {
	e := start(t)
	create(t, e.East, "s", "v")
	if d := describe(t, e.East, "s"); d.Tags != nil {
		t.Errorf("untagged secret shows Tags %v", d.Tags)
	}
	tag := func(kv ...string) error {
		in := &secretsmanager.TagResourceInput{SecretId: aws.String("s")}
		for i := 0; i < len(kv); i += 2 {
			in.Tags = append(in.Tags, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		_, err := e.East.TagResource(ctx, in)
		return err
	}
	tags := func() string {
		var b strings.Builder
		for _, t := range describe(t, e.East, "s").Tags {
			b.WriteString(aws.ToString(t.Key) + "=" + aws.ToString(t.Value) + ";")
		}
		return b.String()
	}
	if err := tag("a", "1", "b", "2"); err != nil {
		t.Fatal(err)
	}
	if err := tag("a", "3"); err != nil {
		t.Fatal(err)
	}
	if got := tags(); got != "a=3;b=2;" {
		t.Errorf("tags = %s", got)
	}
	xtest.Must[*secretsmanager.UntagResourceOutput](t)(e.East.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String("s"), TagKeys: []string{"a", "b", "z"}}))
	if d := describe(t, e.East, "s"); d.Tags == nil || len(d.Tags) != 0 {
		t.Errorf("after removing every tag: %v (AWS shows an empty list)", d.Tags)
	}
	wantErr(t, tag("aws:reserved", "x"), "InvalidParameterException", "")
	_, err := e.East.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String("missing"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantErr(t, err, "ResourceNotFoundException", "")
}

const privatePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
const publicPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`

func TestResourcePolicy(t *testing.T) {
	e := start(t)
	create(t, e.East, "s", "v")
	got := xtest.Must[*secretsmanager.GetResourcePolicyOutput](t)(e.East.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("s")}))
	if got.ResourcePolicy != nil || aws.ToString(got.Name) != "s" {
		t.Errorf("policy of a new secret = %+v", got)
	}
	xtest.Must[*secretsmanager.PutResourcePolicyOutput](t)(e.East.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{
		SecretId: aws.String("s"), ResourcePolicy: aws.String(privatePolicy), BlockPublicPolicy: aws.Bool(true),
	}))
	got = xtest.Must[*secretsmanager.GetResourcePolicyOutput](t)(e.East.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("s")}))
	if aws.ToString(got.ResourcePolicy) != privatePolicy {
		t.Errorf("policy = %s", aws.ToString(got.ResourcePolicy))
	}

	_, err := e.East.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("s"), ResourcePolicy: aws.String(publicPolicy), BlockPublicPolicy: aws.Bool(true)})
	wantErr(t, err, "PublicPolicyException", "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.")
	for _, bad := range []string{`{not json`, `{"Version":"2019-10-19","Statement":[]}`, `{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"x"}]}`} {
		_, err = e.East.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("s"), ResourcePolicy: aws.String(bad)})
		wantErr(t, err, "MalformedPolicyDocumentException", "This policy has invalid syntax.")
	}
	// Public policies are accepted unless blocked.
	xtest.Must[*secretsmanager.PutResourcePolicyOutput](t)(e.East.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("s"), ResourcePolicy: aws.String(publicPolicy)}))

	xtest.Must[*secretsmanager.DeleteResourcePolicyOutput](t)(e.East.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String("s")}))
	got = xtest.Must[*secretsmanager.GetResourcePolicyOutput](t)(e.East.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("s")}))
	if got.ResourcePolicy != nil {
		t.Errorf("policy after delete = %s", aws.ToString(got.ResourcePolicy))
	}
}

func TestValidateResourcePolicy(t *testing.T) {
	e := start(t)
	create(t, e.East, "s", "v")
	ok := xtest.Must[*secretsmanager.ValidateResourcePolicyOutput](t)(e.East.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{
		SecretId: aws.String("s"), ResourcePolicy: aws.String(privatePolicy),
	}))
	if !ok.PolicyValidationPassed || len(ok.ValidationErrors) != 0 {
		t.Errorf("private policy: %+v", ok)
	}
	bad := xtest.Must[*secretsmanager.ValidateResourcePolicyOutput](t)(e.East.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{
		ResourcePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"secretsmanager:*"}]}`),
	}))
	if bad.PolicyValidationPassed || len(bad.ValidationErrors) != 1 || aws.ToString(bad.ValidationErrors[0].CheckName) != "PUBLIC_ACCESS_CHECK" {
		t.Errorf("public policy: %+v", bad)
	}
	// A condition narrows a wildcard principal.
	cond := xtest.Must[*secretsmanager.ValidateResourcePolicyOutput](t)(e.East.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{
		ResourcePolicy: aws.String(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Condition":{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}}}`),
	}))
	if !cond.PolicyValidationPassed {
		t.Errorf("conditioned policy: %+v", cond)
	}
	_, err := e.East.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{SecretId: aws.String("missing"), ResourcePolicy: aws.String(privatePolicy)})
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = e.East.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{ResourcePolicy: aws.String("[")})
	wantErr(t, err, "MalformedPolicyDocumentException", "")
}

func TestGetRandomPassword(t *testing.T) {
	e := start(t)
	pw := func(in *secretsmanager.GetRandomPasswordInput) string {
		t.Helper()
		return aws.ToString(xtest.Must[*secretsmanager.GetRandomPasswordOutput](t)(e.East.GetRandomPassword(ctx, in)).RandomPassword)
	}
	const punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	has := func(s, set string) bool { return strings.ContainsAny(s, set) }
	for range 20 {
		p := pw(&secretsmanager.GetRandomPasswordInput{})
		if len(p) != 32 || !has(p, "abcdefghijklmnopqrstuvwxyz") || !has(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") || !has(p, "0123456789") || !has(p, punct) || has(p, " ") {
			t.Fatalf("default password %q", p)
		}
	}
	p := pw(&secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(50), ExcludePunctuation: aws.Bool(true), ExcludeUppercase: aws.Bool(true), ExcludeCharacters: aws.String("abc0123")})
	if len(p) != 50 || has(p, punct) || has(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") || has(p, "abc0123") {
		t.Errorf("restricted password %q", p)
	}
	p = pw(&secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(4096), ExcludeLowercase: aws.Bool(true), ExcludeUppercase: aws.Bool(true), ExcludePunctuation: aws.Bool(true), IncludeSpace: aws.Bool(true)})
	if len(p) != 4096 || strings.Trim(p, "0123456789 ") != "" || !has(p, " ") {
		t.Errorf("digits and spaces: %q...", p[:40])
	}
	if p := pw(&secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(1), RequireEachIncludedType: aws.Bool(false)}); len(p) != 1 {
		t.Errorf("one-character password %q", p)
	}

	_, err := e.East.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(3)})
	wantErr(t, err, "InvalidParameterException", "Password length is too short based on the required types.")
	_, err = e.East.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{ExcludeLowercase: aws.Bool(true), ExcludeUppercase: aws.Bool(true), ExcludeNumbers: aws.Bool(true), ExcludePunctuation: aws.Bool(true)})
	wantErr(t, err, "InvalidParameterException", "")
	_, err = e.East.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(4097)})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value '4097' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096")
}
