package dynamodb_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// TestGlobalTableSurvivesRestart: items, and their replication still in flight when the
// server stops, are there on the next start from the same data directory.
func TestGlobalTableSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	first := start(t, servertest.WithDataDir(dir), servertest.WithTransitionDelay(time.Minute))
	xtest.Must[*dynamodb.CreateTableOutput](t)(first.East.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("durable"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: "S"}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}}))
	first.Advance(time.Minute)
	xtest.Must[*dynamodb.UpdateTableOutput](t)(first.East.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("durable"),
		ReplicaUpdates: []types.ReplicationGroupUpdate{{Create: &types.CreateReplicationGroupMemberAction{RegionName: aws.String("us-west-2")}}}}))
	first.Advance(time.Minute)
	waitActive(t, first.West, "durable")
	put(t, first.East, "durable", item("pk", s("kept"), "v", s("in flight")))
	stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := first.Server.Shutdown(stopCtx); err != nil {
		t.Fatal(err)
	}

	second := start(t, servertest.WithDataDir(dir), servertest.WithTransitionDelay(time.Minute))
	if got := get(t, second.East, "durable", item("pk", s("kept"))); str(got, "v") != "in flight" {
		t.Fatalf("after the restart us-east-1 holds %v", got)
	}
	if got := get(t, second.West, "durable", item("pk", s("kept"))); got != nil {
		t.Fatalf("the item reached the replica before its replication ran: %v", got)
	}
	second.Advance(time.Minute)
	xtest.CheckFor(t, 10*time.Second, func() error {
		if get(t, second.West, "durable", item("pk", s("kept"))) == nil {
			return context.DeadlineExceeded
		}
		return nil
	})
}
