package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/xtest"
)

// TestDynamoDBBoto3PointInTimeRecovery writes two batches of 1,000 items with boto3, an
// hour apart on the server's clock, and restores the table to a time between them: the
// restored table holds exactly the first batch.
func TestDynamoDBBoto3PointInTimeRecovery(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	prelude := `
import boto3, datetime
ddb = boto3.client("dynamodb")
def count(table):
    n = 0
    for page in ddb.get_paginator("scan").paginate(TableName=table, Select="COUNT"):
        n += page["Count"]
    return n
def batch(prefix):
    table = boto3.resource("dynamodb").Table("orders")
    with table.batch_writer() as w:
        for i in range(1000):
            w.put_item(Item={"pk": "%s-%04d" % (prefix, i), "n": i, "batch": prefix})
`
	out := srv.python(t, "us-east-1", prelude+`
ddb.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
ddb.get_waiter("table_exists").wait(TableName="orders", WaiterConfig={"Delay": 1})
ddb.update_continuous_backups(TableName="orders",
    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
batch("first")
print(count("orders"))
`)
	if strings.TrimSpace(out) != "1000" {
		t.Fatalf("after the first batch the table holds %s items", out)
	}
	srv.admin(t, "POST", "clock", `{"advance":"1h"}`, nil)
	var clock struct{ Now time.Time }
	srv.admin(t, "GET", "clock", "", &clock)
	srv.admin(t, "POST", "clock", `{"advance":"1h"}`, nil)
	out = srv.python(t, "us-east-1", prelude+`
batch("second")
print(count("orders"))
`)
	if strings.TrimSpace(out) != "2000" {
		t.Fatalf("after the second batch the table holds %s items", out)
	}
	out = srv.python(t, "us-east-1", prelude+fmt.Sprintf(`
at = datetime.datetime.fromisoformat(%q)
d = ddb.describe_continuous_backups(TableName="orders")["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
assert d["PointInTimeRecoveryStatus"] == "ENABLED", d
assert d["EarliestRestorableDateTime"] < at < d["LatestRestorableDateTime"], d
ddb.restore_table_to_point_in_time(SourceTableName="orders", TargetTableName="orders-then", RestoreDateTime=at)
ddb.get_waiter("table_exists").wait(TableName="orders-then", WaiterConfig={"Delay": 1})
batches = set()
for page in ddb.get_paginator("scan").paginate(TableName="orders-then"):
    for it in page["Items"]:
        batches.add(it["batch"]["S"])
print(count("orders-then"), sorted(batches))
`, clock.Now.Format(time.RFC3339Nano)))
	if strings.TrimSpace(out) != "1000 ['first']" {
		t.Errorf("the table restored between the batches holds %s", out)
	}
}

