package expr

import (
	"sort"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// The legacy parameters (Expected, KeyConditions, QueryFilter, ScanFilter,
// AttributeUpdates, AttributesToGet) predate expressions; some clients still send them
// (Terraform's aws_dynamodb_table_item updates with AttributeUpdates). They are
// translated into the same trees as expressions, so both evaluate alike.

// legacyArgs is how many values each ComparisonOperator takes (-1: one or more).
var legacyArgs = map[string]int{
	"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0,
	"CONTAINS": 1, "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "IN": -1, "BETWEEN": 2,
}

// FromConditions translates KeyConditions-style conditions (QueryFilter, ScanFilter),
// joined by op ("AND" unless ConditionalOperator says "OR").
func FromConditions(conds map[string]ddb.Condition, op string) (Cond, error) {
	var parts []Cond
	for _, name := range sortedKeys(conds) {
		c, err := legacyCond(name, deref(conds[name].ComparisonOperator), conds[name].AttributeValueList)
		if err != nil {
			return nil, err
		}
		parts = append(parts, c)
	}
	return join(parts, op), nil
}

// FromExpected translates Expected, joined by op.
func FromExpected(exp map[string]ddb.ExpectedAttributeValue, op string) (Cond, error) {
	var parts []Cond
	for _, name := range sortedKeys(exp) {
		c, err := expectedCond(name, exp[name])
		if err != nil {
			return nil, err
		}
		parts = append(parts, c)
	}
	return join(parts, op), nil
}

func expectedCond(name string, e ddb.ExpectedAttributeValue) (Cond, error) {
	path := Path{{Name: name}}
	if e.ComparisonOperator != nil {
		if e.Value != nil || e.Exists != nil {
			return nil, msgLegacyValue.New()
		}
		return legacyCond(name, *e.ComparisonOperator, e.AttributeValueList)
	}
	exists := e.Exists == nil || *e.Exists
	switch {
	case exists && e.Value == nil:
		return nil, msgLegacyExists.New(name)
	case exists:
		if err := attr.Check(*e.Value); err != nil {
			return nil, err
		}
		return &compareCond{op: "=", a: &pathOperand{path: path}, b: &valueOperand{v: attr.Normalize(*e.Value)}}, nil
	case e.Value != nil:
		return nil, msgLegacyValue.New()
	}
	return &existsCond{path: path, want: false}, nil
}

func legacyCond(name, op string, list []attr.Value) (Cond, error) {
	want, known := legacyArgs[op]
	if !known {
		return nil, msgLegacyOperator.New(op)
	}
	if want >= 0 && len(list) != want || want < 0 && len(list) == 0 {
		return nil, msgLegacyArgs.New(op)
	}
	vals := make([]operand, len(list))
	for i, v := range list {
		if err := attr.Check(v); err != nil {
			return nil, err
		}
		if op != "EQ" && op != "NE" && op != "IN" && op != "CONTAINS" && op != "NOT_CONTAINS" {
			if t := attr.TypeOf(v); t != attr.S && t != attr.N && t != attr.B {
				return nil, msgLegacyType.New(op, t)
			}
		}
		vals[i] = &valueOperand{v: attr.Normalize(v)}
	}
	a := &pathOperand{path: Path{{Name: name}}}
	switch op {
	case "EQ":
		return &compareCond{op: "=", a: a, b: vals[0]}, nil
	case "NE":
		return &compareCond{op: "<>", a: a, b: vals[0]}, nil
	case "LE":
		return &compareCond{op: "<=", a: a, b: vals[0]}, nil
	case "LT":
		return &compareCond{op: "<", a: a, b: vals[0]}, nil
	case "GE":
		return &compareCond{op: ">=", a: a, b: vals[0]}, nil
	case "GT":
		return &compareCond{op: ">", a: a, b: vals[0]}, nil
	case "NOT_NULL":
		return &existsCond{path: a.path, want: true}, nil
	case "NULL":
		return &existsCond{path: a.path, want: false}, nil
	case "CONTAINS":
		return &containsCond{a: a, b: vals[0]}, nil
	case "NOT_CONTAINS":
		return &andCond{a: &existsCond{path: a.path, want: true}, b: &notCond{c: &containsCond{a: a, b: vals[0]}}}, nil
	case "BEGINS_WITH":
		return &beginsWithCond{a: a, b: vals[0]}, nil
	case "IN":
		return &inCond{v: a, list: vals}, nil
	}
	return &betweenCond{v: a, lo: vals[0], hi: vals[1]}, nil
}

func join(parts []Cond, op string) Cond {
	if len(parts) == 0 {
		return nil
	}
	c := parts[0]
	for _, p := range parts[1:] {
		if op == "OR" {
			c = &orCond{a: c, b: p}
		} else {
			c = &andCond{a: c, b: p}
		}
	}
	return c
}

// KeyFromConditions translates a query's KeyConditions.
func KeyFromConditions(conds map[string]ddb.Condition, hashKey, rangeKey string) (*KeyCond, error) {
	var parts []Cond
	for _, name := range sortedKeys(conds) {
		c, err := legacyCond(name, deref(conds[name].ComparisonOperator), conds[name].AttributeValueList)
		if err != nil {
			return nil, err
		}
		parts = append(parts, c)
	}
	return keyCondOf(parts, hashKey, rangeKey)
}

// FromAttributeUpdates translates AttributeUpdates: PUT sets, DELETE without a value
// removes, DELETE with a set takes elements out, ADD adds.
func FromAttributeUpdates(updates map[string]ddb.AttributeValueUpdate) (*Update, error) {
	u := &Update{}
	names := make([]string, 0, len(updates))
	for n := range updates {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := u.addLegacy(name, updates[name]); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func (u *Update) addLegacy(name string, au ddb.AttributeValueUpdate) error {
	path := Path{{Name: name}}
	action := "PUT"
	if au.Action != nil {
		action = *au.Action
	}
	if au.Value == nil {
		if action != "DELETE" {
			return msgLegacyAction.New()
		}
		u.removes = append(u.removes, path)
		return nil
	}
	if err := attr.Check(*au.Value); err != nil {
		return err
	}
	v := attr.Normalize(*au.Value)
	t := attr.TypeOf(v)
	switch action {
	case "PUT":
		u.sets = append(u.sets, setAction{path: path, val: &valueOperand{v: v}})
	case "ADD":
		if t != attr.N && t != attr.SS && t != attr.NS && t != attr.BS && t != attr.L {
			return msgLegacyAdd.New(t)
		}
		if t == attr.L {
			// ADD of a list appends to the list there, or sets it.
			u.sets = append(u.sets, setAction{path: path, val: &listAppend{
				a: &ifNotExists{path: path, alt: &valueOperand{v: attr.Value{L: []attr.Value{}}}}, b: &valueOperand{v: v}}})
			return nil
		}
		u.adds = append(u.adds, setValueAction{path: path, v: v})
	default:
		if t != attr.SS && t != attr.NS && t != attr.BS {
			return msgLegacyDelete.New(t)
		}
		u.deletes = append(u.deletes, setValueAction{path: path, v: v})
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
