package ec2_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

func protector(e *env) port.Protected {
	return e.Service("ec2").(interface{ AWSBackup() port.Protected }).AWSBackup()
}

// update runs fn in a read-write transaction of the harness's store, as AWS Backup's
// jobs call the port.
func update[T any](t *testing.T, e *env, fn func(tx kit.Tx) (T, error)) (T, error) {
	t.Helper()
	k, err := kit.New("probe", kit.Deps{Store: e.Store, Jobs: e.Engine, Clock: e.Clock, Sealer: e.Sealer})
	if err != nil {
		t.Fatal(err)
	}
	return kit.Write(k, fn)
}

// refusedWith checks that err is a failure AWS Backup shows as its job's message.
func refusedWith(t *testing.T, err error, text string) {
	t.Helper()
	if msg, ok := port.Failure(err); !ok || !strings.Contains(msg, text) {
		t.Errorf("got %v, want a job failure saying %q", err, text)
	}
}

// TestAWSBackupOfVolumes: AWS Backup's view of EBS — the volumes with their tags, a
// backup that is a snapshot only AWS Backup deletes, incremental to the one before, the
// same image when a job runs again, a copy in another Region under that Region's key,
// a restore there that holds the volume's data, and deletion.
func TestAWSBackupOfVolumes(t *testing.T) {
	e := start(t)
	p := protector(e)
	if p.ResourceType() != "EBS" {
		t.Fatalf("resource type %s", p.ResourceType())
	}
	vol := newVolume(t, e, east, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1b"), Size: new(int64(2)),
		TagSpecifications: []ec2api.TagSpecification{{ResourceType: new("volume"), Tags: []ec2api.Tag{{Key: new("team"), Value: new("db")}}}}})
	volARN := "arn:aws:ec2:us-east-1:" + kittest.Account + ":volume/" + vol
	content := bytes.Repeat([]byte("backed up "), 60_000) // two blocks
	write(t, e, east, vol, 0, content)

	res, err := update(t, e, func(tx kit.Tx) ([]port.Resource, error) { return p.Resources(tx, kittest.Account, east) })
	if err != nil || len(res) != 1 || res[0].ARN != volARN || res[0].Tags["team"] != "db" {
		t.Fatalf("Resources = %+v, %v", res, err)
	}

	backupTransfer := func(id string) port.Transfer {
		t.Helper()
		tr, err := update(t, e, func(tx kit.Tx) (port.Transfer, error) {
			return p.Backup(tx, port.BackupRequest{Account: kittest.Account, Region: east, ResourceARN: volARN, BackupID: id})
		})
		if err != nil {
			t.Fatalf("Backup %s: %v", id, err)
		}
		return tr
	}
	firstTr := backupTransfer("job-1")
	first := firstTr.Image
	snap1, isSnap := strings.CutPrefix(first.ARN, "arn:aws:ec2:us-east-1::snapshot/")
	if !isSnap || first.ResourceARN != volARN || first.ResourceID != vol || first.SizeBytes != 2<<30 {
		t.Fatalf("first image %+v", first)
	}
	if firstTr.Bytes != 2*blockSize || first.Content.Count() != 2 || first.Content.BlockSize != blockSize {
		t.Errorf("the first backup moved %d bytes in %d blocks, want the two blocks written", firstTr.Bytes, first.Content.Count())
	}
	if again := backupTransfer("job-1"); !reflect.DeepEqual(again, firstTr) {
		t.Errorf("the job run again made %+v, want %+v", again, firstTr)
	}
	got := call(t, e, east, ec2api.OpDescribeSnapshots, &ec2api.DescribeSnapshotsRequest{SnapshotIds: []string{snap1}}).Snapshots[0]
	if *got.State != "completed" || *got.Description != "This snapshot is created by the AWS Backup service." || len(got.Tags) != 1 {
		t.Errorf("the backup snapshot %+v", got)
	}
	msg := fails(t, e, east, ec2api.OpDeleteSnapshot, &ec2api.DeleteSnapshotRequest{SnapshotId: &snap1}, "InvalidParameterValue")
	if !strings.Contains(msg, "managed by the AWS Backup service") {
		t.Errorf("DeleteSnapshot of a recovery point: %s", msg)
	}

	write(t, e, east, vol, blockSize+10, []byte("changed"))
	secondTr := backupTransfer("job-2")
	second := secondTr.Image
	if secondTr.Bytes != blockSize || second.Content.Missing(port.SetOf(first.Content)) != blockSize {
		t.Errorf("the second backup moved %d bytes, %d new to the first: want one block", secondTr.Bytes, second.Content.Missing(port.SetOf(first.Content)))
	}
	snap2 := strings.TrimPrefix(second.ARN, "arn:aws:ec2:us-east-1::snapshot/")
	if d := snapData(t, e, east, snap2); d.Parent != snap1 || d.Blocks != 2 || d.ChangedBlocks != 1 {
		t.Errorf("the second backup stored %+v, want 1 of 2 blocks on top of %s", d, snap1)
	}

	westKey := e.keys.AddKey(kittest.Account, west)
	copyOf := func(imageARN, id string) (port.Transfer, error) {
		return update(t, e, func(tx kit.Tx) (port.Transfer, error) {
			return p.Copy(tx, port.CopyRequest{Account: kittest.Account, Region: west, ImageARN: imageARN, ImageAccount: kittest.Account, CopyID: id, KeyARN: westKey})
		})
	}
	cpTr, err := copyOf(second.ARN, "copyjob-1")
	cp := cpTr.Image
	if err != nil || !strings.HasPrefix(cp.ARN, "arn:aws:ec2:us-west-2::snapshot/snap-") || !cp.Encrypted || cp.KmsKeyARN != westKey || cp.ResourceARN != volARN {
		t.Fatalf("Copy = %+v, %v", cp, err)
	}
	// Under another key the blocks hold the same data: the same digests; a first copy
	// moves them all.
	if cpTr.Bytes != 2*blockSize || !reflect.DeepEqual(cp.Content, second.Content) {
		t.Errorf("the first copy moved %d bytes with content %+v, want all of %+v", cpTr.Bytes, cp.Content, second.Content)
	}
	if again, _ := copyOf(second.ARN, "copyjob-1"); !reflect.DeepEqual(again, cpTr) {
		t.Errorf("the copy job run again made %+v, want %+v", again, cpTr)
	}
	// A later copy of a later backup moves only the block that changed since.
	write(t, e, east, vol, 5, []byte("again"))
	third := backupTransfer("job-3")
	nextTr, err := copyOf(third.Image.ARN, "copyjob-2")
	if err != nil || nextTr.Bytes != blockSize || nextTr.Image.Content.Missing(port.SetOf(cp.Content)) != blockSize {
		t.Errorf("the second copy moved %d bytes (%v), want one block", nextTr.Bytes, err)
	}

	// The restore metadata: the volume as it was backed up; the Availability Zone only
	// in the volume's own Region.
	metaOf := func(region, imageARN string) map[string]string {
		t.Helper()
		m, err := update(t, e, func(tx kit.Tx) (map[string]string, error) {
			return p.(port.RestoreMetadata).RestoreMetadata(tx, kittest.Account, region, imageARN)
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	want := map[string]string{"volumeId": vol, "volumeSize": "2", "encrypted": "false", "volumeType": "gp2",
		"multiAttachEnabled": "false", "availabilityZone": "us-east-1b"}
	if got := metaOf(east, second.ARN); !reflect.DeepEqual(got, want) {
		t.Errorf("restore metadata %v, want %v", got, want)
	}
	cpMeta := metaOf(west, cp.ARN)
	if _, zoned := cpMeta["availabilityZone"]; zoned || cpMeta["encrypted"] != "true" || cpMeta["kmsKeyId"] != westKey || cpMeta["volumeId"] != vol {
		t.Errorf("restore metadata of the copy %v", cpMeta)
	}
	cpMeta["availabilityZone"] = "us-west-2c"
	restoredARN, err := update(t, e, func(tx kit.Tx) (string, error) {
		return p.Restore(tx, kittest.Account, west, cp.ARN, cpMeta)
	})
	restored, isVolume := strings.CutPrefix(restoredARN, "arn:aws:ec2:us-west-2:"+kittest.Account+":volume/")
	if err != nil || !isVolume {
		t.Fatalf("Restore = %s, %v", restoredARN, err)
	}
	e.Advance(hour)
	if got := read(t, e, west, restored, 0, int64(len(content))); !bytes.Equal(got[blockSize+10:blockSize+17], []byte("changed")) ||
		!bytes.Equal(got[:blockSize], content[:blockSize]) {
		t.Error("the restored volume does not hold the backed-up data")
	}

	del := func(imageARN string) error {
		_, err := update(t, e, func(tx kit.Tx) (struct{}, error) { return struct{}{}, p.Delete(tx, kittest.Account, west, imageARN) })
		return err
	}
	if err := del(cp.ARN); err != nil {
		t.Fatal(err)
	}
	if err := del(cp.ARN); err != nil {
		t.Errorf("deleting a deleted image: %v", err)
	}
	fails(t, e, west, ec2api.OpDescribeSnapshots, &ec2api.DescribeSnapshotsRequest{SnapshotIds: []string{strings.TrimPrefix(cp.ARN, "arn:aws:ec2:us-west-2::snapshot/")}}, "InvalidSnapshot.NotFound")
}

// TestAWSBackupRefusals: what AWS Backup's jobs fail with, in the texts the jobs show.
func TestAWSBackupRefusals(t *testing.T) {
	e := start(t, kittest.WithTransitionDelay(hour))
	p := protector(e)
	creating := *call(t, e, east, ec2api.OpCreateVolume, &ec2api.CreateVolumeRequest{AvailabilityZone: new("us-east-1a"), Size: new(int64(1))}).VolumeId
	backupOf := func(resourceARN string) error {
		_, err := update(t, e, func(tx kit.Tx) (port.Transfer, error) {
			return p.Backup(tx, port.BackupRequest{Account: kittest.Account, Region: east, ResourceARN: resourceARN, BackupID: "job-x"})
		})
		return err
	}
	err := backupOf("arn:aws:ec2:us-east-1:" + kittest.Account + ":volume/" + creating)
	refusedWith(t, err, "is creating")
	if !errors.Is(err, port.ErrNotReady) {
		t.Errorf("a creating volume: %v, want not ready (AWS Backup waits for it)", err)
	}
	refusedWith(t, backupOf("arn:aws:ec2:us-east-1:"+kittest.Account+":volume/vol-0123456789abcdef0"), "does not exist")
	refusedWith(t, backupOf("arn:aws:rds:us-east-1:"+kittest.Account+":db:x"), "not the ARN of an EBS volume")
	refusedWith(t, backupOf("arn:aws:ec2:us-west-2:"+kittest.Account+":volume/"+creating), "is not in account")

	e.Advance(hour)
	snap := snapshot(t, e, east, creating)
	snapARN := "arn:aws:ec2:us-east-1::snapshot/" + snap
	copyTo := func(id, key string) error {
		_, err := update(t, e, func(tx kit.Tx) (port.Transfer, error) {
			return p.Copy(tx, port.CopyRequest{Account: kittest.Account, Region: west, ImageARN: snapARN, CopyID: id, KeyARN: key})
		})
		return err
	}
	err = copyTo("copy-p", e.keys.AddKey(kittest.Account, west))
	refusedWith(t, err, "invalid state - pending")
	e.Advance(hour)
	_, err = update(t, e, func(tx kit.Tx) (struct{}, error) { return struct{}{}, p.Delete(tx, kittest.Account, east, snapARN) })
	refusedWith(t, err, "was not made by AWS Backup")
	restore := func(region string, meta map[string]string) error {
		_, err := update(t, e, func(tx kit.Tx) (string, error) { return p.Restore(tx, kittest.Account, region, snapARN, meta) })
		return err
	}
	refusedWith(t, restore(east, map[string]string{}), "must give availabilityZone")
	refusedWith(t, restore(east, map[string]string{"availabilityZone": "us-east-1a", "volumeSize": "big"}), "volumeSize is not a number")
	refusedWith(t, restore(west, map[string]string{"availabilityZone": "us-west-2a"}), "restore it in its own Region")
	refusedWith(t, restore(east, map[string]string{"availabilityZone": "us-west-2a"}), "us-west-2a")
	refusedWith(t, copyTo("copy-x", "arn:aws:kms:us-west-2:"+kittest.Account+":key/missing"), "key/missing")
}
