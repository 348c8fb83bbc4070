package e2e

import (
	"strings"
	"testing"
)

// KMS's grants, imported key material and key policies, through boto3.

// TestBoto3KMSGrants creates a grant, uses it with its token, lists it and retires it.
func TestBoto3KMSGrants(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	out := srv.python(t, "us-east-1", `
import boto3, botocore
kms = boto3.client("kms")
key = kms.create_key()["KeyMetadata"]
app = "arn:aws:iam::000000000000:role/app"
g = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=app, RetiringPrincipal=app, Name="app",
    Operations=["Encrypt", "Decrypt", "RetireGrant"], Constraints={"EncryptionContextSubset": {"app": "web"}})
again = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=app, RetiringPrincipal=app, Name="app",
    Operations=["Encrypt", "Decrypt", "RetireGrant"], Constraints={"EncryptionContextSubset": {"app": "web"}})
assert again["GrantId"] == g["GrantId"], (g, again)
ct = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"hello", EncryptionContext={"app": "web"}, GrantTokens=[g["GrantToken"]])
pt = kms.decrypt(CiphertextBlob=ct["CiphertextBlob"], EncryptionContext={"app": "web"}, GrantTokens=[again["GrantToken"]])
assert pt["Plaintext"] == b"hello"
grants = kms.list_grants(KeyId=key["Arn"])["Grants"]
assert [x["GrantId"] for x in grants] == [g["GrantId"]], grants
assert grants[0]["Constraints"]["EncryptionContextSubset"] == {"app": "web"}
assert len(kms.list_retirable_grants(RetiringPrincipal=app)["Grants"]) == 1
try:
    kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", GrantTokens=["forged"])
    raise AssertionError("a forged grant token was accepted")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidGrantTokenException", e.response
kms.retire_grant(GrantToken=g["GrantToken"])
assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
print("grants ok")
`)
	if !strings.Contains(out, "grants ok") {
		t.Errorf("boto3 printed:\n%s", out)
	}
}

// TestBoto3KMSImportedKeyMaterial imports material wrapped with the public key
// GetParametersForImport returns (wrapped by Python's cryptography), uses it, deletes it
// and imports it again.
func TestBoto3KMSImportedKeyMaterial(t *testing.T) {
	t.Parallel()
	need(t, "python3 cryptography", cryptographyCheck())
	srv := startServer(t)
	out := srv.python(t, "us-east-1", `
import os, boto3, botocore
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
kms = boto3.client("kms")
key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
assert key["KeyState"] == "PendingImport" and key["Origin"] == "EXTERNAL", key
material = os.urandom(32)

def import_material():
    p = kms.get_parameters_for_import(KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")
    public = serialization.load_der_public_key(p["PublicKey"])
    wrapped = public.encrypt(material, padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    kms.import_key_material(KeyId=key["KeyId"], ImportToken=p["ImportToken"], EncryptedKeyMaterial=wrapped,
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    return p

p = import_material()
assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
ct = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"imported")["CiphertextBlob"]
kms.delete_imported_key_material(KeyId=key["KeyId"])
assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
try:
    kms.import_key_material(KeyId=key["KeyId"], ImportToken=b"forged", EncryptedKeyMaterial=b"x",
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    raise AssertionError("a forged import token was accepted")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidImportTokenException", e.response
import_material()
assert kms.decrypt(CiphertextBlob=ct)["Plaintext"] == b"imported"
print("import ok")
`)
	if !strings.Contains(out, "import ok") {
		t.Errorf("boto3 printed:\n%s", out)
	}
}

