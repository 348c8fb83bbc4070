package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

type cliFileSystem struct {
	FileSystemId, LifeCycleState, KmsKeyId, Name string
	Encrypted                                    bool
	NumberOfMountTargets                         int
	SizeInBytes                                  struct{ Value int64 }
	FileSystemProtection                         struct{ ReplicationOverwriteProtection string }
}

type cliReplication struct {
	SourceFileSystemId string
	Destinations       []struct {
		Status, FileSystemId, Region, StatusMessage string
		LastReplicatedTimestamp                     *float64
	}
}

func (s *server) writeEFSFile(t *testing.T, region, fsID, path, data string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"region": region, "path": path, "data": []byte(data)})
	s.admin(t, "POST", "efs/file-systems/"+fsID+"/files", string(body), nil)
}

func (s *server) readEFSFile(t *testing.T, region, fsID, path string) string {
	t.Helper()
	var out struct{ Data []byte }
	s.admin(t, "GET", fmt.Sprintf("efs/file-systems/%s/file?region=%s&path=%s", fsID, region, url.QueryEscape(path)), "", &out)
	return string(out.Data)
}

func (s *server) fileSystem(t *testing.T, region, id string) cliFileSystem {
	t.Helper()
	var out struct{ FileSystems []cliFileSystem }
	s.awsJSON(t, region, &out, "efs", "describe-file-systems", "--file-system-id", id)
	if len(out.FileSystems) != 1 {
		t.Fatalf("describe-file-systems %s: %+v", id, out.FileSystems)
	}
	return out.FileSystems[0]
}

func (s *server) waitFileSystem(t *testing.T, region, id string) cliFileSystem {
	t.Helper()
	var fs cliFileSystem
	pollUntil(t, time.Minute, func() string {
		if fs = s.fileSystem(t, region, id); fs.LifeCycleState != "available" {
			return id + " is " + fs.LifeCycleState
		}
		return ""
	})
	return fs
}

func (s *server) replication(t *testing.T, region, id string) cliReplication {
	t.Helper()
	var out struct{ Replications []cliReplication }
	s.awsJSON(t, region, &out, "efs", "describe-replication-configurations", "--file-system-id", id)
	if len(out.Replications) != 1 || len(out.Replications[0].Destinations) != 1 {
		t.Fatalf("replications of %s: %+v", id, out.Replications)
	}
	return out.Replications[0]
}

