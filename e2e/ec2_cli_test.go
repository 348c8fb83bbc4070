package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

type cliSnapshot struct {
	SnapshotId, VolumeId, State, Progress, KmsKeyId, Description string
	Encrypted                                                    bool
}

// snapshotData is what the admin API says a snapshot stored.
type snapshotData struct {
	State, Parent, SourceRegion, SourceSnapshotID string
	Blocks, ChangedBlocks, ChangedBytes           int64
	Encrypted                                     bool
	KmsKeyID                                      string
}

const ebsBlock = 512 << 10 // EBS's snapshot block size

func (s *server) writeVolume(t *testing.T, region, volumeID string, offset int64, data []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"region": region, "offset": offset, "data": data})
	s.admin(t, "POST", "ebs/volumes/"+volumeID+"/write", string(body), nil)
}

func (s *server) readVolume(t *testing.T, region, volumeID string, offset, length int64) []byte {
	t.Helper()
	var out struct{ Data []byte }
	s.admin(t, "GET", fmt.Sprintf("ebs/volumes/%s/data?region=%s&offset=%d&length=%d", volumeID, region, offset, length), "", &out)
	return out.Data
}

func (s *server) snapshotData(t *testing.T, region, snapshotID string) snapshotData {
	t.Helper()
	var out snapshotData
	s.admin(t, "GET", "ebs/snapshots/"+snapshotID+"?region="+url.QueryEscape(region), "", &out)
	return out
}

func (s *server) waitVolume(t *testing.T, region, volumeID, state string) {
	t.Helper()
	pollUntil(t, time.Minute, func() string {
		var out struct{ Volumes []struct{ State string } }
		s.awsJSON(t, region, &out, "ec2", "describe-volumes", "--volume-ids", volumeID)
		if len(out.Volumes) != 1 || out.Volumes[0].State != state {
			return fmt.Sprintf("%s is %+v, want %s", volumeID, out.Volumes, state)
		}
		return ""
	})
}

