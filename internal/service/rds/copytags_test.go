package rds_test

import (
	"strings"
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

// TestIdentifiersThatAreNotIdentifiers: an ARN or an over-long identifier where an
// identifier is expected is InvalidParameterValue, not a NotFound fault.
func TestIdentifiersThatAreNotIdentifiers(t *testing.T) {
	h := alone(t, kittest.NewKeyRing())
	long := "a" + strings.Repeat("b", 63)
	arn := "arn:aws:rds:us-east-1:" + kittest.Account + ":db:some"
	for _, id := range []string{long, arn} {
		_, err := kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBInstance, &rdsapi.DeleteDBInstanceMessage{DBInstanceIdentifier: new(id), SkipFinalSnapshot: new(true)})
		wantFault(t, err, "InvalidParameterValue", "")
		_, err = kittest.Call(h, "us-east-1", rdsapi.OpModifyDBInstance, &rdsapi.ModifyDBInstanceMessage{DBInstanceIdentifier: new(id), AllocatedStorage: new(int64(30))})
		wantFault(t, err, "InvalidParameterValue", "")
		_, err = kittest.Call(h, "us-east-1", rdsapi.OpRebootDBInstance, &rdsapi.RebootDBInstanceMessage{DBInstanceIdentifier: new(id)})
		wantFault(t, err, "InvalidParameterValue", "")
	}
	_, err := kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBSnapshot, &rdsapi.DeleteDBSnapshotMessage{DBSnapshotIdentifier: new("arn:aws:rds:us-east-1:" + kittest.Account + ":snapshot:s")})
	wantFault(t, err, "InvalidParameterValue", "")
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBInstance, &rdsapi.DeleteDBInstanceMessage{DBInstanceIdentifier: new("missing"), SkipFinalSnapshot: new(true)})
	wantFault(t, err, "DBInstanceNotFound", "DBInstance missing not found.")
}
