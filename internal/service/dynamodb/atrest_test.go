package dynamodb_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// TestNoPlaintextAtRest: keys, values, index keys, the history of point-in-time
// recovery, backups and replicas appear in no file of the data directory, in plain text
// or base64.
func TestNoPlaintextAtRest(t *testing.T) {
	dir := t.TempDir()
	e := start(t, servertest.WithDataDir(dir))
	const control = "table-name-in-clear-7f2a" // a table's name is not secret
	markers := []string{"partition-key-plain-4c1d", "value-plain-9e07", "nested-plain-0b5f", "index-key-plain-66aa", "updated-plain-d3c8"}
	createTable(t, e.East, control, false, func(in *dynamodb.CreateTableInput) {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String("email"), AttributeType: "S"})
		in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("byemail"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("email"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
	})
	xtest.Must[*dynamodb.UpdateContinuousBackupsOutput](t)(e.East.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
		TableName: aws.String(control), PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}}))
	xtest.Must[*dynamodb.UpdateTableOutput](t)(e.East.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(control),
		ReplicaUpdates: []types.ReplicationGroupUpdate{{Create: &types.CreateReplicationGroupMemberAction{RegionName: aws.String("us-west-2")}}}}))
	waitActive(t, e.East, control)
	put(t, e.East, control, item("pk", s(markers[0]), "v", s(markers[1]), "m", &types.AttributeValueMemberM{Value: item("deep", s(markers[2]))},
		"email", s(markers[3]), "bin", b([]byte(markers[1]))))
	xtest.Must[*dynamodb.UpdateItemOutput](t)(e.East.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(control),
		Key: item("pk", s(markers[0])), UpdateExpression: aws.String("SET v2 = :v"), ExpressionAttributeValues: item(":v", s(markers[4]))}))
	xtest.Must[*dynamodb.CreateBackupOutput](t)(e.East.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String(control), BackupName: aws.String("backup1")}))
	e.WaitIdle()
	xtest.CheckFor(t, 10*time.Second, func() error {
		if get(t, e.West, control, item("pk", s(markers[0]))) == nil {
			return os.ErrNotExist
		}
		return nil
	})

	stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := e.Server.Shutdown(stopCtx); err != nil {
		t.Fatal(err)
	}
	var secrets [][]byte
	for _, m := range markers {
		secrets = append(secrets, []byte(m))
	}
	// The table's name is stored as it is.
	xtest.WantNotAtRest(t, dir, []byte(control), secrets...)
}

// TestCustomerManagedKey: a table under a CMK works while the key does, and stops
// within minutes of the key being disabled, as DynamoDB's does.
func TestCustomerManagedKey(t *testing.T) {
	e := start(t)
	kc := kms.NewFromConfig(e.Config("us-east-1"))
	key := xtest.Must[*kms.CreateKeyOutput](t)(kc.CreateKey(ctx, &kms.CreateKeyInput{}))
	d := createTable(t, e.East, "secure", false, func(in *dynamodb.CreateTableInput) {
		in.SSESpecification = &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms, KMSMasterKeyId: key.KeyMetadata.KeyId}
	})
	if d.SSEDescription == nil || *d.SSEDescription.KMSMasterKeyArn != *key.KeyMetadata.Arn {
		t.Errorf("SSEDescription = %+v", d.SSEDescription)
	}
	put(t, e.East, "secure", item("pk", s("a"), "v", s("1")))
	if str(get(t, e.East, "secure", item("pk", s("a"))), "v") != "1" {
		t.Fatal("the item does not read back")
	}
	xtest.Must[*kms.DisableKeyOutput](t)(kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyMetadata.KeyId}))
	e.Advance(10 * time.Minute)
	_, err := e.East.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("secure"), Key: item("pk", s("a"))})
	if err == nil {
		t.Error("a table whose key is disabled still reads")
	}
	_, err = e.East.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("nokey"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: "S"}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}, BillingMode: types.BillingModePayPerRequest,
		SSESpecification: &types.SSESpecification{Enabled: aws.Bool(true), KMSMasterKeyId: aws.String("alias/none")}})
	if err == nil {
		t.Error("a table was created under a key that does not exist")
	}
}
