package dynamodb_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/xregion/xregion/internal/xtest"
)

func list(v ...types.AttributeValue) types.AttributeValue {
	return &types.AttributeValueMemberL{Value: v}
}
func mapOf(kv ...any) types.AttributeValue { return &types.AttributeValueMemberM{Value: item(kv...)} }

func TestUpdateExpressions(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "docs", false)
	put(t, e.East, "docs", item("pk", s("d"), "tags", ss("a", "b"), "list", list(n("1")), "hist", list(s("x"), s("y")),
		"m", mapOf("nest", mapOf("x", n("1")))))
	update := func(expr string, values map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
		in := &dynamodb.UpdateItemInput{TableName: aws.String("docs"), Key: item("pk", s("d")),
			UpdateExpression: aws.String(expr), ExpressionAttributeValues: values, ReturnValues: types.ReturnValueAllNew}
		if strings.Contains(expr, "#l") {
			in.ExpressionAttributeNames = map[string]string{"#l": "list"}
		}
		out, err := e.East.UpdateItem(ctx, in)
		if err != nil {
			return nil, err
		}
		return out.Attributes, nil
	}
	got, err := update("SET #l = list_append(#l, :more), m.nest.y = :y, cnt = if_not_exists(cnt, :zero) + :one, m.nest.x = m.nest.x - :one "+
		"ADD tags :c, visits :one REMOVE hist[0]",
		item(":more", list(n("2"), n("3")), ":y", s("why"), ":zero", n("0"), ":one", n("1"), ":c", ss("c")))
	if err != nil {
		t.Fatal(err)
	}
	if got, err = update("DELETE tags :a", item(":a", ss("a"))); err != nil {
		t.Fatal(err)
	}
	inner := got["m"].(*types.AttributeValueMemberM).Value["nest"].(*types.AttributeValueMemberM).Value
	tags := got["tags"].(*types.AttributeValueMemberSS).Value
	slices.Sort(tags)
	if len(got["list"].(*types.AttributeValueMemberL).Value) != 3 || num(got, "cnt") != "1" || num(got, "visits") != "1" ||
		fmt.Sprint(tags) != "[b c]" || str(inner, "y") != "why" || num(inner, "x") != "0" {
		t.Errorf("after the update: %v", got)
	}
	if old := got["hist"].(*types.AttributeValueMemberL).Value; len(old) != 1 || old[0].(*types.AttributeValueMemberS).Value != "y" {
		t.Errorf("REMOVE hist[0] left %v", old)
	}
	got, err = update("SET cnt = if_not_exists(cnt, :zero) + :one", item(":zero", n("0"), ":one", n("1")))
	if err != nil || num(got, "cnt") != "2" {
		t.Errorf("if_not_exists on a present attribute: %v %v", got, err)
	}

	for _, tc := range []struct {
		expr   string
		values map[string]types.AttributeValue
		msg    string
	}{
		{"SET a = a * :one", item(":one", n("1")), `Invalid UpdateExpression: Syntax error; token: "*", near: "a * :one"`},
		{"SET #l = :one REMOVE #l[0]", item(":one", n("1")), "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [list], path two: [list, [0]]"},
		{"SET pk = :one", item(":one", s("x")), "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"},
		{"ADD tags :one", item(":one", n("1")), "An operand in the update expression has an incorrect data type"},
		{"SET nope.deeper = :one", item(":one", n("1")), "The document path provided in the update expression is invalid for update"},
	} {
		_, err := update(tc.expr, tc.values)
		xtest.WantClientError(t, err, "ValidationException", tc.msg)
	}
}

func TestTransactions(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "bank", false)
	put(t, e.East, "bank", item("pk", s("alice"), "bal", n("100")))
	put(t, e.East, "bank", item("pk", s("bob"), "bal", n("0")))
	transfer := &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String("transfer-1"), TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: aws.String("bank"), Key: item("pk", s("alice")), UpdateExpression: aws.String("SET bal = bal - :v"),
			ConditionExpression: aws.String("bal >= :v"), ExpressionAttributeValues: item(":v", n("30"))}},
		{Update: &types.Update{TableName: aws.String("bank"), Key: item("pk", s("bob")), UpdateExpression: aws.String("SET bal = bal + :v"),
			ExpressionAttributeValues: item(":v", n("30"))}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("bank"), Key: item("pk", s("carol")), ConditionExpression: aws.String("attribute_not_exists(pk)")}},
	}}
	xtest.Must[*dynamodb.TransactWriteItemsOutput](t)(e.East.TransactWriteItems(ctx, transfer))
	// The same token again is the same transaction, applied once.
	xtest.Must[*dynamodb.TransactWriteItemsOutput](t)(e.East.TransactWriteItems(ctx, transfer))
	out := xtest.Must[*dynamodb.TransactGetItemsOutput](t)(e.East.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("bank"), Key: item("pk", s("alice"))}},
		{Get: &types.Get{TableName: aws.String("bank"), Key: item("pk", s("bob")), ProjectionExpression: aws.String("bal")}},
		{Get: &types.Get{TableName: aws.String("bank"), Key: item("pk", s("carol"))}},
	}}))
	if len(out.Responses) != 3 || num(out.Responses[0].Item, "bal") != "70" || num(out.Responses[1].Item, "bal") != "30" ||
		len(out.Responses[1].Item) != 1 || out.Responses[2].Item != nil {
		t.Errorf("TransactGetItems = %+v", out.Responses)
	}
	// Another request under the same token is refused.
	transfer.TransactItems = transfer.TransactItems[:1]
	_, err := e.East.TransactWriteItems(ctx, transfer)
	xtest.WantClientError(t, err, "IdempotentParameterMismatchException", "Request token has been used with different parameters")
	_, err = e.East.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("bank"), Item: item("pk", s("alice"), "bal", n("1"))}},
		{Delete: &types.Delete{TableName: aws.String("bank"), Key: item("pk", s("alice"))}},
	}})
	xtest.WantClientError(t, err, "ValidationException", "Transaction request cannot include multiple operations on one item")
}

func TestAddGlobalIndexToTableWithItems(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "people", false)
	for i, city := range []string{"paris", "lyon", "paris"} {
		put(t, e.East, "people", item("pk", s(fmt.Sprint("p", i)), "city", s(city)))
	}
	put(t, e.East, "people", item("pk", s("nocity")))
	xtest.Must[*dynamodb.UpdateTableOutput](t)(e.East.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("people"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("city"), AttributeType: "S"}},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String("bycity"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("city"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}}}))
	d := waitActive(t, e.East, "people")
	if len(d.GlobalSecondaryIndexes) != 1 || d.GlobalSecondaryIndexes[0].IndexStatus != types.IndexStatusActive {
		t.Fatalf("GSIs = %+v", d.GlobalSecondaryIndexes)
	}
	q := xtest.Must[*dynamodb.QueryOutput](t)(e.East.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("people"), IndexName: aws.String("bycity"),
		KeyConditionExpression: aws.String("city = :c"), ExpressionAttributeValues: item(":c", s("paris"))}))
	if q.Count != 2 {
		t.Errorf("the new index finds %d of the items written before it", q.Count)
	}
	xtest.Must[*dynamodb.UpdateTableOutput](t)(e.East.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("people"),
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("bycity")}}}}))
	if d := waitActive(t, e.East, "people"); len(d.GlobalSecondaryIndexes) != 0 || len(d.AttributeDefinitions) != 1 {
		t.Errorf("after deleting the index: %+v %+v", d.GlobalSecondaryIndexes, d.AttributeDefinitions)
	}
}
