package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

type cliReplica struct {
	DBInstanceIdentifier, DBInstanceStatus, DBInstanceArn, ReadReplicaSourceDBInstanceIdentifier, KmsKeyId string
	ReadReplicaDBInstanceIdentifiers                                                                       []string
	BackupRetentionPeriod                                                                                  int
	StatusInfos                                                                                            []struct {
		StatusType, Status, Message string
		Normal                      bool
	}
}

func (s *server) dbReplica(t *testing.T, region, id string) cliReplica {
	t.Helper()
	var out struct{ DBInstances []cliReplica }
	s.awsJSON(t, region, &out, s.rds("describe-db-instances", "--db-instance-identifier", id)...)
	if len(out.DBInstances) != 1 {
		t.Fatalf("describe-db-instances %s: %d items", id, len(out.DBInstances))
	}
	return out.DBInstances[0]
}

// TestRDSCrossRegionReadReplicaWithCLI is the DR drill of a cross-Region read replica
// with the AWS CLI: an encrypted PostgreSQL source in us-east-1, a replica made in
// us-west-2 from its ARN with --source-region (the CLI builds the presigned URL, which
// the server verifies in strict mode) and a us-west-2 key; the replica replicating; the
// source's Region made unreachable, the replica in error and falling behind as the clock
// moves; the replica promoted in us-west-2 and standalone with its backups on.
func TestRDSCrossRegionReadReplicaWithCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--auth", "strict", "--credentials", "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	srv.aws(t, srv.rds("create-db-instance", "--db-instance-identifier", "primary", "--engine", "postgres",
		"--engine-version", "13.4", "--db-instance-class", "db.t3.micro", "--allocated-storage", "20",
		"--master-username", "admin1", "--master-user-password", "secretpass1", "--backup-retention-period", "7",
		"--storage-encrypted")...)
	src := srv.waitInstance(t, "us-east-1", "primary", "available")
	var key cliKeyMetadata
	srv.awsJSON(t, "us-west-2", &key, "kms", "create-key", "--description", "replica")

	stderr := srv.awsFail(t, "us-west-2", srv.rds("create-db-instance-read-replica", "--db-instance-identifier", "dr",
		"--source-db-instance-identifier", src.DBInstanceArn)...)
	if !strings.Contains(stderr, "InvalidParameterCombination") || !strings.Contains(stderr, "KmsKeyId") {
		t.Errorf("an encrypted source without a destination key: %s", stderr)
	}
	var created struct{ DBInstance cliReplica }
	srv.awsJSON(t, "us-west-2", &created, srv.rds("create-db-instance-read-replica", "--db-instance-identifier", "dr",
		"--source-db-instance-identifier", src.DBInstanceArn, "--source-region", "us-east-1", "--kms-key-id", key.KeyMetadata.Arn)...)
	if r := created.DBInstance; r.DBInstanceStatus != "creating" || r.ReadReplicaSourceDBInstanceIdentifier != src.DBInstanceArn || r.KmsKeyId != key.KeyMetadata.Arn {
		t.Fatalf("create-db-instance-read-replica answered %+v", r)
	}
	srv.aws(t, "rds", "wait", "db-instance-available", "--region", "us-west-2", "--db-instance-identifier", "dr")
	replica := srv.dbReplica(t, "us-west-2", "dr")
	if len(replica.StatusInfos) != 1 || replica.StatusInfos[0].StatusType != "read replication" || replica.StatusInfos[0].Status != "replicating" || !replica.StatusInfos[0].Normal {
		t.Fatalf("the available replica shows %+v", replica.StatusInfos)
	}
	if got := srv.dbReplica(t, "us-east-1", "primary").ReadReplicaDBInstanceIdentifiers; len(got) != 1 || got[0] != replica.DBInstanceArn {
		t.Fatalf("the source lists %v, want the replica's ARN %s", got, replica.DBInstanceArn)
	}

	// us-east-1 goes away: replication stops, and the lag grows with the clock.
	srv.admin(t, "POST", "faults", `{"region":"us-east-1","unreachable":true}`, nil)
	srv.admin(t, "POST", "clock", `{"advance":"30m"}`, nil)
	info := srv.dbReplica(t, "us-west-2", "dr").StatusInfos
	if len(info) != 1 || info[0].Status != "error" || info[0].Normal {
		t.Fatalf("half an hour into the outage the replica shows %+v", info)
	}
	// The clock also runs on its own while the test waits: at least the half hour.
	m := regexp.MustCompile(`(\d+) seconds behind`).FindStringSubmatch(info[0].Message)
	if m == nil {
		t.Fatalf("the replica's message names no lag: %q", info[0].Message)
	}
	if lag, _ := strconv.Atoi(m[1]); lag < 1800 || lag > 1800+300 {
		t.Fatalf("half an hour into the outage the replica is behind by %q", info[0].Message)
	}

	// The DR step: promote the replica in us-west-2.
	var promoted struct{ DBInstance cliReplica }
	srv.awsJSON(t, "us-west-2", &promoted, srv.rds("promote-read-replica", "--db-instance-identifier", "dr", "--backup-retention-period", "7")...)
	if promoted.DBInstance.DBInstanceStatus != "modifying" || promoted.DBInstance.ReadReplicaSourceDBInstanceIdentifier != "" {
		t.Fatalf("promote-read-replica answered %+v", promoted.DBInstance)
	}
	srv.aws(t, "rds", "wait", "db-instance-available", "--region", "us-west-2", "--db-instance-identifier", "dr")
	standalone := srv.dbReplica(t, "us-west-2", "dr")
	if standalone.ReadReplicaSourceDBInstanceIdentifier != "" || len(standalone.StatusInfos) != 0 || standalone.BackupRetentionPeriod != 7 {
		t.Fatalf("the promoted instance: %+v", standalone)
	}
	var events struct{ Events []struct{ Message string } }
	srv.awsJSON(t, "us-west-2", &events, srv.rds("describe-events", "--source-type", "db-instance", "--source-identifier", "dr",
		"--event-categories", "read replica", "--duration", "1440")...)
	if len(events.Events) != 2 {
		t.Errorf("the replica's read replica events: %+v", events.Events)
	}
	srv.admin(t, "DELETE", "faults", "", nil)
	if got := srv.dbReplica(t, "us-east-1", "primary").ReadReplicaDBInstanceIdentifiers; len(got) != 0 {
		t.Errorf("the old source still lists %v", got)
	}
}

