package dynamodb_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// addReplica makes a replica of table in region and waits for both to be ACTIVE.
func addReplica(t *testing.T, e *env, c *dynamodb.Client, table, region string) {
	t.Helper()
	out := xtest.Must[*dynamodb.UpdateTableOutput](t)(c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(table),
		ReplicaUpdates: []types.ReplicationGroupUpdate{{Create: &types.CreateReplicationGroupMemberAction{RegionName: aws.String(region)}}}}))
	if out.TableDescription.TableStatus != types.TableStatusUpdating || len(out.TableDescription.Replicas) != 1 ||
		out.TableDescription.Replicas[0].ReplicaStatus != types.ReplicaStatusCreating {
		t.Errorf("UpdateTable(ReplicaUpdates) = %s %+v", out.TableDescription.TableStatus, out.TableDescription.Replicas)
	}
	d := waitActive(t, c, table)
	if len(d.Replicas) != 1 || d.Replicas[0].ReplicaStatus != types.ReplicaStatusActive || *d.GlobalTableVersion != "2019.11.21" {
		t.Errorf("replicas = %+v", d.Replicas)
	}
	waitActive(t, e.In(region), table)
}

// eventually polls until the item with pk in c's table satisfies ok.
func eventually(t *testing.T, c *dynamodb.Client, table, pk string, ok func(map[string]types.AttributeValue) bool) {
	t.Helper()
	xtest.CheckFor(t, 10*time.Second, func() error {
		if got := get(t, c, table, item("pk", s(pk))); !ok(got) {
			return fmt.Errorf("%s is %v", pk, got)
		}
		return nil
	})
}

func TestGlobalTable(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Second))
	createTable(t, e.East, "profiles", false)
	e.Advance(time.Second)
	put(t, e.East, "profiles", item("pk", s("early"), "v", s("before the replica")))
	addReplica(t, e, e.East, "profiles", "us-west-2")
	eventually(t, e.West, "profiles", "early", func(it map[string]types.AttributeValue) bool { return str(it, "v") == "before the replica" })

	// A write in one Region reaches the other after the replication latency.
	put(t, e.East, "profiles", item("pk", s("u1"), "v", s("east")))
	if get(t, e.West, "profiles", item("pk", s("u1"))) != nil {
		t.Error("a write reached the replica before the replication latency")
	}
	e.Advance(time.Second)
	eventually(t, e.West, "profiles", "u1", func(it map[string]types.AttributeValue) bool { return str(it, "v") == "east" })
	put(t, e.West, "profiles", item("pk", s("u2"), "v", s("west")))
	e.Advance(time.Second)
	eventually(t, e.East, "profiles", "u2", func(it map[string]types.AttributeValue) bool { return str(it, "v") == "west" })

	// Last writer wins: the later write, wherever it was made.
	put(t, e.West, "profiles", item("pk", s("u3"), "v", s("first")))
	e.Advance(time.Millisecond)
	put(t, e.East, "profiles", item("pk", s("u3"), "v", s("second")))
	e.Advance(time.Second)
	for _, c := range []*dynamodb.Client{e.East, e.West} {
		eventually(t, c, "profiles", "u3", func(it map[string]types.AttributeValue) bool { return str(it, "v") == "second" })
	}

	// Deletions replicate.
	xtest.Must[*dynamodb.DeleteItemOutput](t)(e.West.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("profiles"), Key: item("pk", s("u1"))}))
	e.Advance(time.Second)
	eventually(t, e.East, "profiles", "u1", func(it map[string]types.AttributeValue) bool { return it == nil })

	// An unreachable Region stops replication; it catches up when it returns.
	e.SetUnreachable("us-west-2", true)
	for i := range 5 {
		put(t, e.East, "profiles", item("pk", s(fmt.Sprintf("down%d", i)), "v", s("while away")))
	}
	e.Advance(10 * time.Minute)
	if got := get(t, e.West, "profiles", item("pk", s("down0"))); got != nil {
		t.Errorf("replication crossed to an unreachable Region: %v", got)
	}
	e.SetUnreachable("us-west-2", false)
	e.Advance(10 * time.Minute)
	for i := range 5 {
		eventually(t, e.West, "profiles", fmt.Sprintf("down%d", i), func(it map[string]types.AttributeValue) bool { return str(it, "v") == "while away" })
	}

	// Removing the replica deletes its table.
	xtest.Must[*dynamodb.UpdateTableOutput](t)(e.East.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("profiles"),
		ReplicaUpdates: []types.ReplicationGroupUpdate{{Delete: &types.DeleteReplicationGroupMemberAction{RegionName: aws.String("us-west-2")}}}}))
	e.Advance(time.Second)
	xtest.CheckFor(t, 10*time.Second, func() error {
		d := waitActive(t, e.East, "profiles")
		if len(d.Replicas) != 0 {
			return fmt.Errorf("replicas %+v", d.Replicas)
		}
		if _, err := e.West.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("profiles")}); err == nil {
			return fmt.Errorf("the replica table is still there")
		}
		return nil
	})
}

