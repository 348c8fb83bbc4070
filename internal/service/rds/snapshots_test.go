package rds_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

func (e *env) snapshot(t *testing.T, c *rds.Client, id string) *types.DBSnapshot {
	t.Helper()
	out := xtest.Must[*rds.DescribeDBSnapshotsOutput](t)(c.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(id)}))
	if len(out.DBSnapshots) != 1 {
		t.Fatalf("snapshot %s: %d found", id, len(out.DBSnapshots))
	}
	return &out.DBSnapshots[0]
}

func TestSnapshots(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, postgres("snapped")))
	_, err := e.East.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("snapped"), DBSnapshotIdentifier: aws.String("early")})
	wantErr(t, err, "InvalidDBInstanceState", 400, "is not currently in the available state")
	e.advance(2 * time.Minute)

	out := xtest.Must[*rds.CreateDBSnapshotOutput](t)(e.East.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{
		DBInstanceIdentifier: aws.String("snapped"), DBSnapshotIdentifier: aws.String("Manual-1"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	}))
	s := out.DBSnapshot
	if aws.ToString(s.DBSnapshotIdentifier) != "manual-1" || aws.ToString(s.Status) != "creating" || aws.ToInt32(s.PercentProgress) != 0 ||
		aws.ToString(s.SnapshotType) != "manual" || aws.ToString(s.DBSnapshotArn) != "arn:aws:rds:us-east-1:"+account+":snapshot:manual-1" ||
		aws.ToString(s.Engine) != "postgres" || aws.ToString(s.EngineVersion) != "13.4" || aws.ToInt32(s.AllocatedStorage) != 10 {
		t.Fatalf("create answered %+v", s)
	}
	e.advance(time.Minute)
	s = e.snapshot(t, e.East, "manual-1")
	if aws.ToString(s.Status) != "available" || aws.ToInt32(s.PercentProgress) != 100 || len(s.TagList) != 1 {
		t.Fatalf("after the transition %+v", s)
	}
	for _, c := range []struct {
		in     *rds.CreateDBSnapshotInput
		code   string
		status int
		msg    string
	}{
		{&rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("snapped"), DBSnapshotIdentifier: aws.String("manual-1")}, "DBSnapshotAlreadyExists", 400,
			"Cannot create the snapshot because a snapshot with the identifier manual-1 already exists."},
		{&rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("nope"), DBSnapshotIdentifier: aws.String("x")}, "DBInstanceNotFound", 404, "DBInstance nope not found."},
		{&rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("snapped"), DBSnapshotIdentifier: aws.String("bad_name")}, "InvalidParameterValue", 400,
			"The parameter DBSnapshotIdentifier is not a valid identifier."},
	} {
		_, err := e.East.CreateDBSnapshot(ctx, c.in)
		wantErr(t, err, c.code, c.status, c.msg)
	}

	// Describe by type, instance and filters.
	all := xtest.Must[*rds.DescribeDBSnapshotsOutput](t)(e.East.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{}))
	manual := xtest.Must[*rds.DescribeDBSnapshotsOutput](t)(e.East.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{SnapshotType: aws.String("manual")}))
	auto := xtest.Must[*rds.DescribeDBSnapshotsOutput](t)(e.East.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{
		Filters: []types.Filter{{Name: aws.String("snapshot-type"), Values: []string{"automated"}}, {Name: aws.String("db-instance-id"), Values: []string{"snapped"}}},
	}))
	if len(all.DBSnapshots) != 2 || len(manual.DBSnapshots) != 1 || len(auto.DBSnapshots) != 1 {
		t.Errorf("all %d manual %d automated %d", len(all.DBSnapshots), len(manual.DBSnapshots), len(auto.DBSnapshots))
	}
	_, err = e.East.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{SnapshotType: aws.String("weekly")})
	wantErr(t, err, "InvalidParameterValue", 400, "Invalid snapshot type: weekly")
	_, err = e.East.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("nope")})
	wantErr(t, err, "DBSnapshotNotFound", 404, "DBSnapshot nope not found.")

	// Attributes.
	attrs := xtest.Must[*rds.DescribeDBSnapshotAttributesOutput](t)(e.East.DescribeDBSnapshotAttributes(ctx, &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: aws.String("manual-1")}))
	if a := attrs.DBSnapshotAttributesResult.DBSnapshotAttributes; len(a) != 1 || aws.ToString(a[0].AttributeName) != "restore" || len(a[0].AttributeValues) != 0 {
		t.Errorf("attributes %+v", a)
	}
	mod := xtest.Must[*rds.ModifyDBSnapshotAttributeOutput](t)(e.East.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{
		DBSnapshotIdentifier: aws.String("manual-1"), AttributeName: aws.String("restore"), ValuesToAdd: []string{"111122223333", "all"},
	}))
	if v := mod.DBSnapshotAttributesResult.DBSnapshotAttributes[0].AttributeValues; !slices.Equal(v, []string{"111122223333", "all"}) {
		t.Errorf("after adding %v", v)
	}
	mod = xtest.Must[*rds.ModifyDBSnapshotAttributeOutput](t)(e.East.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{
		DBSnapshotIdentifier: aws.String("manual-1"), AttributeName: aws.String("restore"), ValuesToRemove: []string{"all"},
	}))
	if v := mod.DBSnapshotAttributesResult.DBSnapshotAttributes[0].AttributeValues; !slices.Equal(v, []string{"111122223333"}) {
		t.Errorf("after removing %v", v)
	}
	for _, c := range []struct {
		in   *rds.ModifyDBSnapshotAttributeInput
		code string
		msg  string
	}{
		{&rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: aws.String("manual-1"), AttributeName: aws.String("copy")}, "InvalidParameterValue", "Invalid snapshot attribute name: copy"},
		{&rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: aws.String("manual-1"), AttributeName: aws.String("restore"), ValuesToAdd: []string{"12"}}, "InvalidParameterValue", "Invalid account identifier: 12"},
		{&rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: auto.DBSnapshots[0].DBSnapshotIdentifier, AttributeName: aws.String("restore"), ValuesToAdd: []string{"all"}}, "InvalidDBSnapshotState", "Only manual snapshots may be shared"},
		{&rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: aws.String("nope"), AttributeName: aws.String("restore")}, "DBSnapshotNotFound", "DBSnapshot nope not found."},
	} {
		_, err := e.East.ModifyDBSnapshotAttribute(ctx, c.in)
		status := 400
		if c.code == "DBSnapshotNotFound" {
			status = 404
		}
		wantErr(t, err, c.code, status, c.msg)
	}
	var accounts []string
	for i := 0; i < 20; i++ {
		accounts = append(accounts, fmt.Sprintf("1000000000%02d", i))
	}
	_, err = e.East.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: aws.String("manual-1"), AttributeName: aws.String("restore"), ValuesToAdd: accounts})
	wantErr(t, err, "SharedSnapshotQuotaExceeded", 400, "")

	// Delete.
	_, err = e.East.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: auto.DBSnapshots[0].DBSnapshotIdentifier})
	wantErr(t, err, "InvalidDBSnapshotState", 400, "Only manual snapshots may be deleted")
	del := xtest.Must[*rds.DeleteDBSnapshotOutput](t)(e.East.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("manual-1")}))
	if aws.ToString(del.DBSnapshot.Status) != "deleted" {
		t.Errorf("delete answered %s", aws.ToString(del.DBSnapshot.Status))
	}
	_, err = e.East.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("manual-1")})
	wantErr(t, err, "DBSnapshotNotFound", 404, "DBSnapshot manual-1 not found.")
}

