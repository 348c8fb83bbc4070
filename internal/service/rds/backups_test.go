package rds_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/xtest"
)

func (e *env) automatedSnapshots(t *testing.T, c *rds.Client, id string) []types.DBSnapshot {
	t.Helper()
	out := xtest.Must[*rds.DescribeDBSnapshotsOutput](t)(c.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{
		DBInstanceIdentifier: aws.String(id), SnapshotType: aws.String("automated"),
	}))
	return out.DBSnapshots
}

func (e *env) ownBackup(t *testing.T, c *rds.Client, id string) types.DBInstanceAutomatedBackup {
	t.Helper()
	out := xtest.Must[*rds.DescribeDBInstanceAutomatedBackupsOutput](t)(c.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{
		DBInstanceIdentifier: aws.String(id),
	}))
	if len(out.DBInstanceAutomatedBackups) != 1 {
		t.Fatalf("%s has %d automated backups", id, len(out.DBInstanceAutomatedBackups))
	}
	return out.DBInstanceAutomatedBackups[0]
}

func TestAutomatedBackupsFollowTheClock(t *testing.T) {
	e := start(t)
	in := postgres("daily")
	in.BackupRetentionPeriod = aws.Int32(2)
	in.PreferredBackupWindow = aws.String("03:00-03:30")
	in.PreferredMaintenanceWindow = aws.String("sun:05:00-sun:05:30")
	db := e.create(t, e.East, in)

	b := e.ownBackup(t, e.East, "daily")
	if aws.ToString(b.Status) != "active" || aws.ToInt32(b.BackupRetentionPeriod) != 2 || aws.ToString(b.DbiResourceId) != aws.ToString(db.DbiResourceId) ||
		!regexp.MustCompile(`^arn:aws:rds:us-east-1:`+account+`:auto-backup:ab-[a-z0-9]{39}$`).MatchString(aws.ToString(b.DBInstanceAutomatedBackupsArn)) ||
		aws.ToString(b.DBInstanceArn) != aws.ToString(db.DBInstanceArn) || aws.ToString(b.Region) != "us-east-1" {
		t.Fatalf("automated backup %+v", b)
	}
	if b.RestoreWindow.EarliestTime == nil || b.RestoreWindow.LatestTime.Before(*b.RestoreWindow.EarliestTime) {
		t.Fatalf("restore window %+v", b.RestoreWindow)
	}
	initial := e.automatedSnapshots(t, e.East, "daily")
	if len(initial) != 1 || !regexp.MustCompile(`^rds:daily-\d{4}-\d\d-\d\d-\d\d-\d\d$`).MatchString(aws.ToString(initial[0].DBSnapshotIdentifier)) ||
		aws.ToString(initial[0].SnapshotType) != "automated" || aws.ToString(initial[0].Status) != "available" {
		t.Fatalf("initial automated snapshot %+v", initial)
	}
	latest0 := *e.describe(t, e.East, "daily").LatestRestorableTime

	e.advance(36 * time.Hour)
	snaps := e.automatedSnapshots(t, e.East, "daily")
	if len(snaps) < 2 || len(snaps) > 3 {
		t.Fatalf("after 36 hours: %d automated snapshots", len(snaps))
	}
	for _, s := range snaps[1:] {
		if created := aws.ToTime(s.SnapshotCreateTime); created.Hour() != 3 || created.Minute() != 0 {
			t.Errorf("daily snapshot %s taken at %s, outside the backup window", aws.ToString(s.DBSnapshotIdentifier), created)
		}
	}
	latest := *e.describe(t, e.East, "daily").LatestRestorableTime
	if d := latest.Sub(latest0); d < 35*time.Hour || d > 37*time.Hour {
		t.Errorf("LatestRestorableTime moved by %s in 36 hours", d)
	}

	// Snapshots and the window go back two days at most.
	e.advance(72 * time.Hour)
	snaps = e.automatedSnapshots(t, e.East, "daily")
	if len(snaps) != 2 {
		t.Errorf("after five days with a retention of two: %d automated snapshots", len(snaps))
	}
	b = e.ownBackup(t, e.East, "daily")
	if span := b.RestoreWindow.LatestTime.Sub(*b.RestoreWindow.EarliestTime); span > 48*time.Hour+logGrace || span < 47*time.Hour {
		t.Errorf("restore window spans %s", span)
	}

	// Filters.
	for _, f := range []types.Filter{
		{Name: aws.String("status"), Values: []string{"active"}},
		{Name: aws.String("db-instance-id"), Values: []string{"daily"}},
		{Name: aws.String("dbi-resource-id"), Values: []string{aws.ToString(db.DbiResourceId)}},
	} {
		out := xtest.Must[*rds.DescribeDBInstanceAutomatedBackupsOutput](t)(e.East.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{Filters: []types.Filter{f}}))
		if len(out.DBInstanceAutomatedBackups) != 1 {
			t.Errorf("filter %s: %d backups", aws.ToString(f.Name), len(out.DBInstanceAutomatedBackups))
		}
	}
	none := xtest.Must[*rds.DescribeDBInstanceAutomatedBackupsOutput](t)(e.East.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{
		Filters: []types.Filter{{Name: aws.String("status"), Values: []string{"retained"}}},
	}))
	if len(none.DBInstanceAutomatedBackups) != 0 {
		t.Errorf("status=retained found %d", len(none.DBInstanceAutomatedBackups))
	}
	_, err := e.East.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{DBInstanceAutomatedBackupsArn: aws.String("arn:aws:rds:us-east-1:" + account + ":auto-backup:ab-nope")})
	wantErr(t, err, "DBInstanceAutomatedBackupNotFound", 404, "")
	_, err = e.East.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{DbiResourceId: aws.String("db-NOPE")})
	wantErr(t, err, "DBInstanceAutomatedBackupNotFound", 404, "")
	_, err = e.East.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{Filters: []types.Filter{{Name: aws.String("engine"), Values: []string{"x"}}}})
	wantErr(t, err, "InvalidParameterValue", 400, "Unrecognized filter name: engine")

	// An automated backup in use can't be deleted.
	_, err = e.East.DeleteDBInstanceAutomatedBackup(ctx, &rds.DeleteDBInstanceAutomatedBackupInput{DbiResourceId: db.DbiResourceId})
	wantErr(t, err, "InvalidDBInstanceAutomatedBackupState", 400, "only retained automated backups can be deleted")
	_, err = e.East.DeleteDBInstanceAutomatedBackup(ctx, &rds.DeleteDBInstanceAutomatedBackupInput{})
	wantErr(t, err, "InvalidParameterCombination", 400, "")
	_, err = e.East.DeleteDBInstanceAutomatedBackup(ctx, &rds.DeleteDBInstanceAutomatedBackupInput{DbiResourceId: aws.String("db-NOPE")})
	wantErr(t, err, "DBInstanceAutomatedBackupNotFound", 404, "")

	// Setting the retention period to 0 removes them.
	xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("daily"), BackupRetentionPeriod: aws.Int32(0), ApplyImmediately: aws.Bool(true),
	}))
	e.WaitIdle()
	if n := len(e.automatedSnapshots(t, e.East, "daily")); n != 0 {
		t.Errorf("%d automated snapshots left with retention 0", n)
	}
	_, err = e.East.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{DBInstanceIdentifier: aws.String("daily")})
	wantErr(t, err, "DBInstanceAutomatedBackupNotFound", 404, "")
	if got := e.describe(t, e.East, "daily"); got.LatestRestorableTime != nil {
		t.Errorf("LatestRestorableTime with retention 0")
	}
	// And turning them on again starts over with a backup.
	xtest.Must[*rds.ModifyDBInstanceOutput](t)(e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("daily"), BackupRetentionPeriod: aws.Int32(1), ApplyImmediately: aws.Bool(true),
	}))
	e.WaitIdle()
	if b := e.ownBackup(t, e.East, "daily"); aws.ToString(b.Status) != "active" || len(e.automatedSnapshots(t, e.East, "daily")) != 1 {
		t.Errorf("after re-enabling: %s", aws.ToString(b.Status))
	}
}

