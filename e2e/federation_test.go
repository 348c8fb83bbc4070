package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/xtest"
)

// TestBoto3GetFederationToken: boto3 federates a user, uses its credentials against STS
// and Secrets Manager, and sees AWS's refusals for session credentials and over-size
// session policies.
func TestBoto3GetFederationToken(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	out := srv.python(t, "us-east-1", `
import json, boto3, botocore
sts = boto3.client("sts")
policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]})
fed = sts.get_federation_token(Name="ci-bot", Policy=policy, DurationSeconds=7200)
print("user", fed["FederatedUser"]["Arn"], fed["FederatedUser"]["FederatedUserId"])
assert 0 < fed["PackedPolicySize"] < 100, fed["PackedPolicySize"]
creds = fed["Credentials"]
session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
    aws_session_token=creds["SessionToken"], region_name="us-east-1")
print("caller", session.client("sts").get_caller_identity()["Arn"])
sm = session.client("secretsmanager")
sm.create_secret(Name="fed/secret", SecretString="s3cr3t")
print("value", sm.get_secret_value(SecretId="fed/secret")["SecretString"])
try:
    session.client("sts").get_federation_token(Name="again")
    raise AssertionError("session credentials federated")
except botocore.exceptions.ClientError as e:
    print("refused", e.response["Error"]["Code"], e.response["Error"]["Message"])
try:
    sts.get_federation_token(Name="big", Policy=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "x" * 1900}]}),
        Tags=[{"Key": "team", "Value": "v" * 200}])
    raise AssertionError("an over-size session policy was accepted")
except botocore.exceptions.ClientError as e:
    print("too large", e.response["Error"]["Code"])
`)
	for _, want := range []string{
		"user arn:aws:sts::123456789012:federated-user/ci-bot 123456789012:ci-bot",
		"caller arn:aws:sts::123456789012:federated-user/ci-bot",
		"value s3cr3t",
		"refused AccessDenied Cannot call GetFederationToken with session credentials",
		"too large PackedPolicyTooLarge",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("boto3 printed:\n%s\nwant %q", out, want)
		}
	}
}

// TestBoto3AssumeRoleWithSAML: boto3 creates an IAM SAML provider from the metadata of an
// identity provider the test runs, and trades a response the test signed for a role's
// credentials in strict mode; a response signed with another key is refused.
func TestBoto3AssumeRoleWithSAML(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--auth", "strict", "--credentials", "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY:123456789012")
	idp := xtest.NewSAMLIdP(t, "https://idp.example.com")
	const provider = "arn:aws:iam::123456789012:saml-provider/corp"
	const role = "arn:aws:iam::123456789012:role/sso-admin"
	claims := xtest.SAMLClaims{Subject: "alice", Roles: []string{role + "," + provider}, SessionName: "alice@example.com"}
	good := idp.Response(t, claims)
	forged := xtest.NewSAMLIdP(t, "https://idp.example.com").Response(t, claims)

	out := srv.python(t, "us-east-1", fmt.Sprintf(`
import json, boto3, botocore
iam = boto3.client("iam")
provider = iam.create_saml_provider(Name="corp", SAMLMetadataDocument=%q)["SAMLProviderArn"]
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": provider},
    "Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
role = iam.create_role(RoleName="sso-admin", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
print("providers", [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]])

sts = boto3.client("sts")
try:
    sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider, SAMLAssertion=%q)
    raise AssertionError("a forged response was accepted")
except botocore.exceptions.ClientError as e:
    print("forged", e.response["Error"]["Code"])
got = sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider, SAMLAssertion=%q)
print("subject", got["Subject"], got["SubjectType"], got["Issuer"], got["Audience"])
creds = got["Credentials"]
session = boto3.client("sts", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
    aws_session_token=creds["SessionToken"])
print("caller", session.get_caller_identity()["Arn"])
`, idp.Metadata(), forged, good))
	for _, want := range []string{
		"providers ['" + provider + "']",
		"forged InvalidIdentityToken",
		"subject alice persistent https://idp.example.com https://signin.aws.amazon.com/saml",
		"caller arn:aws:sts::123456789012:assumed-role/sso-admin/alice@example.com",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("boto3 printed:\n%s\nwant %q", out, want)
		}
	}
}
