package ec2_test

import (
	"bytes"
	"testing"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

const blockSize = 512 << 10

func data(e *env) port.VolumeData { return e.Service("ec2").(port.VolumeData) }

// newVolume makes an available volume in region and returns its id.
func newVolume(t *testing.T, e *env, region string, in *ec2api.CreateVolumeRequest) string {
	t.Helper()
	id := *call(t, e, region, ec2api.OpCreateVolume, in).VolumeId
	e.Advance(hour)
	return id
}

func snapshot(t *testing.T, e *env, region, volumeID string) string {
	t.Helper()
	return *call(t, e, region, ec2api.OpCreateSnapshot, &ec2api.CreateSnapshotRequest{VolumeId: &volumeID}).SnapshotId
}

func write(t *testing.T, e *env, region, volumeID string, offset int64, b []byte) {
	t.Helper()
	if err := data(e).WriteVolume(e.Account, region, volumeID, offset, b); err != nil {
		t.Fatalf("writing %s: %v", volumeID, err)
	}
}

func read(t *testing.T, e *env, region, volumeID string, offset, length int64) []byte {
	t.Helper()
	b, err := data(e).ReadVolume(e.Account, region, volumeID, offset, length)
	if err != nil {
		t.Fatalf("reading %s: %v", volumeID, err)
	}
	return b
}

func snapData(t *testing.T, e *env, region, id string) port.SnapshotData {
	t.Helper()
	d, err := data(e).SnapshotData(e.Account, region, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestIncrementalSnapshots: a volume snapshotted twice; the second snapshot stores only
// the block written in between; volumes made from either read what the volume held
// then; deleting the first keeps the second whole.
func TestIncrementalSnapshots(t *testing.T) {
	e := start(t, kittest.WithTransitionDelay(hour))
	vol := newVolume(t, e, east, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), Size: new(int64(1)), Encrypted: new(true)})
	first := bytes.Repeat([]byte("first "), 100_000) // 600 kB: two blocks
	write(t, e, east, vol, 0, first)
	write(t, e, east, vol, 10*blockSize, []byte("tail"))
	one := snapshot(t, e, east, vol)
	if d := snapData(t, e, east, one); d.Parent != "" || d.Blocks != 3 || d.ChangedBlocks != 3 || d.ChangedBytes != 3*blockSize {
		t.Errorf("first snapshot = %+v", d)
	}
	got := call(t, e, east, ec2api.OpDescribeSnapshots, &ec2api.DescribeSnapshotsRequest{SnapshotIds: []string{one}}).Snapshots[0]
	if *got.State != "pending" || *got.Progress != "0%" || !*got.Encrypted {
		t.Errorf("a new snapshot = %+v", got)
	}
	e.Advance(hour / 2)
	if p := *call(t, e, east, ec2api.OpDescribeSnapshots, &ec2api.DescribeSnapshotsRequest{SnapshotIds: []string{one}}).Snapshots[0].Progress; p != "50%" {
		t.Errorf("half way, progress = %s", p)
	}
	e.Advance(hour / 2)

	write(t, e, east, vol, 0, []byte("SECOND"))
	two := snapshot(t, e, east, vol)
	if d := snapData(t, e, east, two); d.Parent != one || d.Blocks != 3 || d.ChangedBlocks != 1 {
		t.Errorf("second snapshot = %+v", d)
	}
	e.Advance(hour)
	done := call(t, e, east, ec2api.OpDescribeSnapshots, &ec2api.DescribeSnapshotsRequest{OwnerIds: []string{"self"}}).Snapshots
	if len(done) != 2 || *done[0].State != "completed" || *done[0].Progress != "100%" || *done[0].FullSnapshotSizeInBytes != 3*blockSize {
		t.Errorf("completed snapshots = %+v", done)
	}

	call(t, e, east, ec2api.OpDeleteSnapshot, &ec2api.DeleteSnapshotRequest{SnapshotId: &one})
	restored := newVolume(t, e, east, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1b"), SnapshotId: &two})
	want := append([]byte("SECOND"), first[6:]...)
	if got := read(t, e, east, restored, 0, int64(len(first))); !bytes.Equal(got, want) {
		t.Error("the volume made from the second snapshot does not read what the volume held")
	}
	if got := read(t, e, east, restored, 10*blockSize, 6); string(got) != "tail\x00\x00" {
		t.Errorf("block 10 = %q", got)
	}
	// The restored volume shares the lineage: its first snapshot is incremental to two.
	write(t, e, east, restored, 5*blockSize, []byte("more"))
	three := snapshot(t, e, east, restored)
	if d := snapData(t, e, east, three); d.Parent != two || d.Blocks != 4 || d.ChangedBlocks != 1 {
		t.Errorf("snapshot of the restored volume = %+v", d)
	}
	fails(t, e, east, ec2api.OpCreateVolume, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), SnapshotId: &three}, "IncorrectState")
	small := int64(0)
	fails(t, e, east, ec2api.OpCreateVolume, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), SnapshotId: &two, Size: &small}, "InvalidParameterValue")
}

