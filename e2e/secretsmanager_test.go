package e2e

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

type cliReplicationStatus struct {
	Region, KmsKeyId, Status string
	StatusMessage            *string
	LastAccessedDate         any
}

type cliReplicateOutput struct {
	ARN               string
	ReplicationStatus []cliReplicationStatus
}

type cliDescribeSecret struct {
	ARN, Name, PrimaryRegion string
	ReplicationStatus        []cliReplicationStatus
}

type cliSecretValue struct {
	ARN, Name, VersionId, SecretString string
	VersionStages                      []string
}

var seedARN = regexp.MustCompile(`^arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-[A-Za-z0-9]{6}$`)

// waitFor polls cond with the real clock until it holds or a minute passes: the server's
// transition delay is real time here.
func waitFor(t *testing.T, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		waitBriefly()
	}
}

// waitInSync polls describe-secret in the primary's Region until region is InSync.
func (s *server) waitInSync(t *testing.T, primary, secret, region string) cliReplicationStatus {
	t.Helper()
	var got cliReplicationStatus
	waitFor(t, region+" InSync", func() error {
		var d cliDescribeSecret
		s.awsJSON(t, primary, &d, "secretsmanager", "describe-secret", "--secret-id", secret)
		for _, r := range d.ReplicationStatus {
			if r.Region == region {
				got = r
				if r.Status == "InSync" {
					return nil
				}
				if r.Status != "InProgress" {
					return fmt.Errorf("%s is %s: %v", region, r.Status, r.StatusMessage)
				}
				return errors.New("still InProgress")
			}
		}
		return fmt.Errorf("%s is not listed: %+v", region, d.ReplicationStatus)
	})
	return got
}

// TestSecretsManagerSeedCLI runs seed 002: the AWS CLI's replicate-secret-to-regions in
// its shorthand and JSON forms, with a transition delay so the answer is InProgress.
func TestSecretsManagerSeedCLI(t *testing.T) {
	srv := startServer(t, "--transition-delay", "2s")
	const region = "us-west-2"
	var created struct{ ARN, VersionId string }
	srv.awsJSON(t, region, &created, "secretsmanager", "create-secret", "--name", "MyTestSecret",
		"--secret-string", `{"user":"diegor","password":"EXAMPLE-PASSWORD"}`)

	check := func(out cliReplicateOutput) {
		t.Helper()
		if !seedARN.MatchString(out.ARN) || out.ARN != created.ARN {
			t.Errorf("ARN %q", out.ARN)
		}
		if len(out.ReplicationStatus) != 1 {
			t.Fatalf("ReplicationStatus %+v", out.ReplicationStatus)
		}
		r := out.ReplicationStatus[0]
		if r.Region != "eu-west-3" || r.KmsKeyId != "alias/aws/secretsmanager" || r.Status != "InProgress" || r.StatusMessage != nil {
			t.Errorf("ReplicationStatus[0] = %+v", r)
		}
	}
	readReplica := func() {
		t.Helper()
		if st := srv.waitInSync(t, region, "MyTestSecret", "eu-west-3"); st.StatusMessage == nil || *st.StatusMessage != "Replication succeeded" {
			t.Errorf("InSync status %+v", st)
		}
		replicaARN := strings.Replace(created.ARN, ":us-west-2:", ":eu-west-3:", 1)
		for _, id := range []string{"MyTestSecret", replicaARN} {
			var v cliSecretValue
			srv.awsJSON(t, "eu-west-3", &v, "secretsmanager", "get-secret-value", "--secret-id", id)
			if v.SecretString != `{"user":"diegor","password":"EXAMPLE-PASSWORD"}` || v.VersionId != created.VersionId || v.ARN != replicaARN {
				t.Errorf("replica value by %s: %+v", id, v)
			}
		}
		var d cliDescribeSecret
		srv.awsJSON(t, "eu-west-3", &d, "secretsmanager", "describe-secret", "--secret-id", "MyTestSecret")
		if d.PrimaryRegion != region {
			t.Errorf("replica PrimaryRegion %q", d.PrimaryRegion)
		}
	}

	// The seed's command, verbatim.
	var out cliReplicateOutput
	srv.awsJSON(t, region, &out, "secretsmanager", "replicate-secret-to-regions",
		"--secret-id", "MyTestSecret", "--add-replica-regions", "Region=eu-west-3")
	check(out)
	readReplica()

	stderr := srv.awsFail(t, region, "secretsmanager", "delete-secret", "--secret-id", "MyTestSecret")
	if !strings.Contains(stderr, "InvalidParameterException") || !strings.Contains(stderr, "that still has replica regions [eu-west-3]") {
		t.Errorf("delete-secret with a replica: %s", stderr)
	}
	stderr = srv.awsFail(t, "eu-west-3", "secretsmanager", "put-secret-value", "--secret-id", "MyTestSecret", "--secret-string", "x")
	if !strings.Contains(stderr, "Operation not permitted on a replica secret. Call must be made in primary secret's region.") {
		t.Errorf("put-secret-value on the replica: %s", stderr)
	}

	// Remove the replica, then add it again with the JSON form of the same command.
	var rm struct {
		ARN               string
		ReplicationStatus []cliReplicationStatus
	}
	srv.awsJSON(t, region, &rm, "secretsmanager", "remove-regions-from-replication",
		"--secret-id", "MyTestSecret", "--remove-replica-regions", "eu-west-3")
	if rm.ARN != created.ARN || rm.ReplicationStatus == nil || len(rm.ReplicationStatus) != 0 {
		t.Errorf("remove-regions-from-replication = %+v", rm)
	}
	waitFor(t, "replica removed", func() error {
		stdout, stderr, err := run(t.Context(), srv.clientEnv(t, "eu-west-3"), "", "aws", "secretsmanager", "describe-secret", "--secret-id", "MyTestSecret")
		if err == nil {
			return fmt.Errorf("replica still there: %s", stdout)
		}
		if !strings.Contains(stderr, "ResourceNotFoundException") {
			return fmt.Errorf("describe-secret: %s", stderr)
		}
		return nil
	})
	out = cliReplicateOutput{}
	srv.awsJSON(t, region, &out, "secretsmanager", "replicate-secret-to-regions",
		"--secret-id", "MyTestSecret", "--add-replica-regions", `[{"Region":"eu-west-3"}]`)
	check(out)
	readReplica()
}