func TestSnapshotQuota(t *testing.T) {
	e := start(t)
	e.create(t, e.East, postgres("many"))
	for i := 0; i < 100; i++ {
		xtest.Must[*rds.CreateDBSnapshotOutput](t)(e.East.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("many"), DBSnapshotIdentifier: aws.String(fmt.Sprintf("s%03d", i))}))
	}
	_, err := e.East.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("many"), DBSnapshotIdentifier: aws.String("s100")})
	wantErr(t, err, "SnapshotQuotaExceeded", 400, "The request cannot be processed because it would exceed the maximum number of snapshots.")
	xtest.Must[*rds.DeleteDBSnapshotOutput](t)(e.East.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("s000")}))
	xtest.Must[*rds.CreateDBSnapshotOutput](t)(e.East.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("many"), DBSnapshotIdentifier: aws.String("s100")}))
	e.WaitIdle()
	p := rds.NewDescribeDBSnapshotsPaginator(e.East, &rds.DescribeDBSnapshotsInput{SnapshotType: aws.String("manual"), MaxRecords: aws.Int32(20)})
	n, pages := 0, 0
	for p.HasMorePages() {
		n += len(xtest.Must[*rds.DescribeDBSnapshotsOutput](t)(p.NextPage(ctx)).DBSnapshots)
		pages++
	}
	if n != 100 || pages != 5 {
		t.Errorf("%d manual snapshots in %d pages", n, pages)
	}
}

