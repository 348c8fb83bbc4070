package expr

import (
	"testing"

	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// values are the expression attribute values every condition case may use.
var values = map[string]attr.Value{
	":s": s("Alice"), ":a": s("Al"), ":z": s("zzz"), ":n42": n("42"), ":n42b": n("42.000"),
	":n1": n("1"), ":n100": n("100"), ":n7": n("7.5"), ":b": b("\x01\x02"), ":bfull": b("\x01\x02\x03"),
	":t": boolean(true), ":null": null(), ":red": s("red"), ":tags": ss("blue", "red"),
	":typeS": s("S"), ":typeN": s("N"), ":typeSS": s("SS"), ":typeM": s("M"), ":typeL": s("L"),
	":typeNULL": s("NULL"), ":typeBOOL": s("BOOL"), ":typeB": s("B"), ":typeNS": s("NS"), ":typeBS": s("BS"),
	":two": n("2"), ":x": s("x"), ":deep": m(attr.Item{"deep": s("yes")}), ":n3": n("3"), ":e": s(""),
	":n25": n("2.5"), ":bc": b("bc"), ":lic": s("lic"),
}

var names = map[string]string{"#n": "name", "#m": "map", "#dot": "a.b", "#l": "list", "#ok": "ok"}

func TestConditionEvaluation(t *testing.T) {
	cases := []struct {
		expr string
		want bool
	}{
		// Comparators on each ordered type, and equality on every type.
		{"#n = :s", true}, {"#n <> :s", false}, {"#n = :a", false}, {"#n <> :a", true},
		{"age = :n42", true}, {"age = :n42b", true}, {"age <> :n42b", false},
		{"age < :n100", true}, {"age <= :n42", true}, {"age > :n42", false}, {"age >= :n42", true},
		{"age > :n7", true}, {"score < :n42", true}, {"score = :n7", true},
		{"#n < :z", true}, {"#n > :a", true}, {"#n >= :s", true}, {"#n <= :a", false},
		{"bin > :b", true}, {"bin = :bfull", true}, {"bin < :b", false},
		{"#ok = :t", true}, {"nothing = :null", true}, {"tags = :tags", true},
		{"#l[2] = :deep", true}, {"#l[1] = :two", true},
		// Ordering across types never holds; <> across types does.
		{"age < :s", false}, {"age > :s", false}, {"age = :s", false}, {"age <> :s", true},
		{"#ok < :t", false},
		// Missing attributes: every comparison is false except <>.
		{"nope = :s", false}, {"nope < :s", false}, {"nope <> :s", true},
		{"nope = nope2", false},
		// Paths: nested maps, lists, names with dots through #names.
		{"#m.a = :n1", true}, {"#m.b.c = :z", false}, {"#m.l[1] > #m.l[0]", true},
		{"#m.l[5] = :n1", false}, {"#l[0] = :x", true}, {"#l[2].deep = :x", false},
		{"#dot = :n1", false}, {"#m.#n = :s", false},
		// Comparisons between two attributes.
		{"age > score", true}, {"#m.a < age", true},
		// BETWEEN.
		{"age BETWEEN :n1 AND :n100", true}, {"age BETWEEN :n42 AND :n42b", true},
		{"age between :n1 and :n7", false}, {"#n BETWEEN :a AND :z", true},
		{"nope BETWEEN :n1 AND :n100", false}, {"age BETWEEN :a AND :z", false},
		// IN.
		{"age IN (:n1, :n42)", true}, {"age IN (:n1)", false}, {"#n IN (:a, :s, :z)", true},
		{"nope IN (:n1)", false}, {"age in (:n42b)", true},
		// Functions.
		{"attribute_exists(age)", true}, {"attribute_exists(nope)", false},
		{"attribute_not_exists(nope)", true}, {"attribute_not_exists(#m.a)", false},
		{"attribute_exists(#m.b.c)", true}, {"attribute_exists(#l[2].deep)", true},
		{"attribute_exists(#l[3])", false}, {"attribute_exists(blank)", true},
		{"attribute_type(age, :typeN)", true}, {"attribute_type(age, :typeS)", false},
		{"attribute_type(#n, :typeS)", true}, {"attribute_type(tags, :typeSS)", true},
		{"attribute_type(#m, :typeM)", true}, {"attribute_type(#l, :typeL)", true},
		{"attribute_type(nothing, :typeNULL)", true}, {"attribute_type(#ok, :typeBOOL)", true},
		{"attribute_type(bin, :typeB)", true}, {"attribute_type(nums, :typeNS)", true},
		{"attribute_type(blobs, :typeBS)", true}, {"attribute_type(nope, :typeS)", false},
		{"begins_with(#n, :a)", true}, {"begins_with(#n, :s)", true}, {"begins_with(#n, :z)", false},
		{"begins_with(bin, :b)", true}, {"begins_with(nope, :a)", false},
		{"begins_with(#n, :e)", true},
		{"contains(#n, :lic)", true}, {"contains(#n, :z)", false}, {"contains(tags, :red)", true},
		{"contains(tags, :z)", false}, {"contains(nums, :n25)", true}, {"contains(nums, :n7)", false},
		{"contains(blobs, :bc)", true}, {"contains(bin, :b)", true}, {"contains(#l, :x)", true},
		{"contains(#l, :deep)", true}, {"contains(#l, :z)", false}, {"contains(age, :n42)", false},
		{"size(#n) = :n7", false}, {"size(#n) > :n3", true}, {"size(tags) = :two", true},
		{"size(#l) = :n3", true}, {"size(#m) = :n3", true}, {"size(bin) = :n3", true},
		{"size(age) = :n42", false}, {"size(nope) = :n1", false}, {"size(blank) < :n1", true},
		{"size(nums) BETWEEN :n1 AND :n3", true}, {"size(tags) IN (:two)", true},
		// Logic and precedence: NOT binds tighter than AND, AND tighter than OR.
		{"age = :n42 AND #n = :s", true}, {"age = :n42 AND #n = :a", false},
		{"age = :n1 OR #n = :s", true}, {"age = :n1 OR #n = :a", false},
		{"NOT age = :n1", true}, {"NOT age = :n42", false}, {"not not age = :n42", true},
		{"age = :n1 AND #n = :a OR #n = :s", true},    // (F and F) or T
		{"age = :n1 AND (#n = :a OR #n = :s)", false}, // F and (F or T)
		{"#n = :s OR age = :n1 AND #n = :a", true},    // T or (F and F)
		{"(#n = :s OR age = :n1) AND #n = :a", false},
		{"NOT age = :n1 AND #n = :a", false}, // (not F) and F
		{"NOT (age = :n1 AND #n = :a)", true},
		{"NOT #n = :s OR age = :n42", true},
		{"attribute_exists(age) AND NOT attribute_exists(nope) AND begins_with(#n, :a)", true},
		{"(age = :n42)", true}, {"((age = :n42) AND (#n = :s))", true},
	}
	for _, tc := range cases {
		ctx := ctxWith(t, names, values)
		c, err := ParseCondition(KindCondition, tc.expr, ctx)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if got := c.Eval(sample()); got != tc.want {
			t.Errorf("%q = %v, want %v", tc.expr, got, tc.want)
		}
	}
}

func TestConditionOnAbsentItem(t *testing.T) {
	for expr, want := range map[string]bool{
		"attribute_not_exists(id)": true, "attribute_exists(id)": false, "age = :n42": false,
		"age <> :n42": true, "NOT attribute_exists(id)": true,
	} {
		c, err := ParseCondition(KindCondition, expr, ctxWith(t, nil, values))
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		if got := c.Eval(nil); got != want {
			t.Errorf("%q on no item = %v, want %v", expr, got, want)
		}
	}
}

func TestConditionErrors(t *testing.T) {
	cases := []struct {
		kind, expr string
		names      map[string]string
		values     map[string]attr.Value
		msg        string
	}{
		{KindCondition, "", nil, nil, "Invalid ConditionExpression: The expression can not be empty;"},
		{KindFilter, "   ", nil, nil, "Invalid FilterExpression: The expression can not be empty;"},
		{KindCondition, "a =", nil, nil, `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="`},
		{KindCondition, "a = :v :w", nil, map[string]attr.Value{":v": n("1"), ":w": n("2")}, `Invalid ConditionExpression: Syntax error; token: ":w", near: ":v :w"`},
		{KindCondition, "a == :v", nil, map[string]attr.Value{":v": n("1")}, `Invalid ConditionExpression: Syntax error; token: "=", near: "== :v"`},
		{KindCondition, "a = :v!", nil, map[string]attr.Value{":v": n("1")}, `Invalid ConditionExpression: Syntax error; token: "!", near: ":v!"`},
		{KindCondition, "a", nil, nil, `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "a"`},
		{KindCondition, "a = :v AND", nil, map[string]attr.Value{":v": n("1")}, `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"`},
		{KindCondition, "(a = :v", nil, map[string]attr.Value{":v": n("1")}, `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":v"`},
		{KindCondition, "a BETWEEN :v", nil, map[string]attr.Value{":v": n("1")}, `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":v"`},
		{KindCondition, "a IN :v", nil, map[string]attr.Value{":v": n("1")}, `Invalid ConditionExpression: Syntax error; token: ":v", near: "IN :v"`},
		{KindCondition, "a[x] = :v", nil, map[string]attr.Value{":v": n("1")}, `Invalid ConditionExpression: Syntax error; token: "x", near: "[x]"`},
		{KindCondition, "1a = :v", nil, map[string]attr.Value{":v": n("1")}, `Invalid ConditionExpression: Syntax error; token: "1a", near: "1a ="`},
		{KindCondition, "name = :v", nil, map[string]attr.Value{":v": n("1")}, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name"},
		{KindFilter, "a.Status = :v", nil, map[string]attr.Value{":v": n("1")}, "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: Status"},
		{KindCondition, "#x = :v", nil, map[string]attr.Value{":v": n("1")}, "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"},
		{KindCondition, "a = :nope", nil, map[string]attr.Value{":v": n("1")}, "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope"},
		{KindCondition, "a = :v", nil, nil, "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v"},
		{KindCondition, "frobnicate(a)", nil, nil, "Invalid ConditionExpression: Invalid function name; function: frobnicate"},
		{KindCondition, "if_not_exists(a, :v)", nil, map[string]attr.Value{":v": n("1")}, "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: if_not_exists"},
		{KindCondition, "a = list_append(b, c)", nil, nil, "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: list_append"},
		{KindCondition, "a = attribute_exists(b)", nil, nil, "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{KindCondition, "begins_with(a)", nil, nil, "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1"},
		{KindCondition, "attribute_exists(a, b)", nil, nil, "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{KindCondition, "size(a, b) = :v", nil, map[string]attr.Value{":v": n("1")}, "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
		{KindCondition, "attribute_exists(:v)", nil, map[string]attr.Value{":v": n("1")}, "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"},
		{KindCondition, "size(:v) = :v", nil, map[string]attr.Value{":v": n("1")}, "Invalid ConditionExpression: Operator or function requires a document path; operator or function: size"},
		{KindCondition, "begins_with(a, :v)", nil, map[string]attr.Value{":v": n("1")}, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{KindCondition, "attribute_type(a, :v)", nil, map[string]attr.Value{":v": s("STRING")}, "Invalid ConditionExpression: Invalid attribute type name found; type: STRING, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }"},
		{KindCondition, "a BETWEEN :hi AND :lo", nil, map[string]attr.Value{":hi": n("5"), ":lo": n("3")}, "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:3}"},
		{KindCondition, "((a = :v))", nil, map[string]attr.Value{":v": n("1")}, "Invalid ConditionExpression: The expression has redundant parentheses;"},
		// A syntax error wins over an undefined name met before it.
		{KindCondition, "#x = ", nil, nil, `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "= "`},
	}
	for _, tc := range cases {
		ctx, err := NewContext(tc.names, tc.values)
		if err != nil {
			t.Fatalf("%q: NewContext: %v", tc.expr, err)
		}
		_, err = ParseCondition(tc.kind, tc.expr, ctx)
		t.Run(tc.expr, func(t *testing.T) { wantMessage(t, err, tc.msg) })
	}
}

func TestTooManyInOperands(t *testing.T) {
	vals := map[string]attr.Value{}
	expr := "a IN ("
	for i := 0; i < 101; i++ {
		k := ":v" + itoa(i)
		vals[k] = n(itoa(i))
		if i > 0 {
			expr += ", "
		}
		expr += k
	}
	_, err := ParseCondition(KindCondition, expr+")", ctxWith(t, nil, vals))
	wantMessage(t, err, "Invalid ConditionExpression: Too many operands for IN; maximum operands: 100")
}

func TestEveryReservedWordIsRefused(t *testing.T) {
	for w := range reservedWords() {
		_, err := ParseCondition(KindCondition, "attribute_exists("+w+")", ctxWith(t, nil, nil))
		if err == nil {
			t.Errorf("%s was accepted as a name", w)
		}
	}
	// Not case-sensitive, and a #name lifts it.
	_, err := ParseCondition(KindCondition, "attribute_exists(dAtE)", ctxWith(t, nil, nil))
	wantMessage(t, err, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: dAtE")
	if _, err := ParseCondition(KindCondition, "attribute_exists(#d)", ctxWith(t, map[string]string{"#d": "date"}, nil)); err != nil {
		t.Error(err)
	}
	if len(reservedWords()) != 573 {
		t.Errorf("%d reserved words, want AWS's 573", len(reservedWords()))
	}
}

func TestContextChecks(t *testing.T) {
	cases := []struct {
		names  map[string]string
		values map[string]attr.Value
		msg    string
	}{
		{map[string]string{}, nil, "ExpressionAttributeNames must not be empty"},
		{nil, map[string]attr.Value{}, "ExpressionAttributeValues must not be empty"},
		{map[string]string{"n": "x"}, nil, `ExpressionAttributeNames contains invalid key: Syntax error; key: "n"`},
		{map[string]string{"#a-b": "x"}, nil, `ExpressionAttributeNames contains invalid key: Syntax error; key: "#a-b"`},
		{nil, map[string]attr.Value{"v": n("1")}, `ExpressionAttributeValues contains invalid key: Syntax error; key: "v"`},
		{nil, map[string]attr.Value{":v": {}}, "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :v"},
		{nil, map[string]attr.Value{":v": ss()}, "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :v"},
		{nil, map[string]attr.Value{":v": n("abc")}, "ExpressionAttributeValues contains invalid value: A value provided cannot be converted into a number for key :v"},
	}
	for _, tc := range cases {
		_, err := NewContext(tc.names, tc.values)
		wantMessage(t, err, tc.msg)
	}
}

func TestUnusedNamesAndValues(t *testing.T) {
	ctx := ctxWith(t, map[string]string{"#a": "a", "#b": "b", "#c": "c"}, map[string]attr.Value{":v": n("1"), ":w": n("2")})
	if _, err := ParseCondition(KindCondition, "#a = :v", ctx); err != nil {
		t.Fatal(err)
	}
	wantMessage(t, ctx.Unused(), "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #c}")
	ctx = ctxWith(t, map[string]string{"#a": "a"}, map[string]attr.Value{":v": n("1"), ":w": n("2")})
	if _, err := ParseCondition(KindCondition, "#a = :v", ctx); err != nil {
		t.Fatal(err)
	}
	wantMessage(t, ctx.Unused(), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}")
	// Names and values used by any expression of the request count.
	ctx = ctxWith(t, map[string]string{"#a": "a", "#b": "b"}, map[string]attr.Value{":v": n("1")})
	if _, err := ParseCondition(KindCondition, "#a = :v", ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseProjection("#b", ctx); err != nil {
		t.Fatal(err)
	}
	if err := ctx.Unused(); err != nil {
		t.Error(err)
	}
}