// logGrace is how far the latest restorable time may be from a whole five minutes.
const logGrace = 5 * time.Minute

func TestRetainedBackupsExpire(t *testing.T) {
	e := start(t)
	in := postgres("retained")
	in.BackupRetentionPeriod = aws.Int32(3)
	db := e.create(t, e.East, in)
	e.advance(26 * time.Hour)
	xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{
		DBInstanceIdentifier: aws.String("retained"), SkipFinalSnapshot: aws.Bool(true), DeleteAutomatedBackups: aws.Bool(false),
	}))
	e.WaitIdle()
	b := xtest.Must[*rds.DescribeDBInstanceAutomatedBackupsOutput](t)(e.East.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{
		Filters: []types.Filter{{Name: aws.String("status"), Values: []string{"retained"}}},
	})).DBInstanceAutomatedBackups
	if len(b) != 1 || aws.ToString(b[0].DBInstanceIdentifier) != "retained" {
		t.Fatalf("retained backups %+v", b)
	}
	stopped := *b[0].RestoreWindow.LatestTime
	e.advance(48 * time.Hour)
	b = xtest.Must[*rds.DescribeDBInstanceAutomatedBackupsOutput](t)(e.East.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{DbiResourceId: db.DbiResourceId})).DBInstanceAutomatedBackups
	if !b[0].RestoreWindow.LatestTime.Equal(stopped) {
		t.Errorf("a retained backup's window moved on: %s -> %s", stopped, b[0].RestoreWindow.LatestTime)
	}
	e.advance(25 * time.Hour)
	_, err := e.East.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{DbiResourceId: db.DbiResourceId})
	wantErr(t, err, "DBInstanceAutomatedBackupNotFound", 404, "")
	if n := len(e.automatedSnapshots(t, e.East, "retained")); n != 0 {
		t.Errorf("%d automated snapshots of an expired backup left", n)
	}

	// A retained backup can be deleted before it expires.
	db = e.create(t, e.East, postgres("shortlived"))
	xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{
		DBInstanceIdentifier: aws.String("shortlived"), SkipFinalSnapshot: aws.Bool(true), DeleteAutomatedBackups: aws.Bool(false),
	}))
	e.WaitIdle()
	arn := e.ownBackup(t, e.East, "shortlived").DBInstanceAutomatedBackupsArn
	del := xtest.Must[*rds.DeleteDBInstanceAutomatedBackupOutput](t)(e.East.DeleteDBInstanceAutomatedBackup(ctx, &rds.DeleteDBInstanceAutomatedBackupInput{DBInstanceAutomatedBackupsArn: arn}))
	if aws.ToString(del.DBInstanceAutomatedBackup.Status) != "deleting" {
		t.Errorf("delete answered %s", aws.ToString(del.DBInstanceAutomatedBackup.Status))
	}
	_, err = e.East.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{DBInstanceAutomatedBackupsArn: arn})
	wantErr(t, err, "DBInstanceAutomatedBackupNotFound", 404, "")
	if !strings.Contains(aws.ToString(arn), ":auto-backup:ab-") {
		t.Errorf("ARN %s", aws.ToString(arn))
	}
}
