package dynamodb

import (
	"context"
	"sort"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/dynamodb/expr"
	"github.com/xregion/xregion/internal/service/kit"
)

// Batch limits.
const (
	maxBatchGet   = 100
	maxBatchWrite = 25
)

// sortedTables returns a request's table names in order, so that a batch reads and
// writes its tables the same way every time.
func sortedTables[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Service) BatchGetItem(ctx context.Context, in *ddb.BatchGetItemInput) (*ddb.BatchGetItemOutput, error) {
	c := s.Call(ctx)
	n := 0
	for _, ka := range in.RequestItems {
		n += len(ka.Keys)
	}
	if n > maxBatchGet {
		return nil, msgTooManyKeys.New()
	}
	projs := map[string]expr.Projection{}
	for _, name := range sortedTables(in.RequestItems) {
		p, err := batchProjection(in.RequestItems[name])
		if err != nil {
			return nil, err
		}
		projs[name] = p
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*ddb.BatchGetItemOutput, error) {
		out := &ddb.BatchGetItemOutput{Responses: map[string][]map[string]ddb.AttributeValue{}, UnprocessedKeys: map[string]ddb.KeysAndAttributes{}}
		for _, name := range sortedTables(in.RequestItems) {
			ka := in.RequestItems[name]
			found, size, err := s.batchGetTable(tx, c.In(tx), name, ka.Keys, projs[name])
			if err != nil {
				return nil, err
			}
			out.Responses[name] = found
			if cc := readCapacity(in.ReturnConsumedCapacity, name, size, ka.ConsistentRead); cc != nil {
				out.ConsumedCapacity = append(out.ConsumedCapacity, *cc)
			}
		}
		return out, nil
	})
}

func batchProjection(ka ddb.KeysAndAttributes) (expr.Projection, error) {
	var p params
	p.expression("ProjectionExpression", ka.ProjectionExpression)
	p.old("AttributesToGet", ka.AttributesToGet != nil)
	ectx, err := p.context(ka.ExpressionAttributeNames, nil)
	if err != nil {
		return nil, err
	}
	proj, err := projection(ectx, ka.ProjectionExpression, ka.AttributesToGet)
	if err != nil {
		return nil, err
	}
	return proj, ectx.Unused()
}

// batchGetTable reads the keys of one table of a BatchGetItem.
func (s *Service) batchGetTable(tx kit.Tx, v kit.View, name string, keys []attr.Item, proj expr.Projection) ([]attr.Item, int, error) {
	tc, err := s.openTable(tx, v, name)
	if err != nil {
		return nil, 0, err
	}
	seen := map[string]bool{}
	found := []attr.Item{}
	size := 0
	for _, key := range keys {
		if err := tc.rec.checkKey(key); err != nil {
			return nil, 0, err
		}
		pp, sp := tc.positions(key)
		if seen[posOf(pp, sp)] {
			return nil, 0, msgDuplicateKeys.New()
		}
		seen[posOf(pp, sp)] = true
		item, err := tc.get(key)
		if err != nil || item == nil {
			if err != nil {
				return nil, 0, err
			}
			continue
		}
		size += attr.ItemSize(item)
		if proj != nil {
			item = proj.Apply(item)
		}
		found = append(found, item)
	}
	return found, size, nil
}

func (s *Service) BatchWriteItem(ctx context.Context, in *ddb.BatchWriteItemInput) (*ddb.BatchWriteItemOutput, error) {
	c := s.Call(ctx)
	n := 0
	for _, reqs := range in.RequestItems {
		n += len(reqs)
		for _, r := range reqs {
			if (r.PutRequest == nil) == (r.DeleteRequest == nil) {
				return nil, msgWriteRequest.New()
			}
		}
	}
	if n > maxBatchWrite {
		return nil, msgTooManyWrites.New()
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.BatchWriteItemOutput, error) {
		out := &ddb.BatchWriteItemOutput{UnprocessedItems: map[string][]ddb.WriteRequest{}}
		for _, name := range sortedTables(in.RequestItems) {
			units, err := s.batchWriteTable(tx, c.In(tx), name, in.RequestItems[name])
			if err != nil {
				return nil, err
			}
			if cc := consumed(in.ReturnConsumedCapacity, name, 0, units); cc != nil {
				out.ConsumedCapacity = append(out.ConsumedCapacity, *cc)
			}
		}
		return out, nil
	})
}

// batchWriteTable writes the requests of one table of a BatchWriteItem, after checking
// them all: a bad request writes nothing.
func (s *Service) batchWriteTable(tx kit.Tx, v kit.View, name string, reqs []ddb.WriteRequest) (float64, error) {
	tc, err := s.openTable(tx, v, name)
	if err != nil {
		return 0, err
	}
	ops := make([]*itemOp, 0, len(reqs))
	seen := map[string]bool{}
	for _, r := range reqs {
		op, err := batchOp(tc.rec, r)
		if err != nil {
			return 0, err
		}
		pp, sp := tc.positions(op.key)
		if seen[posOf(pp, sp)] {
			return 0, msgDuplicateKeys.New()
		}
		seen[posOf(pp, sp)] = true
		ops = append(ops, op)
	}
	units := 0.0
	for _, op := range ops {
		old, new, err := op.run(tc)
		if err != nil {
			return 0, err
		}
		units += writeUnits(old, new)
	}
	return units, tc.flush()
}

func batchOp(rec *tableRecord, r ddb.WriteRequest) (*itemOp, error) {
	if r.PutRequest != nil {
		if err := rec.checkItem(r.PutRequest.Item, func() error { return msgItemTooLarge.New() }); err != nil {
			return nil, err
		}
		item := attr.NormalizeItem(r.PutRequest.Item)
		return &itemOp{key: rec.keyOf(item), put: item}, nil
	}
	if err := rec.checkKey(r.DeleteRequest.Key); err != nil {
		return nil, err
	}
	return &itemOp{key: attr.NormalizeItem(r.DeleteRequest.Key), delete: true}, nil
}