// TestBoto3KMSKeyPolicyInStrictMode: a role that IAM allows but the key policy does not
// is denied; a grant lets it in with the encryption context of its constraint; a role
// whose IAM policies allow nothing is denied on a key whose policy delegates to IAM.
func TestBoto3KMSKeyPolicyInStrictMode(t *testing.T) {
	t.Parallel()
	srv := strictServer(t, t.TempDir())
	out := srv.python(t, "us-east-1", `
import json, boto3, botocore
root = "arn:aws:iam::`+accountB+`:root"
iam, sts, kms = boto3.client("iam"), boto3.client("sts"), boto3.client("kms")
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": root}, "Action": "sts:AssumeRole"}]}

def role_session(name, policy):
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if policy:
        iam.put_role_policy(RoleName=name, PolicyName="kms", PolicyDocument=json.dumps(policy))
    c = sts.assume_role(RoleArn=arn, RoleSessionName=name)["Credentials"]
    return arn, boto3.client("kms", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"])

def denied(call, **kwargs):
    try:
        call(**kwargs)
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "AccessDeniedException", e.response
        return e.response["Error"]["Message"]
    raise AssertionError("allowed: %s" % kwargs)

app_arn, app = role_session("app", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]})
_, idle = role_session("idle", None)

admin = {"Sid": "admin", "Effect": "Allow", "Principal": {"AWS": root},
    "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:Put*", "kms:Create*", "kms:RevokeGrant", "kms:ScheduleKeyDeletion"], "Resource": "*"}
locked = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [admin]}))["KeyMetadata"]
print("iam only:", denied(app.encrypt, KeyId=locked["KeyId"], Plaintext=b"x", EncryptionContext={"app": "web"}))

g = kms.create_grant(KeyId=locked["KeyId"], GranteePrincipal=app_arn, Operations=["Encrypt", "Decrypt"],
    Constraints={"EncryptionContextSubset": {"app": "web"}})
ct = app.encrypt(KeyId=locked["KeyId"], Plaintext=b"x", EncryptionContext={"app": "web"}, GrantTokens=[g["GrantToken"]])
assert app.decrypt(CiphertextBlob=ct["CiphertextBlob"], EncryptionContext={"app": "web"})["Plaintext"] == b"x"
denied(app.encrypt, KeyId=locked["KeyId"], Plaintext=b"x", EncryptionContext={"app": "db"})

default = kms.create_key()["KeyMetadata"]
app.encrypt(KeyId=default["KeyId"], Plaintext=b"x")
print("no iam:", denied(idle.encrypt, KeyId=default["KeyId"], Plaintext=b"x"))

try:
    kms.put_key_policy(KeyId=default["KeyId"], PolicyName="default",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": app_arn}, "Action": "kms:*", "Resource": "*"}]}))
    raise AssertionError("a policy that locks the root out was accepted")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "MalformedPolicyDocumentException", e.response
print("policies ok")
`)
	if !strings.Contains(out, "policies ok") ||
		!strings.Contains(out, "iam only: User: arn:aws:sts::"+accountB+":assumed-role/app/app is not authorized to perform: kms:Encrypt") ||
		!strings.Contains(out, "because no resource-based policy allows the kms:Encrypt action") {
		t.Errorf("boto3 printed:\n%s", out)
	}
}

// TestBoto3ServiceGrantsAndViaService: in strict mode boto3 sees RDS and EBS hold grants
// on the keys of an encrypted DB instance and volume, retired when they go, and a role
// that may read secrets but not decrypt with their key refused by Secrets Manager.
func TestBoto3ServiceGrantsAndViaService(t *testing.T) {
	t.Parallel()
	srv := strictServer(t, t.TempDir())
	out := srv.python(t, "us-east-1", `
import json, time, boto3, botocore
kms, rds, ec2, iam, sts, sm = (boto3.client(n) for n in ("kms", "rds", "ec2", "iam", "sts", "secretsmanager"))
key = kms.create_key()["KeyMetadata"]["KeyId"]

def grants():
    return kms.list_grants(KeyId=key)["Grants"]

def wait(cond, what):
    for _ in range(300):
        if cond():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)

db = rds.create_db_instance(DBInstanceIdentifier="orders", Engine="postgres", DBInstanceClass="db.t3.micro",
    AllocatedStorage=20, MasterUsername="admin1", MasterUserPassword="password123", StorageEncrypted=True, KmsKeyId=key)["DBInstance"]
vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=True, KmsKeyId=key)["VolumeId"]
for g in sorted(grants(), key=lambda g: g["GranteePrincipal"]):
    print("grant", g["GranteePrincipal"], g["Name"] in (db["DbiResourceId"], vol), sorted(g["Constraints"]["EncryptionContextSubset"]))
wait(lambda: rds.describe_db_instances(DBInstanceIdentifier="orders")["DBInstances"][0]["DBInstanceStatus"] == "available", "the instance")
wait(lambda: ec2.describe_volumes(VolumeIds=[vol])["Volumes"][0]["State"] == "available", "the volume")
rds.delete_db_instance(DBInstanceIdentifier="orders", SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
ec2.delete_volume(VolumeId=vol)
wait(lambda: not grants(), "the grants to be retired")
print("grants retired")

sm.create_secret(Name="app/db", SecretString="s3cr3t", KmsKeyId=key)
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "`+accountB+`"}, "Action": "sts:AssumeRole"}]}
def reader(name, actions):
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    c = sts.assume_role(RoleArn=arn, RoleSessionName=name)["Credentials"]
    return boto3.client("secretsmanager", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"])
try:
    reader("no-kms", ["secretsmanager:GetSecretValue"]).get_secret_value(SecretId="app/db")
    raise AssertionError("read without kms:Decrypt")
except botocore.exceptions.ClientError as e:
    print("no kms:", e.response["Error"]["Code"], e.response["Error"]["Message"])
print("with kms:", reader("with-kms", ["secretsmanager:GetSecretValue", "kms:Decrypt"]).get_secret_value(SecretId="app/db")["SecretString"])
`)
	for _, want := range []string{
		"grant ec2.us-east-1.amazonaws.com True ['aws:ebs:id']",
		"grant rds.us-east-1.amazonaws.com True ['aws:rds:db-id']",
		"grants retired",
		"no kms: AccessDeniedException Access to KMS is not allowed",
		"with kms: s3cr3t",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("boto3 printed:\n%s\nwant %q", out, want)
		}
	}
}
