package rds_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

func (e *env) clusterSnapshot(t *testing.T, c *rds.Client, id string) (status, kind, key string) {
	t.Helper()
	out := xtest.Must[*rds.DescribeDBClusterSnapshotsOutput](t)(c.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: aws.String(id)}))
	s := out.DBClusterSnapshots[0]
	return aws.ToString(s.Status), aws.ToString(s.SnapshotType), aws.ToString(s.KmsKeyId)
}

func TestClusterSnapshotsManualAndAutomated(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	in := auroraCluster("ledger")
	in.BackupRetentionPeriod = aws.Int32(2)
	in.PreferredBackupWindow = aws.String("03:00-03:30")
	in.CopyTagsToSnapshot = aws.Bool(true)
	e.createCluster(t, e.East, in)
	out := xtest.Must[*rds.CreateDBClusterSnapshotOutput](t)(e.East.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{
		DBClusterIdentifier: aws.String("ledger"), DBClusterSnapshotIdentifier: aws.String("before-migration")}))
	if aws.ToString(out.DBClusterSnapshot.Status) != "creating" || len(out.DBClusterSnapshot.TagList) != 1 {
		t.Fatalf("new snapshot %s with tags %v", aws.ToString(out.DBClusterSnapshot.Status), out.DBClusterSnapshot.TagList)
	}
	_, err := e.East.DeleteDBClusterSnapshot(ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String("before-migration")})
	wantErr(t, err, "InvalidDBClusterSnapshotStateFault", 400, "creating")
	e.advance(time.Minute)
	if st, kind, _ := e.clusterSnapshot(t, e.East, "before-migration"); st != "available" || kind != "manual" {
		t.Fatalf("snapshot %s %s", st, kind)
	}
	_, err = e.East.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{
		DBClusterIdentifier: aws.String("ledger"), DBClusterSnapshotIdentifier: aws.String("before-migration")})
	wantErr(t, err, "DBClusterSnapshotAlreadyExistsFault", 400, "")

	// Three days on: daily automated snapshots, only two days of them kept.
	e.advance(3 * 24 * time.Hour)
	auto := xtest.Must[*rds.DescribeDBClusterSnapshotsOutput](t)(e.East.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{
		DBClusterIdentifier: aws.String("ledger"), SnapshotType: aws.String("automated")}))
	if n := len(auto.DBClusterSnapshots); n != 2 {
		t.Fatalf("%d automated snapshots after three days with two days' retention, want 2", n)
	}
	_, err = e.East.DeleteDBClusterSnapshot(ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: auto.DBClusterSnapshots[0].DBClusterSnapshotIdentifier})
	wantErr(t, err, "InvalidDBClusterSnapshotStateFault", 400, "automated")
	xtest.Must[*rds.DeleteDBClusterSnapshotOutput](t)(e.East.DeleteDBClusterSnapshot(ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String("before-migration")}))

	// The restore window moves with the clock.
	cl := e.cluster(t, e.East, "ledger")
	if d := cl.LatestRestorableTime.Sub(*cl.EarliestRestorableTime); d < 47*time.Hour || d > 49*time.Hour {
		t.Errorf("restore window %v–%v, want the two days of retention", cl.EarliestRestorableTime, cl.LatestRestorableTime)
	}
}

func TestClusterSnapshotCopyAcrossRegionsAndRestore(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	e.createCluster(t, e.East, auroraCluster("pay"))
	xtest.Must[*rds.CreateDBClusterSnapshotOutput](t)(e.East.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{
		DBClusterIdentifier: aws.String("pay"), DBClusterSnapshotIdentifier: aws.String("pay-snap")}))
	e.advance(time.Minute)
	src := xtest.Must[*rds.DescribeDBClusterSnapshotsOutput](t)(e.East.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{
		DBClusterSnapshotIdentifier: aws.String("pay-snap")})).DBClusterSnapshots[0]
	srcARN := aws.ToString(src.DBClusterSnapshotArn)

	_, err := e.West.CopyDBClusterSnapshot(ctx, &rds.CopyDBClusterSnapshotInput{
		SourceDBClusterSnapshotIdentifier: aws.String(srcARN), TargetDBClusterSnapshotIdentifier: aws.String("pay-dr")})
	wantErr(t, err, "KMSKeyNotAccessibleFault", 400, "KmsKeyId is required")
	westKey := e.kmsKey(t, e.kmsWest)
	cp := xtest.Must[*rds.CopyDBClusterSnapshotOutput](t)(e.West.CopyDBClusterSnapshot(ctx, &rds.CopyDBClusterSnapshotInput{
		SourceDBClusterSnapshotIdentifier: aws.String(srcARN), TargetDBClusterSnapshotIdentifier: aws.String("pay-dr"),
		KmsKeyId: aws.String(westKey), SourceRegion: aws.String("us-east-1")}))
	if aws.ToString(cp.DBClusterSnapshot.SourceDBClusterSnapshotArn) != srcARN {
		t.Errorf("copy's source %q", aws.ToString(cp.DBClusterSnapshot.SourceDBClusterSnapshotArn))
	}
	// The copy waits while the source Region is unreachable.
	e.SetUnreachable("us-east-1", true)
	e.advance(10 * time.Minute)
	if st, _, _ := e.clusterSnapshot(t, e.West, "pay-dr"); st != "creating" {
		t.Fatalf("copy from an unreachable Region is %s", st)
	}
	e.SetUnreachable("us-east-1", false)
	e.advance(2 * time.Minute)
	if st, _, key := e.clusterSnapshot(t, e.West, "pay-dr"); st != "available" || key != westKey {
		t.Fatalf("copy %s under %s, want available under %s", st, key, westKey)
	}

	restored := xtest.Must[*rds.RestoreDBClusterFromSnapshotOutput](t)(e.West.RestoreDBClusterFromSnapshot(ctx, &rds.RestoreDBClusterFromSnapshotInput{
		DBClusterIdentifier: aws.String("pay-restored"), SnapshotIdentifier: aws.String("pay-dr"), Engine: aws.String("aurora-postgresql")}))
	if aws.ToString(restored.DBCluster.Status) != "creating" || aws.ToString(restored.DBCluster.KmsKeyId) != westKey {
		t.Fatalf("restored %s under %s", aws.ToString(restored.DBCluster.Status), aws.ToString(restored.DBCluster.KmsKeyId))
	}
	e.advance(time.Minute)
	if cl := e.cluster(t, e.West, "pay-restored"); aws.ToString(cl.MasterUsername) != "postgres" || aws.ToString(cl.DatabaseName) != "app" {
		t.Errorf("restored cluster has user %q and database %q", aws.ToString(cl.MasterUsername), aws.ToString(cl.DatabaseName))
	}
	_, err = e.West.RestoreDBClusterFromSnapshot(ctx, &rds.RestoreDBClusterFromSnapshotInput{
		DBClusterIdentifier: aws.String("x"), SnapshotIdentifier: aws.String("pay-dr"), Engine: aws.String("aurora-mysql")})
	wantErr(t, err, "InvalidParameterCombination", 400, "engine")
}