// TestSecretsManagerSeedBoto3 runs seed 003: boto3's replicate_secret_to_regions with every
// parameter, checking the documented response shape.
func TestSecretsManagerSeedBoto3(t *testing.T) {
	srv := startServer(t, "--transition-delay", "2s")
	out := srv.python(t, "us-west-2", `
import boto3, json, time
sm = boto3.client("secretsmanager")
sm.create_secret(Name="MyBotoSecret", SecretString="hello from boto3")
key = boto3.client("kms", region_name="eu-central-1").create_key()["KeyMetadata"]["Arn"]

response = sm.replicate_secret_to_regions(
    SecretId="MyBotoSecret",
    AddReplicaRegions=[
        {"Region": "eu-west-3"},
        {"Region": "eu-central-1", "KmsKeyId": key},
    ],
    ForceOverwriteReplicaSecret=False,
)
arn = response["ARN"]
assert arn.startswith("arn:aws:secretsmanager:us-west-2:123456789012:secret:MyBotoSecret-") and len(arn.split("-")[-1]) == 6, arn
assert response["ReplicationStatus"] == [
    {"Region": "eu-west-3", "KmsKeyId": "alias/aws/secretsmanager", "Status": "InProgress"},
    {"Region": "eu-central-1", "KmsKeyId": key, "Status": "InProgress"},
], response["ReplicationStatus"]

deadline = time.time() + 60
while True:
    st = sm.describe_secret(SecretId="MyBotoSecret")["ReplicationStatus"]
    if all(s["Status"] == "InSync" for s in st):
        break
    assert all(s["Status"] == "InProgress" for s in st), st
    assert time.time() < deadline, st
    time.sleep(0.2)
assert [s["StatusMessage"] for s in st] == ["Replication succeeded"] * 2, st
assert st[1]["KmsKeyId"] == key, st

primary = sm.get_secret_value(SecretId="MyBotoSecret")
for region in ("eu-west-3", "eu-central-1"):
    replica = boto3.client("secretsmanager", region_name=region)
    for sid in ("MyBotoSecret", arn.replace(":us-west-2:", ":" + region + ":")):
        v = replica.get_secret_value(SecretId=sid)
        assert v["SecretString"] == "hello from boto3", v
        assert v["VersionId"] == primary["VersionId"], (v["VersionId"], primary["VersionId"])
    assert replica.describe_secret(SecretId="MyBotoSecret")["PrimaryRegion"] == "us-west-2"

st = sm.describe_secret(SecretId="MyBotoSecret")["ReplicationStatus"]
assert all("LastAccessedDate" in s for s in st), st
print(json.dumps({"arn": arn}))
`)
	if !strings.Contains(out, `"arn": "arn:aws:secretsmanager:us-west-2:`) {
		t.Errorf("script output %q", out)
	}
}

