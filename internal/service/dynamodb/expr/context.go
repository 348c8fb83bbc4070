package expr

import (
	"sort"
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// Context is the expression attribute names and values of one request, shared by the
// request's expressions, and what they used of them.
type Context struct {
	names      map[string]string
	values     map[string]attr.Value
	usedNames  map[string]bool
	usedValues map[string]bool
}

// NewContext checks a request's ExpressionAttributeNames and ExpressionAttributeValues as
// DynamoDB does: keys spelled #name and :value, no empty map, no value DynamoDB would
// refuse. A nil map means the request sent none.
func NewContext(names map[string]string, values map[string]attr.Value) (*Context, error) {
	if names != nil && len(names) == 0 {
		return nil, msgNamesEmpty.New()
	}
	if values != nil && len(values) == 0 {
		return nil, msgValuesEmpty.New()
	}
	for _, k := range sortedKeys(names) {
		if !validKey(k, '#') {
			return nil, msgBadNameKey.New(k)
		}
		if names[k] == "" {
			return nil, msgNameEmptyText.New(k)
		}
	}
	for _, k := range sortedKeys(values) {
		if !validKey(k, ':') {
			return nil, msgBadValueKey.New(k)
		}
		if err := attr.Check(values[k]); err != nil {
			return nil, msgBadValue.New(awserr.As(err).Message, k)
		}
	}
	c := &Context{names: names, values: map[string]attr.Value{}, usedNames: map[string]bool{}, usedValues: map[string]bool{}}
	for k, v := range values {
		c.values[k] = attr.Normalize(v)
	}
	return c, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func validKey(k string, sigil byte) bool {
	if len(k) < 2 || k[0] != sigil {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isWordChar(k[i]) {
			return false
		}
	}
	return true
}

// HasNames and HasValues report whether the request sent names or values.
func (c *Context) HasNames() bool  { return c.names != nil }
func (c *Context) HasValues() bool { return c.values != nil && len(c.values) > 0 }

// name resolves #n for an expression of kind.
func (c *Context) name(kind, ref string) (string, error) {
	n, ok := c.names[ref]
	if !ok {
		return "", msgNameUndefined.New(kind, ref)
	}
	c.usedNames[ref] = true
	return n, nil
}

// value resolves :v for an expression of kind.
func (c *Context) value(kind, ref string) (attr.Value, error) {
	v, ok := c.values[ref]
	if !ok {
		return attr.Value{}, msgValueUndefined.New(kind, ref)
	}
	c.usedValues[ref] = true
	return v, nil
}

// Unused answers DynamoDB's error for names or values that no expression of the request
// used. Call it once every expression is parsed.
func (c *Context) Unused() error {
	if u := unused(c.names, c.usedNames); u != "" {
		return msgUnusedNames.New(u)
	}
	if u := unused(c.values, c.usedValues); u != "" {
		return msgUnusedValues.New(u)
	}
	return nil
}

func unused[V any](defined map[string]V, used map[string]bool) string {
	var out []string
	for _, k := range sortedKeys(defined) {
		if !used[k] {
			out = append(out, k)
		}
	}
	return strings.Join(out, ", ")
}
