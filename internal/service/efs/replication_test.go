package efs_test

import (
	"errors"
	"testing"
	"time"

	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service/port"
)

func replicationOf(t *testing.T, e *env, region, id string) efsapi.ReplicationConfigurationDescription {
	t.Helper()
	out := call(t, e, region, efsapi.OpDescribeReplicationConfigurations, &efsapi.DescribeReplicationConfigurationsRequest{FileSystemId: new(id)})
	if len(out.Replications) != 1 {
		t.Fatalf("replications of %s: %+v", id, out.Replications)
	}
	return out.Replications[0]
}

func TestReplicationCopiesAndFailsOver(t *testing.T) {
	e := start(t)
	src := newFS(t, e, east, "src", func(in *efsapi.CreateFileSystemRequest) { in.Encrypted = new(true) })
	write(t, e, east, *src.FileSystemId, "/db/dump.sql", "v1")
	write(t, e, east, *src.FileSystemId, "/gone", "soon deleted")
	westKey := e.keys.AddKey(e.Account, west)
	repl := call(t, e, east, efsapi.OpCreateReplicationConfiguration, &efsapi.CreateReplicationConfigurationRequest{
		SourceFileSystemId: src.FileSystemId, Destinations: []efsapi.DestinationToCreate{{Region: new(west), KmsKeyId: new(westKey)}}})
	dest := repl.Destinations[0]
	if *dest.Status != "ENABLING" || *dest.Region != west || dest.LastReplicatedTimestamp != nil || *repl.SourceFileSystemArn != *src.FileSystemArn {
		t.Fatalf("created %+v %+v", repl, dest)
	}
	dstID := *dest.FileSystemId
	if fs := describeFS(t, e, west, dstID); *fs.FileSystemProtection.ReplicationOverwriteProtection != "REPLICATING" || *fs.KmsKeyId != westKey {
		t.Errorf("destination %+v", fs)
	}
	fails(t, e, east, efsapi.OpCreateReplicationConfiguration, &efsapi.CreateReplicationConfigurationRequest{
		SourceFileSystemId: src.FileSystemId, Destinations: []efsapi.DestinationToCreate{{Region: new("eu-west-1")}}}, "ValidationException")
	fails(t, e, east, efsapi.OpDeleteFileSystem, &efsapi.DeleteFileSystemRequest{FileSystemId: src.FileSystemId}, "FileSystemInUse")
	e.Advance(step)
	first := replicationOf(t, e, west, dstID)
	if *first.Destinations[0].Status != "ENABLED" || first.Destinations[0].LastReplicatedTimestamp == nil {
		t.Fatalf("enabled %+v", first.Destinations[0])
	}
	if got := read(t, e, west, dstID, "/db/dump.sql"); got != "v1" {
		t.Errorf("first copy: %q", got)
	}
	if err := e.files.WriteFile(e.Account, west, dstID, "/x", []byte("x")); !errors.Is(err, port.ErrFileSystemReadOnly) {
		t.Errorf("wrote into the destination: %v", err)
	}
	// Changes follow within the sync interval.
	write(t, e, east, *src.FileSystemId, "/db/dump.sql", "v2")
	if err := e.files.DeleteFile(e.Account, east, *src.FileSystemId, "/gone"); err != nil {
		t.Fatal(err)
	}
	e.Advance(15 * time.Minute)
	if got := read(t, e, west, dstID, "/db/dump.sql"); got != "v2" {
		t.Errorf("after a sync: %q", got)
	}
	if _, err := e.files.ReadFile(e.Account, west, dstID, "/gone"); !errors.Is(err, port.ErrFileNotFound) {
		t.Errorf("a deleted file stayed: %v", err)
	}
	synced := *replicationOf(t, e, east, *src.FileSystemId).Destinations[0].LastReplicatedTimestamp
	if !synced.After(*first.Destinations[0].LastReplicatedTimestamp) {
		t.Errorf("LastReplicatedTimestamp did not move: %v", synced)
	}

	// us-east-1 goes down: replication waits, then the destination is failed over from
	// us-west-2.
	e.SetUnreachable(east, true)
	write(t, e, east, *src.FileSystemId, "/db/dump.sql", "v3 never replicated")
	e.Advance(time.Hour)
	stalled := replicationOf(t, e, west, dstID).Destinations[0]
	if !stalled.LastReplicatedTimestamp.Equal(synced) || stalled.StatusMessage == nil {
		t.Errorf("during the outage: %v %v", stalled.LastReplicatedTimestamp, stalled.StatusMessage)
	}
	dstARN := "arn:aws:elasticfilesystem:us-west-2:" + e.Account + ":file-system/" + dstID
	replicationOf(t, e, west, dstARN)
	call(t, e, west, efsapi.OpDeleteReplicationConfiguration, &efsapi.DeleteReplicationConfigurationRequest{SourceFileSystemId: new(dstARN)})
	if got := *replicationOf(t, e, west, dstID).Destinations[0].Status; got != "DELETING" {
		t.Errorf("status %s", got)
	}
	e.Advance(step)
	fails(t, e, west, efsapi.OpDescribeReplicationConfigurations, &efsapi.DescribeReplicationConfigurationsRequest{FileSystemId: new(dstID)}, "ReplicationNotFound")
	if fs := describeFS(t, e, west, dstID); *fs.FileSystemProtection.ReplicationOverwriteProtection != "ENABLED" {
		t.Errorf("after failover: %s", *fs.FileSystemProtection.ReplicationOverwriteProtection)
	}
	if got := read(t, e, west, dstID, "/db/dump.sql"); got != "v2" {
		t.Errorf("failed over with %q", got)
	}
	write(t, e, west, dstID, "/db/dump.sql", "written in us-west-2")
	// The source's side goes once us-east-1 is back.
	if replicationOf(t, e, east, *src.FileSystemId).SourceFileSystemId == nil {
		t.Error("the source's side is gone while its Region is down")
	}
	e.SetUnreachable(east, false)
	e.Advance(time.Hour)
	fails(t, e, east, efsapi.OpDescribeReplicationConfigurations, &efsapi.DescribeReplicationConfigurationsRequest{FileSystemId: src.FileSystemId}, "ReplicationNotFound")
	if got := read(t, e, west, dstID, "/db/dump.sql"); got != "written in us-west-2" {
		t.Errorf("replication overwrote the failed-over file system: %q", got)
	}
	call(t, e, east, efsapi.OpDeleteFileSystem, &efsapi.DeleteFileSystemRequest{FileSystemId: src.FileSystemId})
}