// TestDataAtRest: no block of a volume or a snapshot is stored in plain text, encrypted
// volume or not.
func TestDataAtRest(t *testing.T) {
	e := start(t)
	marker := []byte("a plainly visible marker, 0123456789")
	for _, encrypted := range []bool{false, true} {
		vol := newVolume(t, e, east, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), Size: new(int64(1)), Encrypted: new(encrypted)})
		write(t, e, east, vol, 4096, marker)
		snapshot(t, e, east, vol)
	}
	e.Advance(hour)
	err := e.Store.View(func(tx store.Tx) error {
		return tx.Scan("", "", func(key string, value []byte) bool {
			if bytes.Contains(value, marker) {
				t.Errorf("%s holds the data in plain text", store.Printable(key))
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCopyAcrossRegions: a copy in us-west-2, under a key of us-west-2, moves every block
// once and then only the changed ones; a volume made from a copy reads the source's data.
func TestCopyAcrossRegions(t *testing.T) {
	e := start(t, kittest.WithTransitionDelay(hour))
	vol := newVolume(t, e, east, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), Size: new(int64(1)), Encrypted: new(true)})
	write(t, e, east, vol, 0, bytes.Repeat([]byte{7}, 3*blockSize))
	one := snapshot(t, e, east, vol)
	westKey := e.keys.AddKey(kittest.Account, west)
	copyOf := func(src string) string {
		return *call(t, e, west, ec2api.OpCopySnapshot, &ec2api.CopySnapshotRequest{SourceRegion: new(east), SourceSnapshotId: &src,
			Encrypted: new(true), KmsKeyId: &westKey, PresignedUrl: new("https://ec2.us-east-1.amazonaws.com/?Action=CopySnapshot")}).SnapshotId
	}
	fails(t, e, west, ec2api.OpCopySnapshot, &ec2api.CopySnapshotRequest{SourceRegion: new(east), SourceSnapshotId: &one, PresignedUrl: new("x")}, "IncorrectState")
	e.Advance(hour)
	fails(t, e, west, ec2api.OpCopySnapshot, &ec2api.CopySnapshotRequest{SourceRegion: new(east), SourceSnapshotId: &one}, "MissingParameter")
	e.presign.accept = false
	fails(t, e, west, ec2api.OpCopySnapshot, &ec2api.CopySnapshotRequest{SourceRegion: new(east), SourceSnapshotId: &one, PresignedUrl: new("x")}, "InvalidParameterValue")
	e.presign.accept = true
	if want := e.presign.asked[len(e.presign.asked)-1]; want.Region != east || want.Action != "CopySnapshot" || want.Params["SourceSnapshotId"] != one ||
		want.IfPresent["DestinationRegion"] != west {
		t.Errorf("presigned URL checked for %+v", want)
	}

	e.SetUnreachable(east, true)
	c1 := copyOf(one)
	e.Advance(hour)
	if s := *call(t, e, west, ec2api.OpDescribeSnapshots, &ec2api.DescribeSnapshotsRequest{SnapshotIds: []string{c1}}).Snapshots[0].State; s != "pending" {
		t.Errorf("a copy from an unreachable Region is %s", s)
	}
	e.SetUnreachable(east, false)
	e.Advance(24 * hour)
	got := call(t, e, west, ec2api.OpDescribeSnapshots, &ec2api.DescribeSnapshotsRequest{SnapshotIds: []string{c1}}).Snapshots[0]
	if *got.State != "completed" || *got.KmsKeyId != westKey || *got.VolumeId != "vol-ffffffff" || *got.Description != "" {
		t.Errorf("the copy = %+v", got)
	}
	if d := snapData(t, e, west, c1); d.Blocks != 3 || d.ChangedBlocks != 3 || d.SourceSnapshotID != one {
		t.Errorf("the first copy moved %+v", d)
	}

	write(t, e, east, vol, blockSize, []byte("changed"))
	two := snapshot(t, e, east, vol)
	e.Advance(hour)
	c2 := copyOf(two)
	e.Advance(hour)
	if d := snapData(t, e, west, c2); d.Parent != c1 || d.Blocks != 3 || d.ChangedBlocks != 1 {
		t.Errorf("the second copy moved %+v", d)
	}
	restored := newVolume(t, e, west, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-west-2a"), SnapshotId: &c2})
	want := bytes.Repeat([]byte{7}, 3*blockSize)
	copy(want[blockSize:], "changed")
	if got := read(t, e, west, restored, 0, 3*blockSize); !bytes.Equal(got, want) {
		t.Error("the volume made from the copy does not read the source's data")
	}
	if v := call(t, e, west, ec2api.OpDescribeVolumes, &ec2api.DescribeVolumesRequest{VolumeIds: []string{restored}}).Volumes[0]; *v.KmsKeyId != westKey {
		t.Errorf("the restored volume's key = %s", *v.KmsKeyId)
	}
}

// TestSharing: a snapshot shared with another account is seen and restored there, and
// stays its owner's to change and delete.
func TestSharing(t *testing.T) {
	e := start(t)
	const other = "444455556666"
	vol := newVolume(t, e, east, volume("us-east-1a", "gp3", 1))
	write(t, e, east, vol, 0, []byte("shared data"))
	snap := snapshot(t, e, east, vol)
	e.Advance(hour)
	call(t, e, east, ec2api.OpModifySnapshotAttribute, &ec2api.ModifySnapshotAttributeRequest{SnapshotId: &snap,
		Attribute: new("createVolumePermission"), OperationType: new("add"), UserIds: []string{other}})
	fails(t, e, east, ec2api.OpModifySnapshotAttribute, &ec2api.ModifySnapshotAttributeRequest{SnapshotId: &snap,
		CreateVolumePermission: &ec2api.CreateVolumePermissionModifications{Add: []ec2api.CreateVolumePermission{{UserId: new("nobody")}}}}, "InvalidParameterValue")
	perms := call(t, e, east, ec2api.OpDescribeSnapshotAttribute, &ec2api.DescribeSnapshotAttributeRequest{SnapshotId: &snap, Attribute: new("createVolumePermission")})
	if len(perms.CreateVolumePermissions) != 1 || *perms.CreateVolumePermissions[0].UserId != other {
		t.Errorf("permissions = %+v", perms)
	}

	e.Account = other
	seen := call(t, e, east, ec2api.OpDescribeSnapshots, &ec2api.DescribeSnapshotsRequest{RestorableByUserIds: []string{"self"}}).Snapshots
	if len(seen) != 1 || *seen[0].SnapshotId != snap || *seen[0].OwnerId != kittest.Account || seen[0].Tags != nil {
		t.Errorf("shared snapshots seen by %s = %+v", other, seen)
	}
	if own := call(t, e, east, ec2api.OpDescribeSnapshots, &ec2api.DescribeSnapshotsRequest{OwnerIds: []string{"self"}}).Snapshots; len(own) != 0 {
		t.Errorf("%s owns %+v", other, own)
	}
	mine := newVolume(t, e, east, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1c"), SnapshotId: &snap})
	if got := read(t, e, east, mine, 0, 11); string(got) != "shared data" {
		t.Errorf("a volume made from a shared snapshot reads %q", got)
	}
	fails(t, e, east, ec2api.OpDeleteSnapshot, &ec2api.DeleteSnapshotRequest{SnapshotId: &snap}, "UnauthorizedOperation")
	fails(t, e, east, ec2api.OpDeleteSnapshot, &ec2api.DeleteSnapshotRequest{SnapshotId: &snap, DryRun: new(true)}, "UnauthorizedOperation")

	e.Account = kittest.Account
	call(t, e, east, ec2api.OpResetSnapshotAttribute, &ec2api.ResetSnapshotAttributeRequest{SnapshotId: &snap, Attribute: new("createVolumePermission")})
	e.Account = other
	fails(t, e, east, ec2api.OpDescribeSnapshots, &ec2api.DescribeSnapshotsRequest{SnapshotIds: []string{snap}}, "InvalidSnapshot.NotFound")
	e.Account = kittest.Account

	enc := newVolume(t, e, east, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), Size: new(int64(1)), Encrypted: new(true)})
	encSnap := snapshot(t, e, east, enc)
	e.Advance(hour)
	fails(t, e, east, ec2api.OpModifySnapshotAttribute, &ec2api.ModifySnapshotAttributeRequest{SnapshotId: &encSnap,
		OperationType: new("add"), UserIds: []string{other}}, "OperationNotPermitted")
	fails(t, e, east, ec2api.OpModifySnapshotAttribute, &ec2api.ModifySnapshotAttributeRequest{SnapshotId: &encSnap,
		OperationType: new("add"), GroupNames: []string{"all"}}, "OperationNotPermitted")
}

// TestHeldSnapshot: a snapshot a recovery point holds is refused to DeleteSnapshot.
func TestHeldSnapshot(t *testing.T) {
	e := start(t)
	vol := newVolume(t, e, east, volume("us-east-1a", "gp3", 1))
	snap := snapshot(t, e, east, vol)
	holds := e.Service("ec2").(port.SnapshotHolds)
	k := e.Service("ec2").(interface {
		Update(func(kit.Tx) error) error
	})
	const rp = "arn:aws:backup:us-east-1:123456789012:recovery-point:abc"
	if err := k.Update(func(tx kit.Tx) error { return holds.HoldSnapshot(tx, kittest.Account, east, snap, rp) }); err != nil {
		t.Fatal(err)
	}
	msg := fails(t, e, east, ec2api.OpDeleteSnapshot, &ec2api.DeleteSnapshotRequest{SnapshotId: &snap}, "InvalidSnapshot.InUse")
	if msg != "The snapshot "+snap+" is currently in use by "+rp {
		t.Errorf("message = %q", msg)
	}
	if err := k.Update(func(tx kit.Tx) error { return holds.ReleaseSnapshot(tx, kittest.Account, east, snap, rp) }); err != nil {
		t.Fatal(err)
	}
	call(t, e, east, ec2api.OpDeleteSnapshot, &ec2api.DeleteSnapshotRequest{SnapshotId: &snap})
}

// TestArchiveTier: archival, a temporary restore and its expiry, on the clock.
func TestArchiveTier(t *testing.T) {
	e := start(t, kittest.WithTransitionDelay(hour))
	vol := newVolume(t, e, east, volume("us-east-1a", "gp3", 1))
	snap := snapshot(t, e, east, vol)
	fails(t, e, east, ec2api.OpModifySnapshotTier, &ec2api.ModifySnapshotTierRequest{SnapshotId: &snap, StorageTier: new("archive")}, "IncorrectState")
	e.Advance(hour)
	call(t, e, east, ec2api.OpModifySnapshotTier, &ec2api.ModifySnapshotTierRequest{SnapshotId: &snap, StorageTier: new("archive")})
	e.Advance(hour)
	status := func() ec2api.SnapshotTierStatus {
		return call(t, e, east, ec2api.OpDescribeSnapshotTierStatus, &ec2api.DescribeSnapshotTierStatusRequest{}).SnapshotTierStatuses[0]
	}
	if s := status(); *s.StorageTier != "archive" || *s.LastTieringOperationStatus != "archival-completed" {
		t.Errorf("archived = %+v", s)
	}
	fails(t, e, east, ec2api.OpCreateVolume, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), SnapshotId: &snap}, "IncorrectState")
	call(t, e, east, ec2api.OpRestoreSnapshotTier, &ec2api.RestoreSnapshotTierRequest{SnapshotId: &snap, TemporaryRestoreDays: new(int64(1))})
	e.Advance(hour)
	if s := status(); *s.LastTieringOperationStatus != "temporary-restore-completed" || s.RestoreExpiryTime == nil {
		t.Errorf("restored = %+v", s)
	}
	call(t, e, east, ec2api.OpCreateVolume, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), SnapshotId: &snap})
	e.Advance(24 * hour)
	if s := status(); *s.LastTieringOperationStatus != "archival-completed" {
		t.Errorf("after the restore expired = %+v", s)
	}
}