// TestDynamoDBCLIGlobalTable makes a replica in us-west-2 with the AWS CLI and reads
// there an item written in us-east-1.
func TestDynamoDBCLIGlobalTable(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.aws(t, "dynamodb", "create-table", "--table-name", "carts", "--billing-mode", "PAY_PER_REQUEST",
		"--attribute-definitions", "AttributeName=id,AttributeType=S", "--key-schema", "AttributeName=id,KeyType=HASH")
	waitTable := func(region string, ready func(map[string]any) bool) {
		t.Helper()
		xtest.CheckFor(t, 30*time.Second, func() error {
			var d struct{ Table map[string]any }
			srv.awsJSON(t, region, &d, "dynamodb", "describe-table", "--table-name", "carts")
			if !ready(d.Table) {
				return fmt.Errorf("carts in %s: %v", region, d.Table)
			}
			return nil
		})
	}
	active := func(d map[string]any) bool { return d["TableStatus"] == "ACTIVE" }
	waitTable("us-east-1", active)
	srv.aws(t, "dynamodb", "update-table", "--table-name", "carts", "--replica-updates", `[{"Create":{"RegionName":"us-west-2"}}]`)
	waitTable("us-east-1", func(d map[string]any) bool {
		reps, _ := d["Replicas"].([]any)
		return active(d) && len(reps) == 1 && reps[0].(map[string]any)["ReplicaStatus"] == "ACTIVE"
	})
	waitTable("us-west-2", active)

	srv.aws(t, "dynamodb", "put-item", "--table-name", "carts", "--item", `{"id":{"S":"c1"},"total":{"N":"42.50"}}`)
	xtest.CheckFor(t, 30*time.Second, func() error {
		var got struct{ Item map[string]map[string]string }
		srv.awsJSON(t, "us-west-2", &got, "dynamodb", "get-item", "--table-name", "carts", "--key", `{"id":{"S":"c1"}}`)
		if got.Item["total"]["N"] != "42.5" {
			return fmt.Errorf("the replica holds %v", got.Item)
		}
		return nil
	})

	// AWS's error, through the CLI.
	stderr := srv.awsFail(t, "us-west-2", "dynamodb", "put-item", "--table-name", "carts", "--item", `{"id":{"S":"c1"}}`,
		"--condition-expression", "attribute_not_exists(id)")
	if !strings.Contains(stderr, "ConditionalCheckFailedException") || !strings.Contains(stderr, "The conditional request failed") {
		t.Errorf("conditional put: %s", stderr)
	}
	var q struct{ Count int }
	srv.awsJSON(t, "us-west-2", &q, "dynamodb", "query", "--table-name", "carts", "--key-condition-expression", "id = :id",
		"--expression-attribute-values", `{":id":{"S":"c1"}}`)
	if q.Count != 1 {
		t.Errorf("query in the replica counted %d", q.Count)
	}
}

// TestDynamoDBTerraform applies aws_dynamodb_table with point-in-time recovery and a
// replica in us-west-2, and an aws_dynamodb_table_item; plans clean; destroys.
func TestDynamoDBTerraform(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	tf := newTerraform(t, srv, srv.providers("us-east-1")+`
resource "aws_dynamodb_table" "users" {
  name             = "users"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "id"
  range_key        = "created"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "id"
    type = "S"
  }
  attribute {
    name = "created"
    type = "N"
  }

  point_in_time_recovery {
    enabled = true
  }

  ttl {
    attribute_name = "expires"
    enabled        = true
  }

  replica {
    region_name = "us-west-2"
  }

  tags = {
    team = "platform"
  }
}

resource "aws_dynamodb_table_item" "admin" {
  table_name = aws_dynamodb_table.users.name
  hash_key   = aws_dynamodb_table.users.hash_key
  range_key  = aws_dynamodb_table.users.range_key
  item       = <<ITEM
{
  "id": {"S": "admin"},
  "created": {"N": "1700000000"},
  "roles": {"SS": ["read", "write"]}
}
ITEM
}

output "arn" {
  value = aws_dynamodb_table.users.arn
}
`)
	tf.apply()
	tf.planNoChanges()
	if got := tf.output("arn"); got != "arn:aws:dynamodb:us-east-1:"+xtest.Account+":table/users" {
		t.Errorf("arn = %s", got)
	}
	var pitr struct {
		ContinuousBackupsDescription struct {
			PointInTimeRecoveryDescription struct{ PointInTimeRecoveryStatus string }
		}
	}
	srv.awsJSON(t, "us-east-1", &pitr, "dynamodb", "describe-continuous-backups", "--table-name", "users")
	if pitr.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != "ENABLED" {
		t.Errorf("PITR = %+v", pitr)
	}
	xtest.CheckFor(t, 30*time.Second, func() error {
		var got struct{ Item map[string]json.RawMessage }
		srv.awsJSON(t, "us-west-2", &got, "dynamodb", "get-item", "--table-name", "users", "--key", `{"id":{"S":"admin"},"created":{"N":"1700000000"}}`)
		if got.Item["roles"] == nil {
			return fmt.Errorf("the replica holds %v", got.Item)
		}
		return nil
	})
	tf.destroy()
	var list struct{ TableNames []string }
	for _, region := range []string{"us-east-1", "us-west-2"} {
		xtest.CheckFor(t, 30*time.Second, func() error {
			srv.awsJSON(t, region, &list, "dynamodb", "list-tables")
			if len(list.TableNames) != 0 {
				return fmt.Errorf("tables left in %s: %v", region, list.TableNames)
			}
			return nil
		})
	}
}

