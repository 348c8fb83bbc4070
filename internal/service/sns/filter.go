package sns

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
)

// Subscription filter policies: a subscription with a FilterPolicy receives only the
// messages whose attributes (FilterPolicyScope MessageAttributes, the default) or JSON
// body (MessageBody) match it. A policy maps each key to the values it accepts (any of
// them, for all of the keys); a value is a literal or an operator: prefix, suffix,
// equals-ignore-case, anything-but, numeric, exists and cidr. With MessageBody, keys
// nest as the body's objects do.

const (
	scopeAttributes = "MessageAttributes"
	scopeBody       = "MessageBody"
)

// maxFilterKeys is AWS's limit of keys in a filter policy.
const maxFilterKeys = 5

// filterPolicy is a parsed policy: conditions by key, or nested policies by key (body
// scope only).
type filterPolicy struct {
	keys   map[string][]json.RawMessage
	nested map[string]*filterPolicy
}

// parseFilterPolicy reads and checks a policy for a scope; errors are the reason AWS
// gives after "FilterPolicy: ".
func parseFilterPolicy(text, scope string) (*filterPolicy, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, errFilterJSON
	}
	p, leaves, err := buildFilter(raw, scope)
	if err != nil {
		return nil, err
	}
	if leaves > maxFilterKeys {
		return nil, filterReason(reasonFilterKeys.with(maxFilterKeys))
	}
	return p, nil
}

func buildFilter(raw map[string]json.RawMessage, scope string) (*filterPolicy, int, error) {
	p := &filterPolicy{keys: map[string][]json.RawMessage{}, nested: map[string]*filterPolicy{}}
	leaves := 0
	for key, value := range raw {
		value = bytes.TrimSpace(value)
		if len(value) > 0 && value[0] == '{' {
			if scope != scopeBody {
				return nil, 0, filterReason(reasonFilterNested.with())
			}
			var inner map[string]json.RawMessage
			if json.Unmarshal(value, &inner) != nil {
				return nil, 0, errFilterJSON
			}
			child, n, err := buildFilter(inner, scope)
			if err != nil {
				return nil, 0, err
			}
			p.nested[key], leaves = child, leaves+n
			continue
		}
		var conds []json.RawMessage
		if json.Unmarshal(value, &conds) != nil || len(conds) == 0 {
			return nil, 0, filterReason(reasonFilterArray.with(key))
		}
		for _, c := range conds {
			if err := checkCondition(c); err != nil {
				return nil, 0, err
			}
		}
		p.keys[key], leaves = conds, leaves+1
	}
	return p, leaves, nil
}

// filterReason is a policy that parses but breaks a rule.
type filterReason string

func (r filterReason) Error() string { return string(r) }

// errFilterJSON is a policy that is not a JSON object.
var errFilterJSON = filterReason("")

// checkCondition checks one accepted value of a key.
func checkCondition(c json.RawMessage) error {
	var op map[string]json.RawMessage
	if !isObject(c) || json.Unmarshal(c, &op) != nil {
		return nil // a literal: string, number, boolean or null
	}
	if len(op) != 1 {
		return filterReason(reasonFilterOperator.with(string(c)))
	}
	for name, arg := range op {
		switch name {
		case "prefix", "suffix", "equals-ignore-case", "cidr":
			var s string
			if json.Unmarshal(arg, &s) != nil {
				return filterReason(reasonFilterOperator.with(string(c)))
			}
			if name == "cidr" {
				if _, err := netip.ParsePrefix(s); err != nil {
					return filterReason(reasonFilterOperator.with(string(c)))
				}
			}
		case "exists":
			var b bool
			if json.Unmarshal(arg, &b) != nil {
				return filterReason(reasonFilterOperator.with(string(c)))
			}
		case "numeric":
			if _, ok := numericTests(arg); !ok {
				return filterReason(reasonFilterOperator.with(string(c)))
			}
		case "anything-but":
		default:
			return filterReason(reasonFilterOperator.with(string(c)))
		}
	}
	return nil
}

// numericTests reads ["<", 0, ">=", 10]: pairs of a comparison and a number.
func numericTests(arg json.RawMessage) ([]numericTest, bool) {
	var parts []json.RawMessage
	if json.Unmarshal(arg, &parts) != nil || len(parts) == 0 || len(parts)%2 != 0 {
		return nil, false
	}
	var out []numericTest
	for i := 0; i < len(parts); i += 2 {
		var op string
		var n float64
		if json.Unmarshal(parts[i], &op) != nil || json.Unmarshal(parts[i+1], &n) != nil {
			return nil, false
		}
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return nil, false
		}
		out = append(out, numericTest{op, n})
	}
	return out, true
}

type numericTest struct {
	op string
	n  float64
}

