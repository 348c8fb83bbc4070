package e2e

import (
	"strings"
	"testing"
	"time"
)

// pollUntil runs check until it returns "" or the timeout passes; check returns what is
// still wrong.
func pollUntil(t *testing.T, timeout time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		wrong := check()
		if wrong == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, wrong)
		}
		waitBriefly()
	}
}

func (s *server) waitInstance(t *testing.T, region, id, status string) cliInstance {
	t.Helper()
	var db cliInstance
	pollUntil(t, time.Minute, func() string {
		db = s.dbInstance(t, region, id)
		if db.DBInstanceStatus != status {
			return id + " is " + db.DBInstanceStatus + ", want " + status
		}
		return ""
	})
	return db
}

// TestRDSReplicationWithCLI: the AWS CLI starts replication in us-west-2 with
// --source-region us-east-1 (which makes it build a presigned URL), waits for
// replicating, restores the replicated backup to a point in time in us-west-2, and stops
// the replication. The server verifies signatures, so the presigned URL the CLI builds
// must verify too.
func TestRDSReplicationWithCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--auth", "strict", "--credentials", "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	srv.aws(t, srv.rds("create-db-instance", "--db-instance-identifier", "clidb", "--engine", "postgres",
		"--engine-version", "13.4", "--db-instance-class", "db.t3.micro", "--allocated-storage", "20",
		"--master-username", "admin1", "--master-user-password", "secretpass1", "--backup-retention-period", "7",
		"--storage-encrypted")...)
	src := srv.waitInstance(t, "us-east-1", "clidb", "available")

	var key cliKeyMetadata
	srv.awsJSON(t, "us-west-2", &key, "kms", "create-key", "--description", "replicated backups")

	// An encrypted source needs a key in the destination Region.
	stderr := srv.awsFail(t, "us-west-2", srv.rds("start-db-instance-automated-backups-replication",
		"--source-region", "us-east-1", "--source-db-instance-arn", src.DBInstanceArn)...)
	if !strings.Contains(stderr, "KMSKeyNotAccessibleFault") {
		t.Errorf("start without a key: %s", stderr)
	}

	var started struct{ DBInstanceAutomatedBackup cliBackup }
	srv.awsJSON(t, "us-west-2", &started, srv.rds("start-db-instance-automated-backups-replication",
		"--source-region", "us-east-1", "--source-db-instance-arn", src.DBInstanceArn,
		"--kms-key-id", key.KeyMetadata.Arn, "--backup-retention-period", "14")...)
	b := started.DBInstanceAutomatedBackup
	if b.Status != "pending" || b.Region != "us-east-1" || b.DBInstanceArn != src.DBInstanceArn || b.KmsKeyId != key.KeyMetadata.Arn ||
		b.BackupRetentionPeriod != 14 || b.RestoreWindow.LatestTime != "" || !strings.HasPrefix(b.DBInstanceAutomatedBackupsArn, "arn:aws:rds:us-west-2:") {
		t.Fatalf("start answered %+v", b)
	}
	arn := b.DBInstanceAutomatedBackupsArn
	pollUntil(t, time.Minute, func() string {
		if got := srv.automatedBackup(t, "us-west-2", arn); got.Status != "replicating" || got.RestoreWindow.LatestTime == "" {
			return "replicated backup is " + got.Status
		}
		return ""
	})
	if reps := srv.dbInstance(t, "us-east-1", "clidb").DBInstanceAutomatedBackupsReplications; len(reps) != 1 || reps[0].DBInstanceAutomatedBackupsArn != arn {
		t.Errorf("source lists replications %+v", reps)
	}
	stderr = srv.awsFail(t, "us-west-2", srv.rds("start-db-instance-automated-backups-replication",
		"--source-region", "us-east-1", "--source-db-instance-arn", src.DBInstanceArn, "--kms-key-id", key.KeyMetadata.Arn)...)
	if !strings.Contains(stderr, "InvalidDBInstanceState") {
		t.Errorf("second start: %s", stderr)
	}

	var restored struct{ DBInstance cliInstance }
	srv.awsJSON(t, "us-west-2", &restored, srv.rds("restore-db-instance-to-point-in-time",
		"--source-db-instance-automated-backups-arn", arn, "--target-db-instance-identifier", "restored",
		"--use-latest-restorable-time")...)
	if restored.DBInstance.DBInstanceStatus != "creating" {
		t.Errorf("restore answered %s", restored.DBInstance.DBInstanceStatus)
	}
	db := srv.waitInstance(t, "us-west-2", "restored", "available")
	if !db.StorageEncrypted || db.KmsKeyId != key.KeyMetadata.Arn || db.Engine != "postgres" || db.EngineVersion != "13.4" {
		t.Errorf("restored instance = %+v", db)
	}

	var stopped struct{ DBInstanceAutomatedBackup cliBackup }
	srv.awsJSON(t, "us-west-2", &stopped, srv.rds("stop-db-instance-automated-backups-replication",
		"--source-db-instance-arn", src.DBInstanceArn)...)
	if stopped.DBInstanceAutomatedBackup.DBInstanceAutomatedBackupsArn != arn {
		t.Errorf("stop answered %+v", stopped.DBInstanceAutomatedBackup)
	}
	if got := srv.automatedBackup(t, "us-west-2", arn); got.Status != "retained" {
		t.Errorf("after stop the replicated backup is %s", got.Status)
	}
	if reps := srv.dbInstance(t, "us-east-1", "clidb").DBInstanceAutomatedBackupsReplications; len(reps) != 0 {
		t.Errorf("source still lists %+v", reps)
	}
	stderr = srv.awsFail(t, "us-west-2", srv.rds("stop-db-instance-automated-backups-replication",
		"--source-db-instance-arn", src.DBInstanceArn)...)
	if !strings.Contains(stderr, "not replicating to the current region") {
		t.Errorf("second stop: %s", stderr)
	}
}