// TestEFSReplicationFailoverWithCLI: the AWS CLI makes an encrypted file system with a
// mount target on the default VPC, files go in through the admin API, EFS replication
// copies them to us-west-2 and keeps the copy current as the clock moves; then
// us-east-1 becomes unreachable, the CLI deletes the replication configuration in
// us-west-2 (the failover), and the files are read — and written — there.
func TestEFSReplicationFailoverWithCLI(t *testing.T) {
	srv := startServer(t)
	var created cliFileSystem
	srv.awsJSON(t, "us-east-1", &created, "efs", "create-file-system", "--creation-token", "app-data", "--encrypted",
		"--performance-mode", "generalPurpose", "--tags", "Key=Name,Value=app-data")
	if created.LifeCycleState != "creating" || !created.Encrypted || created.Name != "app-data" {
		t.Fatalf("created %+v", created)
	}
	if out := srv.awsFail(t, "us-east-1", "efs", "create-file-system", "--creation-token", "app-data"); !strings.Contains(out, "FileSystemAlreadyExists") {
		t.Errorf("same token again: %s", out)
	}
	fsID := created.FileSystemId
	srv.waitFileSystem(t, "us-east-1", fsID)

	var subnets struct {
		Subnets []struct{ SubnetId, AvailabilityZone string }
	}
	srv.awsJSON(t, "us-east-1", &subnets, "ec2", "describe-subnets", "--filters", "Name=default-for-az,Values=true")
	var mt struct{ MountTargetId, IpAddress string }
	srv.awsJSON(t, "us-east-1", &mt, "efs", "create-mount-target", "--file-system-id", fsID, "--subnet-id", subnets.Subnets[0].SubnetId)
	if mt.IpAddress == "" {
		t.Errorf("mount target %+v", mt)
	}
	if out := srv.awsFail(t, "us-east-1", "efs", "delete-file-system", "--file-system-id", fsID); !strings.Contains(out, "FileSystemInUse") {
		t.Errorf("delete with a mount target: %s", out)
	}

	srv.writeEFSFile(t, "us-east-1", fsID, "/orders/2026-12.csv", "id,total\n1,42\n")
	srv.writeEFSFile(t, "us-east-1", fsID, "/config.json", `{"v":1}`)
	var repl cliReplication
	srv.awsJSON(t, "us-east-1", &repl, "efs", "create-replication-configuration", "--source-file-system-id", fsID,
		"--destinations", "Region=us-west-2")
	dstID := repl.Destinations[0].FileSystemId
	pollUntil(t, time.Minute, func() string {
		if d := srv.replication(t, "us-west-2", dstID).Destinations[0]; d.Status != "ENABLED" || d.LastReplicatedTimestamp == nil {
			return fmt.Sprintf("replication %+v", d)
		}
		return ""
	})
	if dst := srv.waitFileSystem(t, "us-west-2", dstID); dst.FileSystemProtection.ReplicationOverwriteProtection != "REPLICATING" ||
		!strings.Contains(dst.KmsKeyId, ":us-west-2:") {
		t.Errorf("destination %+v", dst)
	}
	if got := srv.readEFSFile(t, "us-west-2", dstID, "/orders/2026-12.csv"); got != "id,total\n1,42\n" {
		t.Errorf("replicated %q", got)
	}
	// A change reaches us-west-2 within the sync interval.
	srv.writeEFSFile(t, "us-east-1", fsID, "/config.json", `{"v":2}`)
	srv.admin(t, "POST", "clock", `{"advance":"16m"}`, nil)
	if got := srv.readEFSFile(t, "us-west-2", dstID, "/config.json"); got != `{"v":2}` {
		t.Errorf("after a sync %q", got)
	}

	// us-east-1 is lost: fail over in us-west-2.
	srv.admin(t, "POST", "faults", `{"region":"us-east-1","unreachable":true}`, nil)
	srv.writeEFSFile(t, "us-east-1", fsID, "/config.json", `{"v":3}`)
	srv.awsIn(t, "us-west-2", "efs", "delete-replication-configuration", "--source-file-system-id", dstID)
	pollUntil(t, time.Minute, func() string {
		out := srv.awsFail(t, "us-west-2", "efs", "describe-replication-configurations", "--file-system-id", dstID)
		if !strings.Contains(out, "ReplicationNotFound") {
			return "the replication is still there: " + out
		}
		return ""
	})
	if dst := srv.fileSystem(t, "us-west-2", dstID); dst.FileSystemProtection.ReplicationOverwriteProtection != "ENABLED" {
		t.Errorf("after failover %+v", dst)
	}
	if got := srv.readEFSFile(t, "us-west-2", dstID, "/config.json"); got != `{"v":2}` {
		t.Errorf("failed over with %q", got)
	}
	srv.writeEFSFile(t, "us-west-2", dstID, "/config.json", `{"v":"west"}`)
	srv.admin(t, "DELETE", "faults", `{}`, nil)
	srv.admin(t, "POST", "clock", `{"advance":"1h"}`, nil)
	if out := srv.awsFail(t, "us-east-1", "efs", "describe-replication-configurations", "--file-system-id", fsID); !strings.Contains(out, "ReplicationNotFound") {
		t.Errorf("the source's side outlived the outage: %s", out)
	}
	if got := srv.readEFSFile(t, "us-west-2", dstID, "/config.json"); got != `{"v":"west"}` {
		t.Errorf("us-west-2's write was overwritten: %q", got)
	}
}

// waitBackupJob polls a backup, copy or restore job until it is COMPLETED and returns
// its description.
func (s *server) waitBackupJob(t *testing.T, region, kind, id string) map[string]any {
	t.Helper()
	var job map[string]any
	pollUntil(t, time.Minute, func() string {
		var out map[string]any
		s.awsJSON(t, region, &out, "backup", "describe-"+kind+"-job", "--"+kind+"-job-id", id)
		if kind == "copy" {
			out, _ = out["CopyJob"].(map[string]any)
		}
		if job = out; out["State"] != "COMPLETED" && out["Status"] != "COMPLETED" {
			return fmt.Sprintf("%s job %s: %v %v", kind, id, out["State"], out["StatusMessage"])
		}
		return ""
	})
	return job
}