func (s *server) waitSnapshot(t *testing.T, region, snapshotID string) cliSnapshot {
	t.Helper()
	var snap cliSnapshot
	pollUntil(t, time.Minute, func() string {
		var out struct{ Snapshots []cliSnapshot }
		s.awsJSON(t, region, &out, "ec2", "describe-snapshots", "--snapshot-ids", snapshotID)
		if len(out.Snapshots) != 1 || out.Snapshots[0].State != "completed" {
			return fmt.Sprintf("%s is %+v, want completed", snapshotID, out.Snapshots)
		}
		snap = out.Snapshots[0]
		return ""
	})
	if snap.Progress != "100%" {
		t.Errorf("%s completed with progress %q", snapshotID, snap.Progress)
	}
	return snap
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// TestEBSSnapshotsWithCLI: the AWS CLI creates an encrypted volume, which gets data
// through the admin API, and snapshots it twice: the second snapshot stores only the block
// that changed. The snapshot is copied to us-west-2 under a key of that Region (the CLI
// presigns the source call, and the server verifies signatures), and copied again after
// another change, moving only that change; a volume made from the last copy in us-west-2
// holds the source's data.
func TestEBSSnapshotsWithCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--auth", "strict", "--credentials", "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	var vol struct{ VolumeId, State string }
	srv.awsJSON(t, "us-east-1", &vol, "ec2", "create-volume", "--availability-zone", "us-east-1a", "--size", "2",
		"--volume-type", "gp3", "--encrypted", "--tag-specifications", "ResourceType=volume,Tags=[{Key=Name,Value=data}]")
	srv.waitVolume(t, "us-east-1", vol.VolumeId, "available")

	// Three blocks written, then snapshotted: a full snapshot.
	first := [][]byte{randomBytes(ebsBlock), randomBytes(1000), randomBytes(ebsBlock)}
	for i, b := range first {
		srv.writeVolume(t, "us-east-1", vol.VolumeId, int64(i)*ebsBlock, b)
	}
	snap1 := srv.createSnapshot(t, vol.VolumeId, "first")
	if d := srv.snapshotData(t, "us-east-1", snap1); d.Parent != "" || d.Blocks != 3 || d.ChangedBlocks != 3 || d.ChangedBytes != 3*ebsBlock || !d.Encrypted {
		t.Errorf("first snapshot stored %+v", d)
	}

	// One block changed: the second snapshot stores it alone.
	changed := randomBytes(4096)
	srv.writeVolume(t, "us-east-1", vol.VolumeId, ebsBlock+100, changed)
	snap2 := srv.createSnapshot(t, vol.VolumeId, "second")
	if d := srv.snapshotData(t, "us-east-1", snap2); d.Parent != snap1 || d.Blocks != 3 || d.ChangedBlocks != 1 || d.ChangedBytes != ebsBlock {
		t.Errorf("second snapshot stored %+v, want 1 of 3 blocks on top of %s", d, snap1)
	}

	// An encrypted snapshot copied to us-west-2 under a key of that Region.
	var key cliKeyMetadata
	srv.awsJSON(t, "us-west-2", &key, "kms", "create-key", "--description", "ebs copies")
	copy1 := srv.copySnapshot(t, snap2, key.KeyMetadata.Arn)
	if d := srv.snapshotData(t, "us-west-2", copy1.SnapshotId); d.SourceRegion != "us-east-1" || d.SourceSnapshotID != snap2 ||
		d.Blocks != 3 || d.ChangedBlocks != 3 || d.KmsKeyID != key.KeyMetadata.Arn {
		t.Errorf("first copy stored %+v", d)
	}
	if !copy1.Encrypted || copy1.KmsKeyId != key.KeyMetadata.Arn {
		t.Errorf("first copy %+v", copy1)
	}

	// After another change, the next copy moves only the changed block.
	last := randomBytes(ebsBlock)
	srv.writeVolume(t, "us-east-1", vol.VolumeId, 3*ebsBlock, last)
	snap3 := srv.createSnapshot(t, vol.VolumeId, "third")
	copy2 := srv.copySnapshot(t, snap3, key.KeyMetadata.Arn)
	if d := srv.snapshotData(t, "us-west-2", copy2.SnapshotId); d.Parent != copy1.SnapshotId || d.Blocks != 4 || d.ChangedBlocks != 1 {
		t.Errorf("second copy stored %+v, want 1 of 4 blocks on top of %s", d, copy1.SnapshotId)
	}

	// A volume made from the copy in us-west-2 holds the data of the source.
	var restored struct {
		VolumeId, SnapshotId string
		Encrypted            bool
		Size                 int
	}
	srv.awsJSON(t, "us-west-2", &restored, "ec2", "create-volume", "--availability-zone", "us-west-2b", "--snapshot-id", copy2.SnapshotId)
	if restored.SnapshotId != copy2.SnapshotId || !restored.Encrypted || restored.Size != 2 {
		t.Errorf("volume from the copy %+v", restored)
	}
	srv.waitVolume(t, "us-west-2", restored.VolumeId, "available")
	want := map[int64][]byte{0: first[0], ebsBlock: first[1][:100], ebsBlock + 100: changed, 2 * ebsBlock: first[2], 3 * ebsBlock: last}
	for offset, data := range want {
		if got := srv.readVolume(t, "us-west-2", restored.VolumeId, offset, int64(len(data))); !bytes.Equal(got, data) {
			t.Errorf("restored volume at %d differs from what was written", offset)
		}
	}

	// Deleting the snapshots the third is incremental to leaves it whole.
	srv.aws(t, "ec2", "delete-snapshot", "--snapshot-id", snap1)
	srv.aws(t, "ec2", "delete-snapshot", "--snapshot-id", snap2)
	var again struct{ VolumeId string }
	srv.awsJSON(t, "us-east-1", &again, "ec2", "create-volume", "--availability-zone", "us-east-1c", "--snapshot-id", snap3)
	srv.waitVolume(t, "us-east-1", again.VolumeId, "available")
	if got := srv.readVolume(t, "us-east-1", again.VolumeId, 0, ebsBlock); !bytes.Equal(got, first[0]) {
		t.Error("a volume from the third snapshot lost the block its deleted parents stored")
	}
	if stderr := srv.awsFail(t, "us-east-1", "ec2", "describe-snapshots", "--snapshot-ids", snap1); !strings.Contains(stderr, "InvalidSnapshot.NotFound") {
		t.Errorf("describing a deleted snapshot: %s", stderr)
	}
}