func TestReplicationToExistingFileSystem(t *testing.T) {
	e := start(t)
	src := newFS(t, e, east, "src")
	dst := newFS(t, e, west, "dst")
	write(t, e, west, *dst.FileSystemId, "/stale", "old")
	write(t, e, east, *src.FileSystemId, "/fresh", "new")
	create := &efsapi.CreateReplicationConfigurationRequest{SourceFileSystemId: src.FileSystemId,
		Destinations: []efsapi.DestinationToCreate{{Region: new(west), FileSystemId: dst.FileSystemId}}}
	fails(t, e, east, efsapi.OpCreateReplicationConfiguration, create, "ConflictException")
	call(t, e, west, efsapi.OpUpdateFileSystemProtection, &efsapi.UpdateFileSystemProtectionRequest{FileSystemId: dst.FileSystemId, ReplicationOverwriteProtection: new("DISABLED")})
	call(t, e, east, efsapi.OpCreateReplicationConfiguration, create)
	fails(t, e, west, efsapi.OpUpdateFileSystemProtection, &efsapi.UpdateFileSystemProtectionRequest{FileSystemId: dst.FileSystemId, ReplicationOverwriteProtection: new("ENABLED")}, "ReplicationAlreadyExists")
	e.Advance(step)
	files, err := e.files.ListFiles(e.Account, west, *dst.FileSystemId)
	if err != nil || len(files) != 1 || files[0].Path != "/fresh" {
		t.Errorf("destination files %+v %v", files, err)
	}
	// Deleting from the source with the default mode removes both sides.
	call(t, e, east, efsapi.OpDeleteReplicationConfiguration, &efsapi.DeleteReplicationConfigurationRequest{SourceFileSystemId: src.FileSystemId})
	e.Advance(step)
	e.Advance(step)
	fails(t, e, west, efsapi.OpDescribeReplicationConfigurations, &efsapi.DescribeReplicationConfigurationsRequest{FileSystemId: dst.FileSystemId}, "ReplicationNotFound")
	if fs := describeFS(t, e, west, *dst.FileSystemId); *fs.FileSystemProtection.ReplicationOverwriteProtection != "ENABLED" {
		t.Errorf("destination protection %s", *fs.FileSystemProtection.ReplicationOverwriteProtection)
	}
	fails(t, e, east, efsapi.OpDescribeReplicationConfigurations, &efsapi.DescribeReplicationConfigurationsRequest{FileSystemId: new("fs-0123456789abcdef0")}, "FileSystemNotFound")
}

func TestReplicationWaitsForAnUnreachableDestination(t *testing.T) {
	e := start(t)
	src := newFS(t, e, east, "src")
	e.SetUnreachable(west, true)
	fails(t, e, east, efsapi.OpCreateReplicationConfiguration, &efsapi.CreateReplicationConfigurationRequest{
		SourceFileSystemId: src.FileSystemId, Destinations: []efsapi.DestinationToCreate{{Region: new(west)}}}, "InternalServerError")
	e.SetUnreachable(west, false)
	repl := call(t, e, east, efsapi.OpCreateReplicationConfiguration, &efsapi.CreateReplicationConfigurationRequest{
		SourceFileSystemId: src.FileSystemId, Destinations: []efsapi.DestinationToCreate{{Region: new(west)}}})
	e.SetUnreachable(west, true)
	e.Advance(time.Minute)
	if got := *replicationOf(t, e, east, *src.FileSystemId).Destinations[0].Status; got != "ENABLING" {
		t.Errorf("while us-west-2 is down: %s", got)
	}
	e.SetUnreachable(west, false)
	e.Advance(time.Hour)
	if got := *replicationOf(t, e, west, *repl.Destinations[0].FileSystemId).Destinations[0].Status; got != "ENABLED" {
		t.Errorf("once back: %s", got)
	}
}
