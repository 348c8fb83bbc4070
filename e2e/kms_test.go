package e2e

import (
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"
)

type cliKeyMetadata struct {
	KeyMetadata struct {
		KeyId, Arn, KeyState, KeyManager, Description string
		DeletionDate                                  any
	}
}

// TestKMSWithCLI: aws kms encrypt, then decrypt, with an encryption context; the same
// ciphertext does not decrypt in another Region.
func TestKMSWithCLI(t *testing.T) {
	srv := startServer(t)
	var key cliKeyMetadata
	srv.awsJSON(t, "us-east-1", &key, "kms", "create-key", "--description", "cli key")
	id := key.KeyMetadata.KeyId
	if key.KeyMetadata.KeyState != "Enabled" || key.KeyMetadata.KeyManager != "CUSTOMER" || key.KeyMetadata.Description != "cli key" {
		t.Errorf("create-key = %+v", key.KeyMetadata)
	}
	srv.aws(t, "kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", id)

	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.txt")
	writeFile(t, plain, "hello from the CLI\n")
	var enc struct{ CiphertextBlob, KeyId, EncryptionAlgorithm string }
	srv.awsJSON(t, "us-east-1", &enc, "kms", "encrypt", "--key-id", "alias/cli", "--plaintext", "fileb://"+plain,
		"--encryption-context", "app=e2e")
	if enc.KeyId != key.KeyMetadata.Arn || enc.EncryptionAlgorithm != "SYMMETRIC_DEFAULT" {
		t.Errorf("encrypt = %+v", enc)
	}
	blob, err := base64.StdEncoding.DecodeString(enc.CiphertextBlob)
	if err != nil {
		t.Fatal(err)
	}
	ct := filepath.Join(dir, "ciphertext.bin")
	writeFile(t, ct, string(blob))

	var dec struct{ Plaintext, KeyId string }
	srv.awsJSON(t, "us-east-1", &dec, "kms", "decrypt", "--ciphertext-blob", "fileb://"+ct, "--encryption-context", "app=e2e")
	got, err := base64.StdEncoding.DecodeString(dec.Plaintext)
	if err != nil || string(got) != "hello from the CLI\n" || dec.KeyId != key.KeyMetadata.Arn {
		t.Errorf("decrypt = %q under %s (%v)", got, dec.KeyId, err)
	}

	stderr := srv.awsFail(t, "us-east-1", "kms", "decrypt", "--ciphertext-blob", "fileb://"+ct, "--encryption-context", "app=other")
	if !strings.Contains(stderr, "InvalidCiphertextException") {
		t.Errorf("decrypt with another context: %s", stderr)
	}
	stderr = srv.awsFail(t, "us-west-2", "kms", "decrypt", "--ciphertext-blob", "fileb://"+ct, "--encryption-context", "app=e2e")
	if !strings.Contains(stderr, "NotFoundException") || !strings.Contains(stderr, "us-west-2") {
		t.Errorf("decrypt in another Region: %s", stderr)
	}

	// Key specs the current models list and xregion does not implement are refused as such.
	stderr = srv.awsFail(t, "us-east-1", "kms", "create-key", "--key-spec", "ML_DSA_44", "--key-usage", "SIGN_VERIFY")
	if !strings.Contains(stderr, "UnsupportedOperationException") || !strings.Contains(stderr, "ML_DSA_44") {
		t.Errorf("create-key of an ML-DSA key: %s", stderr)
	}

	var sched struct{ KeyId, KeyState string }
	srv.awsJSON(t, "us-east-1", &sched, "kms", "schedule-key-deletion", "--key-id", id, "--pending-window-in-days", "7")
	if sched.KeyState != "PendingDeletion" {
		t.Errorf("schedule-key-deletion = %+v", sched)
	}
	stderr = srv.awsFail(t, "us-east-1", "kms", "encrypt", "--key-id", id, "--plaintext", "fileb://"+plain)
	if !strings.Contains(stderr, "KMSInvalidStateException") {
		t.Errorf("encrypt under a key pending deletion: %s", stderr)
	}
}

