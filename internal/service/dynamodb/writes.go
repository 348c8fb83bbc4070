package dynamodb

import (
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/dynamodb/expr"
)

// itemOp is one checked and parsed write to one item — PutItem, UpdateItem, DeleteItem
// or a transaction's Put, Update, Delete or ConditionCheck — ready to run against the
// item as it is.
type itemOp struct {
	key       attr.Item
	cond      expr.Cond
	onFailure *string
	put       attr.Item    // a Put: the whole new item
	update    *expr.Update // an Update
	delete    bool         // a Delete
	// check is a ConditionCheck: the condition alone.
	check bool
}

// newItem is the item the operation leaves given the item old (nil: none), once its
// condition holds; nil for a deletion or when a check leaves the item as it is.
func (op *itemOp) newItem(rec *tableRecord, old attr.Item) (attr.Item, error) {
	switch {
	case op.put != nil:
		return op.put, nil
	case op.update != nil:
		return applyUpdate(rec, op.update, op.key, old)
	}
	return nil, nil
}

// changes reports whether the operation writes.
func (op *itemOp) changes() bool { return !op.check }

// applyUpdate runs an update on old (or on the key alone: UpdateItem creates the item
// it does not find), and checks what it makes.
func applyUpdate(rec *tableRecord, u *expr.Update, key, old attr.Item) (attr.Item, error) {
	base := old
	if base == nil {
		base = attr.CloneItem(key)
	}
	out, err := u.Apply(base)
	if err != nil {
		return nil, err
	}
	if err := rec.checkIndexKeys(out); err != nil {
		return nil, err
	}
	if attr.ItemSize(out) > attr.MaxItemSize {
		return nil, msgUpdateTooLarge.New()
	}
	return out, nil
}

// checkUpdatePaths refuses an update that touches a key attribute.
func checkUpdatePaths(rec *tableRecord, u *expr.Update) error {
	for _, p := range u.Paths() {
		if rec.isKey(p.Top()) {
			return msgKeyUpdate.New(p.Top())
		}
	}
	return nil
}

// run applies the operation to the table of tc, and returns the item before and after.
// A failed condition is ConditionalCheckFailedException.
func (op *itemOp) run(tc *tableCtx) (old, new attr.Item, err error) {
	old, err = tc.get(op.key)
	if err != nil {
		return nil, nil, err
	}
	if !holds(op.cond, old) {
		return old, nil, conditionFailed(op.onFailure, old)
	}
	if !op.changes() {
		return old, old, nil
	}
	new, err = op.newItem(tc.rec, old)
	if err != nil {
		return old, nil, err
	}
	if new == nil && old == nil {
		return nil, nil, nil // deleting nothing writes nothing
	}
	return old, new, tc.apply(op.key, old, new)
}
