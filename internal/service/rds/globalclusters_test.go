package rds_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

func (e *env) global(t *testing.T, id string) *types.GlobalCluster {
	t.Helper()
	out := xtest.Must[*rds.DescribeGlobalClustersOutput](t)(e.West.DescribeGlobalClusters(ctx, &rds.DescribeGlobalClustersInput{GlobalClusterIdentifier: aws.String(id)}))
	return &out.GlobalClusters[0]
}

// writerRegion is the Region of the global cluster's writer, and the synchronisation
// status of each secondary by Region.
func writerRegion(g *types.GlobalCluster) (string, map[string]string) {
	writer, sync := "", map[string]string{}
	for _, m := range g.GlobalClusterMembers {
		region := strings.Split(aws.ToString(m.DBClusterArn), ":")[3]
		if aws.ToBool(m.IsWriter) {
			writer = region
		} else {
			sync[region] = string(m.SynchronizationStatus)
		}
	}
	return writer, sync
}

// globalDatabase is a primary in us-east-1, made global, and a secondary in us-west-2.
func globalDatabase(t *testing.T, e *env) {
	t.Helper()
	primary := e.createCluster(t, e.East, auroraCluster("app-east"), "app-east-1")
	xtest.Must[*rds.CreateGlobalClusterOutput](t)(e.East.CreateGlobalCluster(ctx, &rds.CreateGlobalClusterInput{
		GlobalClusterIdentifier: aws.String("app"), SourceDBClusterIdentifier: primary.DBClusterArn}))
	secondary := &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String("app-west"), Engine: aws.String("aurora-postgresql"), EngineVersion: aws.String("15.4"),
		GlobalClusterIdentifier: aws.String("app"), StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String(e.kmsKey(t, e.kmsWest)),
	}
	withUser := *secondary
	withUser.MasterUsername = aws.String("postgres")
	_, err := e.West.CreateDBCluster(ctx, &withUser)
	wantErr(t, err, "InvalidParameterCombination", 400, "secondary cluster")
	e.createCluster(t, e.West, secondary, "app-west-1")
}

func TestGlobalDatabaseFailoverWithDataLoss(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	globalDatabase(t, e)
	g := e.global(t, "app")
	if w, sync := writerRegion(g); w != "us-east-1" || sync["us-west-2"] != "connected" || len(g.GlobalClusterMembers[0].Readers) != 1 {
		t.Fatalf("writer %s, secondaries %v, members %+v", w, sync, g.GlobalClusterMembers)
	}
	west := e.cluster(t, e.West, "app-west")
	if writerOf(west) != "" || aws.ToString(west.MasterUsername) != "postgres" || aws.ToString(west.GlobalClusterIdentifier) != "app" {
		t.Errorf("secondary: writer %q, user %q, global %q", writerOf(west), aws.ToString(west.MasterUsername), aws.ToString(west.GlobalClusterIdentifier))
	}
	_, err := e.West.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("app-west")})
	wantErr(t, err, "InvalidDBClusterStateFault", 400, "read-only secondary")

	// us-east-1 goes down: replication stops, the secondary's lag grows.
	e.SetUnreachable("us-east-1", true)
	e.advance(10 * time.Minute)
	if _, sync := writerRegion(e.global(t, "app")); sync["us-west-2"] != "pending-resync" {
		t.Errorf("secondary with its primary unreachable is %s", sync["us-west-2"])
	}
	stalled := *e.cluster(t, e.West, "app-west").LatestRestorableTime
	e.advance(30 * time.Minute)
	if got := *e.cluster(t, e.West, "app-west").LatestRestorableTime; !got.Equal(stalled) {
		t.Errorf("the secondary's restorable time moved from %v to %v while its primary was unreachable", stalled, got)
	}
	_, err = e.West.SwitchoverGlobalCluster(ctx, &rds.SwitchoverGlobalClusterInput{GlobalClusterIdentifier: aws.String("app"), TargetDbClusterIdentifier: west.DBClusterArn})
	wantErr(t, err, "InvalidGlobalClusterStateFault", 400, "AllowDataLoss")

	out := xtest.Must[*rds.FailoverGlobalClusterOutput](t)(e.West.FailoverGlobalCluster(ctx, &rds.FailoverGlobalClusterInput{
		GlobalClusterIdentifier: aws.String("app"), TargetDbClusterIdentifier: west.DBClusterArn, AllowDataLoss: aws.Bool(true)}))
	if fs := out.GlobalCluster.FailoverState; aws.ToString(out.GlobalCluster.Status) != "failing-over" || fs == nil || !aws.ToBool(fs.IsDataLossAllowed) {
		t.Fatalf("failover: %s %+v", aws.ToString(out.GlobalCluster.Status), fs)
	}
	e.advance(time.Minute)
	g = e.global(t, "app")
	if w, sync := writerRegion(g); w != "us-west-2" || sync["us-east-1"] != "pending-resync" || g.FailoverState != nil {
		t.Fatalf("after the failover: writer %s, secondaries %v, state %+v", w, sync, g.FailoverState)
	}
	if w := writerOf(e.cluster(t, e.West, "app-west")); w != "app-west-1" {
		t.Errorf("the new primary's writer is %q", w)
	}
	events := xtest.Must[*rds.DescribeEventsOutput](t)(e.West.DescribeEvents(ctx, &rds.DescribeEventsInput{
		SourceType: types.SourceTypeDbCluster, SourceIdentifier: aws.String("app-west")}))
	if !hasEvent(events.Events, "Global failover of global cluster app to DB cluster in Region us-west-2 completed") {
		t.Errorf("events %+v", events.Events)
	}

	// us-east-1 is back: the old primary rejoins as a secondary.
	e.SetUnreachable("us-east-1", false)
	e.advance(time.Hour)
	if w, sync := writerRegion(e.global(t, "app")); w != "us-west-2" || sync["us-east-1"] != "connected" {
		t.Fatalf("after the Region came back: writer %s, secondaries %v", w, sync)
	}
	if w := writerOf(e.cluster(t, e.East, "app-east")); w != "" {
		t.Errorf("the old primary still has writer %q", w)
	}
}

