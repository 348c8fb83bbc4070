package dynamodb_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/xregion/xregion/internal/xtest"
)

// withIndexes adds a global index on (status, sk) projecting only the keys, and a local
// one on (pk, price).
func withIndexes(in *dynamodb.CreateTableInput) {
	in.AttributeDefinitions = append(in.AttributeDefinitions,
		types.AttributeDefinition{AttributeName: aws.String("status"), AttributeType: "S"},
		types.AttributeDefinition{AttributeName: aws.String("price"), AttributeType: "N"})
	in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("bystatus"),
		KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("status"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}
	in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{{IndexName: aws.String("byprice"),
		KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("price"), KeyType: types.KeyTypeRange}},
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
}

func sortKeys(items []map[string]types.AttributeValue) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = num(it, "sk")
	}
	return out
}

func TestQuery(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "events", true, withIndexes)
	// Sort keys that order differently as numbers and as strings.
	for _, sk := range []string{"10", "9", "-1.5", "100", "2"} {
		status := "open"
		if sk == "9" {
			status = "closed"
		}
		put(t, e.East, "events", item("pk", s("a"), "sk", n(sk), "status", s(status), "price", n("1"+sk[len(sk)-1:]), "note", s("x")))
	}
	put(t, e.East, "events", item("pk", s("b"), "sk", n("1")))

	q := func(in *dynamodb.QueryInput) *dynamodb.QueryOutput {
		t.Helper()
		in.TableName = aws.String("events")
		return xtest.Must[*dynamodb.QueryOutput](t)(e.East.Query(ctx, in))
	}
	out := q(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :a"), ExpressionAttributeValues: item(":a", s("a"))})
	if got := sortKeys(out.Items); fmt.Sprint(got) != "[-1.5 2 9 10 100]" {
		t.Errorf("Query order = %v", got)
	}
	out = q(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :a AND sk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: item(":a", s("a"), ":lo", n("2"), ":hi", n("10")), ScanIndexForward: aws.Bool(false)})
	if got := sortKeys(out.Items); fmt.Sprint(got) != "[10 9 2]" {
		t.Errorf("Query BETWEEN, backwards = %v", got)
	}
	out = q(&dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :a"), FilterExpression: aws.String("#s = :open"),
		ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: item(":a", s("a"), ":open", s("open")),
		ProjectionExpression: aws.String("sk")})
	if out.Count != 4 || out.ScannedCount != 5 || len(out.Items[0]) != 1 {
		t.Errorf("Query with filter: Count %d ScannedCount %d items %v", out.Count, out.ScannedCount, out.Items)
	}

	// Paging with Limit walks every item once.
	var pages [][]string
	in := &dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :a"), ExpressionAttributeValues: item(":a", s("a")), Limit: aws.Int32(2)}
	for {
		out := q(in)
		pages = append(pages, sortKeys(out.Items))
		if out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if fmt.Sprint(pages) != "[[-1.5 2] [9 10] [100] []]" && fmt.Sprint(pages) != "[[-1.5 2] [9 10] [100]]" {
		t.Errorf("pages = %v", pages)
	}

	// The global index has only the open items, with the keys projected.
	out = q(&dynamodb.QueryInput{IndexName: aws.String("bystatus"), KeyConditionExpression: aws.String("#s = :open AND sk > :z"),
		ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: item(":open", s("open"), ":z", n("0"))})
	if got := sortKeys(out.Items); fmt.Sprint(got) != "[2 10 100]" || out.Items[0]["note"] != nil {
		t.Errorf("GSI query = %v (%v)", got, out.Items)
	}
	// The local index orders by price.
	out = q(&dynamodb.QueryInput{IndexName: aws.String("byprice"), KeyConditionExpression: aws.String("pk = :a"), ExpressionAttributeValues: item(":a", s("a"))})
	var prices []string
	for _, it := range out.Items {
		prices = append(prices, num(it, "price"))
	}
	if !slices.IsSortedFunc(prices, func(a, b string) int { return len(a)*100 + int(a[len(a)-1]) - len(b)*100 - int(b[len(b)-1]) }) || len(prices) != 5 {
		t.Errorf("LSI query prices = %v", prices)
	}

	_, err := e.East.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("events"), IndexName: aws.String("bystatus"), ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("#s = :open"), ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: item(":open", s("open"))})
	xtest.WantClientError(t, err, "ValidationException", "Consistent reads are not supported on global secondary indexes")
	_, err = e.East.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("events"), KeyConditionExpression: aws.String("sk = :a"), ExpressionAttributeValues: item(":a", n("1"))})
	xtest.WantClientError(t, err, "ValidationException", "Query condition missed key schema element: pk")
	_, err = e.East.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("events"), KeyConditionExpression: aws.String("pk = :a"), ExpressionAttributeValues: item(":a", s("a"), ":b", s("b"))})
	xtest.WantClientError(t, err, "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}")
}

