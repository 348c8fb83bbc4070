package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/dynamodb/expr"
	"github.com/xregion/xregion/internal/service/kit"
)

// tokenWindow is how long TransactWriteItems remembers a ClientRequestToken.
const tokenWindow = 10 * time.Minute

// transactOp is one item of a TransactWriteItems: its table and its operation.
type transactOp struct {
	table string
	op    *itemOp
	item  attr.Item // a Put's item, checked against the table in the transaction
}

func (s *Service) TransactWriteItems(ctx context.Context, in *ddb.TransactWriteItemsInput) (*ddb.TransactWriteItemsOutput, error) {
	c := s.Call(ctx)
	ops := make([]transactOp, len(in.TransactItems))
	for i, ti := range in.TransactItems {
		op, err := parseTransactItem(ti)
		if err != nil {
			return nil, err
		}
		ops[i] = op
	}
	hash, err := requestHash(in.TransactItems)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.TransactWriteItemsOutput, error) {
		v := c.In(tx)
		if done, err := seenToken(v, in.ClientRequestToken, hash, c.Now()); done || err != nil {
			return &ddb.TransactWriteItemsOutput{}, err
		}
		tcs, err := s.openTransaction(tx, v, ops)
		if err != nil {
			return nil, err
		}
		units, err := runTransaction(tcs, ops)
		if err != nil {
			return nil, err
		}
		out := &ddb.TransactWriteItemsOutput{}
		for _, name := range sortedTables(tcs) {
			if err := tcs[name].flush(); err != nil {
				return nil, err
			}
			if cc := consumed(in.ReturnConsumedCapacity, name, 0, 2*units[name]); cc != nil {
				out.ConsumedCapacity = append(out.ConsumedCapacity, *cc)
			}
		}
		return out, rememberToken(v, in.ClientRequestToken, hash, c.Now())
	})
}

// parseTransactItem parses one item of a transaction: exactly one of its four kinds,
// with its own names and values.
func parseTransactItem(ti ddb.TransactWriteItem) (transactOp, error) {
	kinds := 0
	for _, set := range []bool{ti.ConditionCheck != nil, ti.Put != nil, ti.Delete != nil, ti.Update != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return transactOp{}, msgTransactOne.New()
	}
	switch {
	case ti.Put != nil:
		p := ti.Put
		op, err := transactCondition(p.ConditionExpression, nil, p.ExpressionAttributeNames, p.ExpressionAttributeValues, p.ReturnValuesOnConditionCheckFailure)
		op.put = p.Item
		return transactOp{table: *p.TableName, op: op, item: p.Item}, err
	case ti.Update != nil:
		u := ti.Update
		op, err := transactCondition(u.ConditionExpression, u.UpdateExpression, u.ExpressionAttributeNames, u.ExpressionAttributeValues, u.ReturnValuesOnConditionCheckFailure)
		op.key = u.Key
		return transactOp{table: *u.TableName, op: op}, err
	case ti.Delete != nil:
		d := ti.Delete
		op, err := transactCondition(d.ConditionExpression, nil, d.ExpressionAttributeNames, d.ExpressionAttributeValues, d.ReturnValuesOnConditionCheckFailure)
		op.key, op.delete = d.Key, true
		return transactOp{table: *d.TableName, op: op}, err
	}
	cc := ti.ConditionCheck
	op, err := transactCondition(cc.ConditionExpression, nil, cc.ExpressionAttributeNames, cc.ExpressionAttributeValues, cc.ReturnValuesOnConditionCheckFailure)
	op.key, op.check = cc.Key, true
	return transactOp{table: *cc.TableName, op: op}, err
}

// transactCondition parses the condition (and the update, if any) of a transaction item.
func transactCondition(cond, update *string, names map[string]string, values map[string]attr.Value, onFailure *string) (*itemOp, error) {
	var p params
	p.expression("ConditionExpression", cond)
	p.expression("UpdateExpression", update)
	op := &itemOp{onFailure: onFailure}
	ectx, err := p.context(names, values)
	if err != nil {
		return op, err
	}
	if cond != nil {
		if op.cond, err = expr.ParseCondition(expr.KindCondition, *cond, ectx); err != nil {
			return op, err
		}
	}
	if update != nil {
		if op.update, err = expr.ParseUpdate(*update, ectx); err != nil {
			return op, err
		}
	}
	return op, ectx.Unused()
}

