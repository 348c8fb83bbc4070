package efs_test

import (
	"strings"
	"testing"
	"time"

	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

func TestCreateFileSystemIsIdempotentByToken(t *testing.T) {
	e := start(t)
	created := call(t, e, east, efsapi.OpCreateFileSystem, &efsapi.CreateFileSystemRequest{
		CreationToken: new("tok"), Tags: []efsapi.Tag{{Key: new("Name"), Value: new("shared")}}})
	if *created.LifeCycleState != "creating" || *created.PerformanceMode != "generalPurpose" || *created.ThroughputMode != "bursting" ||
		*created.Encrypted || *created.Name != "shared" || *created.FileSystemProtection.ReplicationOverwriteProtection != "ENABLED" ||
		*created.SizeInBytes.Value != 6144 || !strings.HasPrefix(*created.FileSystemArn, "arn:aws:elasticfilesystem:us-east-1:"+kittest.Account+":file-system/fs-") {
		t.Fatalf("created %+v", created)
	}
	again := fails(t, e, east, efsapi.OpCreateFileSystem, &efsapi.CreateFileSystemRequest{CreationToken: new("tok")}, "FileSystemAlreadyExists")
	if again.Fields["FileSystemId"] != *created.FileSystemId || again.Status != 409 {
		t.Errorf("FileSystemAlreadyExists %+v", again)
	}
	e.Advance(step)
	if fs := describeFS(t, e, east, *created.FileSystemId); *fs.LifeCycleState != "available" {
		t.Errorf("after the transition: %s", *fs.LifeCycleState)
	}
	if byARN := describeFS(t, e, east, *created.FileSystemArn); *byARN.FileSystemId != *created.FileSystemId {
		t.Errorf("by ARN: %s", *byARN.FileSystemId)
	}
	fails(t, e, west, efsapi.OpDescribeLifecycleConfiguration, &efsapi.DescribeLifecycleConfigurationRequest{FileSystemId: created.FileSystemArn}, "FileSystemNotFound")
	byToken := call(t, e, east, efsapi.OpDescribeFileSystems, &efsapi.DescribeFileSystemsRequest{CreationToken: new("tok")})
	if len(byToken.FileSystems) != 1 || *byToken.FileSystems[0].FileSystemId != *created.FileSystemId {
		t.Errorf("by token: %+v", byToken.FileSystems)
	}
	// Each Region has its own file systems.
	if out := call(t, e, west, efsapi.OpDescribeFileSystems, &efsapi.DescribeFileSystemsRequest{}); len(out.FileSystems) != 0 {
		t.Errorf("us-west-2 sees %d file systems", len(out.FileSystems))
	}
	fails(t, e, east, efsapi.OpDescribeFileSystems, &efsapi.DescribeFileSystemsRequest{FileSystemId: new("fs-0123456789abcdef0")}, "FileSystemNotFound")
}

func TestDescribeFileSystemsPages(t *testing.T) {
	e := start(t)
	for _, tok := range []string{"a", "b", "c"} {
		newFS(t, e, east, tok)
	}
	var seen []string
	var marker *string
	for range 3 {
		out := call(t, e, east, efsapi.OpDescribeFileSystems, &efsapi.DescribeFileSystemsRequest{MaxItems: new(int64(2)), Marker: marker})
		for _, fs := range out.FileSystems {
			seen = append(seen, *fs.CreationToken)
		}
		if marker = out.NextMarker; marker == nil {
			break
		}
	}
	if len(seen) != 3 {
		t.Errorf("paged %v", seen)
	}
	fails(t, e, east, efsapi.OpDescribeFileSystems, &efsapi.DescribeFileSystemsRequest{Marker: new("forged")}, "BadRequest")
}

func TestCreateFileSystemRefusesBadInput(t *testing.T) {
	e := start(t)
	cases := []struct {
		name string
		in   efsapi.CreateFileSystemRequest
		code string
	}{
		{"provisioned without throughput", efsapi.CreateFileSystemRequest{ThroughputMode: new("provisioned")}, "BadRequest"},
		{"throughput without provisioned", efsapi.CreateFileSystemRequest{ProvisionedThroughputInMibps: new(10.0)}, "BadRequest"},
		{"too much throughput", efsapi.CreateFileSystemRequest{ThroughputMode: new("provisioned"), ProvisionedThroughputInMibps: new(5000.0)}, "ThroughputLimitExceeded"},
		{"maxIO and elastic", efsapi.CreateFileSystemRequest{PerformanceMode: new("maxIO"), ThroughputMode: new("elastic")}, "BadRequest"},
		{"maxIO in one zone", efsapi.CreateFileSystemRequest{PerformanceMode: new("maxIO"), AvailabilityZoneName: new("us-east-1a")}, "BadRequest"},
		{"unknown zone", efsapi.CreateFileSystemRequest{AvailabilityZoneName: new("us-east-1z")}, "UnsupportedAvailabilityZone"},
		{"key without encryption", efsapi.CreateFileSystemRequest{KmsKeyId: new("alias/mine")}, "BadRequest"},
		{"unknown key", efsapi.CreateFileSystemRequest{Encrypted: new(true), KmsKeyId: new("alias/mine")}, "BadRequest"},
		{"unknown mode", efsapi.CreateFileSystemRequest{ThroughputMode: new("fast")}, "BadRequest"},
	}
	for _, c := range cases {
		c.in.CreationToken = new(c.name)
		fails(t, e, east, efsapi.OpCreateFileSystem, &c.in, c.code)
	}
	// Nothing was made, so the tokens are free.
	if out := call(t, e, east, efsapi.OpDescribeFileSystems, &efsapi.DescribeFileSystemsRequest{}); len(out.FileSystems) != 0 {
		t.Errorf("refused creations left %d file systems", len(out.FileSystems))
	}
}

func TestEncryptionOneZoneAndBackupDefaults(t *testing.T) {
	e := start(t)
	cmk := e.keys.AddKey(kittest.Account, east)
	managed := newFS(t, e, east, "managed", func(in *efsapi.CreateFileSystemRequest) { in.Encrypted = new(true) })
	if !*managed.Encrypted || !strings.Contains(*managed.KmsKeyId, ":key/") {
		t.Errorf("aws/elasticfilesystem: %+v", managed)
	}
	own := newFS(t, e, east, "own", func(in *efsapi.CreateFileSystemRequest) { in.Encrypted, in.KmsKeyId = new(true), new(cmk) })
	if *own.KmsKeyId != cmk || *own.KmsKeyId == *managed.KmsKeyId {
		t.Errorf("CMK: %s", *own.KmsKeyId)
	}
	oneZone := newFS(t, e, east, "onezone", func(in *efsapi.CreateFileSystemRequest) { in.AvailabilityZoneName = new("us-east-1b") })
	if *oneZone.AvailabilityZoneName != "us-east-1b" || *oneZone.AvailabilityZoneId != "use1-az2" {
		t.Errorf("One Zone: %+v", oneZone)
	}
	policy := func(id string) string {
		return *call(t, e, east, efsapi.OpDescribeBackupPolicy, &efsapi.DescribeBackupPolicyRequest{FileSystemId: new(id)}).BackupPolicy.Status
	}
	backedUp := newFS(t, e, east, "backup", func(in *efsapi.CreateFileSystemRequest) { in.Backup = new(true) })
	if policy(*oneZone.FileSystemId) != "ENABLED" || policy(*backedUp.FileSystemId) != "ENABLED" || policy(*own.FileSystemId) != "DISABLED" {
		t.Error("backup policies do not follow Backup and One Zone")
	}
	call(t, e, east, efsapi.OpPutBackupPolicy, &efsapi.PutBackupPolicyRequest{FileSystemId: own.FileSystemId, BackupPolicy: &efsapi.BackupPolicy{Status: new("ENABLED")}})
	if policy(*own.FileSystemId) != "ENABLED" {
		t.Error("PutBackupPolicy did not enable")
	}
	fails(t, e, east, efsapi.OpPutBackupPolicy, &efsapi.PutBackupPolicyRequest{FileSystemId: own.FileSystemId, BackupPolicy: &efsapi.BackupPolicy{Status: new("ENABLING")}}, "ValidationException")
}

func TestUpdateFileSystemThroughput(t *testing.T) {
	e := start(t)
	fs := newFS(t, e, east, "tp", func(in *efsapi.CreateFileSystemRequest) {
		in.ThroughputMode, in.ProvisionedThroughputInMibps = new("provisioned"), new(100.0)
	})
	id := fs.FileSystemId
	up := call(t, e, east, efsapi.OpUpdateFileSystem, &efsapi.UpdateFileSystemRequest{FileSystemId: id, ProvisionedThroughputInMibps: new(200.0)})
	if *up.LifeCycleState != "updating" || *up.ProvisionedThroughputInMibps != 200 {
		t.Fatalf("update: %+v", up)
	}
	fails(t, e, east, efsapi.OpUpdateFileSystem, &efsapi.UpdateFileSystemRequest{FileSystemId: id, ProvisionedThroughputInMibps: new(300.0)}, "IncorrectFileSystemLifeCycleState")
	e.Advance(step)
	// A decrease, then another within 24 hours.
	call(t, e, east, efsapi.OpUpdateFileSystem, &efsapi.UpdateFileSystemRequest{FileSystemId: id, ProvisionedThroughputInMibps: new(50.0)})
	e.Advance(step)
	fails(t, e, east, efsapi.OpUpdateFileSystem, &efsapi.UpdateFileSystemRequest{FileSystemId: id, ThroughputMode: new("elastic")}, "TooManyRequests")
	// Increases are always allowed.
	call(t, e, east, efsapi.OpUpdateFileSystem, &efsapi.UpdateFileSystemRequest{FileSystemId: id, ProvisionedThroughputInMibps: new(60.0)})
	e.Advance(24 * time.Hour)
	out := call(t, e, east, efsapi.OpUpdateFileSystem, &efsapi.UpdateFileSystemRequest{FileSystemId: id, ThroughputMode: new("elastic")})
	if *out.ThroughputMode != "elastic" || out.ProvisionedThroughputInMibps != nil {
		t.Errorf("to elastic: %+v", out)
	}
	fails(t, e, east, efsapi.OpUpdateFileSystem, &efsapi.UpdateFileSystemRequest{FileSystemId: id}, "BadRequest")
}

func TestDeleteFileSystem(t *testing.T) {
	e := start(t)
	_, subnets := network(t, e, "10.9")
	fs := newFS(t, e, east, "del")
	mt := call(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: fs.FileSystemId, SubnetId: new(subnets[0])})
	fails(t, e, east, efsapi.OpDeleteFileSystem, &efsapi.DeleteFileSystemRequest{FileSystemId: fs.FileSystemId}, "FileSystemInUse")
	call(t, e, east, efsapi.OpDeleteMountTarget, &efsapi.DeleteMountTargetRequest{MountTargetId: mt.MountTargetId})
	// A mount target being deleted still holds its file system.
	fails(t, e, east, efsapi.OpDeleteFileSystem, &efsapi.DeleteFileSystemRequest{FileSystemId: fs.FileSystemId}, "FileSystemInUse")
	e.Advance(step)
	write(t, e, east, *fs.FileSystemId, "/a", "x")
	call(t, e, east, efsapi.OpDeleteFileSystem, &efsapi.DeleteFileSystemRequest{FileSystemId: fs.FileSystemId})
	if got := describeFS(t, e, east, *fs.FileSystemId); *got.LifeCycleState != "deleting" {
		t.Errorf("state %s", *got.LifeCycleState)
	}
	e.Advance(step)
	fails(t, e, east, efsapi.OpDescribeFileSystems, &efsapi.DescribeFileSystemsRequest{FileSystemId: fs.FileSystemId}, "FileSystemNotFound")
	// The token is free again, and nothing of the old one's files is left.
	again := newFS(t, e, east, "del")
	if files, err := e.files.ListFiles(e.Account, east, *again.FileSystemId); err != nil || len(files) != 0 {
		t.Errorf("files of the new file system: %v %v", files, err)
	}
}

