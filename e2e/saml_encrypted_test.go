package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/xtest"
)

// TestBoto3AssumeRoleWithEncryptedSAML: boto3 gives an IAM SAML provider a private key
// and requires encrypted assertions; AssumeRoleWithSAML trades a response whose signed
// assertion the test encrypted for that key (RSA-OAEP, AES-256-GCM), and refuses a plain
// one and one encrypted for another key. GetSAMLProvider shows the key's id, not the key.
func TestBoto3AssumeRoleWithEncryptedSAML(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--auth", "strict", "--credentials", "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY:123456789012")
	idp := xtest.NewSAMLIdP(t, "https://idp.example.com")
	key, keyPEM := xtest.NewSAMLDecryptionKey(t)
	other, _ := xtest.NewSAMLDecryptionKey(t)
	const provider = "arn:aws:iam::123456789012:saml-provider/corp"
	const role = "arn:aws:iam::123456789012:role/sso-admin"
	claims := xtest.SAMLClaims{Subject: "alice", Roles: []string{role + "," + provider}, SessionName: "alice@example.com"}
	encrypted := idp.EncryptedResponse(t, claims, xtest.SAMLEncryption{Key: &key.PublicKey})
	forOther := idp.EncryptedResponse(t, claims, xtest.SAMLEncryption{Key: &other.PublicKey})
	plain := idp.Response(t, claims)

	out := srv.python(t, "us-east-1", fmt.Sprintf(`
import json, boto3, botocore
iam = boto3.client("iam")
provider = iam.create_saml_provider(Name="corp", SAMLMetadataDocument=%q, AddPrivateKey=%q,
    AssertionEncryptionMode="Required")["SAMLProviderArn"]
got = iam.get_saml_provider(SAMLProviderArn=provider)
print("mode", got["AssertionEncryptionMode"], "keys", len(got["PrivateKeyList"]), "PRIVATE KEY" in json.dumps(got, default=str))
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": provider},
    "Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
role = iam.create_role(RoleName="sso-admin", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

sts = boto3.client("sts")
for name, assertion in (("plain", %q), ("other key", %q)):
    try:
        sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider, SAMLAssertion=assertion)
        raise AssertionError(name + " was accepted")
    except botocore.exceptions.ClientError as e:
        print(name, e.response["Error"]["Code"])
got = sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider, SAMLAssertion=%q)
print("subject", got["Subject"], got["Issuer"])
creds = got["Credentials"]
session = boto3.client("sts", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
    aws_session_token=creds["SessionToken"])
print("caller", session.get_caller_identity()["Arn"])
`, idp.Metadata(), keyPEM, plain, forOther, encrypted))
	for _, want := range []string{
		"mode Required keys 1 False",
		"plain InvalidIdentityToken",
		"other key InvalidIdentityToken",
		"subject alice https://idp.example.com",
		"caller arn:aws:sts::123456789012:assumed-role/sso-admin/alice@example.com",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("boto3 printed:\n%s\nwant %q", out, want)
		}
	}
}
