package secretsmanager_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/xregion/xregion/internal/xtest"
)

var secretARN = regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:(.+)-([A-Za-z0-9]{6})$`)

func TestCreateDescribeGet(t *testing.T) {
	e := start(t)
	out := xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("app/db"), SecretString: aws.String(`{"user":"admin"}`), Description: aws.String("db creds"),
		ClientRequestToken: aws.String(token("v1")),
		Tags:               []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}},
	}))
	m := secretARN.FindStringSubmatch(aws.ToString(out.ARN))
	if m == nil || m[1] != "app/db" {
		t.Fatalf("ARN %q", aws.ToString(out.ARN))
	}
	if aws.ToString(out.Name) != "app/db" || aws.ToString(out.VersionId) != token("v1") || out.ReplicationStatus != nil {
		t.Fatalf("create = %+v", out)
	}

	d := describe(t, e.East, "app/db")
	if aws.ToString(d.ARN) != aws.ToString(out.ARN) || aws.ToString(d.Description) != "db creds" || d.KmsKeyId != nil {
		t.Errorf("describe = %+v", d)
	}
	if len(d.Tags) != 1 || aws.ToString(d.Tags[0].Key) != "env" || d.CreatedDate == nil || d.LastChangedDate == nil {
		t.Errorf("describe tags/dates = %+v", d)
	}
	if d.LastAccessedDate != nil || d.RotationEnabled != nil || d.PrimaryRegion != nil || d.ReplicationStatus != nil || d.DeletedDate != nil {
		t.Errorf("describe shows what it should omit: %+v", d)
	}
	if st := d.VersionIdsToStages[token("v1")]; len(st) != 1 || st[0] != "AWSCURRENT" {
		t.Errorf("VersionIdsToStages = %v", d.VersionIdsToStages)
	}

	// By name, full ARN and partial ARN.
	for _, id := range []string{"app/db", aws.ToString(out.ARN), strings.TrimSuffix(aws.ToString(out.ARN), "-"+m[2])} {
		v := getValue(t, e.East, id)
		if aws.ToString(v.SecretString) != `{"user":"admin"}` || aws.ToString(v.VersionId) != token("v1") ||
			len(v.VersionStages) != 1 || v.VersionStages[0] != "AWSCURRENT" || aws.ToString(v.ARN) != aws.ToString(out.ARN) || v.CreatedDate == nil {
			t.Errorf("get %s = %+v", id, v)
		}
	}
	// A full ARN with another suffix, or of another Region or account, names no secret.
	for _, id := range []string{
		strings.TrimSuffix(aws.ToString(out.ARN), m[2]) + "ZZZZZZ",
		strings.Replace(aws.ToString(out.ARN), "us-east-1", "us-west-2", 1),
		strings.Replace(aws.ToString(out.ARN), account, "210987654321", 1),
		"nope",
	} {
		_, err := e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	}
	// Secrets are per Region.
	_, err := e.West.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/db")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

func TestCreateWithoutValueAndBinary(t *testing.T) {
	e := start(t)
	out := xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("empty")}))
	if out.VersionId != nil {
		t.Errorf("a secret without a value has a version: %v", aws.ToString(out.VersionId))
	}
	_, err := e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("empty")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
	if d := describe(t, e.East, "empty"); d.VersionIdsToStages != nil {
		t.Errorf("VersionIdsToStages = %v", d.VersionIdsToStages)
	}
	put := xtest.Must[*secretsmanager.PutSecretValueOutput](t)(e.East.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("empty"), SecretBinary: []byte{0, 1, 2, 255},
	}))
	if len(put.VersionStages) != 1 || put.VersionStages[0] != "AWSCURRENT" {
		t.Errorf("first version stages = %v", put.VersionStages)
	}
	v := getValue(t, e.East, "empty")
	if string(v.SecretBinary) != "\x00\x01\x02\xff" || v.SecretString != nil {
		t.Errorf("binary value = %+v", v)
	}
}

func TestCreateErrors(t *testing.T) {
	e := start(t)
	create(t, e.East, "taken", "v")

	_, err := e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bad name!"), SecretString: aws.String("v")})
	wantErr(t, err, "ValidationException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
	_, err = e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("bad*id")})
	wantErr(t, err, "ValidationException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")

	_, err = e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("both"), SecretString: aws.String("v"), SecretBinary: []byte("v")})
	wantErr(t, err, "InvalidParameterException", "You can't specify both a binary secret value and a string secret value in the same secret.")

	_, err = e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("taken"), SecretString: aws.String("v")})
	wantErr(t, err, "ResourceExistsException", "The operation failed because the secret taken already exists.")

	_, err = e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("big"), SecretString: aws.String(strings.Repeat("x", 65537))})
	wantErr(t, err, "ValidationException", "")

	_, err = e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("nokey"), SecretString: aws.String("v"), KmsKeyId: aws.String("alias/missing")})
	wantErr(t, err, "EncryptionFailure", "Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state.")
	_, err = e.East.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("nokey")})
	wantErr(t, err, "ResourceNotFoundException", "") // nothing half-written

	for _, regions := range [][]types.ReplicaRegionType{
		{{Region: aws.String("us-east-1")}},
		{{Region: aws.String("xx-nowhere-1")}},
		{{Region: aws.String("cn-north-1")}},
	} {
		_, err = e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("rep"), SecretString: aws.String("v"), AddReplicaRegions: regions})
		wantErr(t, err, "InvalidParameterException", "Invalid replica region.")
	}
	_, err = e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("rep"), SecretString: aws.String("v"),
		AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("eu-west-3")}, {Region: aws.String("eu-west-3")}}})
	wantErrContains(t, err, "InvalidParameterException", "eu-west-3")
}

// TestCreateWithCustomerKey: KmsKeyId shows as given; a disabled key refuses.
func TestCreateWithCustomerKey(t *testing.T) {
	e := start(t)
	key := xtest.Must[*kms.CreateKeyOutput](t)(kmsIn(e, "us-east-1").CreateKey(ctx, &kms.CreateKeyInput{}))
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("cmk"), SecretString: aws.String("v"), KmsKeyId: aws.String(keyARN),
	}))
	if d := describe(t, e.East, "cmk"); aws.ToString(d.KmsKeyId) != keyARN {
		t.Errorf("KmsKeyId = %v, want %s", aws.ToString(d.KmsKeyId), keyARN)
	}
	xtest.Must[*kms.DisableKeyOutput](t)(kmsIn(e, "us-east-1").DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyMetadata.KeyId}))
	_, err := e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("cmk2"), SecretString: aws.String("v"), KmsKeyId: aws.String(keyARN)})
	wantErr(t, err, "EncryptionFailure", "")
}

// TestClientRequestTokenRequired: the SDKs fill the token in; a raw request without one
// gets AWS's errors.
func TestClientRequestTokenRequired(t *testing.T) {
	e := start(t)
	create(t, e.East, "s", "v")
	for _, c := range []struct {
		op, code string
		body     map[string]any
	}{
		{"CreateSecret", "InvalidRequestException", map[string]any{"Name": "raw", "SecretString": "v"}},
		{"PutSecretValue", "InvalidRequestException", map[string]any{"SecretId": "s", "SecretString": "v"}},
		{"UpdateSecret", "InvalidRequestException", map[string]any{"SecretId": "s", "SecretString": "v"}},
		{"RotateSecret", "InvalidParameterException", map[string]any{"SecretId": "s"}},
	} {
		code, body := rawCall(t, e.Instance, "us-east-1", c.op, c.body)
		if code != 400 || body["__type"] != c.code || body["Message"] != "You must provide a ClientRequestToken value. We recommend a UUID-type value." {
			t.Errorf("%s without a token: %d %v", c.op, code, body)
		}
	}
	// Without a value there is no version, so CreateSecret needs no token.
	if code, body := rawCall(t, e.Instance, "us-east-1", "CreateSecret", map[string]any{"Name": "novalue"}); code != 200 {
		t.Errorf("CreateSecret without value or token: %d %v", code, body)
	}
}

// TestCreateIdempotent: a retried CreateSecret (same token and value) answers as the first
// did; another value under the same token is refused.
func TestCreateIdempotent(t *testing.T) {
	e := start(t)
	in := &secretsmanager.CreateSecretInput{Name: aws.String("idem"), SecretString: aws.String("v"), ClientRequestToken: aws.String(token("c1"))}
	first := xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, in))
	again := xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, in))
	if aws.ToString(first.ARN) != aws.ToString(again.ARN) || aws.ToString(again.VersionId) != token("c1") {
		t.Errorf("retry = %+v, first %+v", again, first)
	}
	in.SecretString = aws.String("other")
	_, err := e.East.CreateSecret(ctx, in)
	wantErr(t, err, "ResourceExistsException", "You can't use ClientRequestToken "+token("c1")+" because that value is already in use for a version of secret "+aws.ToString(first.ARN)+".")
}
