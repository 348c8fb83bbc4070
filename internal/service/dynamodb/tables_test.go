package dynamodb_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/xregion/xregion/internal/xtest"
)

func TestCreateTableValidation(t *testing.T) {
	e := start(t)
	def := func(name string, typ types.ScalarAttributeType) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: typ}
	}
	key := func(name string, typ types.KeyType) types.KeySchemaElement {
		return types.KeySchemaElement{AttributeName: aws.String(name), KeyType: typ}
	}
	cases := []struct {
		name string
		in   dynamodb.CreateTableInput
		code string
		msg  string
	}{
		{"range first", dynamodb.CreateTableInput{
			AttributeDefinitions: []types.AttributeDefinition{def("pk", "S")},
			KeySchema:            []types.KeySchemaElement{key("pk", types.KeyTypeRange)}, BillingMode: types.BillingModePayPerRequest,
		}, "ValidationException", "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
		{"undefined key", dynamodb.CreateTableInput{
			AttributeDefinitions: []types.AttributeDefinition{def("pk", "S")},
			KeySchema:            []types.KeySchemaElement{key("id", types.KeyTypeHash)}, BillingMode: types.BillingModePayPerRequest,
		}, "ValidationException", "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [pk]"},
		{"unused definition", dynamodb.CreateTableInput{
			AttributeDefinitions: []types.AttributeDefinition{def("pk", "S"), def("x", "N")},
			KeySchema:            []types.KeySchemaElement{key("pk", types.KeyTypeHash)}, BillingMode: types.BillingModePayPerRequest,
		}, "ValidationException", "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		{"provisioned without throughput", dynamodb.CreateTableInput{
			AttributeDefinitions: []types.AttributeDefinition{def("pk", "S")},
			KeySchema:            []types.KeySchemaElement{key("pk", types.KeyTypeHash)},
		}, "ValidationException", "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
		{"on demand with throughput", dynamodb.CreateTableInput{
			AttributeDefinitions: []types.AttributeDefinition{def("pk", "S")},
			KeySchema:            []types.KeySchemaElement{key("pk", types.KeyTypeHash)}, BillingMode: types.BillingModePayPerRequest,
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)},
		}, "ValidationException", "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
		{"LSI without range", dynamodb.CreateTableInput{
			AttributeDefinitions: []types.AttributeDefinition{def("pk", "S"), def("x", "S")},
			KeySchema:            []types.KeySchemaElement{key("pk", types.KeyTypeHash)}, BillingMode: types.BillingModePayPerRequest,
			LocalSecondaryIndexes: []types.LocalSecondaryIndex{{IndexName: aws.String("byx"),
				KeySchema: []types.KeySchemaElement{key("pk", types.KeyTypeHash), key("x", types.KeyTypeRange)}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}},
		}, "ValidationException", "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"},
		{"stream without view type", dynamodb.CreateTableInput{
			AttributeDefinitions: []types.AttributeDefinition{def("pk", "S")},
			KeySchema:            []types.KeySchemaElement{key("pk", types.KeyTypeHash)}, BillingMode: types.BillingModePayPerRequest,
			StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true)},
		}, "ValidationException", "One or more parameter values were invalid: StreamViewType must be specified when StreamEnabled is true"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.TableName = aws.String(fmt.Sprintf("bad%d", i))
			_, err := e.East.CreateTable(ctx, &in)
			xtest.WantClientError(t, err, tc.code, tc.msg)
		})
	}
	// Nothing was half-written.
	out := xtest.Must[*dynamodb.ListTablesOutput](t)(e.East.ListTables(ctx, &dynamodb.ListTablesInput{}))
	if len(out.TableNames) != 0 {
		t.Errorf("refused tables were created: %v", out.TableNames)
	}
}

