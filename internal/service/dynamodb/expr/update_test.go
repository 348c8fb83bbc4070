package expr

import (
	"testing"

	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

var updateValues = map[string]attr.Value{
	":one": n("1"), ":big": n("99999999999999999999999999999999999999"), ":tiny": n("1E-37"),
	":s": s("new"), ":list": l(s("p"), s("q")), ":tags": ss("green", "red"), ":nums": ns("2.5", "3"),
	":blobs": bs("a", "zz"), ":m": m(attr.Item{"k": s("v")}), ":minus": n("-0.5"), ":t": boolean(true), ":huge": n("9E125"),
}

func TestUpdateApply(t *testing.T) {
	cases := []struct {
		expr string
		// check reads the result: path expression → wanted value (nil: absent).
		want map[string]*attr.Value
	}{
		{"SET fresh = :s", map[string]*attr.Value{"fresh": ptr(s("new"))}},
		{"SET age = age + :one", map[string]*attr.Value{"age": ptr(n("43"))}},
		{"SET age = age - :one", map[string]*attr.Value{"age": ptr(n("41"))}},
		{"SET score = score + :minus", map[string]*attr.Value{"score": ptr(n("7"))}},
		{"SET age = :one + age", map[string]*attr.Value{"age": ptr(n("43"))}},
		{"SET c = if_not_exists(c, :one)", map[string]*attr.Value{"c": ptr(n("1"))}},
		{"SET age = if_not_exists(age, :one)", map[string]*attr.Value{"age": ptr(n("42"))}},
		{"SET c = if_not_exists(c, :one) + :one", map[string]*attr.Value{"c": ptr(n("2"))}},
		{"SET #l = list_append(#l, :list)", map[string]*attr.Value{"#l[3]": ptr(s("p")), "#l[4]": ptr(s("q"))}},
		{"SET #l = list_append(:list, #l)", map[string]*attr.Value{"#l[0]": ptr(s("p")), "#l[2]": ptr(s("x"))}},
		{"SET fresh = list_append(if_not_exists(fresh, :list), :list)", map[string]*attr.Value{"fresh[3]": ptr(s("q"))}},
		{"SET #m.a = :s, #m.b.c = :one", map[string]*attr.Value{"#m.a": ptr(s("new")), "#m.b.c": ptr(n("1"))}},
		{"SET #m.newkey = :m", map[string]*attr.Value{"#m.newkey.k": ptr(s("v"))}},
		{"SET #l[0] = :s", map[string]*attr.Value{"#l[0]": ptr(s("new")), "#l[1]": ptr(n("2"))}},
		{"SET #l[10] = :s", map[string]*attr.Value{"#l[3]": ptr(s("new"))}},
		{"SET #l[2].deep = :s", map[string]*attr.Value{"#l[2].deep": ptr(s("new"))}},
		// Every value is computed from the item as it was: a swap.
		{"SET age = score, score = age", map[string]*attr.Value{"age": ptr(n("7.5")), "score": ptr(n("42"))}},
		{"REMOVE age", map[string]*attr.Value{"age": nil}},
		{"REMOVE age, #m.a, nope", map[string]*attr.Value{"age": nil, "#m.a": nil, "#m.b.c": ptr(s("z"))}},
		{"REMOVE #l[0], #l[2]", map[string]*attr.Value{"#l[0]": ptr(n("2")), "#l[1]": nil}},
		{"REMOVE #l[2], #l[0]", map[string]*attr.Value{"#l[0]": ptr(n("2")), "#l[1]": nil}},
		{"REMOVE #l[7]", map[string]*attr.Value{"#l[2].deep": ptr(s("yes"))}},
		{"ADD age :one", map[string]*attr.Value{"age": ptr(n("43"))}},
		{"ADD hits :one", map[string]*attr.Value{"hits": ptr(n("1"))}},
		{"ADD tags :tags", map[string]*attr.Value{"tags": ptr(ss("red", "blue", "green"))}},
		{"ADD nums :nums", map[string]*attr.Value{"nums": ptr(ns("1", "2.5", "3"))}},
		{"ADD blobs :blobs", map[string]*attr.Value{"blobs": ptr(bs("a", "bc", "zz"))}},
		{"ADD newset :tags", map[string]*attr.Value{"newset": ptr(ss("green", "red"))}},
		{"DELETE tags :tags", map[string]*attr.Value{"tags": ptr(ss("blue"))}},
		{"DELETE nums :nums", map[string]*attr.Value{"nums": ptr(ns("1"))}},
		{"DELETE blobs :blobs", map[string]*attr.Value{"blobs": ptr(bs("bc"))}},
		{"DELETE nope :tags", map[string]*attr.Value{"nope": nil}},
		{"SET fresh = :s REMOVE age ADD hits :one DELETE tags :tags", map[string]*attr.Value{
			"fresh": ptr(s("new")), "age": nil, "hits": ptr(n("1")), "tags": ptr(ss("blue"))}},
		{"remove age set fresh = :t", map[string]*attr.Value{"age": nil, "fresh": ptr(boolean(true))}},
		// Exact decimals: 38 digits survive an ADD, no float rounding.
		{"SET x = :big - :one", map[string]*attr.Value{"x": ptr(n("99999999999999999999999999999999999998"))}},
		{"SET x = :one + :tiny", map[string]*attr.Value{"x": ptr(n("1.0000000000000000000000000000000000001"))}},
	}
	for _, tc := range cases {
		ctx := ctxWith(t, names, updateValues)
		u, err := ParseUpdate(tc.expr, ctx)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		before := sample()
		out, err := u.Apply(before)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if !attr.Equal(m(before), m(sample())) {
			t.Errorf("%q changed the item it was given", tc.expr)
		}
		for path, want := range tc.want {
			proj, err := ParseProjection(path, ctxWith(t, names, nil))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			got, ok := proj[0].Resolve(out)
			switch {
			case want == nil && ok:
				t.Errorf("%q: %s = %v, want nothing", tc.expr, path, got)
			case want != nil && (!ok || !attr.Equal(got, *want)):
				t.Errorf("%q: %s = %+v (%v), want %+v", tc.expr, path, got, ok, *want)
			}
		}
	}
}

func ptr(v attr.Value) *attr.Value { return &v }

func TestUpdateApplyErrors(t *testing.T) {
	cases := []struct{ expr, msg string }{
		{"SET x = nope + :one", "The provided expression refers to an attribute that does not exist in the item"},
		{"SET a1 = age, score = a1", "The provided expression refers to an attribute that does not exist in the item"},
		{"SET x = nope", "The provided expression refers to an attribute that does not exist in the item"},
		{"SET #n = #n + :one", "An operand in the update expression has an incorrect data type"},
		{"SET x = list_append(age, :list)", "An operand in the update expression has an incorrect data type"},
		{"SET nope.a = :one", "The document path provided in the update expression is invalid for update"},
		{"SET age.a = :one", "The document path provided in the update expression is invalid for update"},
		{"SET #m.nope.deeper = :one", "The document path provided in the update expression is invalid for update"},
		{"SET #n[0] = :one", "The document path provided in the update expression is invalid for update"},
		{"ADD #n :one", "An operand in the update expression has an incorrect data type"},
		{"ADD tags :nums", "An operand in the update expression has an incorrect data type"},
		{"DELETE tags :nums", "An operand in the update expression has an incorrect data type"},
		{"SET x = :big + :tiny", "Attempting to store more than 38 significant digits in a Number"},
		{"SET x = :huge + :huge", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
	}
	for _, tc := range cases {
		u, err := ParseUpdate(tc.expr, ctxWith(t, names, updateValues))
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		_, err = u.Apply(sample())
		t.Run(tc.expr, func(t *testing.T) { wantMessage(t, err, tc.msg) })
	}
}

func TestUpdateParseErrors(t *testing.T) {
	vals := map[string]attr.Value{":v": n("1"), ":s": s("x"), ":l": l(s("a")), ":m": m(attr.Item{}), ":t": boolean(true), ":ss": ss("a")}
	cases := []struct{ expr, msg string }{
		{"", "Invalid UpdateExpression: The expression can not be empty;"},
		{"SET", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET"`},
		{"SET a", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "a"`},
		{"SET a = :v,", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","`},
		{"SET a = VALUE 1", `Invalid UpdateExpression: Syntax error; token: "1", near: "VALUE 1"`},
		{"UPSERT a = :v", `Invalid UpdateExpression: Syntax error; token: "UPSERT", near: "UPSERT a"`},
		{"SET a = :v + :v + :v", `Invalid UpdateExpression: Syntax error; token: "+", near: ":v + :v"`},
		{"REMOVE a = :v", `Invalid UpdateExpression: Syntax error; token: "=", near: "a = :v"`},
		{"ADD a", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "a"`},
		{"SET a = :v SET b = :v", `Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
		{"SET a = :v REMOVE b remove c", `Invalid UpdateExpression: The "REMOVE" section can only be used once in an update expression;`},
		{"SET name = :v", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name"},
		{"SET a = :nope", "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"SET #nope = :v", "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #nope"},
		{"SET a = :v, a = :v", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"SET a = :v REMOVE a.b", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
		{"SET a[1] = :v REMOVE a[1]", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, [1]]"},
		{"SET a.b = :v REMOVE a[0]", "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]"},
		{"ADD a :s", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"ADD a :m", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"},
		{"DELETE a :v", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
		{"SET a = :s + :v", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"},
		{"SET a = b - :t", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: BOOL"},
		{"SET a = list_append(:v, b)", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: N"},
		{"SET a = list_append(b)", "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"},
		{"SET a = if_not_exists(:v, :v)", "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"},
		{"SET a = size(b)", "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: size"},
		{"SET a = frob(b)", "Invalid UpdateExpression: Invalid function name; function: frob"},
	}
	for _, tc := range cases {
		_, err := ParseUpdate(tc.expr, ctxWith(t, nil, vals))
		t.Run(tc.expr, func(t *testing.T) { wantMessage(t, err, tc.msg) })
	}
}

func TestUpdatePaths(t *testing.T) {
	u, err := ParseUpdate("SET a = :v, b.c = :v REMOVE d[1] ADD e :v DELETE f :ss", ctxWith(t, nil, map[string]attr.Value{":v": n("1"), ":ss": ss("x")}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range u.Paths() {
		got = append(got, p.String())
	}
	want := []string{"[a]", "[b, c]", "[d, [1]]", "[e]", "[f]"}
	if len(got) != len(want) {
		t.Fatalf("Paths = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Paths = %v, want %v", got, want)
		}
	}
}
