package dynamodb_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/xregion/xregion/internal/xtest"
)

func TestItemLifecycle(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "users", false)
	put(t, e.East, "users", item("pk", s("u1"), "name", s("Ann"), "age", n("30.0"), "tags", ss("a", "b")))
	got := get(t, e.East, "users", item("pk", s("u1")))
	if str(got, "name") != "Ann" || num(got, "age") != "30" {
		t.Fatalf("GetItem = %v", got)
	}

	up := xtest.Must[*dynamodb.UpdateItemOutput](t)(e.East.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("users"), Key: item("pk", s("u1")),
		UpdateExpression:          aws.String("SET age = age + :one, #n = :name REMOVE tags"),
		ExpressionAttributeNames:  map[string]string{"#n": "name"},
		ExpressionAttributeValues: item(":one", n("1"), ":name", s("Anne")),
		ReturnValues:              types.ReturnValueUpdatedNew,
	}))
	if num(up.Attributes, "age") != "31" || str(up.Attributes, "name") != "Anne" || len(up.Attributes) != 2 {
		t.Errorf("UPDATED_NEW = %v", up.Attributes)
	}

	_, err := e.East.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String("users"), Item: item("pk", s("u1")),
		ConditionExpression:                 aws.String("attribute_not_exists(pk)"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if !asErr(err, &ccf) || str(ccf.Item, "name") != "Anne" {
		t.Fatalf("conditional put: %v (%+v)", err, ccf)
	}
	xtest.WantClientError(t, err, "ConditionalCheckFailedException", "The conditional request failed")

	del := xtest.Must[*dynamodb.DeleteItemOutput](t)(e.East.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String("users"), Key: item("pk", s("u1")), ReturnValues: types.ReturnValueAllOld,
	}))
	if num(del.Attributes, "age") != "31" {
		t.Errorf("ALL_OLD = %v", del.Attributes)
	}
	if got := get(t, e.East, "users", item("pk", s("u1"))); got != nil {
		t.Errorf("deleted item read back: %v", got)
	}
}

func TestTransactionCancellationReasons(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "acct", false)
	put(t, e.East, "acct", item("pk", s("a"), "bal", n("10")))
	_, err := e.East.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: aws.String("acct"), Key: item("pk", s("a")), UpdateExpression: aws.String("SET bal = bal - :v"),
			ConditionExpression: aws.String("bal >= :v"), ExpressionAttributeValues: item(":v", n("50")),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
		{Put: &types.Put{TableName: aws.String("acct"), Item: item("pk", s("b"), "bal", n("50"))}},
	}})
	var tce *types.TransactionCanceledException
	if !asErr(err, &tce) || len(tce.CancellationReasons) != 2 {
		t.Fatalf("TransactWriteItems: %v", err)
	}
	if *tce.CancellationReasons[0].Code != "ConditionalCheckFailed" || num(tce.CancellationReasons[0].Item, "bal") != "10" || *tce.CancellationReasons[1].Code != "None" {
		t.Errorf("reasons: %+v", tce.CancellationReasons)
	}
	if get(t, e.East, "acct", item("pk", s("b"))) != nil {
		t.Error("a cancelled transaction wrote")
	}
}
