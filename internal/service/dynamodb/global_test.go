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
