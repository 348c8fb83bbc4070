package expr

import (
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// KeyCond is a query's key condition: equality on the partition key and, optionally, a
// condition on the sort key.
type KeyCond struct {
	Hash  attr.Value
	Range *RangeCond
}

// RangeCond is the condition on the sort key: Op is one of = < <= > >= BETWEEN
// begins_with, with one value (two for BETWEEN).
type RangeCond struct {
	Op     string
	Values []attr.Value
}

// Match reports whether a sort key value satisfies the condition.
func (r *RangeCond) Match(v attr.Value) bool {
	if r == nil {
		return true
	}
	switch r.Op {
	case "BETWEEN":
		c1, ok1 := attr.Compare(r.Values[0], v)
		c2, ok2 := attr.Compare(v, r.Values[1])
		return ok1 && ok2 && c1 <= 0 && c2 <= 0
	case "begins_with":
		return (&beginsWithCond{a: &valueOperand{v: v}, b: &valueOperand{v: r.Values[0]}}).Eval(nil)
	}
	return (&compareCond{op: r.Op, a: &valueOperand{v: v}, b: &valueOperand{v: r.Values[0]}}).Eval(nil)
}

// ParseKeyCondition parses a key condition expression for a table or index whose keys
// are hashKey and rangeKey ("" when there is none).
func ParseKeyCondition(src string, ctx *Context, hashKey, rangeKey string) (*KeyCond, error) {
	c, err := ParseCondition(KindKeyCondition, src, ctx)
	if err != nil {
		return nil, err
	}
	var parts []Cond
	if err := flattenAnd(c, &parts); err != nil {
		return nil, err
	}
	return keyCondOf(parts, hashKey, rangeKey)
}

// flattenAnd collects the conditions joined by AND; anything else a key condition
// cannot have is refused with the operator's name.
func flattenAnd(c Cond, out *[]Cond) error {
	switch x := c.(type) {
	case *parenCond:
		return flattenAnd(x.c, out)
	case *andCond:
		if err := flattenAnd(x.a, out); err != nil {
			return err
		}
		return flattenAnd(x.b, out)
	case *orCond:
		return msgKeyOperator.New(KindKeyCondition, "OR")
	case *notCond:
		return msgKeyOperator.New(KindKeyCondition, "NOT")
	case *inCond:
		return msgKeyOperator.New(KindKeyCondition, "IN")
	case *existsCond:
		if x.want {
			return msgKeyOperator.New(KindKeyCondition, "attribute_exists")
		}
		return msgKeyOperator.New(KindKeyCondition, "attribute_not_exists")
	case *typeCond:
		return msgKeyOperator.New(KindKeyCondition, "attribute_type")
	case *containsCond:
		return msgKeyOperator.New(KindKeyCondition, "contains")
	case *compareCond:
		if x.op == "<>" {
			return msgKeyOperator.New(KindKeyCondition, "<>")
		}
	}
	*out = append(*out, c)
	return nil
}

// keyPart is one condition of a key condition: the key it is on, and what it asks.
type keyPart struct {
	name string
	cond RangeCond
}

func keyCondOf(parts []Cond, hashKey, rangeKey string) (*KeyCond, error) {
	out := &KeyCond{}
	var haveHash bool
	for _, c := range parts {
		kp, ok := keyPartOf(c)
		if !ok {
			return nil, msgKeyNotSupported.New()
		}
		switch {
		case kp.name == hashKey:
			if haveHash {
				return nil, msgKeyTwice.New()
			}
			if kp.cond.Op != "=" {
				return nil, msgKeyNotSupported.New()
			}
			haveHash, out.Hash = true, kp.cond.Values[0]
		case kp.name == rangeKey && rangeKey != "":
			if out.Range != nil {
				return nil, msgKeyTwice.New()
			}
			out.Range = &kp.cond
		default:
			return nil, msgKeyNotSupported.New()
		}
	}
	if !haveHash {
		return nil, msgKeyMissing.New(hashKey)
	}
	return out, nil
}

// keyPartOf reads one condition on a top-level key attribute against values.
func keyPartOf(c Cond) (keyPart, bool) {
	switch x := c.(type) {
	case *compareCond:
		if name, ok := topName(x.a); ok {
			if v, ok := x.b.(*valueOperand); ok {
				return keyPart{name: name, cond: RangeCond{Op: x.op, Values: []attr.Value{v.v}}}, true
			}
		}
		if name, ok := topName(x.b); ok {
			if v, ok := x.a.(*valueOperand); ok {
				return keyPart{name: name, cond: RangeCond{Op: flip(x.op), Values: []attr.Value{v.v}}}, true
			}
		}
	case *betweenCond:
		lo, lok := x.lo.(*valueOperand)
		hi, hok := x.hi.(*valueOperand)
		if name, ok := topName(x.v); ok && lok && hok {
			return keyPart{name: name, cond: RangeCond{Op: "BETWEEN", Values: []attr.Value{lo.v, hi.v}}}, true
		}
	case *beginsWithCond:
		if name, ok := topName(x.a); ok {
			if v, ok := x.b.(*valueOperand); ok {
				return keyPart{name: name, cond: RangeCond{Op: "begins_with", Values: []attr.Value{v.v}}}, true
			}
		}
	}
	return keyPart{}, false
}

func topName(o operand) (string, bool) {
	p, ok := o.(*pathOperand)
	if !ok || len(p.path) != 1 {
		return "", false
	}
	return p.path.Top(), true
}

// flip turns ":v < k" into "k > :v".
func flip(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}