func hasEvent(events []types.Event, prefix string) bool {
	for _, ev := range events {
		if strings.HasPrefix(aws.ToString(ev.Message), prefix) {
			return true
		}
	}
	return false
}

func TestGlobalDatabaseSwitchoverRemoveAndDelete(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	globalDatabase(t, e)
	west := e.cluster(t, e.West, "app-west")
	xtest.Must[*rds.SwitchoverGlobalClusterOutput](t)(e.West.SwitchoverGlobalCluster(ctx, &rds.SwitchoverGlobalClusterInput{
		GlobalClusterIdentifier: aws.String("app"), TargetDbClusterIdentifier: west.DBClusterArn}))
	e.advance(time.Minute)
	if w, sync := writerRegion(e.global(t, "app")); w != "us-west-2" || sync["us-east-1"] != "connected" {
		t.Fatalf("after the switchover: writer %s, secondaries %v", w, sync)
	}

	_, err := e.East.DeleteGlobalCluster(ctx, &rds.DeleteGlobalClusterInput{GlobalClusterIdentifier: aws.String("app")})
	wantErr(t, err, "InvalidGlobalClusterStateFault", 400, "not empty")
	_, err = e.West.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("app-west"), SkipFinalSnapshot: aws.Bool(true)})
	wantErr(t, err, "InvalidDBClusterStateFault", 400, "global cluster")
	_, err = e.West.RemoveFromGlobalCluster(ctx, &rds.RemoveFromGlobalClusterInput{GlobalClusterIdentifier: aws.String("app"), DbClusterIdentifier: west.DBClusterArn})
	wantErr(t, err, "InvalidGlobalClusterStateFault", 400, "secondary clusters")

	east := e.cluster(t, e.East, "app-east")
	xtest.Must[*rds.RemoveFromGlobalClusterOutput](t)(e.East.RemoveFromGlobalCluster(ctx, &rds.RemoveFromGlobalClusterInput{
		GlobalClusterIdentifier: aws.String("app"), DbClusterIdentifier: east.DBClusterArn}))
	if cl := e.cluster(t, e.East, "app-east"); cl.GlobalClusterIdentifier != nil || writerOf(cl) != "app-east-1" {
		t.Errorf("the removed secondary: global %v, writer %q", cl.GlobalClusterIdentifier, writerOf(cl))
	}
	xtest.Must[*rds.RemoveFromGlobalClusterOutput](t)(e.West.RemoveFromGlobalCluster(ctx, &rds.RemoveFromGlobalClusterInput{
		GlobalClusterIdentifier: aws.String("app"), DbClusterIdentifier: west.DBClusterArn}))
	xtest.Must[*rds.DeleteGlobalClusterOutput](t)(e.East.DeleteGlobalCluster(ctx, &rds.DeleteGlobalClusterInput{GlobalClusterIdentifier: aws.String("app")}))
	_, err = e.West.DescribeGlobalClusters(ctx, &rds.DescribeGlobalClustersInput{GlobalClusterIdentifier: aws.String("app")})
	wantErr(t, err, "GlobalClusterNotFoundFault", 404, "")
}

func TestGlobalClusterCreateErrors(t *testing.T) {
	e := start(t)
	_, err := e.East.CreateGlobalCluster(ctx, &rds.CreateGlobalClusterInput{GlobalClusterIdentifier: aws.String("g")})
	wantErr(t, err, "InvalidParameterCombination", 400, "Engine must be specified")
	xtest.Must[*rds.CreateGlobalClusterOutput](t)(e.East.CreateGlobalCluster(ctx, &rds.CreateGlobalClusterInput{
		GlobalClusterIdentifier: aws.String("g"), Engine: aws.String("aurora-postgresql"), EngineVersion: aws.String("15.4")}))
	_, err = e.West.CreateGlobalCluster(ctx, &rds.CreateGlobalClusterInput{GlobalClusterIdentifier: aws.String("g"), Engine: aws.String("aurora-postgresql")})
	wantErr(t, err, "GlobalClusterAlreadyExistsFault", 400, "")
	in := auroraCluster("other-version")
	in.EngineVersion, in.GlobalClusterIdentifier = aws.String("16.6"), aws.String("g")
	_, err = e.East.CreateDBCluster(ctx, in)
	wantErr(t, err, "InvalidParameterCombination", 400, "doesn't match the engine")
	// A new global cluster's first member is its primary, with its own credentials.
	in = auroraCluster("first")
	in.GlobalClusterIdentifier = aws.String("g")
	e.createCluster(t, e.East, in)
	if w, _ := writerRegion(e.global(t, "g")); w != "us-east-1" {
		t.Errorf("the first member's Region %q is not the writer", w)
	}
	tags := xtest.Must[*rds.ListTagsForResourceOutput](t)(e.East.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{
		ResourceName: e.global(t, "g").GlobalClusterArn}))
	if len(tags.TagList) != 0 {
		t.Errorf("tags %v", tags.TagList)
	}
}
