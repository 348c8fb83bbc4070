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
