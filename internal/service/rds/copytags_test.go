package rds_test

import (
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

func snapshotTags(t *testing.T, h *kittest.Harness, id string) map[string]string {
	t.Helper()
	out := kittest.Must[*rdsapi.DBSnapshotMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBSnapshots, &rdsapi.DescribeDBSnapshotsMessage{DBSnapshotIdentifier: new(id)}))
	tags := map[string]string{}
	for _, tg := range out.DBSnapshots[0].TagList {
		tags[*tg.Key] = *tg.Value
	}
	return tags
}

// TestSnapshotTags: CopyTagsToSnapshot gives automated snapshots the instance's tags, and
// CopyDBSnapshot with both CopyTags and Tags applies only Tags, as AWS does.
func TestSnapshotTags(t *testing.T) {
	h := alone(t, kittest.NewKeyRing())
	in := seedInstance("tagged")
	in.CopyTagsToSnapshot, in.Tags = new(true), []rdsapi.Tag{{Key: new("team"), Value: new("dr")}}
	kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, in))
	h.Advance(25 * time.Hour)
	autos := kittest.Must[*rdsapi.DBSnapshotMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBSnapshots, &rdsapi.DescribeDBSnapshotsMessage{DBInstanceIdentifier: new("tagged"), SnapshotType: new("automated")}))
	if len(autos.DBSnapshots) == 0 {
		t.Fatal("no automated snapshot after a day")
	}
	for _, s := range autos.DBSnapshots {
		if tags := snapshotTags(t, h, *s.DBSnapshotIdentifier); tags["team"] != "dr" {
			t.Errorf("automated snapshot %s has tags %v", *s.DBSnapshotIdentifier, tags)
		}
	}
	src := *autos.DBSnapshots[0].DBSnapshotIdentifier
	copyTo := func(target string, tags ...rdsapi.Tag) map[string]string {
		kittest.Must[*rdsapi.CopyDBSnapshotResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCopyDBSnapshot, &rdsapi.CopyDBSnapshotMessage{
			SourceDBSnapshotIdentifier: new(src), TargetDBSnapshotIdentifier: new(target), CopyTags: new(true), Tags: tags,
		}))
		return snapshotTags(t, h, target)
	}
	if tags := copyTo("copy-tags"); len(tags) != 1 || tags["team"] != "dr" {
		t.Errorf("CopyTags alone: %v", tags)
	}
	if tags := copyTo("own-tags", rdsapi.Tag{Key: new("owner"), Value: new("me")}); len(tags) != 1 || tags["owner"] != "me" {
		t.Errorf("CopyTags and Tags: %v, want only Tags", tags)
	}
}