func TestFileSystemProtection(t *testing.T) {
	e := start(t)
	fs := newFS(t, e, east, "p")
	out := call(t, e, east, efsapi.OpUpdateFileSystemProtection, &efsapi.UpdateFileSystemProtectionRequest{FileSystemId: fs.FileSystemId, ReplicationOverwriteProtection: new("DISABLED")})
	if *out.ReplicationOverwriteProtection != "DISABLED" {
		t.Errorf("protection %s", *out.ReplicationOverwriteProtection)
	}
	fails(t, e, east, efsapi.OpUpdateFileSystemProtection, &efsapi.UpdateFileSystemProtectionRequest{FileSystemId: fs.FileSystemId, ReplicationOverwriteProtection: new("REPLICATING")}, "BadRequest")
}

func TestAccountPreferences(t *testing.T) {
	e := start(t)
	got := call(t, e, east, efsapi.OpDescribeAccountPreferences, &efsapi.DescribeAccountPreferencesRequest{})
	if *got.ResourceIdPreference.ResourceIdType != "LONG_ID" || len(got.ResourceIdPreference.Resources) != 2 {
		t.Errorf("default %+v", got.ResourceIdPreference)
	}
	long := newFS(t, e, east, "long")
	call(t, e, east, efsapi.OpPutAccountPreferences, &efsapi.PutAccountPreferencesRequest{ResourceIdType: new("SHORT_ID")})
	short := newFS(t, e, east, "short")
	other := newFS(t, e, west, "west")
	if len(*long.FileSystemId) != 20 || len(*short.FileSystemId) != 11 || len(*other.FileSystemId) != 20 {
		t.Errorf("ids %s %s %s", *long.FileSystemId, *short.FileSystemId, *other.FileSystemId)
	}
}
