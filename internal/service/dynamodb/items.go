package dynamodb

import (
	"context"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/dynamodb/expr"
	"github.com/xregion/xregion/internal/service/kit"
)

func (s *Service) PutItem(ctx context.Context, in *ddb.PutItemInput) (*ddb.PutItemOutput, error) {
	c := s.Call(ctx)
	rv, err := returnValues(in.ReturnValues, ddb.ReturnValueNone, ddb.ReturnValueAllOld)
	if err != nil {
		return nil, err
	}
	cond, err := writeCondition(in.ConditionExpression, in.Expected, in.ConditionalOperator, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.PutItemOutput, error) {
		tc, err := s.openTable(tx, c.In(tx), *in.TableName)
		if err != nil {
			return nil, err
		}
		if err := tc.rec.checkItem(in.Item, func() error { return msgItemTooLarge.New() }); err != nil {
			return nil, err
		}
		item := attr.NormalizeItem(in.Item)
		op := &itemOp{key: tc.rec.keyOf(item), cond: cond, onFailure: in.ReturnValuesOnConditionCheckFailure, put: item}
		old, _, err := op.run(tc)
		if err != nil {
			return nil, err
		}
		out := &ddb.PutItemOutput{ConsumedCapacity: writeCapacity(in.ReturnConsumedCapacity, tc.rec.Name, old, item)}
		if rv == ddb.ReturnValueAllOld && old != nil {
			out.Attributes = old
		}
		out.ItemCollectionMetrics = collectionMetrics(tc.rec, in.ReturnItemCollectionMetrics, op.key)
		return out, tc.flush()
	})
}

func (s *Service) GetItem(ctx context.Context, in *ddb.GetItemInput) (*ddb.GetItemOutput, error) {
	c := s.Call(ctx)
	var p params
	p.expression("ProjectionExpression", in.ProjectionExpression)
	p.old("AttributesToGet", in.AttributesToGet != nil)
	ectx, err := p.context(in.ExpressionAttributeNames, nil)
	if err != nil {
		return nil, err
	}
	proj, err := projection(ectx, in.ProjectionExpression, in.AttributesToGet)
	if err != nil {
		return nil, err
	}
	if err := ectx.Unused(); err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*ddb.GetItemOutput, error) {
		tc, err := s.openTable(tx, c.In(tx), *in.TableName)
		if err != nil {
			return nil, err
		}
		if err := tc.rec.checkKey(in.Key); err != nil {
			return nil, err
		}
		item, err := tc.get(in.Key)
		if err != nil {
			return nil, err
		}
		out := &ddb.GetItemOutput{ConsumedCapacity: readCapacity(in.ReturnConsumedCapacity, tc.rec.Name, attr.ItemSize(item), in.ConsistentRead)}
		if item != nil {
			out.Item = item
			if proj != nil {
				out.Item = proj.Apply(item)
			}
		}
		return out, nil
	})
}

func (s *Service) UpdateItem(ctx context.Context, in *ddb.UpdateItemInput) (*ddb.UpdateItemOutput, error) {
	c := s.Call(ctx)
	rv, err := returnValues(in.ReturnValues, ddb.ReturnValueNone, ddb.ReturnValueAllOld, ddb.ReturnValueAllNew, ddb.ReturnValueUpdatedOld, ddb.ReturnValueUpdatedNew)
	if err != nil {
		return nil, err
	}
	op, err := parseUpdateItem(in)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.UpdateItemOutput, error) {
		tc, err := s.openTable(tx, c.In(tx), *in.TableName)
		if err != nil {
			return nil, err
		}
		if err := tc.rec.checkKey(in.Key); err != nil {
			return nil, err
		}
		if err := checkUpdatePaths(tc.rec, op.update); err != nil {
			return nil, err
		}
		op.key = attr.NormalizeItem(in.Key)
		old, new, err := op.run(tc)
		if err != nil {
			return nil, err
		}
		out := &ddb.UpdateItemOutput{
			Attributes:            updatedValues(rv, op.update, old, new),
			ConsumedCapacity:      writeCapacity(in.ReturnConsumedCapacity, tc.rec.Name, old, new),
			ItemCollectionMetrics: collectionMetrics(tc.rec, in.ReturnItemCollectionMetrics, op.key),
		}
		return out, tc.flush()
	})
}

// parseUpdateItem parses UpdateItem's update and condition, expressions or legacy.
func parseUpdateItem(in *ddb.UpdateItemInput) (*itemOp, error) {
	var p params
	p.expression("UpdateExpression", in.UpdateExpression)
	p.expression("ConditionExpression", in.ConditionExpression)
	p.old("AttributeUpdates", in.AttributeUpdates != nil)
	p.old("Expected", in.Expected != nil)
	ectx, err := p.context(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	op := &itemOp{onFailure: in.ReturnValuesOnConditionCheckFailure, update: &expr.Update{}}
	switch {
	case in.UpdateExpression != nil:
		op.update, err = expr.ParseUpdate(*in.UpdateExpression, ectx)
	case in.AttributeUpdates != nil:
		op.update, err = expr.FromAttributeUpdates(in.AttributeUpdates)
	}
	if err != nil {
		return nil, err
	}
	if op.cond, err = condition(ectx, in.ConditionExpression, in.Expected, in.ConditionalOperator); err != nil {
		return nil, err
	}
	return op, ectx.Unused()
}

// updatedValues is UpdateItem's Attributes for ReturnValues rv.
func updatedValues(rv string, u *expr.Update, old, new attr.Item) attr.Item {
	var out attr.Item
	switch rv {
	case ddb.ReturnValueAllOld:
		out = old
	case ddb.ReturnValueAllNew:
		out = new
	case ddb.ReturnValueUpdatedOld:
		out = expr.Projection(u.Paths()).Apply(old)
	case ddb.ReturnValueUpdatedNew:
		out = expr.Projection(u.Paths()).Apply(new)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (s *Service) DeleteItem(ctx context.Context, in *ddb.DeleteItemInput) (*ddb.DeleteItemOutput, error) {
	c := s.Call(ctx)
	rv, err := returnValues(in.ReturnValues, ddb.ReturnValueNone, ddb.ReturnValueAllOld)
	if err != nil {
		return nil, err
	}
	cond, err := writeCondition(in.ConditionExpression, in.Expected, in.ConditionalOperator, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.DeleteItemOutput, error) {
		tc, err := s.openTable(tx, c.In(tx), *in.TableName)
		if err != nil {
			return nil, err
		}
		if err := tc.rec.checkKey(in.Key); err != nil {
			return nil, err
		}
		op := &itemOp{key: attr.NormalizeItem(in.Key), cond: cond, onFailure: in.ReturnValuesOnConditionCheckFailure, delete: true}
		old, _, err := op.run(tc)
		if err != nil {
			return nil, err
		}
		out := &ddb.DeleteItemOutput{
			ConsumedCapacity:      writeCapacity(in.ReturnConsumedCapacity, tc.rec.Name, old, nil),
			ItemCollectionMetrics: collectionMetrics(tc.rec, in.ReturnItemCollectionMetrics, op.key),
		}
		if rv == ddb.ReturnValueAllOld && old != nil {
			out.Attributes = old
		}
		return out, tc.flush()
	})
}