func (s *server) createSnapshot(t *testing.T, volumeID, description string) string {
	t.Helper()
	var snap cliSnapshot
	s.awsJSON(t, "us-east-1", &snap, "ec2", "create-snapshot", "--volume-id", volumeID, "--description", description)
	if snap.VolumeId != volumeID || snap.Description != description {
		t.Errorf("create-snapshot answered %+v", snap)
	}
	s.waitSnapshot(t, "us-east-1", snap.SnapshotId)
	return snap.SnapshotId
}

// copySnapshot copies a snapshot of us-east-1 to us-west-2 with the CLI, which presigns
// the call for the source Region, and waits for the copy.
func (s *server) copySnapshot(t *testing.T, snapshotID, keyARN string) cliSnapshot {
	t.Helper()
	var out struct{ SnapshotId string }
	s.awsJSON(t, "us-west-2", &out, "ec2", "copy-snapshot", "--source-region", "us-east-1", "--source-snapshot-id", snapshotID,
		"--encrypted", "--kms-key-id", keyARN)
	return s.waitSnapshot(t, "us-west-2", out.SnapshotId)
}

// TestEC2NetworkWithCLI: the default VPC every account has, a VPC with a tagged subnet
// found by tag filters (the CLI flattens Filter.N.Value.N and TagSpecification.N.Tag.N),
// a dry run, and the dependency error of a VPC that still has a subnet.
func TestEC2NetworkWithCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	var defaults struct {
		Vpcs []struct {
			VpcId, CidrBlock string
			IsDefault        bool
		}
	}
	srv.awsJSON(t, "eu-west-3", &defaults, "ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true")
	if len(defaults.Vpcs) != 1 || defaults.Vpcs[0].CidrBlock != "172.31.0.0/16" {
		t.Fatalf("default VPC %+v", defaults.Vpcs)
	}
	var zoneSubnets struct {
		Subnets []struct{ AvailabilityZone string }
	}
	srv.awsJSON(t, "eu-west-3", &zoneSubnets, "ec2", "describe-subnets", "--filters", "Name=vpc-id,Values="+defaults.Vpcs[0].VpcId, "Name=default-for-az,Values=true")
	if len(zoneSubnets.Subnets) != 3 { // eu-west-3a, b and c
		t.Errorf("default subnets %+v", zoneSubnets.Subnets)
	}

	if stderr := srv.awsFail(t, "us-east-1", "ec2", "create-vpc", "--cidr-block", "10.1.0.0/16", "--dry-run"); !strings.Contains(stderr, "DryRunOperation") {
		t.Errorf("dry run: %s", stderr)
	}
	var vpc struct{ Vpc struct{ VpcId string } }
	srv.awsJSON(t, "us-east-1", &vpc, "ec2", "create-vpc", "--cidr-block", "10.1.0.0/16",
		"--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=app},{Key=env,Value=test}]")
	var subnet struct{ Subnet struct{ SubnetId string } }
	srv.awsJSON(t, "us-east-1", &subnet, "ec2", "create-subnet", "--vpc-id", vpc.Vpc.VpcId, "--cidr-block", "10.1.1.0/24",
		"--availability-zone", "us-east-1c", "--tag-specifications", "ResourceType=subnet,Tags=[{Key=tier,Value=db}]")
	var found struct{ Vpcs []struct{ VpcId string } }
	srv.awsJSON(t, "us-east-1", &found, "ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=other,app", "Name=tag-key,Values=env")
	if len(found.Vpcs) != 1 || found.Vpcs[0].VpcId != vpc.Vpc.VpcId {
		t.Errorf("VPCs by tag %+v", found.Vpcs)
	}
	if stderr := srv.awsFail(t, "us-east-1", "ec2", "delete-vpc", "--vpc-id", vpc.Vpc.VpcId); !strings.Contains(stderr, "DependencyViolation") {
		t.Errorf("deleting a VPC with a subnet: %s", stderr)
	}
	srv.aws(t, "ec2", "delete-subnet", "--subnet-id", subnet.Subnet.SubnetId)
	srv.aws(t, "ec2", "delete-vpc", "--vpc-id", vpc.Vpc.VpcId)
	if stderr := srv.awsFail(t, "us-east-1", "ec2", "describe-vpcs", "--vpc-ids", vpc.Vpc.VpcId); !strings.Contains(stderr, "InvalidVpcID.NotFound") {
		t.Errorf("a deleted VPC: %s", stderr)
	}
}
