package rds_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// windowEnds is where the instance's window, its automated backup's and the replica's in
// us-west-2 end now.
func (e *env) windowEnds(t *testing.T, id, replicaARN string) (inst, own, replica time.Time) {
	t.Helper()
	return aws.ToTime(e.describe(t, e.East, id).LatestRestorableTime),
		aws.ToTime(e.ownBackup(t, e.East, id).RestoreWindow.LatestTime),
		aws.ToTime(e.backupByARN(t, e.West, replicaARN).RestoreWindow.LatestTime)
}

func TestStoppedInstanceWindowStops(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, postgres("paused")))
	e.advance(2 * time.Minute)
	src := e.describe(t, e.East, "paused")
	replicaARN := aws.ToString(e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn}).DBInstanceAutomatedBackupsArn)
	e.advance(time.Minute)
	e.advance(2 * time.Hour)

	xtest.Must[*rds.StopDBInstanceOutput](t)(e.East.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("paused")}))
	e.advance(time.Minute)
	if s := e.status(t, e.East, "paused"); s != "stopped" {
		t.Fatalf("status %s, want stopped", s)
	}
	frozen, own, replica := e.windowEnds(t, "paused", replicaARN)
	if !own.Equal(frozen) || !replica.Equal(frozen) {
		t.Fatalf("at the stop the windows end at %s (instance), %s (automated backup), %s (replica)", frozen, own, replica)
	}

	// Five hours stopped, with the replication sync running meanwhile: nothing moves.
	e.advance(5 * time.Hour)
	inst, own, replica := e.windowEnds(t, "paused", replicaARN)
	if !inst.Equal(frozen) || !own.Equal(frozen) || !replica.Equal(frozen) {
		t.Fatalf("five hours after the stop the windows end at %s (instance), %s (automated backup), %s (replica), want %s", inst, own, replica, frozen)
	}

	// A restore to an instant while it is stopped is refused like one outside the window,
	// from the instance, its DbiResourceId, and the replica; the last upload before the
	// stop can still be restored to.
	stoppedTime := aws.Time(frozen.Add(2 * time.Hour))
	refused := func(when string) {
		t.Helper()
		for name, c := range map[string]struct {
			client *rds.Client
			in     rds.RestoreDBInstanceToPointInTimeInput
		}{
			"instance": {e.East, rds.RestoreDBInstanceToPointInTimeInput{SourceDBInstanceIdentifier: aws.String("paused")}},
			"dbi":      {e.East, rds.RestoreDBInstanceToPointInTimeInput{SourceDbiResourceId: src.DbiResourceId}},
			"replica":  {e.West, rds.RestoreDBInstanceToPointInTimeInput{SourceDBInstanceAutomatedBackupsArn: aws.String(replicaARN)}},
		} {
			c.in.TargetDBInstanceIdentifier, c.in.RestoreTime = aws.String("into-the-gap"), stoppedTime
			_, err := c.client.RestoreDBInstanceToPointInTime(ctx, &c.in)
			if err == nil {
				t.Errorf("%s: restore from the %s to %s succeeded", when, name, stoppedTime)
				continue
			}
			wantErr(t, err, "InvalidRestoreFault", 400, "is outside the restorable window of DB instance paused")
		}
	}
	refused("while stopped")
	xtest.Must[*rds.RestoreDBInstanceToPointInTimeOutput](t)(e.West.RestoreDBInstanceToPointInTime(ctx, &rds.RestoreDBInstanceToPointInTimeInput{
		SourceDBInstanceAutomatedBackupsArn: aws.String(replicaARN), TargetDBInstanceIdentifier: aws.String("at-the-stop"), RestoreTime: aws.Time(frozen),
	}))

	// Started again, the windows go on from where they were.
	xtest.Must[*rds.StartDBInstanceOutput](t)(e.East.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String("paused")}))
	e.advance(time.Minute)
	if s := e.status(t, e.East, "paused"); s != "available" {
		t.Fatalf("status %s, want available", s)
	}
	// Until the first upload after the start, the window stays where the stop left it.
	if inst, _, _ := e.windowEnds(t, "paused", replicaARN); !inst.Equal(frozen) && inst.Sub(frozen) < 5*time.Hour {
		t.Fatalf("just after the start the window ends at %s, inside the stopped span after %s", inst, frozen)
	}
	e.advance(2 * time.Hour)
	inst, own, replica = e.windowEnds(t, "paused", replicaARN)
	if d := inst.Sub(frozen); d < 7*time.Hour || d > 7*time.Hour+logGrace {
		t.Errorf("two hours after the start the instance's window ends %s after the stop's", d)
	}
	if !own.Equal(inst) || !replica.Equal(inst) {
		t.Errorf("after the start the windows end at %s (instance), %s (automated backup), %s (replica)", inst, own, replica)
	}

	// Running again, the window covers the stopped span: an instant in it restores to
	// the state the instance stopped in.
	if w := e.ownBackup(t, e.East, "paused").RestoreWindow; !w.EarliestTime.Before(*stoppedTime) || !w.LatestTime.After(*stoppedTime) {
		t.Fatalf("the stopped instant %s is not inside the window %s..%s", stoppedTime, w.EarliestTime, w.LatestTime)
	}
	xtest.Must[*rds.RestoreDBInstanceToPointInTimeOutput](t)(e.East.RestoreDBInstanceToPointInTime(ctx, &rds.RestoreDBInstanceToPointInTimeInput{
		SourceDBInstanceIdentifier: aws.String("paused"), TargetDBInstanceIdentifier: aws.String("in-the-stop"), RestoreTime: stoppedTime,
	}))
	xtest.Must[*rds.RestoreDBInstanceToPointInTimeOutput](t)(e.East.RestoreDBInstanceToPointInTime(ctx, &rds.RestoreDBInstanceToPointInTimeInput{
		SourceDBInstanceIdentifier: aws.String("paused"), TargetDBInstanceIdentifier: aws.String("after-the-start"), RestoreTime: aws.Time(inst.Add(-time.Hour)),
	}))
	xtest.Must[*rds.RestoreDBInstanceToPointInTimeOutput](t)(e.West.RestoreDBInstanceToPointInTime(ctx, &rds.RestoreDBInstanceToPointInTimeInput{
		SourceDBInstanceAutomatedBackupsArn: aws.String(replicaARN), TargetDBInstanceIdentifier: aws.String("after-the-start"), RestoreTime: aws.Time(inst.Add(-time.Hour)),
	}))
}

