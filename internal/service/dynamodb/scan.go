package dynamodb

import (
	"context"
	"fmt"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/dynamodb/expr"
	"github.com/xregion/xregion/internal/service/kit"
)

func (s *Service) Scan(ctx context.Context, in *ddb.ScanInput) (*ddb.ScanOutput, error) {
	c := s.Call(ctx)
	seg, err := segmentOf(in.Segment, in.TotalSegments)
	if err != nil {
		return nil, err
	}
	var p params
	p.expression("FilterExpression", in.FilterExpression)
	p.expression("ProjectionExpression", in.ProjectionExpression)
	p.old("ScanFilter", in.ScanFilter != nil)
	p.old("AttributesToGet", in.AttributesToGet != nil)
	ectx, err := p.context(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*ddb.ScanOutput, error) {
		tc, err := s.openTable(tx, c.In(tx), *in.TableName)
		if err != nil {
			return nil, err
		}
		r, err := parseScan(tc.rec, in, ectx)
		if err != nil {
			return nil, err
		}
		pg, err := r.scan(tc, seg, in.ExclusiveStartKey)
		if err != nil {
			return nil, err
		}
		out := &ddb.ScanOutput{ConsumedCapacity: readCapacity(in.ReturnConsumedCapacity, tc.rec.Name, pg.bytes, in.ConsistentRead)}
		var count, scanned int64
		out.Items, count, scanned, out.LastEvaluatedKey = pg.result()
		out.Count, out.ScannedCount = new(count), new(scanned)
		if r.count {
			out.Items = nil
		}
		return out, nil
	})
}

func parseScan(rec *tableRecord, in *ddb.ScanInput, ectx *expr.Context) (*reader, error) {
	r := &reader{rec: rec, limit: limitOf(in.Limit)}
	if err := r.useIndex(in.IndexName, in.ConsistentRead); err != nil {
		return nil, err
	}
	var err error
	if in.FilterExpression != nil {
		r.filter, err = expr.ParseCondition(expr.KindFilter, *in.FilterExpression, ectx)
	} else if in.ScanFilter != nil {
		r.filter, err = expr.FromConditions(in.ScanFilter, deref(in.ConditionalOperator))
	}
	if err != nil {
		return nil, err
	}
	if r.proj, err = projection(ectx, in.ProjectionExpression, in.AttributesToGet); err != nil {
		return nil, err
	}
	if err := ectx.Unused(); err != nil {
		return nil, err
	}
	if err := r.selection(in.Select, r.proj != nil); err != nil {
		return nil, err
	}
	return r, r.checkStartKey(in.ExclusiveStartKey)
}

// segment is one segment of a parallel scan: the range of partition positions whose
// first 32 bits fall in [from, to). Positions are uniform, so segments are even.
type segment struct {
	from, to string // "" to: the end
}

func segmentOf(seg, total *int64) (segment, error) {
	switch {
	case seg == nil && total == nil:
		return segment{}, nil
	case seg == nil:
		return segment{}, msgSegmentNeeded.New()
	case total == nil:
		return segment{}, msgTotalNeeded.New()
	case *seg >= *total:
		return segment{}, msgSegmentRange.New(*seg, *total)
	}
	const space = 1 << 32
	from := uint64(*seg) * space / uint64(*total)
	out := segment{from: fmt.Sprintf("%08x", from)}
	if *seg+1 < *total {
		out.to = fmt.Sprintf("%08x", uint64(*seg+1)*space/uint64(*total))
	}
	if from == 0 {
		out.from = ""
	}
	return out, nil
}

// inside reports whether a partition position lies before the segment's end.
func (sg segment) inside(pp string) bool { return sg.to == "" || pp[:8] < sg.to }

// scan reads one page of the table or index, in store order, from the start key or the
// segment's start.
func (r *reader) scan(tc *tableCtx, sg segment, start attr.Item) (*page, error) {
	from := sg.from
	if start != nil {
		from = r.positionOf(tc, start)
	}
	pg := &page{}
	if r.index == nil {
		return pg, r.scanTable(tc, sg, from, start != nil, pg)
	}
	return pg, r.scanIndex(tc, sg, from, start != nil, pg)
}

// positionOf is where an ExclusiveStartKey sits in the table's or index's store order.
func (r *reader) positionOf(tc *tableCtx, key attr.Item) string {
	pp, sp := tc.positions(key)
	if r.index == nil {
		return posOf(pp, sp)
	}
	return tc.keys.position(key[r.index.Hash.Name]) + "\x00" + posOf(pp, sp)
}

func (r *reader) scanTable(tc *tableCtx, sg segment, from string, skipFirst bool, pg *page) error {
	var failed error
	err := items.Scan(tc.v, from, func(e kit.Entry, blob []byte) bool {
		if skipFirst && e.Pos == from {
			return true
		}
		if !sg.inside(e.Pos) {
			return false
		}
		_, item, err := tc.keys.open(e.Pos, blob)
		if err != nil {
			failed = err
			return false
		}
		return r.take(pg, item)
	}, tc.rec.ID)
	if err != nil {
		return err
	}
	return failed
}

func (r *reader) scanIndex(tc *tableCtx, sg segment, from string, skipFirst bool, pg *page) error {
	var failed error
	err := indexEntries.Keys(tc.v, from, func(e kit.Entry) bool {
		if skipFirst && e.Pos == from {
			return true
		}
		if !sg.inside(e.Pos) {
			return false
		}
		id := e.ID()
		_, item, found, err := tc.getAt(id[1], id[2])
		if err != nil {
			failed = err
			return false
		}
		return !found || r.take(pg, item)
	}, tc.rec.ID, r.index.Name)
	if err != nil {
		return err
	}
	return failed
}