func TestTableLifecycle(t *testing.T) {
	e := start(t)
	d := createTable(t, e.East, "orders", true, func(in *dynamodb.CreateTableInput) {
		in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}}
		in.DeletionProtectionEnabled = aws.Bool(true)
		in.SSESpecification = &types.SSESpecification{Enabled: aws.Bool(true)}
	})
	if *d.TableArn != "arn:aws:dynamodb:us-east-1:"+account+":table/orders" || d.TableId == nil {
		t.Errorf("CreateTable = %+v", d)
	}
	got := waitActive(t, e.East, "orders")
	if got.SSEDescription == nil || got.SSEDescription.SSEType != types.SSETypeKms || got.SSEDescription.Status != types.SSEStatusEnabled {
		t.Errorf("SSE = %+v", got.SSEDescription)
	}
	if got.BillingModeSummary == nil || got.BillingModeSummary.BillingMode != types.BillingModePayPerRequest || !*got.DeletionProtectionEnabled {
		t.Errorf("DescribeTable = %+v", got)
	}
	put(t, e.East, "orders", item("pk", s("a"), "sk", n("1")))
	if out := waitActive(t, e.East, "orders"); *out.ItemCount != 1 {
		t.Errorf("ItemCount = %d", *out.ItemCount)
	}

	_, err := e.East.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("orders"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: "S"}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}, BillingMode: types.BillingModePayPerRequest})
	xtest.WantClientError(t, err, "ResourceInUseException", "Table already exists: orders")

	tags := xtest.Must[*dynamodb.ListTagsOfResourceOutput](t)(e.East.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: d.TableArn}))
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "team" {
		t.Errorf("tags = %+v", tags.Tags)
	}

	_, err = e.East.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("orders")})
	xtest.WantClientError(t, err, "ValidationException", "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")

	up := xtest.Must[*dynamodb.UpdateTableOutput](t)(e.East.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"),
		DeletionProtectionEnabled: aws.Bool(false), BillingMode: types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(7)}}))
	if up.TableDescription.TableStatus != types.TableStatusUpdating {
		t.Errorf("UpdateTable left the table %s", up.TableDescription.TableStatus)
	}
	got = waitActive(t, e.East, "orders")
	if *got.ProvisionedThroughput.WriteCapacityUnits != 7 || got.BillingModeSummary.BillingMode != types.BillingModeProvisioned {
		t.Errorf("after UpdateTable: %+v %+v", got.ProvisionedThroughput, got.BillingModeSummary)
	}

	del := xtest.Must[*dynamodb.DeleteTableOutput](t)(e.East.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: d.TableArn}))
	if del.TableDescription.TableStatus != types.TableStatusDeleting {
		t.Errorf("DeleteTable: %s", del.TableDescription.TableStatus)
	}
	xtest.CheckFor(t, 10e9, func() error {
		_, err := e.East.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
		if err == nil {
			return fmt.Errorf("orders still exists")
		}
		return nil
	})
	_, err = e.East.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
	xtest.WantClientError(t, err, "ResourceNotFoundException", "Requested resource not found: Table: orders not found")
}

func TestListTablesPaging(t *testing.T) {
	e := start(t)
	for i := range 5 {
		createTable(t, e.East, fmt.Sprintf("tab%d", i), false)
	}
	createTable(t, e.West, "elsewhere", false)
	var all []string
	in := &dynamodb.ListTablesInput{Limit: aws.Int32(2)}
	for {
		out := xtest.Must[*dynamodb.ListTablesOutput](t)(e.East.ListTables(ctx, in))
		all = append(all, out.TableNames...)
		if out.LastEvaluatedTableName == nil {
			break
		}
		in.ExclusiveStartTableName = out.LastEvaluatedTableName
	}
	if fmt.Sprint(all) != "[tab0 tab1 tab2 tab3 tab4]" {
		t.Errorf("ListTables pages = %v", all)
	}
}

func TestTimeToLive(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "sessions", false)
	out := xtest.Must[*dynamodb.UpdateTimeToLiveOutput](t)(e.East.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String("sessions"), TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}}))
	if *out.TimeToLiveSpecification.AttributeName != "exp" {
		t.Errorf("UpdateTimeToLive = %+v", out.TimeToLiveSpecification)
	}
	xtest.CheckFor(t, 10e9, func() error {
		d := xtest.Must[*dynamodb.DescribeTimeToLiveOutput](t)(e.East.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("sessions")}))
		if d.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
			return fmt.Errorf("TTL is %s", d.TimeToLiveDescription.TimeToLiveStatus)
		}
		return nil
	})
	now := e.Server.Engine().Clock().Now().Unix()
	put(t, e.East, "sessions", item("pk", s("old"), "exp", n(fmt.Sprint(now-10))))
	put(t, e.East, "sessions", item("pk", s("new"), "exp", n(fmt.Sprint(now+86400))))
	e.Advance(7 * time.Hour) // past the sweep, every six hours
	if get(t, e.East, "sessions", item("pk", s("old"))) != nil {
		t.Error("an expired item outlived the sweep")
	}
	if get(t, e.East, "sessions", item("pk", s("new"))) == nil {
		t.Error("an item that has not expired was deleted")
	}
}

func TestDescribeEndpointsAndLimits(t *testing.T) {
	e := start(t)
	ep := xtest.Must[*dynamodb.DescribeEndpointsOutput](t)(e.West.DescribeEndpoints(ctx, &dynamodb.DescribeEndpointsInput{}))
	if len(ep.Endpoints) != 1 || *ep.Endpoints[0].Address == "" {
		t.Errorf("DescribeEndpoints = %+v", ep.Endpoints)
	}
	l := xtest.Must[*dynamodb.DescribeLimitsOutput](t)(e.West.DescribeLimits(ctx, &dynamodb.DescribeLimitsInput{}))
	if *l.TableMaxReadCapacityUnits != 40000 {
		t.Errorf("DescribeLimits = %+v", l)
	}
}

func TestTableNameChecks(t *testing.T) {
	e := start(t)
	_, err := e.East.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("ab"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: "S"}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}, BillingMode: types.BillingModePayPerRequest})
	xtest.WantClientError(t, err, "ValidationException", "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3")
}