func TestReplicaChecks(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "solo", false)
	_, err := e.East.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("solo"),
		ReplicaUpdates: []types.ReplicationGroupUpdate{{Delete: &types.DeleteReplicationGroupMemberAction{RegionName: aws.String("eu-west-1")}}}})
	xtest.WantClientError(t, err, "ValidationException", "Replica specified in the Replica Update or Replica Delete action of the request was not found: eu-west-1")
	createTable(t, e.West, "solo", false)
	_, err = e.East.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("solo"),
		ReplicaUpdates: []types.ReplicationGroupUpdate{{Create: &types.CreateReplicationGroupMemberAction{RegionName: aws.String("us-west-2")}}}})
	xtest.WantClientError(t, err, "ValidationException", "Failed to create a the new replica of table with name: 'solo' because one or more replicas already existed as tables.")
}

// ttlStatus reads a table's TTL status and attribute in one Region.
func ttlStatus(t *testing.T, c *dynamodb.Client, table string) (types.TimeToLiveStatus, string) {
	t.Helper()
	d := xtest.Must[*dynamodb.DescribeTimeToLiveOutput](t)(c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)}))
	return d.TimeToLiveDescription.TimeToLiveStatus, aws.ToString(d.TimeToLiveDescription.AttributeName)
}

// waitTTL polls until the table's TTL is want in every client's Region.
func waitTTL(t *testing.T, table string, want types.TimeToLiveStatus, cs ...*dynamodb.Client) {
	t.Helper()
	for _, c := range cs {
		xtest.CheckFor(t, 10*time.Second, func() error {
			if got, _ := ttlStatus(t, c, table); got != want {
				return fmt.Errorf("TTL is %s, want %s", got, want)
			}
			return nil
		})
	}
}

func TestGlobalTableTimeToLive(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Second))
	createTable(t, e.East, "sessions", false)
	e.Advance(time.Second)
	addReplica(t, e, e.East, "sessions", "us-west-2")

	// A TTL change made in the replica's Region reaches the other Region.
	xtest.Must[*dynamodb.UpdateTimeToLiveOutput](t)(e.West.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("sessions"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}}))
	if got, _ := ttlStatus(t, e.East, "sessions"); got != types.TimeToLiveStatusDisabled {
		t.Errorf("the change reached the other Region before the replication latency: %s", got)
	}
	e.Advance(time.Second)
	e.Advance(time.Second)
	waitTTL(t, "sessions", types.TimeToLiveStatusEnabled, e.West, e.East)
	if _, name := ttlStatus(t, e.East, "sessions"); name != "exp" {
		t.Errorf("the replicated TTL attribute is %q", name)
	}

	now := e.Server.Engine().Clock().Now().Unix()
	put(t, e.East, "sessions", item("pk", s("old"), "exp", n(fmt.Sprint(now-10))))
	put(t, e.East, "sessions", item("pk", s("fresh"), "exp", n(fmt.Sprint(now+86400))))
	e.Advance(time.Second)
	eventually(t, e.West, "sessions", "old", func(it map[string]types.AttributeValue) bool { return it != nil })

	// The expired item is deleted where it was written; the replica loses it only as a
	// replicated delete, so not while that Region is unreachable, though it sweeps too.
	e.SetUnreachable("us-east-1", true)
	e.Advance(7 * time.Hour)
	eventually(t, e.East, "sessions", "old", func(it map[string]types.AttributeValue) bool { return it == nil })
	if get(t, e.West, "sessions", item("pk", s("old"))) == nil {
		t.Error("the replica deleted an item another Region wrote: TTL deletes are replicated")
	}
	e.SetUnreachable("us-east-1", false)
	e.Advance(10 * time.Minute)
	eventually(t, e.West, "sessions", "old", func(it map[string]types.AttributeValue) bool { return it == nil })
	for _, c := range []*dynamodb.Client{e.East, e.West} {
		if get(t, c, "sessions", item("pk", s("fresh"))) == nil {
			t.Error("an item that has not expired was deleted")
		}
	}

	// Disabling, here in the first Region, reaches the replica too.
	xtest.Must[*dynamodb.UpdateTimeToLiveOutput](t)(e.East.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("sessions"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(false)}}))
	e.Advance(time.Second)
	e.Advance(time.Second)
	waitTTL(t, "sessions", types.TimeToLiveStatusDisabled, e.East, e.West)
}

func TestReplicaInheritsTimeToLive(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "carts", false)
	xtest.Must[*dynamodb.UpdateTimeToLiveOutput](t)(e.East.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("carts"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("until"), Enabled: aws.Bool(true)}}))
	waitTTL(t, "carts", types.TimeToLiveStatusEnabled, e.East)
	addReplica(t, e, e.East, "carts", "us-west-2")
	waitTTL(t, "carts", types.TimeToLiveStatusEnabled, e.West)

	// The new replica sweeps what it writes.
	now := e.Server.Engine().Clock().Now().Unix()
	put(t, e.West, "carts", item("pk", s("stale"), "until", n(fmt.Sprint(now-1))))
	e.Advance(7 * time.Hour)
	for _, c := range []*dynamodb.Client{e.West, e.East} {
		eventually(t, c, "carts", "stale", func(it map[string]types.AttributeValue) bool { return it == nil })
	}
}