// TestDynamoDBCLIGlobalTableTimeToLive enables TTL with the AWS CLI in a global table's
// replica Region and reads it enabled in both; an item written in us-east-1 that has
// expired is deleted there by TTL and reaches us-west-2 as a replicated delete — so not
// while us-east-1 is unreachable, even after the replica's own sweeps.
func TestDynamoDBCLIGlobalTableTimeToLive(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.aws(t, "dynamodb", "create-table", "--table-name", "sessions", "--billing-mode", "PAY_PER_REQUEST",
		"--attribute-definitions", "AttributeName=id,AttributeType=S", "--key-schema", "AttributeName=id,KeyType=HASH")
	srv.aws(t, "dynamodb", "wait", "table-exists", "--table-name", "sessions")
	srv.aws(t, "dynamodb", "update-table", "--table-name", "sessions", "--replica-updates", `[{"Create":{"RegionName":"us-west-2"}}]`)
	xtest.CheckFor(t, 30*time.Second, func() error {
		var d struct {
			Table struct {
				Replicas []struct{ ReplicaStatus string }
			}
		}
		srv.awsJSON(t, "us-east-1", &d, "dynamodb", "describe-table", "--table-name", "sessions")
		if len(d.Table.Replicas) != 1 || d.Table.Replicas[0].ReplicaStatus != "ACTIVE" {
			return fmt.Errorf("replicas %+v", d.Table.Replicas)
		}
		return nil
	})

	srv.awsIn(t, "us-west-2", "dynamodb", "update-time-to-live", "--table-name", "sessions",
		"--time-to-live-specification", "Enabled=true,AttributeName=expires")
	for _, region := range []string{"us-west-2", "us-east-1"} {
		xtest.CheckFor(t, 30*time.Second, func() error {
			var d struct {
				TimeToLiveDescription struct{ TimeToLiveStatus, AttributeName string }
			}
			srv.awsJSON(t, region, &d, "dynamodb", "describe-time-to-live", "--table-name", "sessions")
			if got := d.TimeToLiveDescription; got.TimeToLiveStatus != "ENABLED" || got.AttributeName != "expires" {
				return fmt.Errorf("TTL in %s is %+v", region, got)
			}
			return nil
		})
	}

	var clock struct{ Now time.Time }
	srv.admin(t, "GET", "clock", "", &clock)
	srv.aws(t, "dynamodb", "put-item", "--table-name", "sessions",
		"--item", fmt.Sprintf(`{"id":{"S":"s1"},"expires":{"N":"%d"}}`, clock.Now.Unix()-60))
	present := func(region string) bool {
		// The CLI prints nothing when there is no item.
		out := srv.awsIn(t, region, "dynamodb", "get-item", "--table-name", "sessions", "--key", `{"id":{"S":"s1"}}`, "--consistent-read")
		return strings.Contains(out, `"Item"`)
	}
	waitFor := func(region string, want bool) {
		t.Helper()
		xtest.CheckFor(t, 30*time.Second, func() error {
			if present(region) != want {
				return fmt.Errorf("in %s the item is present: %v", region, !want)
			}
			return nil
		})
	}
	waitFor("us-west-2", true)

	srv.admin(t, "POST", "faults", `{"region":"us-east-1","unreachable":true}`, nil)
	srv.admin(t, "POST", "clock", `{"advance":"7h"}`, nil) // past a sweep in each Region
	waitFor("us-east-1", false)
	if !present("us-west-2") {
		t.Error("us-west-2 deleted an item us-east-1 wrote, while us-east-1 was unreachable")
	}
	srv.admin(t, "POST", "faults", `{"region":"us-east-1","unreachable":false}`, nil)
	srv.admin(t, "POST", "clock", `{"advance":"10m"}`, nil)
	waitFor("us-west-2", false)
}