func TestClusterPointInTimeRestoreAndRetainedBackups(t *testing.T) {
	e := start(t)
	e.createCluster(t, e.East, auroraCluster("hist"))
	e.advance(2 * time.Hour)
	cl := e.cluster(t, e.East, "hist")
	_, err := e.East.RestoreDBClusterToPointInTime(ctx, &rds.RestoreDBClusterToPointInTimeInput{
		DBClusterIdentifier: aws.String("early"), SourceDBClusterIdentifier: aws.String("hist"),
		RestoreToTime: aws.Time(cl.EarliestRestorableTime.Add(-time.Hour))})
	wantErr(t, err, "InvalidRestoreFault", 400, "outside the restorable window")
	_, err = e.East.RestoreDBClusterToPointInTime(ctx, &rds.RestoreDBClusterToPointInTimeInput{
		DBClusterIdentifier: aws.String("x"), SourceDBClusterIdentifier: aws.String("hist")})
	wantErr(t, err, "InvalidParameterCombination", 400, "RestoreTime")
	xtest.Must[*rds.RestoreDBClusterToPointInTimeOutput](t)(e.East.RestoreDBClusterToPointInTime(ctx, &rds.RestoreDBClusterToPointInTimeInput{
		DBClusterIdentifier: aws.String("an-hour-ago"), SourceDBClusterIdentifier: aws.String("hist"),
		RestoreToTime: aws.Time(cl.LatestRestorableTime.Add(-time.Hour)), RestoreType: aws.String("copy-on-write")}))
	e.WaitIdle()
	if got := aws.ToString(e.cluster(t, e.East, "an-hour-ago").Status); got != "available" {
		t.Fatalf("restored cluster is %s", got)
	}

	// Deleted with its automated backups retained: the backup stays, retained, with its window.
	xtest.Must[*rds.DeleteDBClusterOutput](t)(e.East.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{
		DBClusterIdentifier: aws.String("hist"), SkipFinalSnapshot: aws.Bool(true), DeleteAutomatedBackups: aws.Bool(false)}))
	e.WaitIdle()
	abs := xtest.Must[*rds.DescribeDBClusterAutomatedBackupsOutput](t)(e.East.DescribeDBClusterAutomatedBackups(ctx, &rds.DescribeDBClusterAutomatedBackupsInput{
		DBClusterIdentifier: aws.String("hist")}))
	if len(abs.DBClusterAutomatedBackups) != 1 || aws.ToString(abs.DBClusterAutomatedBackups[0].Status) != "retained" {
		t.Fatalf("automated backups after deletion: %+v", abs.DBClusterAutomatedBackups)
	}
	ab := abs.DBClusterAutomatedBackups[0]
	xtest.Must[*rds.RestoreDBClusterToPointInTimeOutput](t)(e.East.RestoreDBClusterToPointInTime(ctx, &rds.RestoreDBClusterToPointInTimeInput{
		DBClusterIdentifier: aws.String("from-retained"), SourceDbClusterResourceId: ab.DbClusterResourceId, UseLatestRestorableTime: aws.Bool(true)}))
	// The retained backup expires with its retention period (seven days).
	e.advance(8 * 24 * time.Hour)
	abs = xtest.Must[*rds.DescribeDBClusterAutomatedBackupsOutput](t)(e.East.DescribeDBClusterAutomatedBackups(ctx, &rds.DescribeDBClusterAutomatedBackupsInput{
		DbClusterResourceId: ab.DbClusterResourceId}))
	if len(abs.DBClusterAutomatedBackups) != 0 {
		t.Errorf("retained backup still there after its retention: %+v", abs.DBClusterAutomatedBackups)
	}
}
