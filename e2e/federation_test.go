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

// TestBoto3SessionPoliciesInStrictMode: in strict mode a federated user may do what its
// session policy allows (and nothing without one), and an assumed role's session what
// both the role's policies and the session policy allow, as KMS finds when boto3 uses
// their credentials.
func TestBoto3SessionPoliciesInStrictMode(t *testing.T) {
	t.Parallel()
	srv := strictServer(t, t.TempDir())
	out := srv.python(t, "us-east-1", `
import json, boto3, botocore
sts, kms, iam = boto3.client("sts"), boto3.client("kms"), boto3.client("iam")
key = kms.create_key()["KeyMetadata"]["Arn"]
ct = kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]

def client(creds):
    return boto3.client("kms", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"])

def outcome(call, **kwargs):
    try:
        call(**kwargs)
        return "allowed"
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]

encrypt_only = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": key}]})
fed = client(sts.get_federation_token(Name="ci", Policy=encrypt_only)["Credentials"])
print("federated encrypt", outcome(fed.encrypt, KeyId=key, Plaintext=b"x"))
print("federated decrypt", outcome(fed.decrypt, CiphertextBlob=ct))
bare = client(sts.get_federation_token(Name="bare")["Credentials"])
print("bare encrypt", outcome(bare.encrypt, KeyId=key, Plaintext=b"x"))

trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "`+accountB+`"}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
iam.put_role_policy(RoleName="app", PolicyName="kms", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]}))
describe = iam.create_policy(PolicyName="describe", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:DescribeKey", "kms:Decrypt"], "Resource": "*"}]}))["Policy"]["Arn"]
full = client(sts.assume_role(RoleArn=role, RoleSessionName="full")["Credentials"])
print("role encrypt", outcome(full.encrypt, KeyId=key, Plaintext=b"x"))
narrow = client(sts.assume_role(RoleArn=role, RoleSessionName="narrow", PolicyArns=[{"arn": describe}])["Credentials"])
print("narrow encrypt", outcome(narrow.encrypt, KeyId=key, Plaintext=b"x"))
print("narrow decrypt", outcome(narrow.decrypt, CiphertextBlob=ct))
print("narrow describe", outcome(narrow.describe_key, KeyId=key))
`)
	for _, want := range []string{
		"federated encrypt allowed", "federated decrypt AccessDeniedException", "bare encrypt AccessDeniedException",
		"role encrypt allowed", "narrow encrypt AccessDeniedException", "narrow decrypt allowed",
		// DescribeKey: the session policy allows it, the role's policies do not.
		"narrow describe AccessDeniedException",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("boto3 printed:\n%s\nwant %q", out, want)
		}
	}
}

// TestBoto3DecodeAuthorizationMessage: in strict mode, boto3 in account A is refused the
// deletion of a snapshot account B shares with it, with an encoded authorization failure
// message that A decodes with STS, and B cannot.
func TestBoto3DecodeAuthorizationMessage(t *testing.T) {
	t.Parallel()
	srv := strictServer(t, t.TempDir())
	out := srv.python(t, "us-east-1", fmt.Sprintf(`
import json, time, boto3, botocore
ec2 = boto3.client("ec2")
vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
snap = ec2.create_snapshot(VolumeId=vol)["SnapshotId"]
for _ in range(300):
    if ec2.describe_snapshots(SnapshotIds=[snap])["Snapshots"][0]["State"] == "completed":
        break
    time.sleep(0.1)
ec2.modify_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission", OperationType="add", UserIds=[%[1]q])
a = boto3.Session(aws_access_key_id=%[2]q, aws_secret_access_key=%[3]q, region_name="us-east-1")
try:
    a.client("ec2").delete_snapshot(SnapshotId=snap)
    raise AssertionError("another account's snapshot deleted")
except botocore.exceptions.ClientError as e:
    code, message = e.response["Error"]["Code"], e.response["Error"]["Message"]
encoded = message.split("Encoded authorization failure message: ")[1]
print("refused", code, len(encoded) > 100)
decoded = json.loads(a.client("sts").decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])
ctx = decoded["context"]
print("decoded", decoded["allowed"], decoded["explicitDeny"], ctx["principal"]["arn"], ctx["action"], ctx["resource"] == "arn:aws:ec2:us-east-1::snapshot/" + snap)
try:
    boto3.client("sts").decode_authorization_message(EncodedMessage=encoded)
    raise AssertionError("another account decoded the message")
except botocore.exceptions.ClientError as e:
    print("other account", e.response["Error"]["Code"])
`, accountA, keyA, secretA))
	for _, want := range []string{
		"refused UnauthorizedOperation True",
		"decoded False False arn:aws:iam::" + accountA + ":root ec2:DeleteSnapshot True",
		"other account InvalidAuthorizationMessageException",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("boto3 printed:\n%s\nwant %q", out, want)
		}
	}
}
