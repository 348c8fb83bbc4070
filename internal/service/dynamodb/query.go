package dynamodb

import (
	"context"
	"slices"
	"strings"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/dynamodb/expr"
	"github.com/xregion/xregion/internal/service/kit"
)

func (s *Service) Query(ctx context.Context, in *ddb.QueryInput) (*ddb.QueryOutput, error) {
	c := s.Call(ctx)
	var p params
	p.expression("KeyConditionExpression", in.KeyConditionExpression)
	p.expression("FilterExpression", in.FilterExpression)
	p.expression("ProjectionExpression", in.ProjectionExpression)
	p.old("KeyConditions", in.KeyConditions != nil)
	p.old("QueryFilter", in.QueryFilter != nil)
	p.old("AttributesToGet", in.AttributesToGet != nil)
	ectx, err := p.context(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	if in.KeyConditionExpression == nil && in.KeyConditions == nil {
		return nil, msgNoKeyCondition.New()
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*ddb.QueryOutput, error) {
		tc, err := s.openTable(tx, c.In(tx), *in.TableName)
		if err != nil {
			return nil, err
		}
		r, kc, err := parseQuery(tc.rec, in, ectx)
		if err != nil {
			return nil, err
		}
		pg, err := r.query(tc, kc, in.ExclusiveStartKey, in.ScanIndexForward == nil || *in.ScanIndexForward)
		if err != nil {
			return nil, err
		}
		out := &ddb.QueryOutput{ConsumedCapacity: readCapacity(in.ReturnConsumedCapacity, tc.rec.Name, pg.bytes, in.ConsistentRead)}
		var count, scanned int64
		out.Items, count, scanned, out.LastEvaluatedKey = pg.result()
		out.Count, out.ScannedCount = new(count), new(scanned)
		if r.count {
			out.Items = nil
		}
		return out, nil
	})
}

// parseQuery parses a query's key condition, filter and projection against the table.
func parseQuery(rec *tableRecord, in *ddb.QueryInput, ectx *expr.Context) (*reader, *expr.KeyCond, error) {
	r := &reader{rec: rec, limit: limitOf(in.Limit)}
	if err := r.useIndex(in.IndexName, in.ConsistentRead); err != nil {
		return nil, nil, err
	}
	hash, rng := r.keysRead()
	var kc *expr.KeyCond
	var err error
	if in.KeyConditionExpression != nil {
		kc, err = expr.ParseKeyCondition(*in.KeyConditionExpression, ectx, hash.Name, nameOf(rng))
	} else {
		kc, err = expr.KeyFromConditions(in.KeyConditions, hash.Name, nameOf(rng))
	}
	if err != nil {
		return nil, nil, err
	}
	if err := checkKeyCondTypes(kc, hash, rng); err != nil {
		return nil, nil, err
	}
	if in.FilterExpression != nil {
		r.filter, err = expr.ParseCondition(expr.KindFilter, *in.FilterExpression, ectx)
	} else if in.QueryFilter != nil {
		r.filter, err = expr.FromConditions(in.QueryFilter, deref(in.ConditionalOperator))
	}
	if err != nil {
		return nil, nil, err
	}
	if r.proj, err = projection(ectx, in.ProjectionExpression, in.AttributesToGet); err != nil {
		return nil, nil, err
	}
	if err := ectx.Unused(); err != nil {
		return nil, nil, err
	}
	if err := r.selection(in.Select, r.proj != nil); err != nil {
		return nil, nil, err
	}
	return r, kc, r.checkStartKey(in.ExclusiveStartKey)
}

func limitOf(l *int64) int {
	if l == nil {
		return 0
	}
	return int(*l)
}

func nameOf(k *keyAttr) string {
	if k == nil {
		return ""
	}
	return k.Name
}

// keysRead are the partition and sort keys of what the reader reads.
func (r *reader) keysRead() (keyAttr, *keyAttr) {
	if r.index != nil {
		return r.index.Hash, r.index.Range
	}
	return r.rec.Hash, r.rec.Range
}