func TestScanSegmentsAndPaging(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "big", false)
	const total = 300
	writes := make([]types.WriteRequest, 0, 25)
	flush := func() {
		xtest.Must[*dynamodb.BatchWriteItemOutput](t)(e.East.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"big": writes}}))
		writes = writes[:0]
	}
	for i := range total {
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: item("pk", s(fmt.Sprintf("k%03d", i)), "n", n(fmt.Sprint(i)))}})
		if len(writes) == 25 {
			flush()
		}
	}
	seen := map[string]int{}
	for seg := range int32(4) {
		in := &dynamodb.ScanInput{TableName: aws.String("big"), Segment: aws.Int32(seg), TotalSegments: aws.Int32(4), Limit: aws.Int32(40)}
		for {
			out := xtest.Must[*dynamodb.ScanOutput](t)(e.East.Scan(ctx, in))
			for _, it := range out.Items {
				seen[str(it, "pk")]++
			}
			if out.LastEvaluatedKey == nil {
				break
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
	}
	if len(seen) != total {
		t.Errorf("segments saw %d items, want %d", len(seen), total)
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("%s seen %d times", k, c)
		}
	}
	out := xtest.Must[*dynamodb.ScanOutput](t)(e.East.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("big"), Select: types.SelectCount,
		FilterExpression: aws.String("n < :ten"), ExpressionAttributeValues: item(":ten", n("10"))}))
	if out.Count != 10 || out.ScannedCount != total || out.Items != nil {
		t.Errorf("Scan COUNT = %d of %d, items %v", out.Count, out.ScannedCount, out.Items)
	}
	_, err := e.East.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("big"), Segment: aws.Int32(4), TotalSegments: aws.Int32(4)})
	xtest.WantClientError(t, err, "ValidationException", "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less than TotalSegments: 4")
}

func TestBatchGetItem(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "one", false)
	createTable(t, e.East, "two", true)
	put(t, e.East, "one", item("pk", s("a"), "v", s("1")))
	put(t, e.East, "two", item("pk", s("a"), "sk", n("1"), "v", s("2")))
	out := xtest.Must[*dynamodb.BatchGetItemOutput](t)(e.East.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"one": {Keys: []map[string]types.AttributeValue{item("pk", s("a")), item("pk", s("missing"))}},
		"two": {Keys: []map[string]types.AttributeValue{item("pk", s("a"), "sk", n("1"))}, ProjectionExpression: aws.String("v")},
	}}))
	if len(out.Responses["one"]) != 1 || len(out.Responses["two"]) != 1 || len(out.Responses["two"][0]) != 1 || len(out.UnprocessedKeys) != 0 {
		t.Errorf("BatchGetItem = %+v", out.Responses)
	}
	_, err := e.East.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"one": {Keys: []map[string]types.AttributeValue{item("pk", s("a")), item("pk", s("a"))}}}})
	xtest.WantClientError(t, err, "ValidationException", "Provided list of item keys contains duplicates")
	_, err = e.East.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"one": {{PutRequest: &types.PutRequest{Item: item("pk", s("b"))}}, {PutRequest: &types.PutRequest{Item: item("pk", n("1"))}}}}})
	xtest.WantClientError(t, err, "ValidationException", "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")
	if get(t, e.East, "one", item("pk", s("b"))) != nil {
		t.Error("a refused batch wrote part of its items")
	}
}

