package rds_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// instanceEvents lists the messages and dates of a DB instance's events of a category in
// the last day.
func instanceEvents(t *testing.T, c *rds.Client, id, category string) ([]string, []time.Time) {
	t.Helper()
	out := xtest.Must[*rds.DescribeEventsOutput](t)(c.DescribeEvents(ctx, &rds.DescribeEventsInput{
		SourceType: types.SourceTypeDbInstance, SourceIdentifier: aws.String(id), EventCategories: []string{category}, Duration: aws.Int32(24 * 60),
	}))
	var msgs []string
	var dates []time.Time
	for _, ev := range out.Events {
		msgs, dates = append(msgs, aws.ToString(ev.Message)), append(dates, aws.ToTime(ev.Date))
	}
	return msgs, dates
}

// TestReplicationStoppedAndResumedEvents: a Region made unreachable stops the
// cross-Region read replica and the automated backup replication into us-west-2, and
// DescribeEvents says so, dated when the outage began; its return resumes both.
func TestReplicationStoppedAndResumedEvents(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	in := postgres("mydb")
	in.StorageEncrypted = aws.Bool(true)
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	e.advance(2 * time.Minute)
	src := e.describe(t, e.East, "mydb")
	key := e.kmsKey(t, e.kmsWest)
	rin := replicaInput("dr", aws.ToString(src.DBInstanceArn))
	rin.KmsKeyId, rin.SourceRegion = aws.String(key), aws.String("us-east-1")
	e.replica(t, e.West, rin)
	e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(key)})
	e.advance(3 * time.Minute)
	before, _ := instanceEvents(t, e.West, "dr", "read replica")

	e.SetUnreachable("us-east-1", true)
	e.advance(90 * time.Minute) // the hourly watch has seen it
	msgs, dates := instanceEvents(t, e.West, "dr", "read replica")
	stopped := slices.Index(msgs, "Replication has stopped.")
	if stopped < 0 || len(msgs) != len(before)+1 {
		t.Fatalf("read replica events during the outage: %v", msgs)
	}
	stoppedAt := dates[stopped]
	msgs, _ = instanceEvents(t, e.East, "mydb", "backup")
	if !slices.Contains(msgs, "Replication of automated backups to Region us-west-2 has stopped: the Region is unreachable.") {
		t.Fatalf("source's backup events during the outage: %v", msgs)
	}

	e.SetUnreachable("us-east-1", false)
	e.advance(2 * time.Minute)
	msgs, dates = instanceEvents(t, e.West, "dr", "read replica")
	if len(msgs) != len(before)+2 || msgs[len(msgs)-1] != "Replication for the Read Replica resumed." {
		t.Fatalf("read replica events after the outage: %v", msgs)
	}
	// The stop is dated when the outage began, 90 minutes before its end was seen.
	if d := dates[len(dates)-1].Sub(stoppedAt); d < 90*time.Minute || d > 92*time.Minute {
		t.Errorf("stopped at %v, resumed at %v", stoppedAt, dates[len(dates)-1])
	}
	msgs, _ = instanceEvents(t, e.East, "mydb", "backup")
	if msgs[len(msgs)-1] != "Replication of automated backups to Region us-west-2 resumed." {
		t.Fatalf("source's backup events after the outage: %v", msgs)
	}
	// Quiet hours add nothing.
	e.advance(time.Hour)
	if again, _ := instanceEvents(t, e.West, "dr", "read replica"); len(again) != len(before)+2 {
		t.Fatalf("events without an outage: %v", again)
	}
}

// TestOutagesBetweenWatchRunsAreRecorded: outages that begin and end between two hourly
// runs of the watch still stop and resume the cross-Region read replica and the backup
// replication in DescribeEvents, dated at the faults' times; overlapping outages of the
// two Regions are one stop.
func TestOutagesBetweenWatchRunsAreRecorded(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	now := func() time.Time { return e.Server.Engine().Clock().Now() }
	t0 := now()
	in := postgres("mydb")
	in.StorageEncrypted = aws.Bool(true)
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	e.advance(2 * time.Minute)
	src := e.describe(t, e.East, "mydb")
	key := e.kmsKey(t, e.kmsWest)
	rin := replicaInput("dr", aws.ToString(src.DBInstanceArn))
	rin.KmsKeyId, rin.SourceRegion = aws.String(key), aws.String("us-east-1")
	e.replica(t, e.West, rin)
	e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(key)})
	// The watch runs every hour from when the replica was asked for (t0 + 2'): at t0 +
	// 62' and t0 + 122', and no run falls in the outages below.
	e.advance(t0.Add(65 * time.Minute).Sub(now()))
	before, _ := instanceEvents(t, e.West, "dr", "read replica")
	sourceBefore, _ := instanceEvents(t, e.East, "mydb", "backup")

	outage := func(region string, from, to time.Duration) {
		e.advance(t0.Add(from).Sub(now()))
		e.SetUnreachable(region, true)
		e.advance(t0.Add(to).Sub(now()))
		e.SetUnreachable(region, false)
	}
	outage("us-east-1", 70*time.Minute, 75*time.Minute)
	// us-west-2 goes down while us-east-1 is: one stop from 80' to 88'.
	e.advance(t0.Add(80 * time.Minute).Sub(now()))
	e.SetUnreachable("us-east-1", true)
	e.advance(3 * time.Minute)
	e.SetUnreachable("us-west-2", true)
	e.advance(2 * time.Minute)
	e.SetUnreachable("us-east-1", false)
	e.advance(3 * time.Minute)
	e.SetUnreachable("us-west-2", false)
	e.advance(t0.Add(130 * time.Minute).Sub(now())) // past the run at 122'

	wantAt := func(dates []time.Time, minutes ...int) {
		t.Helper()
		for i, m := range minutes {
			// The server's clock also runs in real time: a second's slack.
			if d := dates[i].Sub(t0.Add(time.Duration(m) * time.Minute)); d < 0 || d > time.Second {
				t.Errorf("event %d dated %v, want t0 + %d'", i, dates[i].Sub(t0), m)
			}
		}
	}
	msgs, dates := instanceEvents(t, e.West, "dr", "read replica")
	msgs, dates = msgs[len(before):], dates[len(before):]
	want := []string{"Replication has stopped.", "Replication for the Read Replica resumed.", "Replication has stopped.", "Replication for the Read Replica resumed."}
	if !slices.Equal(msgs, want) {
		t.Fatalf("read replica events: %v, want %v", msgs, want)
	}
	wantAt(dates, 70, 75, 80, 88)
	msgs, dates = instanceEvents(t, e.East, "mydb", "backup")
	msgs, dates = msgs[len(sourceBefore):], dates[len(sourceBefore):]
	stopped, resumed := "Replication of automated backups to Region us-west-2 has stopped: the Region is unreachable.", "Replication of automated backups to Region us-west-2 resumed."
	if !slices.Equal(msgs, []string{stopped, resumed, stopped, resumed}) {
		t.Fatalf("source's backup events: %v", msgs)
	}
	wantAt(dates, 70, 75, 80, 88)
	// The next runs replay nothing again.
	e.advance(2 * time.Hour)
	if again, _ := instanceEvents(t, e.West, "dr", "read replica"); len(again) != len(before)+4 {
		t.Fatalf("events replayed: %v", again)
	}
}
