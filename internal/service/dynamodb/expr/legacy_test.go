package expr

import (
	"testing"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

func cond(op string, vals ...attr.Value) ddb.Condition {
	if vals == nil {
		vals = []attr.Value{}
	}
	return ddb.Condition{ComparisonOperator: &op, AttributeValueList: vals}
}

func TestLegacyConditions(t *testing.T) {
	cases := []struct {
		conds map[string]ddb.Condition
		op    string
		want  bool
	}{
		{map[string]ddb.Condition{"age": cond("EQ", n("42"))}, "AND", true},
		{map[string]ddb.Condition{"age": cond("NE", n("42"))}, "AND", false},
		{map[string]ddb.Condition{"age": cond("LT", n("43")), "name": cond("BEGINS_WITH", s("Al"))}, "AND", true},
		{map[string]ddb.Condition{"age": cond("GT", n("43")), "name": cond("BEGINS_WITH", s("Al"))}, "AND", false},
		{map[string]ddb.Condition{"age": cond("GT", n("43")), "name": cond("BEGINS_WITH", s("Al"))}, "OR", true},
		{map[string]ddb.Condition{"age": cond("LE", n("42")), "score": cond("GE", n("7.5"))}, "AND", true},
		{map[string]ddb.Condition{"nope": cond("NULL"), "age": cond("NOT_NULL")}, "AND", true},
		{map[string]ddb.Condition{"tags": cond("CONTAINS", s("red"))}, "AND", true},
		{map[string]ddb.Condition{"tags": cond("NOT_CONTAINS", s("red"))}, "AND", false},
		{map[string]ddb.Condition{"nope": cond("NOT_CONTAINS", s("red"))}, "AND", false},
		{map[string]ddb.Condition{"age": cond("IN", n("1"), n("42"))}, "AND", true},
		{map[string]ddb.Condition{"age": cond("BETWEEN", n("40"), n("50"))}, "AND", true},
	}
	for i, tc := range cases {
		c, err := FromConditions(tc.conds, tc.op)
		if err != nil {
			t.Errorf("case %d: %v", i, err)
			continue
		}
		if got := c.Eval(sample()); got != tc.want {
			t.Errorf("case %d = %v, want %v", i, got, tc.want)
		}
	}
}

func TestLegacyErrors(t *testing.T) {
	_, err := FromConditions(map[string]ddb.Condition{"a": cond("EQ")}, "AND")
	wantMessage(t, err, "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator")
	_, err = FromConditions(map[string]ddb.Condition{"a": cond("LT", ss("x"))}, "AND")
	wantMessage(t, err, "One or more parameter values were invalid: ComparisonOperator LT is not valid for SS AttributeValue type")
	_, err = FromConditions(map[string]ddb.Condition{"a": cond("LIKE", s("x"))}, "AND")
	wantMessage(t, err, "One or more parameter values were invalid: Unsupported operator on ExpectedAttributeValue or ConditionalOperator: LIKE")
	_, err = FromExpected(map[string]ddb.ExpectedAttributeValue{"a": {Exists: new(true)}}, "AND")
	wantMessage(t, err, "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a")
	_, err = FromAttributeUpdates(map[string]ddb.AttributeValueUpdate{"a": {Action: new("PUT")}})
	wantMessage(t, err, "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
	_, err = FromAttributeUpdates(map[string]ddb.AttributeValueUpdate{"a": {Action: new("ADD"), Value: ptr(s("x"))}})
	wantMessage(t, err, "One or more parameter values were invalid: ADD action is not supported for the type S")
}

func TestLegacyExpected(t *testing.T) {
	cases := []struct {
		exp  map[string]ddb.ExpectedAttributeValue
		want bool
	}{
		{map[string]ddb.ExpectedAttributeValue{"age": {Value: ptr(n("42"))}}, true},
		{map[string]ddb.ExpectedAttributeValue{"age": {Value: ptr(n("42")), Exists: new(true)}}, true},
		{map[string]ddb.ExpectedAttributeValue{"age": {Exists: new(false)}}, false},
		{map[string]ddb.ExpectedAttributeValue{"nope": {Exists: new(false)}}, true},
		{map[string]ddb.ExpectedAttributeValue{"age": {ComparisonOperator: new("GT"), AttributeValueList: []attr.Value{n("41")}}}, true},
	}
	for i, tc := range cases {
		c, err := FromExpected(tc.exp, "AND")
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if got := c.Eval(sample()); got != tc.want {
			t.Errorf("case %d = %v, want %v", i, got, tc.want)
		}
	}
}

func TestLegacyAttributeUpdates(t *testing.T) {
	u, err := FromAttributeUpdates(map[string]ddb.AttributeValueUpdate{
		"age":   {Action: new("ADD"), Value: ptr(n("1"))},
		"name":  {Value: ptr(s("Bob"))}, // PUT is the default
		"tags":  {Action: new("DELETE"), Value: ptr(ss("red"))},
		"score": {Action: new("DELETE")},
		"list":  {Action: new("ADD"), Value: ptr(l(s("y")))},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := u.Apply(sample())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]attr.Value{"age": n("43"), "name": s("Bob"), "tags": ss("blue")}
	for k, v := range want {
		if !attr.Equal(out[k], v) {
			t.Errorf("%s = %+v, want %+v", k, out[k], v)
		}
	}
	if _, ok := out["score"]; ok {
		t.Error("score was not removed")
	}
	if len(out["list"].L) != 4 {
		t.Errorf("list = %+v", out["list"])
	}
}