// TestEFSBackupCopyRestoreWithCLI: AWS Backup backs up a file system twice (the second
// job moves only what changed), copies the recovery point to a vault in us-west-2 under
// that vault's key, and restores it there as a new file system whose files are read back.
func TestEFSBackupCopyRestoreWithCLI(t *testing.T) {
	srv := startServer(t)
	var fs struct{ FileSystemId, FileSystemArn string }
	srv.awsJSON(t, "us-east-1", &fs, "efs", "create-file-system", "--creation-token", "backed-up", "--encrypted")
	srv.waitFileSystem(t, "us-east-1", fs.FileSystemId)
	report := strings.Repeat("quarterly figures, line by line\n", 200)
	srv.writeEFSFile(t, "us-east-1", fs.FileSystemId, "/reports/q3.txt", report)
	srv.writeEFSFile(t, "us-east-1", fs.FileSystemId, "/state.json", `{"n":1}`)

	srv.awsIn(t, "us-east-1", "backup", "create-backup-vault", "--backup-vault-name", "prod")
	var key cliKeyMetadata
	srv.awsJSON(t, "us-west-2", &key, "kms", "create-key", "--description", "dr vault")
	var dr struct{ BackupVaultArn string }
	srv.awsJSON(t, "us-west-2", &dr, "backup", "create-backup-vault", "--backup-vault-name", "dr", "--encryption-key-arn", key.KeyMetadata.Arn)

	backup := func() (string, float64) {
		var started struct{ BackupJobId string }
		srv.awsJSON(t, "us-east-1", &started, "backup", "start-backup-job", "--backup-vault-name", "prod",
			"--resource-arn", fs.FileSystemArn, "--iam-role-arn", defaultRole)
		job := srv.waitBackupJob(t, "us-east-1", "backup", started.BackupJobId)
		moved, _ := job["BytesTransferred"].(float64)
		return job["RecoveryPointArn"].(string), moved
	}
	_, first := backup()
	srv.writeEFSFile(t, "us-east-1", fs.FileSystemId, "/state.json", `{"n":2}`)
	rpARN, second := backup()
	if !strings.HasPrefix(rpARN, "arn:aws:backup:us-east-1:123456789012:recovery-point:") || first < float64(len(report)) || second != 7 {
		t.Errorf("recovery point %s; bytes moved %v, then %v (want 7)", rpARN, first, second)
	}

	var copied struct{ CopyJobId string }
	srv.awsJSON(t, "us-east-1", &copied, "backup", "start-copy-job", "--recovery-point-arn", rpARN,
		"--source-backup-vault-name", "prod", "--destination-backup-vault-arn", dr.BackupVaultArn, "--iam-role-arn", defaultRole)
	srv.waitBackupJob(t, "us-east-1", "copy", copied.CopyJobId)
	var west struct {
		RecoveryPoints []struct{ RecoveryPointArn, EncryptionKeyArn, ResourceType string }
	}
	srv.awsJSON(t, "us-west-2", &west, "backup", "list-recovery-points-by-backup-vault", "--backup-vault-name", "dr")
	if len(west.RecoveryPoints) != 1 || west.RecoveryPoints[0].ResourceType != "EFS" || west.RecoveryPoints[0].EncryptionKeyArn != key.KeyMetadata.Arn {
		t.Fatalf("us-west-2 recovery points %+v", west.RecoveryPoints)
	}

	var restore struct{ RestoreJobId string }
	srv.awsJSON(t, "us-west-2", &restore, "backup", "start-restore-job", "--recovery-point-arn", west.RecoveryPoints[0].RecoveryPointArn,
		"--resource-type", "EFS", "--iam-role-arn", defaultRole, "--metadata", "newFileSystem=true,Encrypted=true,CreationToken=restored")
	job := srv.waitBackupJob(t, "us-west-2", "restore", restore.RestoreJobId)
	created, _ := job["CreatedResourceArn"].(string)
	restoredID := created[strings.LastIndex(created, "/")+1:]
	srv.waitFileSystem(t, "us-west-2", restoredID)
	if got := srv.readEFSFile(t, "us-west-2", restoredID, "/reports/q3.txt"); got != report {
		t.Errorf("restored report of %d bytes", len(got))
	}
	if got := srv.readEFSFile(t, "us-west-2", restoredID, "/state.json"); got != `{"n":2}` {
		t.Errorf("restored state %q", got)
	}
}