func TestCopyDBSnapshot(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	in := postgres("source")
	in.StorageEncrypted = aws.Bool(true)
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	e.advance(2 * time.Minute)
	xtest.Must[*rds.CreateDBSnapshotOutput](t)(e.East.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("source"), DBSnapshotIdentifier: aws.String("example-name"),
		Tags: []types.Tag{{Key: aws.String("from"), Value: aws.String("source")}}}))
	srcARN := "arn:aws:rds:us-east-1:" + account + ":snapshot:example-name"
	_, err := e.West.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String(srcARN), TargetDBSnapshotIdentifier: aws.String("early")})
	wantErr(t, err, "InvalidDBSnapshotState", 400, "is not in available state")
	e.advance(time.Minute)
	westKey := e.kmsKey(t, e.kmsWest)

	// Across Regions an encrypted snapshot needs a key of the destination.
	_, err = e.West.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String(srcARN), TargetDBSnapshotIdentifier: aws.String("example-copy")})
	wantErr(t, err, "KMSKeyNotAccessibleFault", 400, "KmsKeyId is required")
	_, err = e.West.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String(srcARN), TargetDBSnapshotIdentifier: aws.String("example-copy"),
		KmsKeyId: aws.String(aws.ToString(e.describe(t, e.East, "source").KmsKeyId))})
	wantErr(t, err, "KMSKeyNotAccessibleFault", 400, "does not exist, is not enabled")
	_, err = e.West.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String("arn:aws:rds:us-east-1:" + account + ":snapshot:missing"),
		TargetDBSnapshotIdentifier: aws.String("x"), KmsKeyId: aws.String(westKey)})
	wantErr(t, err, "DBSnapshotNotFound", 404, "missing")

	// Terraform's aws_db_snapshot_copy: the source as an ARN, a key, no presigned URL.
	out := xtest.Must[*rds.CopyDBSnapshotOutput](t)(e.West.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{
		SourceDBSnapshotIdentifier: aws.String(srcARN), TargetDBSnapshotIdentifier: aws.String("example-copy"), KmsKeyId: aws.String(westKey), CopyTags: aws.Bool(true),
	}))
	c := out.DBSnapshot
	if aws.ToString(c.Status) != "creating" || aws.ToInt32(c.PercentProgress) != 0 || aws.ToString(c.SourceDBSnapshotIdentifier) != srcARN ||
		aws.ToString(c.SourceRegion) != "us-east-1" || aws.ToString(c.KmsKeyId) != westKey || !aws.ToBool(c.Encrypted) ||
		aws.ToString(c.DBSnapshotArn) != "arn:aws:rds:us-west-2:"+account+":snapshot:example-copy" || len(c.TagList) != 1 {
		t.Fatalf("copy answered %+v", c)
	}
	// The copy waits while the source Region is unreachable.
	e.SetUnreachable("us-east-1", true)
	e.advance(10 * time.Minute)
	if s := e.snapshot(t, e.West, "example-copy"); aws.ToString(s.Status) != "creating" {
		t.Fatalf("copy is %s while us-east-1 is unreachable", aws.ToString(s.Status))
	}
	e.SetUnreachable("us-east-1", false)
	e.advance(2 * time.Minute)
	c = e.snapshot(t, e.West, "example-copy")
	if aws.ToString(c.Status) != "available" || aws.ToInt32(c.PercentProgress) != 100 || aws.ToString(c.SourceDBSnapshotIdentifier) != srcARN {
		t.Fatalf("copy %+v", c)
	}
	_, err = e.West.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String(srcARN), TargetDBSnapshotIdentifier: aws.String("example-copy"), KmsKeyId: aws.String(westKey)})
	wantErr(t, err, "DBSnapshotAlreadyExists", 400, "example-copy")

	// The SDK builds a presigned URL when SourceRegion is set.
	xtest.Must[*rds.CopyDBSnapshotOutput](t)(e.West.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{
		SourceDBSnapshotIdentifier: aws.String(srcARN), TargetDBSnapshotIdentifier: aws.String("sdk-copy"), KmsKeyId: aws.String(westKey), SourceRegion: aws.String("us-east-1"),
	}))
	// A tampered one is refused.
	_, err = e.West.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{
		SourceDBSnapshotIdentifier: aws.String(srcARN), TargetDBSnapshotIdentifier: aws.String("bad-copy"), KmsKeyId: aws.String(westKey),
		PreSignedUrl: aws.String(e.URL + "/?Action=CopyDBSnapshot&X-Amz-Algorithm=AWS4-HMAC-SHA256"),
	})
	wantErr(t, err, "InvalidParameterValue", 400, "PreSignedUrl could not be authenticated.")

	// Within the Region the copy keeps the key, and has no source Region.
	local := xtest.Must[*rds.CopyDBSnapshotOutput](t)(e.East.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String("example-name"), TargetDBSnapshotIdentifier: aws.String("local-copy")})).DBSnapshot
	if local.SourceRegion != nil || aws.ToString(local.KmsKeyId) != aws.ToString(e.describe(t, e.East, "source").KmsKeyId) {
		t.Errorf("local copy %+v", local)
	}
	// An automated snapshot copies into a manual one.
	auto := e.automatedSnapshots(t, e.East, "source")[0]
	autoCopy := xtest.Must[*rds.CopyDBSnapshotOutput](t)(e.East.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: auto.DBSnapshotIdentifier, TargetDBSnapshotIdentifier: aws.String("from-auto")})).DBSnapshot
	if aws.ToString(autoCopy.SnapshotType) != "manual" {
		t.Errorf("copy of an automated snapshot is %s", aws.ToString(autoCopy.SnapshotType))
	}
}

