package expr

import (
	"testing"

	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

func TestProjection(t *testing.T) {
	cases := []struct {
		expr string
		want attr.Item
	}{
		{"age", attr.Item{"age": n("42")}},
		{"age, #n, nope", attr.Item{"age": n("42"), "name": s("Alice")}},
		{"#m.a", attr.Item{"map": m(attr.Item{"a": n("1")})}},
		{"#m.b.c, #m.a", attr.Item{"map": m(attr.Item{"a": n("1"), "b": m(attr.Item{"c": s("z")})})}},
		{"#m.nope", attr.Item{}},
		{"#l[1]", attr.Item{"list": l(n("2"))}},
		{"#l[2].deep, #l[0]", attr.Item{"list": l(s("x"), m(attr.Item{"deep": s("yes")}))}},
		{"#l[9]", attr.Item{}},
		{"#m.l[1]", attr.Item{"map": m(attr.Item{"l": l(n("20"))})}},
		{"age.nope", attr.Item{}},
	}
	for _, tc := range cases {
		p, err := ParseProjection(tc.expr, ctxWith(t, names, nil))
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if got := p.Apply(sample()); !attr.Equal(m(got), m(tc.want)) {
			t.Errorf("%q = %+v, want %+v", tc.expr, got, tc.want)
		}
	}
	if got := NewProjection("age", "nope").Apply(sample()); !attr.Equal(m(got), m(attr.Item{"age": n("42")})) {
		t.Errorf("NewProjection = %+v", got)
	}
}

func TestProjectionErrors(t *testing.T) {
	cases := []struct{ expr, msg string }{
		{"", "Invalid ProjectionExpression: The expression can not be empty;"},
		{"a,", `Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ","`},
		{"a b", `Invalid ProjectionExpression: Syntax error; token: "b", near: "a b"`},
		{"a = b", `Invalid ProjectionExpression: Syntax error; token: "=", near: "a = b"`},
		{"size", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: size"},
		{"a, a.b", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
		{"a[0], a.b", "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]"},
		{"#x", "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"},
	}
	for _, tc := range cases {
		_, err := ParseProjection(tc.expr, ctxWith(t, nil, nil))
		t.Run(tc.expr, func(t *testing.T) { wantMessage(t, err, tc.msg) })
	}
}

func TestKeyCondition(t *testing.T) {
	vals := map[string]attr.Value{":h": s("h1"), ":lo": n("1"), ":hi": n("9"), ":p": s("pre")}
	cases := []struct {
		expr      string
		op        string
		match, no attr.Value
	}{
		{"pk = :h", "", n("0"), attr.Value{}},
		{"pk = :h AND sk = :lo", "=", n("1"), n("2")},
		{"sk < :hi AND pk = :h", "<", n("8"), n("9")},
		{"pk = :h AND sk <= :hi", "<=", n("9"), n("10")},
		{"pk = :h AND sk > :lo", ">", n("1.5"), n("1")},
		{"pk = :h AND sk >= :lo", ">=", n("1"), n("0.5")},
		{"pk = :h AND :lo < sk", ">", n("2"), n("1")},
		{"pk = :h AND sk BETWEEN :lo AND :hi", "BETWEEN", n("5"), n("10")},
		{"(pk = :h) AND (sk BETWEEN :lo AND :hi)", "BETWEEN", n("9"), n("0")},
		{"#k = :h AND begins_with(sk, :p)", "begins_with", s("prefix"), s("other")},
	}
	for _, tc := range cases {
		kc, err := ParseKeyCondition(tc.expr, ctxWith(t, map[string]string{"#k": "pk"}, vals), "pk", "sk")
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if !attr.Equal(kc.Hash, s("h1")) {
			t.Errorf("%q: hash %+v", tc.expr, kc.Hash)
		}
		if tc.op == "" {
			if kc.Range != nil {
				t.Errorf("%q: range %+v", tc.expr, kc.Range)
			}
			continue
		}
		if kc.Range == nil || kc.Range.Op != tc.op || !kc.Range.Match(tc.match) || kc.Range.Match(tc.no) {
			t.Errorf("%q: range %+v", tc.expr, kc.Range)
		}
	}
}

func TestKeyConditionErrors(t *testing.T) {
	vals := map[string]attr.Value{":h": s("h1"), ":v": n("1")}
	cases := []struct{ expr, msg string }{
		{"sk = :v", "Query condition missed key schema element: pk"},
		{"pk < :h", "Query key condition not supported"},
		{"pk = :h AND attr9 = :v", "Query key condition not supported"},
		{"pk = :h AND pk = :h", "KeyConditionExpressions must only contain one condition per key"},
		{"pk = :h AND sk = :v AND sk > :v", "KeyConditionExpressions must only contain one condition per key"},
		{"pk = :h OR sk = :v", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR"},
		{"pk = :h AND NOT sk = :v", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: NOT"},
		{"pk = :h AND sk IN (:v)", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: IN"},
		{"pk = :h AND sk <> :v", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: <>"},
		{"pk = :h AND contains(sk, :v)", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: contains"},
		{"pk = :h AND attribute_exists(sk)", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: attribute_exists"},
		{"pk = sk", "Query key condition not supported"},
		{"pk = :h AND", `Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND"`},
	}
	for _, tc := range cases {
		_, err := ParseKeyCondition(tc.expr, ctxWith(t, nil, vals), "pk", "sk")
		t.Run(tc.expr, func(t *testing.T) { wantMessage(t, err, tc.msg) })
	}
}
