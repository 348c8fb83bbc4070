package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The provider waits at least 80 s for an instance to be created and 60 s for it to be
// deleted, whatever the server does, so each configuration is its own test, run in
// parallel with its own server.

// seedHCL is seed 000 (Terraform's aws_db_instance_automated_backups_replication
// documentation, translated from CDK for Terraform): an encrypted PostgreSQL instance in
// us-east-1, a KMS key in us-west-2 and the replication of the instance's automated
// backups to us-west-2 under that key. The replica provider is the harness's
// aws.us_west_2 instead of aws.replica.
const seedHCL = `
resource "aws_db_instance" "default" {
  allocated_storage       = 10
  backup_retention_period = 7
  db_name                 = "mydb"
  engine                  = "postgres"
  engine_version          = "13.4"
  identifier              = "mydb"
  instance_class          = "db.t3.micro"
  password                = "mustbeeightcharacters"
  skip_final_snapshot     = true
  storage_encrypted       = true
  username                = "masterusername"
}

resource "aws_kms_key" "default" {
  description = "Encryption key for automated backups"
  provider    = aws.us_west_2
}

resource "aws_db_instance_automated_backups_replication" "default" {
  kms_key_id             = aws_kms_key.default.arn
  provider               = aws.us_west_2
  source_db_instance_arn = aws_db_instance.default.arn
}

output "replication" {
  value = aws_db_instance_automated_backups_replication.default.id
}

output "key" {
  value = aws_kms_key.default.arn
}

output "instance" {
  value = aws_db_instance.default.arn
}
`

type cliBackup struct {
	DBInstanceArn, DBInstanceIdentifier, Status, KmsKeyId, Region string
	DBInstanceAutomatedBackupsArn                                 string
	BackupRetentionPeriod                                         int
	Encrypted                                                     bool
	RestoreWindow                                                 struct{ EarliestTime, LatestTime string }
}

type cliInstance struct {
	DBInstanceIdentifier, DBInstanceStatus, DbiResourceId, DBInstanceArn, KmsKeyId, Engine, EngineVersion string
	StorageEncrypted                                                                                      bool
	DBInstanceAutomatedBackupsReplications                                                                []struct{ DBInstanceAutomatedBackupsArn string }
}

func (s *server) automatedBackup(t *testing.T, region, arn string) cliBackup {
	t.Helper()
	var out struct{ DBInstanceAutomatedBackups []cliBackup }
	s.awsJSON(t, region, &out, s.rds("describe-db-instance-automated-backups", "--db-instance-automated-backups-arn", arn)...)
	if len(out.DBInstanceAutomatedBackups) != 1 {
		t.Fatalf("describe-db-instance-automated-backups %s: %d items", arn, len(out.DBInstanceAutomatedBackups))
	}
	return out.DBInstanceAutomatedBackups[0]
}

func (s *server) dbInstance(t *testing.T, region, id string) cliInstance {
	t.Helper()
	var out struct{ DBInstances []cliInstance }
	s.awsJSON(t, region, &out, s.rds("describe-db-instances", "--db-instance-identifier", id)...)
	if len(out.DBInstances) != 1 {
		t.Fatalf("describe-db-instances %s: %d items", id, len(out.DBInstances))
	}
	return out.DBInstances[0]
}

func timed(t *testing.T, what string) func() {
	start := time.Now()
	return func() { t.Logf("%s took %s", what, time.Since(start).Round(time.Second)) }
}

// TestRDSSeedTerraform applies seed 000 exactly, plans again with no changes, imports
// the replication by its ARN after removing it from the state, plans again, and
// destroys everything.
func TestRDSSeedTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1", "us-west-2")+seedHCL)
	done := timed(t, "apply")
	tf.apply()
	done()
	tf.planNoChanges()

	arn, key, instance := tf.output("replication"), tf.output("key"), tf.output("instance")
	if !strings.HasPrefix(arn, "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-") {
		t.Fatalf("replication id %q", arn)
	}
	b := srv.automatedBackup(t, "us-west-2", arn)
	if b.Status != "replicating" || b.KmsKeyId != key || b.DBInstanceArn != instance || b.Region != "us-east-1" ||
		b.BackupRetentionPeriod != 7 || !b.Encrypted {
		t.Errorf("replicated backup = %+v", b)
	}
	src := srv.dbInstance(t, "us-east-1", "mydb")
	if len(src.DBInstanceAutomatedBackupsReplications) != 1 || src.DBInstanceAutomatedBackupsReplications[0].DBInstanceAutomatedBackupsArn != arn {
		t.Errorf("source instance replications = %+v", src.DBInstanceAutomatedBackupsReplications)
	}

	tf.stateRm("aws_db_instance_automated_backups_replication.default")
	tf.importResource("aws_db_instance_automated_backups_replication.default", arn)
	tf.planNoChanges()

	done = timed(t, "destroy")
	tf.destroy()
	done()
	var list struct{ DBInstances []cliInstance }
	srv.awsJSON(t, "us-east-1", &list, srv.rds("describe-db-instances")...)
	if len(list.DBInstances) != 0 {
		t.Errorf("instances left after destroy: %+v", list.DBInstances)
	}
}