func (t numericTest) holds(v float64) bool {
	switch t.op {
	case "=":
		return v == t.n
	case "<":
		return v < t.n
	case "<=":
		return v <= t.n
	case ">":
		return v > t.n
	}
	return v >= t.n
}

// matches reports whether a message's values match the policy. values maps each key to
// its value (string, float64, bool, nil or []any, as JSON decodes them); nested maps are
// objects of the body.
func (p *filterPolicy) matches(values map[string]any) bool {
	for key, conds := range p.keys {
		v, present := values[key]
		if !keyMatches(conds, v, present) {
			return false
		}
	}
	for key, child := range p.nested {
		inner, _ := values[key].(map[string]any)
		if !child.matches(inner) {
			return false
		}
	}
	return true
}

func keyMatches(conds []json.RawMessage, v any, present bool) bool {
	candidates := []any{v}
	if list, ok := v.([]any); ok {
		candidates = list
	}
	for _, c := range conds {
		if exists, ok := existsCondition(c); ok {
			if exists == present {
				return true
			}
			continue
		}
		if !present {
			continue
		}
		for _, cand := range candidates {
			if conditionMatches(c, cand) {
				return true
			}
		}
	}
	return false
}

func existsCondition(c json.RawMessage) (bool, bool) {
	var op struct {
		Exists *bool `json:"exists"`
	}
	if !isObject(c) || json.Unmarshal(c, &op) != nil || op.Exists == nil {
		return false, false
	}
	return *op.Exists, true
}

// conditionMatches tests one value against one accepted value of a policy.
func conditionMatches(c json.RawMessage, v any) bool {
	var op map[string]json.RawMessage
	if !isObject(c) || json.Unmarshal(c, &op) != nil {
		return literalMatches(c, v)
	}
	for name, arg := range op {
		s, isString := v.(string)
		var want string
		_ = json.Unmarshal(arg, &want)
		switch name {
		case "prefix":
			return isString && strings.HasPrefix(s, want)
		case "suffix":
			return isString && strings.HasSuffix(s, want)
		case "equals-ignore-case":
			return isString && strings.EqualFold(s, want)
		case "cidr":
			return isString && inCIDR(s, want)
		case "numeric":
			return numericMatches(arg, v)
		case "anything-but":
			return !anythingButExcludes(arg, v)
		}
	}
	return false
}

func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

func literalMatches(c json.RawMessage, v any) bool {
	var want any
	if json.Unmarshal(c, &want) != nil {
		return false
	}
	return want == v
}

func numericMatches(arg json.RawMessage, v any) bool {
	n, ok := v.(float64)
	if !ok {
		return false
	}
	tests, _ := numericTests(arg)
	for _, t := range tests {
		if !t.holds(n) {
			return false
		}
	}
	return true
}

// anythingButExcludes reports whether anything-but's argument (a value, a list of values,
// or a prefix or suffix operator) names v.
func anythingButExcludes(arg json.RawMessage, v any) bool {
	var op map[string]string
	if isObject(arg) && json.Unmarshal(arg, &op) == nil {
		s, _ := v.(string)
		if p, ok := op["prefix"]; ok {
			return strings.HasPrefix(s, p)
		}
		if p, ok := op["suffix"]; ok {
			return strings.HasSuffix(s, p)
		}
		return false
	}
	var list []json.RawMessage
	if json.Unmarshal(arg, &list) != nil {
		list = []json.RawMessage{arg}
	}
	for _, c := range list {
		if literalMatches(c, v) {
			return true
		}
	}
	return false
}

func inCIDR(ip, cidr string) bool {
	addr, err1 := netip.ParseAddr(ip)
	prefix, err2 := netip.ParsePrefix(cidr)
	return err1 == nil && err2 == nil && prefix.Contains(addr)
}

// attributeValues are the values a MessageAttributes policy tests: String attributes as
// strings, Number ones as numbers, String.Array ones as their elements. Binary attributes
// are not filtered on.
func attributeValues(attrs map[string]messageAttribute) map[string]any {
	out := map[string]any{}
	for name, a := range attrs {
		switch {
		case strings.HasPrefix(a.Type, "Number"):
			if n, err := strconv.ParseFloat(a.Value, 64); err == nil {
				out[name] = n
			}
		case a.Type == "String.Array":
			var list []any
			if json.Unmarshal([]byte(a.Value), &list) == nil {
				out[name] = list
			}
		case strings.HasPrefix(a.Type, "String"):
			out[name] = a.Value
		}
	}
	return out
}

// bodyValues are the values a MessageBody policy tests: the body's JSON object, or none
// when the body is not one (then only exists:false conditions can match).
func bodyValues(message string) map[string]any {
	var out map[string]any
	if json.Unmarshal([]byte(message), &out) != nil {
		return map[string]any{}
	}
	return out
}
