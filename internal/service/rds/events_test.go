package rds_test

import (
	"slices"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

func eventMessages(t *testing.T, h *kittest.Harness, in *rdsapi.DescribeEventsMessage) []string {
	t.Helper()
	out := kittest.Must[*rdsapi.EventsMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeEvents, in))
	var msgs []string
	for _, e := range out.Events {
		msgs = append(msgs, *e.SourceType+" "+*e.SourceIdentifier+": "+*e.Message)
	}
	return msgs
}

// TestEvents: the events of an instance's life and of its snapshots and copies, by
// source type and identifier, category and time window.
func TestEvents(t *testing.T) {
	h := alone(t, kittest.NewKeyRing(), kittest.WithTransitionDelay(time.Minute))
	in := seedInstance("evdb")
	in.PreferredBackupWindow = new("20:00-20:30") // no daily backup during the test's first hours
	kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, in))
	h.Advance(5 * time.Minute)
	kittest.Must[*rdsapi.CreateDBSnapshotResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBSnapshot, &rdsapi.CreateDBSnapshotMessage{DBInstanceIdentifier: new("evdb"), DBSnapshotIdentifier: new("evsnap")}))
	h.Advance(5 * time.Minute)
	kittest.Must[*rdsapi.CopyDBSnapshotResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCopyDBSnapshot, &rdsapi.CopyDBSnapshotMessage{SourceDBSnapshotIdentifier: new("evsnap"), TargetDBSnapshotIdentifier: new("evcopy")}))
	h.Advance(5 * time.Minute)

	got := eventMessages(t, h, &rdsapi.DescribeEventsMessage{SourceType: new("db-instance"), SourceIdentifier: new("EVDB")})
	want := []string{"db-instance evdb: Backing up DB instance", "db-instance evdb: Finished DB Instance backup", "db-instance evdb: DB instance created"}
	if !slices.Equal(got, want) {
		t.Errorf("instance events = %q, want %q", got, want)
	}
	got = eventMessages(t, h, &rdsapi.DescribeEventsMessage{SourceType: new("db-snapshot")})
	want = []string{"db-snapshot rds:evdb-2026-01-02-03-06: Creating automated snapshot", "db-snapshot rds:evdb-2026-01-02-03-06: Automated snapshot created",
		"db-snapshot evsnap: Creating manual snapshot", "db-snapshot evsnap: Manual snapshot created",
		"db-snapshot evcopy: Started copy of snapshot evsnap from us-east-1", "db-snapshot evcopy: Finished copy of snapshot evsnap from us-east-1"}
	if !slices.Equal(got, want) {
		t.Errorf("snapshot events = %q, want %q", got, want)
	}
	if got := eventMessages(t, h, &rdsapi.DescribeEventsMessage{EventCategories: []string{"backup"}}); len(got) != 2 {
		t.Errorf("backup events = %q", got)
	}

	h.Advance(2 * time.Hour)
	if got := eventMessages(t, h, &rdsapi.DescribeEventsMessage{}); len(got) != 0 {
		t.Errorf("the last hour's events = %q", got)
	}
	if got := eventMessages(t, h, &rdsapi.DescribeEventsMessage{Duration: new(int64(24 * 60))}); len(got) != 9 {
		t.Errorf("the last day's events = %q", got)
	}
	start := kittest.Epoch.Add(4 * time.Minute)
	if got := eventMessages(t, h, &rdsapi.DescribeEventsMessage{StartTime: &start, EndTime: new(start.Add(3 * time.Minute))}); len(got) != 2 {
		t.Errorf("events from 4 to 7 minutes = %q", got)
	}
	_, err := kittest.Call(h, "us-east-1", rdsapi.OpDescribeEvents, &rdsapi.DescribeEventsMessage{SourceIdentifier: new("evdb")})
	wantFault(t, err, "InvalidParameterCombination", "If SourceIdentifier is supplied, SourceType must also be provided.")
	h.Advance(15 * 24 * time.Hour)
	if got := eventMessages(t, h, &rdsapi.DescribeEventsMessage{StartTime: &kittest.Epoch}); slices.Contains(got, "db-instance evdb: DB instance created") {
		t.Errorf("events older than 14 days are kept: %q", got)
	}
}

// TestReplicationEvents: starting and stopping the replication of an instance's automated
// backups are events of the source instance, in its Region.
func TestReplicationEvents(t *testing.T) {
	h := alone(t, kittest.NewKeyRing())
	kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, seedInstance("src")))
	h.Advance(time.Minute)
	srcARN := "arn:aws:rds:us-east-1:" + kittest.Account + ":db:src"
	kittest.Must[*rdsapi.StartDBInstanceAutomatedBackupsReplicationResult](t)(kittest.Call(h, "us-west-2", rdsapi.OpStartDBInstanceAutomatedBackupsReplication,
		&rdsapi.StartDBInstanceAutomatedBackupsReplicationMessage{SourceDBInstanceArn: new(srcARN)}))
	h.Advance(time.Minute)
	kittest.Must[*rdsapi.StopDBInstanceAutomatedBackupsReplicationResult](t)(kittest.Call(h, "us-west-2", rdsapi.OpStopDBInstanceAutomatedBackupsReplication,
		&rdsapi.StopDBInstanceAutomatedBackupsReplicationMessage{SourceDBInstanceArn: new(srcARN)}))
	got := eventMessages(t, h, &rdsapi.DescribeEventsMessage{SourceType: new("db-instance"), SourceIdentifier: new("src"), EventCategories: []string{"backup"}})
	want := []string{"db-instance src: Backing up DB instance", "db-instance src: Finished DB Instance backup",
		"db-instance src: Starting replication of automated backups to Region us-west-2", "db-instance src: Stopped replication of automated backups to Region us-west-2"}
	if !slices.Equal(got, want) {
		t.Errorf("backup events of the source = %q, want %q", got, want)
	}
}