// TestRDSReplicationWithoutKeyTerraform replicates an unencrypted instance's backups
// without kms_key_id, with a 14-day retention period.
func TestRDSReplicationWithoutKeyTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1", "us-west-2")+`
resource "aws_db_instance" "plain" {
  allocated_storage       = 20
  backup_retention_period = 7
  engine                  = "mysql"
  engine_version          = "8.0.41"
  identifier              = "plain"
  instance_class          = "db.t3.micro"
  password                = "mustbeeightcharacters"
  skip_final_snapshot     = true
  username                = "admin1"
}

resource "aws_db_instance_automated_backups_replication" "fourteen" {
  provider               = aws.us_west_2
  source_db_instance_arn = aws_db_instance.plain.arn
  retention_period       = 14
}

output "replication" {
  value = aws_db_instance_automated_backups_replication.fourteen.id
}
`)
	done := timed(t, "apply")
	tf.apply()
	done()
	tf.planNoChanges()
	arn := tf.output("replication")
	b := srv.automatedBackup(t, "us-west-2", arn)
	if b.Status != "replicating" || b.BackupRetentionPeriod != 14 || b.KmsKeyId != "" || b.Encrypted {
		t.Errorf("replicated backup = %+v", b)
	}
	tf.stateRm("aws_db_instance_automated_backups_replication.fourteen")
	tf.importResource("aws_db_instance_automated_backups_replication.fourteen", arn)
	tf.planNoChanges()
	done = timed(t, "destroy")
	tf.destroy()
	done()
	// Stopping the replication left the replicated backup retained in us-west-2.
	if b := srv.automatedBackup(t, "us-west-2", arn); b.Status != "retained" {
		t.Errorf("after destroy the replicated backup is %s, want retained", b.Status)
	}
}

// TestRDSSnapshotCopyTerraform snapshots an encrypted instance in us-east-1 and copies
// the snapshot to us-west-2 under a key of that Region, with the source named by ARN
// and no presigned URL, as aws_db_snapshot_copy does.
func TestRDSSnapshotCopyTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1", "us-west-2")+`
resource "aws_db_instance" "source" {
  allocated_storage       = 20
  backup_retention_period = 1
  engine                  = "postgres"
  engine_version          = "16.3"
  identifier              = "snapsource"
  instance_class          = "db.t3.micro"
  password                = "mustbeeightcharacters"
  skip_final_snapshot     = true
  storage_encrypted       = true
  username                = "masterusername"
}

resource "aws_db_snapshot" "source" {
  db_instance_identifier = aws_db_instance.source.identifier
  db_snapshot_identifier = "example-name"
}

resource "aws_kms_key" "west" {
  description             = "snapshot copies"
  deletion_window_in_days = 7
  provider                = aws.us_west_2
}

resource "aws_db_snapshot_copy" "copy" {
  provider                      = aws.us_west_2
  source_db_snapshot_identifier = aws_db_snapshot.source.db_snapshot_arn
  target_db_snapshot_identifier = "example-copy"
  kms_key_id                    = aws_kms_key.west.arn
  tags = {
    purpose = "dr"
  }
}

output "source_region" {
  value = aws_db_snapshot_copy.copy.source_region
}

output "copy_arn" {
  value = aws_db_snapshot_copy.copy.db_snapshot_arn
}
`)
	done := timed(t, "apply")
	tf.apply()
	done()
	tf.planNoChanges()
	if got := tf.output("source_region"); got != "us-east-1" {
		t.Errorf("source_region = %q", got)
	}
	if got := tf.output("copy_arn"); got != "arn:aws:rds:us-west-2:123456789012:snapshot:example-copy" {
		t.Errorf("copy ARN = %q", got)
	}
	var snaps struct {
		DBSnapshots []struct {
			Status, SourceRegion, SourceDBSnapshotIdentifier, KmsKeyId string
			PercentProgress                                            int
		}
	}
	srv.awsJSON(t, "us-west-2", &snaps, srv.rds("describe-db-snapshots", "--db-snapshot-identifier", "example-copy")...)
	if len(snaps.DBSnapshots) != 1 || snaps.DBSnapshots[0].Status != "available" || snaps.DBSnapshots[0].PercentProgress != 100 ||
		snaps.DBSnapshots[0].SourceDBSnapshotIdentifier != "arn:aws:rds:us-east-1:123456789012:snapshot:example-name" {
		t.Errorf("copy = %+v", snaps.DBSnapshots)
	}
	done = timed(t, "destroy")
	tf.destroy()
	done()
	out := srv.aws(t, srv.rds("describe-db-snapshots", "--snapshot-type", "manual")...)
	var left struct{ DBSnapshots []json.RawMessage }
	if err := json.Unmarshal([]byte(out), &left); err != nil || len(left.DBSnapshots) != 0 {
		t.Errorf("snapshots left in us-east-1: %s", out)
	}
}