// checkKeyCondTypes refuses key condition values of another type than the key's.
func checkKeyCondTypes(kc *expr.KeyCond, hash keyAttr, rng *keyAttr) error {
	if attr.TypeOf(kc.Hash) != hash.Type {
		return msgKeyCondType.New()
	}
	if kc.Range == nil {
		return nil
	}
	for _, v := range kc.Range.Values {
		t := attr.TypeOf(v)
		if t != rng.Type || kc.Range.Op == "begins_with" && t == attr.N {
			return msgKeyCondType.New()
		}
	}
	return nil
}

// candidate is an item of the queried partition, with what orders it: its sort key
// value, then its position (items of one index sort key value have no other order).
type candidate struct {
	item attr.Item
	sort attr.Value
	pos  string
}

func compareCandidates(a, b candidate) int {
	if c, ok := attr.Compare(a.sort, b.sort); ok && c != 0 {
		return c
	}
	return strings.Compare(a.pos, b.pos)
}

// query reads one page of the partition the key condition names.
func (r *reader) query(tc *tableCtx, kc *expr.KeyCond, start attr.Item, forward bool) (*page, error) {
	cands, err := r.partition(tc, kc)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(cands, compareCandidates)
	if !forward {
		slices.Reverse(cands)
	}
	if start != nil {
		cands = after(cands, r.candidateOf(tc, start), forward)
	}
	pg := &page{}
	for _, cd := range cands {
		if !r.take(pg, cd.item) {
			break
		}
	}
	return pg, nil
}

// after drops the candidates up to and including the start key's place.
func after(cands []candidate, start candidate, forward bool) []candidate {
	i := slices.IndexFunc(cands, func(cd candidate) bool {
		c := compareCandidates(cd, start)
		return forward && c > 0 || !forward && c < 0
	})
	if i < 0 {
		return nil
	}
	return cands[i:]
}

// candidateOf places an ExclusiveStartKey among the candidates.
func (r *reader) candidateOf(tc *tableCtx, key attr.Item) candidate {
	pp, sp := tc.positions(key)
	_, rng := r.keysRead()
	cd := candidate{pos: posOf(pp, sp)}
	if rng != nil {
		cd.sort = key[rng.Name]
	}
	return cd
}

// partition reads the items of the partition whose key value kc.Hash is, that the sort
// key condition keeps.
func (r *reader) partition(tc *tableCtx, kc *expr.KeyCond) ([]candidate, error) {
	hash, rng := r.keysRead()
	keep := func(item attr.Item) bool {
		if !attr.Equal(item[hash.Name], kc.Hash) {
			return false // another value with the same position: not in the partition
		}
		if kc.Range == nil {
			return true
		}
		v, ok := item[rng.Name]
		return ok && kc.Range.Match(v)
	}
	var out []candidate
	add := func(pp, sp string, item attr.Item) {
		if keep(item) {
			cd := candidate{item: item, pos: posOf(pp, sp)}
			if rng != nil {
				cd.sort = item[rng.Name]
			}
			out = append(out, cd)
		}
	}
	ip := tc.keys.position(kc.Hash)
	if r.index == nil {
		err := tc.scanPartition(ip, func(sp string, item attr.Item) { add(ip, sp, item) })
		return out, err
	}
	err := tc.scanIndexPartition(r.index.Name, ip, func(pp, sp string, item attr.Item) { add(pp, sp, item) })
	return out, err
}

// scanPartition calls fn for each item of the table partition at pp.
func (tc *tableCtx) scanPartition(pp string, fn func(sp string, item attr.Item)) error {
	var failed error
	err := items.Scan(tc.v, "", func(e kit.Entry, blob []byte) bool {
		_, item, err := tc.keys.open(posOf(pp, e.Pos), blob)
		if err != nil {
			failed = err
			return false
		}
		fn(e.Pos, item)
		return true
	}, tc.rec.ID, pp)
	if err != nil {
		return err
	}
	return failed
}

// scanIndexPartition calls fn for each item of an index partition.
func (tc *tableCtx) scanIndexPartition(index, ip string, fn func(pp, sp string, item attr.Item)) error {
	var failed error
	err := indexEntries.Keys(tc.v, "", func(e kit.Entry) bool {
		id := e.ID()
		_, item, found, err := tc.getAt(id[0], id[1])
		if err != nil {
			failed = err
			return false
		}
		if found {
			fn(id[0], id[1], item)
		}
		return true
	}, tc.rec.ID, index, ip)
	if err != nil {
		return err
	}
	return failed
}