// An instance deleted while stopped keeps, retained, the window it had when it stopped.
func TestInstanceDeletedWhileStoppedRetainsItsWindow(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, postgres("gone")))
	e.advance(2 * time.Minute)
	e.advance(time.Hour)
	xtest.Must[*rds.StopDBInstanceOutput](t)(e.East.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("gone")}))
	e.advance(time.Minute)
	frozen := aws.ToTime(e.describe(t, e.East, "gone").LatestRestorableTime)
	e.advance(3 * time.Hour)
	xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{
		DBInstanceIdentifier: aws.String("gone"), SkipFinalSnapshot: aws.Bool(true), DeleteAutomatedBackups: aws.Bool(false),
	}))
	e.advance(time.Minute)
	b := e.ownBackup(t, e.East, "gone")
	if aws.ToString(b.Status) != "retained" || !aws.ToTime(b.RestoreWindow.LatestTime).Equal(frozen) {
		t.Fatalf("retained backup is %s with its window ending at %s, want %s", aws.ToString(b.Status), aws.ToTime(b.RestoreWindow.LatestTime), frozen)
	}
}

// A replica whose Region was unreachable when its source stopped stops where the source
// did once it can see it again, without waiting for the hourly sync.
func TestReplicaWindowStopsAtAStopDuringAnOutage(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, postgres("cut")))
	e.advance(2 * time.Minute)
	src := e.describe(t, e.East, "cut")
	replicaARN := aws.ToString(e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn}).DBInstanceAutomatedBackupsArn)
	e.advance(time.Minute)
	e.advance(time.Hour)

	e.SetUnreachable("us-west-2", true)
	e.advance(30 * time.Minute)
	xtest.Must[*rds.StopDBInstanceOutput](t)(e.East.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("cut")}))
	e.advance(time.Minute)
	e.advance(2 * time.Hour)
	e.SetUnreachable("us-west-2", false)

	inst, _, replica := e.windowEnds(t, "cut", replicaARN)
	if !replica.Equal(inst) {
		t.Fatalf("after the outage the replica's window ends at %s, the stopped source's at %s", replica, inst)
	}
	e.advance(3 * time.Hour)
	if _, _, later := e.windowEnds(t, "cut", replicaARN); !later.Equal(inst) {
		t.Fatalf("three hours later the replica's window ends at %s, the stopped source's at %s", later, inst)
	}
}
