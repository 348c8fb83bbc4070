package e2e

import (
	"strings"
	"testing"
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
