package expr

import (
	"testing"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

func s(v string) attr.Value     { return attr.Value{S: &v} }
func n(v string) attr.Value     { return attr.Value{N: &v} }
func b(v string) attr.Value     { return attr.Value{B: []byte(v)} }
func boolean(v bool) attr.Value { return attr.Value{BOOL: &v} }
func null() attr.Value          { return attr.Value{NULL: new(true)} }
func ss(v ...string) attr.Value {
	if v == nil {
		v = []string{}
	}
	return attr.Value{SS: v}
}
func ns(v ...string) attr.Value    { return attr.Value{NS: v} }
func bs(v ...string) attr.Value    { return attr.Value{BS: bytesOf(v)} }
func l(v ...attr.Value) attr.Value { return attr.Value{L: v} }
func m(it attr.Item) attr.Value    { return attr.Value{M: it} }
func bytesOf(v []string) [][]byte {
	out := make([][]byte, len(v))
	for i, x := range v {
		out[i] = []byte(x)
	}
	return out
}

// sample is the item most tests evaluate against.
func sample() attr.Item {
	return attr.Item{
		"id":      s("k1"),
		"name":    s("Alice"),
		"age":     n("42"),
		"score":   n("7.5"),
		"bin":     b("\x01\x02\x03"),
		"ok":      boolean(true),
		"nothing": null(),
		"tags":    ss("red", "blue"),
		"nums":    ns("1", "2.5"),
		"blobs":   bs("a", "bc"),
		"list":    l(s("x"), n("2"), m(attr.Item{"deep": s("yes")})),
		"map":     m(attr.Item{"a": n("1"), "b": m(attr.Item{"c": s("z")}), "l": l(n("10"), n("20"))}),
		"blank":   s(""),
	}
}

// ctxWith is a context whose names and values are the usual test ones plus extra.
func ctxWith(t *testing.T, names map[string]string, values map[string]attr.Value) *Context {
	t.Helper()
	c, err := NewContext(names, values)
	if err != nil {
		t.Fatalf("NewContext: %v", err)
	}
	return c
}

// wantMessage checks that err is DynamoDB's ValidationException with text.
func wantMessage(t *testing.T, err error, text string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", text)
	}
	e := awserr.As(err)
	if e.Code != "ValidationException" || e.Message != text {
		t.Fatalf("error %s: %q\n                 want %q", e.Code, e.Message, text)
	}
}