// TestKMSWithTerraform applies aws_kms_key and aws_kms_alias in two Regions, plans again
// with no changes, and destroys them: the provider's delete waits for PendingDeletion.
func TestKMSWithTerraform(t *testing.T) {
	srv := startServer(t)
	hcl := srv.providers("us-east-1", "us-west-2") + `
resource "aws_kms_key" "east" {
  description             = "east key"
  deletion_window_in_days = 7
  enable_key_rotation     = true
  tags = {
    team = "storage"
  }
}

resource "aws_kms_alias" "east" {
  name          = "alias/xregion-e2e"
  target_key_id = aws_kms_key.east.key_id
}

resource "aws_kms_key" "west" {
  provider                = aws.us_west_2
  description             = "west key"
  deletion_window_in_days = 7
}

resource "aws_kms_alias" "west" {
  provider      = aws.us_west_2
  name          = "alias/xregion-e2e"
  target_key_id = aws_kms_key.west.arn
}

output "east_arn" { value = aws_kms_key.east.arn }
output "west_arn" { value = aws_kms_key.west.arn }
output "east_alias_arn" { value = aws_kms_alias.east.arn }
`
	tf := newTerraform(t, srv, hcl)
	tf.apply()
	eastARN, westARN := tf.output("east_arn"), tf.output("west_arn")
	if !strings.HasPrefix(eastARN, "arn:aws:kms:us-east-1:123456789012:key/") || !strings.HasPrefix(westARN, "arn:aws:kms:us-west-2:123456789012:key/") {
		t.Errorf("key ARNs %s, %s", eastARN, westARN)
	}
	if got := tf.output("east_alias_arn"); got != "arn:aws:kms:us-east-1:123456789012:alias/xregion-e2e" {
		t.Errorf("alias ARN %s", got)
	}
	tf.planNoChanges()

	var rot struct{ KeyRotationEnabled bool }
	srv.awsJSON(t, "us-east-1", &rot, "kms", "get-key-rotation-status", "--key-id", eastARN)
	if !rot.KeyRotationEnabled {
		t.Error("enable_key_rotation did not enable rotation")
	}
	var west cliKeyMetadata
	srv.awsJSON(t, "us-west-2", &west, "kms", "describe-key", "--key-id", "alias/xregion-e2e")
	if west.KeyMetadata.Arn != westARN {
		t.Errorf("us-west-2 alias/xregion-e2e names %s", west.KeyMetadata.Arn)
	}

	tf.destroy()
	for region, arn := range map[string]string{"us-east-1": eastARN, "us-west-2": westARN} {
		var d cliKeyMetadata
		srv.awsJSON(t, region, &d, "kms", "describe-key", "--key-id", arn)
		if d.KeyMetadata.KeyState != "PendingDeletion" || d.KeyMetadata.DeletionDate == nil {
			t.Errorf("%s after destroy: %+v", region, d.KeyMetadata)
		}
	}
	var aliases struct{ Aliases []struct{ AliasName string } }
	srv.awsJSON(t, "us-east-1", &aliases, "kms", "list-aliases")
	for _, a := range aliases.Aliases {
		if a.AliasName == "alias/xregion-e2e" {
			t.Error("destroy left the alias")
		}
	}
	// The deletion window ends on the server's clock.
	srv.admin(t, "POST", "clock", `{"advance":"169h"}`, nil)
	stderr := srv.awsFail(t, "us-east-1", "kms", "describe-key", "--key-id", eastARN)
	if !strings.Contains(stderr, "NotFoundException") {
		t.Errorf("describe-key after the deletion window: %s", stderr)
	}
}

// TestKMSSurvivesRestart: keys, their sealed material and a pending deletion outlive a
// crash of a durable server; the deletion job then runs on the restored clock.
func TestKMSSurvivesRestart(t *testing.T) {
	srv := startDurableServer(t, t.TempDir())
	var keep, doomed cliKeyMetadata
	srv.awsJSON(t, "us-east-1", &keep, "kms", "create-key")
	srv.awsJSON(t, "us-east-1", &doomed, "kms", "create-key")
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.txt")
	writeFile(t, plain, "survives a crash")
	var enc struct{ CiphertextBlob string }
	srv.awsJSON(t, "us-east-1", &enc, "kms", "encrypt", "--key-id", keep.KeyMetadata.KeyId, "--plaintext", "fileb://"+plain)
	blob, err := base64.StdEncoding.DecodeString(enc.CiphertextBlob)
	if err != nil {
		t.Fatal(err)
	}
	ct := filepath.Join(dir, "ct.bin")
	writeFile(t, ct, string(blob))
	srv.aws(t, "kms", "schedule-key-deletion", "--key-id", doomed.KeyMetadata.KeyId, "--pending-window-in-days", "7")

	srv.kill(t)
	srv.start(t)

	var dec struct{ Plaintext string }
	srv.awsJSON(t, "us-east-1", &dec, "kms", "decrypt", "--ciphertext-blob", "fileb://"+ct)
	if got, _ := base64.StdEncoding.DecodeString(dec.Plaintext); string(got) != "survives a crash" {
		t.Errorf("decrypt after restart = %q", got)
	}
	var d cliKeyMetadata
	srv.awsJSON(t, "us-east-1", &d, "kms", "describe-key", "--key-id", doomed.KeyMetadata.KeyId)
	if d.KeyMetadata.KeyState != "PendingDeletion" {
		t.Errorf("after restart the doomed key is %s", d.KeyMetadata.KeyState)
	}
	srv.admin(t, "POST", "clock", `{"advance":"169h"}`, nil)
	stderr := srv.awsFail(t, "us-east-1", "kms", "describe-key", "--key-id", doomed.KeyMetadata.KeyId)
	if !strings.Contains(stderr, "NotFoundException") {
		t.Errorf("describe-key after the window: %s", stderr)
	}
	srv.aws(t, "kms", "describe-key", "--key-id", keep.KeyMetadata.KeyId)
}