func TestCopySharedSnapshotFromAnotherAccount(t *testing.T) {
	e := start(t)
	e.create(t, e.East, postgres("shared"))
	xtest.Must[*rds.CreateDBSnapshotOutput](t)(e.East.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("shared"), DBSnapshotIdentifier: aws.String("gift")}))
	e.WaitIdle()
	// An access key that is a 12-digit number acts in that account.
	other := rds.NewFromConfig(func() aws.Config {
		cfg := e.ConfigAs("us-east-1", "111122223333", "secret")
		cfg.HTTPClient = e.Config("us-east-1").HTTPClient
		return cfg
	}())
	arn := "arn:aws:rds:us-east-1:" + account + ":snapshot:gift"
	_, err := other.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String(arn), TargetDBSnapshotIdentifier: aws.String("mine")})
	wantErr(t, err, "DBSnapshotNotFound", 404, "")
	xtest.Must[*rds.ModifyDBSnapshotAttributeOutput](t)(e.East.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{
		DBSnapshotIdentifier: aws.String("gift"), AttributeName: aws.String("restore"), ValuesToAdd: []string{"111122223333"},
	}))
	cp := xtest.Must[*rds.CopyDBSnapshotOutput](t)(other.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String(arn), TargetDBSnapshotIdentifier: aws.String("mine")})).DBSnapshot
	if aws.ToString(cp.DBSnapshotArn) != "arn:aws:rds:us-east-1:111122223333:snapshot:mine" || aws.ToString(cp.SourceDBSnapshotIdentifier) != arn {
		t.Errorf("copy into the other account %+v", cp)
	}
}

// TestDeleteDBSnapshotNeedsAvailable: RDS deletes only available snapshots, and deleting
// the source of a copy in progress terminates the copy.
func TestDeleteDBSnapshotNeedsAvailable(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, postgres("deleted")))
	e.advance(2 * time.Minute)
	xtest.Must[*rds.CreateDBSnapshotOutput](t)(e.East.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("deleted"), DBSnapshotIdentifier: aws.String("busy")}))
	_, err := e.East.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("busy")})
	wantErr(t, err, "InvalidDBSnapshotState", 400, "Cannot delete the snapshot busy because it is not in available state: it is creating.")
	e.advance(time.Minute)
	if s := e.snapshot(t, e.East, "busy"); aws.ToString(s.Status) != "available" {
		t.Fatalf("after a refused delete the snapshot is %s", aws.ToString(s.Status))
	}

	srcARN := "arn:aws:rds:us-east-1:" + account + ":snapshot:busy"
	xtest.Must[*rds.CopyDBSnapshotOutput](t)(e.West.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String(srcARN), TargetDBSnapshotIdentifier: aws.String("in-flight")}))
	xtest.Must[*rds.CopyDBSnapshotOutput](t)(e.East.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String("busy"), TargetDBSnapshotIdentifier: aws.String("local")}))
	_, err = e.West.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("in-flight")})
	wantErr(t, err, "InvalidDBSnapshotState", 400, "not in available state")
	xtest.Must[*rds.DeleteDBSnapshotOutput](t)(e.East.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("busy")}))
	e.advance(time.Minute)
	for _, c := range []struct {
		client *rds.Client
		id     string
	}{{e.West, "in-flight"}, {e.East, "local"}} {
		_, err = c.client.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(c.id)})
		wantErr(t, err, "DBSnapshotNotFound", 404, "DBSnapshot "+c.id+" not found.")
	}
	// A terminated copy's identifier is free again, and a copy of a source that stays
	// completes.
	xtest.Must[*rds.CreateDBSnapshotOutput](t)(e.East.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("deleted"), DBSnapshotIdentifier: aws.String("local")}))
	e.advance(time.Minute)
	xtest.Must[*rds.CopyDBSnapshotOutput](t)(e.East.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String("local"), TargetDBSnapshotIdentifier: aws.String("kept")}))
	e.advance(time.Minute)
	if s := e.snapshot(t, e.East, "kept"); aws.ToString(s.Status) != "available" {
		t.Errorf("copy of a source that stays is %s", aws.ToString(s.Status))
	}
}
