package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

var ctx = context.Background()

const account = xtest.Account

type env = servertest.Env[*dynamodb.Client]

func start(t testing.TB, opts ...servertest.Option) *env {
	t.Helper()
	return servertest.StartEnv(t, dynamodb.NewFromConfig, opts...)
}

func s(v string) types.AttributeValue     { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue     { return &types.AttributeValueMemberN{Value: v} }
func b(v []byte) types.AttributeValue     { return &types.AttributeValueMemberB{Value: v} }
func ss(v ...string) types.AttributeValue { return &types.AttributeValueMemberSS{Value: v} }
func boolean(v bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: v} }

// item is an item or key written briefly: item("pk", s("a"), "n", n("1")).
func item(kv ...any) map[string]types.AttributeValue {
	out := map[string]types.AttributeValue{}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1].(types.AttributeValue)
	}
	return out
}

// createTable makes a table keyed pk (S) and, when sk is set, sk (N), on demand, and
// waits for it to be ACTIVE.
func createTable(t testing.TB, c *dynamodb.Client, name string, sortKey bool, mod ...func(*dynamodb.CreateTableInput)) *types.TableDescription {
	t.Helper()
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}
	if sortKey {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange})
	}
	for _, m := range mod {
		m(in)
	}
	out := xtest.Must[*dynamodb.CreateTableOutput](t)(c.CreateTable(ctx, in))
	if out.TableDescription.TableStatus != types.TableStatusCreating {
		t.Errorf("a new table is %s", out.TableDescription.TableStatus)
	}
	waitActive(t, c, name)
	return out.TableDescription
}

// waitActive polls until the table is ACTIVE.
func waitActive(t testing.TB, c *dynamodb.Client, name string) *types.TableDescription {
	t.Helper()
	var d *types.TableDescription
	xtest.CheckFor(t, 10*time.Second, func() error {
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return err
		}
		if out.Table.TableStatus != types.TableStatusActive {
			return fmt.Errorf("%s is %s", name, out.Table.TableStatus)
		}
		d = out.Table
		return nil
	})
	return d
}

func put(t testing.TB, c *dynamodb.Client, table string, it map[string]types.AttributeValue) {
	t.Helper()
	xtest.Must[*dynamodb.PutItemOutput](t)(c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}))
}

func get(t testing.TB, c *dynamodb.Client, table string, key map[string]types.AttributeValue) map[string]types.AttributeValue {
	t.Helper()
	return xtest.Must[*dynamodb.GetItemOutput](t)(c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})).Item
}

// str reads a string attribute, or "" when absent.
func str(it map[string]types.AttributeValue, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func num(it map[string]types.AttributeValue, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return ""
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