// TestRDSCrossRegionReadReplicaTerraform applies aws_db_instance with
// replicate_source_db set to the ARN of an encrypted instance in another Region (the
// provider alias), with a destination kms_key_id (which makes the provider send
// SourceRegion, so a presigned URL); plans again with no changes; and destroys the
// replica, then its source.
func TestRDSCrossRegionReadReplicaTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1", "us-west-2")+`
resource "aws_db_instance" "primary" {
  allocated_storage       = 20
  backup_retention_period = 7
  db_name                 = "app"
  engine                  = "postgres"
  engine_version          = "16.8"
  identifier              = "primary"
  instance_class          = "db.t3.micro"
  password                = "mustbeeightcharacters"
  skip_final_snapshot     = true
  storage_encrypted       = true
  username                = "admin1"
}

resource "aws_kms_key" "dr" {
  provider    = aws.us_west_2
  description = "DR replica"
}

resource "aws_db_instance" "dr" {
  provider            = aws.us_west_2
  identifier          = "dr"
  replicate_source_db = aws_db_instance.primary.arn
  instance_class      = "db.t3.micro"
  kms_key_id          = aws_kms_key.dr.arn
  storage_encrypted   = true
  skip_final_snapshot = true
}

output "replica" {
  value = aws_db_instance.dr.arn
}
`)
	done := timed(t, "apply")
	tf.apply()
	done()
	tf.planNoChanges()
	replica := srv.dbReplica(t, "us-west-2", "dr")
	source := srv.dbInstance(t, "us-east-1", "primary")
	if replica.ReadReplicaSourceDBInstanceIdentifier != source.DBInstanceArn || replica.DBInstanceArn != tf.output("replica") ||
		len(replica.StatusInfos) != 1 || replica.StatusInfos[0].Status != "replicating" {
		t.Errorf("the replica: %+v", replica)
	}
	if got := srv.dbReplica(t, "us-east-1", "primary").ReadReplicaDBInstanceIdentifiers; len(got) != 1 || got[0] != replica.DBInstanceArn {
		t.Errorf("the source lists %v", got)
	}
	done = timed(t, "destroy")
	tf.destroy()
	done()
	for _, region := range []string{"us-east-1", "us-west-2"} {
		var list struct{ DBInstances []cliInstance }
		srv.awsJSON(t, region, &list, srv.rds("describe-db-instances")...)
		if len(list.DBInstances) != 0 {
			t.Errorf("instances left in %s after destroy: %+v", region, list.DBInstances)
		}
	}
}