// TestRDSReplicationWithBoto3 runs boto3 against a server that verifies signatures: the
// presigned URLs boto3 builds from SourceRegion (for the replication and for a snapshot
// copy) must verify, and a tampered one is refused.
func TestRDSReplicationWithBoto3(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--auth", "strict", "--credentials", "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	out := srv.python(t, "us-west-2", `
import time, boto3, botocore

east = boto3.client("rds", region_name="us-east-1")
west = boto3.client("rds", region_name="us-west-2")
key = boto3.client("kms", region_name="us-west-2").create_key()["KeyMetadata"]["Arn"]

def wait(fn, want):
    for _ in range(500):
        got = fn()
        if got == want:
            return
        time.sleep(0.02)
    raise SystemExit("still %s, want %s" % (got, want))

arn = east.create_db_instance(DBInstanceIdentifier="botodb", Engine="mysql", DBInstanceClass="db.t3.micro",
    AllocatedStorage=20, MasterUsername="admin1", MasterUserPassword="secretpass1", BackupRetentionPeriod=3,
    StorageEncrypted=True)["DBInstance"]["DBInstanceArn"]
wait(lambda: east.describe_db_instances(DBInstanceIdentifier="botodb")["DBInstances"][0]["DBInstanceStatus"], "available")

# A presigned URL whose signature was tampered with is refused.
good = east.generate_presigned_url("start_db_instance_automated_backups_replication",
    Params={"SourceDBInstanceArn": arn, "KmsKeyId": key}, HttpMethod="GET")
bad = good[:-1] + ("0" if good[-1] != "0" else "1")
try:
    west.start_db_instance_automated_backups_replication(SourceDBInstanceArn=arn, KmsKeyId=key, PreSignedUrl=bad)
    raise SystemExit("a tampered PreSignedUrl was accepted")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidParameterValue", e.response
    assert e.response["Error"]["Message"] == "PreSignedUrl could not be authenticated.", e.response

started = west.start_db_instance_automated_backups_replication(SourceDBInstanceArn=arn, KmsKeyId=key,
    BackupRetentionPeriod=5, SourceRegion="us-east-1")["DBInstanceAutomatedBackup"]
assert started["Status"] == "pending", started
ab = started["DBInstanceAutomatedBackupsArn"]
wait(lambda: west.describe_db_instance_automated_backups(DBInstanceAutomatedBackupsArn=ab)["DBInstanceAutomatedBackups"][0]["Status"], "replicating")

east.create_db_snapshot(DBInstanceIdentifier="botodb", DBSnapshotIdentifier="botosnap")
wait(lambda: east.describe_db_snapshots(DBSnapshotIdentifier="botosnap")["DBSnapshots"][0]["Status"], "available")
snap_arn = east.describe_db_snapshots(DBSnapshotIdentifier="botosnap")["DBSnapshots"][0]["DBSnapshotArn"]
copy = west.copy_db_snapshot(SourceDBSnapshotIdentifier=snap_arn, TargetDBSnapshotIdentifier="botocopy",
    KmsKeyId=key, SourceRegion="us-east-1")["DBSnapshot"]
assert copy["Status"] == "creating" and copy["PercentProgress"] == 0, copy
wait(lambda: west.describe_db_snapshots(DBSnapshotIdentifier="botocopy")["DBSnapshots"][0]["Status"], "available")
copy = west.describe_db_snapshots(DBSnapshotIdentifier="botocopy")["DBSnapshots"][0]
assert copy["SourceRegion"] == "us-east-1" and copy["SourceDBSnapshotIdentifier"] == snap_arn and copy["KmsKeyId"] == key, copy

west.stop_db_instance_automated_backups_replication(SourceDBInstanceArn=arn)
print("ok", ab)
`)
	if !strings.HasPrefix(out, "ok arn:aws:rds:us-west-2:123456789012:auto-backup:ab-") {
		t.Errorf("boto3 script printed %q", out)
	}
}

// rds builds the arguments of an RDS command of the AWS CLI.
func (s *server) rds(args ...string) []string { return append([]string{"rds"}, args...) }
