package e2e

import (
	"strings"
	"testing"
)

// TestBoto3SecretWritesNeedGenerateDataKey: in strict mode a role that may do everything
// in Secrets Manager but not kms:GenerateDataKey on a customer managed key cannot store a
// value under it — CreateSecret, PutSecretValue and UpdateSecret answer
// AccessDeniedException and leave nothing behind — while a role that may, can.
func TestBoto3SecretWritesNeedGenerateDataKey(t *testing.T) {
	t.Parallel()
	srv := strictServer(t, t.TempDir())
	out := srv.python(t, "us-east-1", `
import json, boto3, botocore
kms, iam, sts = (boto3.client(n) for n in ("kms", "iam", "sts"))
key = kms.create_key()["KeyMetadata"]["Arn"]
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "`+accountB+`"}, "Action": "sts:AssumeRole"}]}
def session(name, actions):
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    c = sts.assume_role(RoleArn=arn, RoleSessionName=name)["Credentials"]
    return boto3.client("secretsmanager", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"])
denied = session("secrets-only", ["secretsmanager:*", "kms:Decrypt"])
writer = session("writer", ["secretsmanager:*", "kms:Decrypt", "kms:GenerateDataKey"])

def refused(what, call):
    try:
        call()
        raise AssertionError(what + " without kms:GenerateDataKey")
    except botocore.exceptions.ClientError as e:
        print(what, e.response["Error"]["Code"], e.response["Error"]["Message"])

refused("create", lambda: denied.create_secret(Name="app/db", SecretString="s3cr3t", KmsKeyId=key))
try:
    writer.describe_secret(SecretId="app/db")
    raise AssertionError("the refused secret exists")
except writer.exceptions.ResourceNotFoundException:
    print("nothing created")
denied.create_secret(Name="app/db", KmsKeyId=key)
refused("put", lambda: denied.put_secret_value(SecretId="app/db", SecretString="s3cr3t"))
refused("update", lambda: denied.update_secret(SecretId="app/db", SecretString="s3cr3t"))
print("versions", len(writer.list_secret_version_ids(SecretId="app/db")["Versions"]))
writer.put_secret_value(SecretId="app/db", SecretString="s3cr3t")
print("read", denied.get_secret_value(SecretId="app/db")["SecretString"])
`)
	for _, want := range []string{
		"create AccessDeniedException Access to KMS is not allowed",
		"nothing created",
		"put AccessDeniedException Access to KMS is not allowed",
		"update AccessDeniedException Access to KMS is not allowed",
		"versions 0",
		"read s3cr3t",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("boto3 printed:\n%s\nwant %q", out, want)
		}
	}
}