// requestHash identifies a transaction's content, for its ClientRequestToken.
func requestHash(items []ddb.TransactWriteItem) (string, error) {
	b, err := json.Marshal(items)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// seenToken reports whether a transaction with this token already succeeded within the
// window; the same token with other content is IdempotentParameterMismatchException.
func seenToken(v kit.View, token *string, hash string, now time.Time) (bool, error) {
	if token == nil {
		return false, nil
	}
	rec, err := tokens.Get(v, *token)
	if err != nil || rec == nil || now.After(rec.Expires) {
		return false, err
	}
	if rec.Hash != hash {
		return false, msgTokenMismatch.New()
	}
	return true, nil
}

func rememberToken(v kit.View, token *string, hash string, now time.Time) error {
	if token == nil {
		return nil
	}
	return tokens.Put(v, &tokenRecord{Hash: hash, Expires: now.Add(tokenWindow)}, *token)
}

// openTransaction opens every table of a transaction and checks every item against its
// table; two operations on one item are refused.
func (s *Service) openTransaction(tx kit.Tx, v kit.View, ops []transactOp) (map[string]*tableCtx, error) {
	tcs := map[string]*tableCtx{}
	seen := map[string]bool{}
	for _, t := range ops {
		tc, ok := tcs[t.table]
		if !ok {
			var err error
			if tc, err = s.openTable(tx, v, t.table); err != nil {
				return nil, err
			}
			tcs[t.table] = tc
		}
		if err := checkTransactOp(tc.rec, t); err != nil {
			return nil, err
		}
		pp, sp := tc.positions(t.op.key)
		id := t.table + "\x00" + posOf(pp, sp)
		if seen[id] {
			return nil, msgTransactTwice.New()
		}
		seen[id] = true
	}
	return tcs, nil
}

func checkTransactOp(rec *tableRecord, t transactOp) error {
	if t.item != nil {
		if err := rec.checkItem(t.item, func() error { return msgItemTooLarge.New() }); err != nil {
			return err
		}
		t.op.put = attr.NormalizeItem(t.item)
		t.op.key = rec.keyOf(t.op.put)
		return nil
	}
	if err := rec.checkKey(t.op.key); err != nil {
		return err
	}
	t.op.key = attr.NormalizeItem(t.op.key)
	if t.op.update != nil {
		return checkUpdatePaths(rec, t.op.update)
	}
	return nil
}

// runTransaction checks every condition first; if any fails, nothing is written and the
// answer is TransactionCanceledException with a reason per item. It returns the write
// units per table.
func runTransaction(tcs map[string]*tableCtx, ops []transactOp) (map[string]float64, error) {
	reasons := make([]ddb.CancellationReason, len(ops))
	olds := make([]attr.Item, len(ops))
	failed := false
	for i, t := range ops {
		old, err := tcs[t.table].get(t.op.key)
		if err != nil {
			return nil, err
		}
		olds[i] = old
		reasons[i] = ddb.CancellationReason{Code: new("None")}
		if !holds(t.op.cond, old) {
			failed = true
			reasons[i] = ddb.CancellationReason{Code: new("ConditionalCheckFailed"), Message: new(msgConditionFailed.Text)}
			if deref(t.op.onFailure) == ddb.ReturnValuesOnConditionCheckFailureAllOld && old != nil {
				reasons[i].Item = old
			}
		}
	}
	if failed {
		return nil, canceled(reasons)
	}
	units := map[string]float64{}
	for i, t := range ops {
		if !t.op.changes() {
			continue
		}
		tc := tcs[t.table]
		new, err := t.op.newItem(tc.rec, olds[i])
		if err != nil {
			return nil, err
		}
		if new == nil && olds[i] == nil {
			continue
		}
		if err := tc.apply(t.op.key, olds[i], new); err != nil {
			return nil, err
		}
		units[t.table] += writeUnits(olds[i], new)
	}
	return units, nil
}

func canceled(reasons []ddb.CancellationReason) error {
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		codes[i] = *r.Code
	}
	e := msgTransactCanceled.New(strings.Join(codes, ", "))
	e.Members = map[string]any{"CancellationReasons": reasons}
	return e
}

func (s *Service) TransactGetItems(ctx context.Context, in *ddb.TransactGetItemsInput) (*ddb.TransactGetItemsOutput, error) {
	c := s.Call(ctx)
	projs := make([]expr.Projection, len(in.TransactItems))
	for i, ti := range in.TransactItems {
		var p params
		p.expression("ProjectionExpression", ti.Get.ProjectionExpression)
		ectx, err := p.context(ti.Get.ExpressionAttributeNames, nil)
		if err != nil {
			return nil, err
		}
		if projs[i], err = projection(ectx, ti.Get.ProjectionExpression, nil); err != nil {
			return nil, err
		}
		if err := ectx.Unused(); err != nil {
			return nil, err
		}
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*ddb.TransactGetItemsOutput, error) {
		v := c.In(tx)
		out := &ddb.TransactGetItemsOutput{Responses: make([]ddb.ItemResponse, len(in.TransactItems))}
		sizes := map[string]int{}
		seen := map[string]bool{}
		for i, ti := range in.TransactItems {
			tc, err := s.openTable(tx, v, *ti.Get.TableName)
			if err != nil {
				return nil, err
			}
			if err := tc.rec.checkKey(ti.Get.Key); err != nil {
				return nil, err
			}
			pp, sp := tc.positions(ti.Get.Key)
			if id := tc.rec.Name + "\x00" + posOf(pp, sp); seen[id] {
				return nil, msgTransactTwice.New()
			} else {
				seen[id] = true
			}
			item, err := tc.get(ti.Get.Key)
			if err != nil {
				return nil, err
			}
			sizes[tc.rec.Name] += attr.ItemSize(item)
			if item != nil && projs[i] != nil {
				item = projs[i].Apply(item)
			}
			out.Responses[i].Item = item
		}
		for _, name := range sortedTables(sizes) {
			if cc := consumed(in.ReturnConsumedCapacity, name, 2*readUnits(sizes[name], new(true)), 0); cc != nil {
				out.ConsumedCapacity = append(out.ConsumedCapacity, *cc)
			}
		}
		return out, nil
	})
}