// TestSecretsManagerTerraform: a secret with two replica blocks (one under a us-west-2 KMS
// key), a secret version, and data sources reading the value in us-west-2 by name and by
// the replica ARN; postconditions check the value, the version and InSync. Apply, a second
// plan with no changes, destroy.
func TestSecretsManagerTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	hcl := srv.providers("us-east-1", "us-west-2") + `
resource "aws_kms_key" "west" {
  provider                = aws.us_west_2
  description             = "replica key"
  deletion_window_in_days = 7
}

resource "aws_secretsmanager_secret" "example" {
  name                    = "example-name"
  description             = "replicated by terraform"
  recovery_window_in_days = 0

  replica {
    region = "eu-west-3"
  }
  replica {
    region     = "us-west-2"
    kms_key_id = aws_kms_key.west.arn
  }

  lifecycle {
    postcondition {
      condition     = length(self.replica) == 2 && alltrue([for r in self.replica : r.status == "InSync"])
      error_message = "a replica is not InSync"
    }
  }
}

resource "aws_secretsmanager_secret_version" "example" {
  secret_id     = aws_secretsmanager_secret.example.id
  secret_string = jsonencode({ username = "admin", password = "terraform-password" })
}

data "aws_secretsmanager_secret_version" "by_name" {
  provider   = aws.us_west_2
  secret_id  = aws_secretsmanager_secret.example.name
  depends_on = [aws_secretsmanager_secret_version.example]

  lifecycle {
    postcondition {
      condition     = self.secret_string == aws_secretsmanager_secret_version.example.secret_string && self.version_id == aws_secretsmanager_secret_version.example.version_id
      error_message = "the replica in us-west-2 does not hold the primary's value and version"
    }
  }
}

data "aws_secretsmanager_secret_version" "by_arn" {
  provider   = aws.us_west_2
  secret_id  = replace(aws_secretsmanager_secret.example.arn, ":us-east-1:", ":us-west-2:")
  depends_on = [aws_secretsmanager_secret_version.example]

  lifecycle {
    postcondition {
      condition     = self.secret_string == aws_secretsmanager_secret_version.example.secret_string && self.version_id == aws_secretsmanager_secret_version.example.version_id
      error_message = "the replica ARN does not read the primary's value and version"
    }
  }
}

output "secret_arn" { value = aws_secretsmanager_secret.example.arn }
output "version_id" { value = aws_secretsmanager_secret_version.example.version_id }
output "replica_arn" { value = data.aws_secretsmanager_secret_version.by_arn.arn }
output "west_key" { value = aws_kms_key.west.arn }
`
	tf := newTerraform(t, srv, hcl)
	tf.apply()
	secretARN, replica := tf.output("secret_arn"), tf.output("replica_arn")
	if !strings.HasPrefix(secretARN, "arn:aws:secretsmanager:us-east-1:123456789012:secret:example-name-") ||
		replica != strings.Replace(secretARN, ":us-east-1:", ":us-west-2:", 1) {
		t.Errorf("ARNs: secret %s, replica %s", secretARN, replica)
	}
	tf.planNoChanges()

	var d cliDescribeSecret
	srv.awsJSON(t, "us-east-1", &d, "secretsmanager", "describe-secret", "--secret-id", "example-name")
	keys := map[string]string{}
	for _, r := range d.ReplicationStatus {
		keys[r.Region] = r.KmsKeyId + "/" + r.Status
	}
	if keys["us-west-2"] != tf.output("west_key")+"/InSync" || keys["eu-west-3"] != "alias/aws/secretsmanager/InSync" {
		t.Errorf("replication status %v", keys)
	}

	tf.destroy()
	for _, region := range []string{"us-east-1", "us-west-2", "eu-west-3"} {
		waitFor(t, "secret gone from "+region, func() error {
			_, stderr, err := run(t.Context(), srv.clientEnv(t, region), "", "aws", "secretsmanager", "describe-secret", "--secret-id", "example-name")
			if err == nil || !strings.Contains(stderr, "ResourceNotFoundException") {
				return fmt.Errorf("describe-secret in %s: %v %s", region, err, stderr)
			}
			return nil
		})
	}
}

// TestSecretsManagerReplicationSurvivesKill: replication in flight when the server is
// killed (kill -9) resumes after a restart on the same data directory.
func TestSecretsManagerReplicationSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	srv := startDurableServer(t, dir, "--transition-delay", "1h")
	var created struct{ ARN, VersionId string }
	srv.awsJSON(t, "us-east-1", &created, "secretsmanager", "create-secret", "--name", "durable",
		"--secret-string", "survives", "--add-replica-regions", "Region=eu-west-3", "Region=ap-south-1")
	srv.kill(t)
	srv.start(t)

	var d cliDescribeSecret
	srv.awsJSON(t, "us-east-1", &d, "secretsmanager", "describe-secret", "--secret-id", "durable")
	for _, r := range d.ReplicationStatus {
		if r.Status != "InProgress" {
			t.Errorf("after restart %s is %s", r.Region, r.Status)
		}
	}
	srv.admin(t, "POST", "clock", `{"advance":"1h"}`, nil)
	for _, region := range []string{"eu-west-3", "ap-south-1"} {
		srv.waitInSync(t, "us-east-1", "durable", region)
		var v cliSecretValue
		srv.awsJSON(t, region, &v, "secretsmanager", "get-secret-value", "--secret-id", "durable")
		if v.SecretString != "survives" || v.VersionId != created.VersionId {
			t.Errorf("%s after restart: %+v", region, v)
		}
	}
}