func TestItemChecks(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "checks", true)
	big := make([]byte, 400*1024)
	_, err := e.East.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("checks"), Item: item("pk", s("a"), "sk", n("1"), "blob", b(big))})
	xtest.WantClientError(t, err, "ValidationException", "Item size has exceeded the maximum allowed size")
	_, err = e.East.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("checks"), Item: item("pk", s("a"))})
	xtest.WantClientError(t, err, "ValidationException", "One or more parameter values were invalid: Missing the key sk in the item")
	_, err = e.East.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("checks"), Key: item("pk", s("a"))})
	xtest.WantClientError(t, err, "ValidationException", "The provided key element does not match the schema")
	_, err = e.East.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: item("pk", s("a"))})
	xtest.WantClientError(t, err, "ResourceNotFoundException", "Requested resource not found")

	// 38 digits of precision, exact.
	put(t, e.East, "checks", item("pk", s("n"), "sk", n("1"), "v", n("12345678901234567890123456789012345678")))
	up := xtest.Must[*dynamodb.UpdateItemOutput](t)(e.East.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("checks"),
		Key: item("pk", s("n"), "sk", n("1")), UpdateExpression: aws.String("ADD v :d"), ExpressionAttributeValues: item(":d", n("1")),
		ReturnValues: types.ReturnValueUpdatedNew}))
	if got := num(up.Attributes, "v"); got != "12345678901234567890123456789012345679" {
		t.Errorf("ADD of 1 to a 38-digit number = %s", got)
	}
	_, err = e.East.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("checks"),
		Key: item("pk", s("n"), "sk", n("1")), UpdateExpression: aws.String("SET v = v + :d"), ExpressionAttributeValues: item(":d", n("0.1"))})
	xtest.WantClientError(t, err, "ValidationException", "Attempting to store more than 38 significant digits in a Number")
}

// TestIndexPaging pages through a global index by Query and by Scan, with items that
// share an index key value: every item once, in order.
func TestIndexPaging(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "catalog", true, withIndexes)
	for i := range 30 {
		status := []string{"open", "closed"}[i%2]
		put(t, e.East, "catalog", item("pk", s(fmt.Sprint("p", i%3)), "sk", n(fmt.Sprint(i%5)), "status", s(status), "price", n("1")))
	}
	// (pk, sk) repeats every 15 items: the 15 items are the last 15 writes, the open
	// ones those of even i.
	want := map[string]bool{}
	for i := 15; i < 30; i++ {
		if i%2 == 0 {
			want[fmt.Sprint("p", i%3, "/", i%5)] = true
		}
	}
	q := &dynamodb.QueryInput{TableName: aws.String("catalog"), IndexName: aws.String("bystatus"), Limit: aws.Int32(2),
		KeyConditionExpression: aws.String("#s = :o"), ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: item(":o", s("open"))}
	seen := map[string]int{}
	var last string
	for {
		out := xtest.Must[*dynamodb.QueryOutput](t)(e.East.Query(ctx, q))
		for _, it := range out.Items {
			k := str(it, "pk") + "/" + num(it, "sk")
			seen[k]++
			if num(it, "sk") < last {
				t.Errorf("index query out of order: %s after %s", num(it, "sk"), last)
			}
			last = num(it, "sk")
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		q.ExclusiveStartKey = out.LastEvaluatedKey
	}
	scan := &dynamodb.ScanInput{TableName: aws.String("catalog"), IndexName: aws.String("bystatus"), Limit: aws.Int32(3)}
	scanned := 0
	for {
		out := xtest.Must[*dynamodb.ScanOutput](t)(e.East.Scan(ctx, scan))
		scanned += len(out.Items)
		if out.LastEvaluatedKey == nil {
			break
		}
		scan.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if len(seen) != len(want) || scanned != 15 {
		t.Errorf("index query saw %v (want %d items), index scan %d of 15", seen, len(want), scanned)
	}
	for k, c := range seen {
		if c != 1 || !want[k] {
			t.Errorf("%s seen %d times", k, c)
		}
	}
}
