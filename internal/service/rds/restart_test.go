package rds_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// TestTransitionsSurviveRestart: an instance being created and a replication being
// started when the server stops finish after it starts again on the same data directory.
func TestTransitionsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	e := start(t, servertest.WithDataDir(dir))
	src := e.create(t, e.East, postgres("durable"))
	e.WaitIdle()
	if got := e.status(t, e.East, "durable"); got != "available" {
		t.Fatalf("source is %s", got)
	}
	stop := func(e *env) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := e.Server.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	}
	stop(e)

	// Restart with transitions that take an hour, and stop in the middle of them.
	slow := start(t, servertest.WithDataDir(dir), servertest.WithTransitionDelay(time.Hour))
	created := xtest.Must[*rds.CreateDBInstanceOutput](t)(slow.East.CreateDBInstance(ctx, postgres("in-flight")))
	if got := aws.ToString(created.DBInstance.DBInstanceStatus); got != "creating" {
		t.Fatalf("new instance is %s", got)
	}
	rep := xtest.Must[*rds.StartDBInstanceAutomatedBackupsReplicationOutput](t)(slow.West.StartDBInstanceAutomatedBackupsReplication(ctx,
		&rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn}))
	arn := aws.ToString(rep.DBInstanceAutomatedBackup.DBInstanceAutomatedBackupsArn)
	stop(slow)

	again := start(t, servertest.WithDataDir(dir), servertest.WithTransitionDelay(time.Hour))
	if got := again.status(t, again.East, "in-flight"); got != "creating" {
		t.Fatalf("after the restart the instance is %s", got)
	}
	if got := aws.ToString(again.backupByARN(t, again.West, arn).Status); got != "pending" {
		t.Fatalf("after the restart the replication is %s", got)
	}
	again.advance(3 * time.Hour)
	if got := again.status(t, again.East, "in-flight"); got != "available" {
		t.Errorf("the resumed creation left the instance %s", got)
	}
	if got := aws.ToString(again.backupByARN(t, again.West, arn).Status); got != "replicating" {
		t.Errorf("the resumed replication is %s", got)
	}
}
