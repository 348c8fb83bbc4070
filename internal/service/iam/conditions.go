package iam

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/service/port"
)

// The Condition element, evaluated as the IAM User Guide's "Condition operators" and
// "Multivalued context keys" pages describe:
//
//   - a block holds operators, an operator holds keys; everything must hold (AND);
//   - several values for one key in the policy: any may match (OR), except that a
//     negated operator (StringNotEquals, ...) holds only when none matches;
//   - a key missing from the request: the condition is false, a negated one true,
//     ...IfExists true, and Null tests exactly that;
//   - ForAnyValue: some value of the request's key satisfies the operator (false when
//     the key is missing), ForAllValues: every value does (true when missing). Without a
//     qualifier a key with several values is read as ForAnyValue.
//
// An operator xregion does not know makes the condition an error, which the caller
// treats as a refusal: a Deny statement that cannot be evaluated must not be skipped.

// conditionsHold evaluates a statement's Condition element.
func conditionsHold(cond any, ctx port.ConditionKeys) (bool, error) {
	ops, _ := cond.(map[string]any) // validated when the policy was stored
	for op, block := range ops {
		keys, _ := block.(map[string]any)
		for key, policyValues := range keys {
			ok, err := evalCondition(op, key, conditionValues(policyValues), ctx)
			if err != nil || !ok {
				return false, err
			}
		}
	}
	return true, nil
}

// conditionValues are a condition's values as strings: a policy may write numbers and
// booleans bare.
func conditionValues(v any) []string {
	var list []any
	switch v := v.(type) {
	case []any:
		list = v
	default:
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		switch e := e.(type) {
		case string:
			out = append(out, e)
		case json.Number:
			out = append(out, e.String())
		case bool:
			out = append(out, strconv.FormatBool(e))
		}
	}
	return out
}

// operator is a condition operator: match compares one request value with one policy
// value; negated operators hold when no value matches.
type operator struct {
	match   func(value, pattern string) (bool, error)
	negated bool
}

var operators = map[string]operator{
	"stringequals":              {match: stringEquals},
	"stringnotequals":           {match: stringEquals, negated: true},
	"stringequalsignorecase":    {match: stringEqualsIgnoreCase},
	"stringnotequalsignorecase": {match: stringEqualsIgnoreCase, negated: true},
	"stringlike":                {match: stringLike},
	"stringnotlike":             {match: stringLike, negated: true},
	"arnequals":                 {match: arnLike}, // ArnEquals takes wildcards too, as AWS documents
	"arnlike":                   {match: arnLike},
	"arnnotequals":              {match: arnLike, negated: true},
	"arnnotlike":                {match: arnLike, negated: true},
	"numericequals":             {match: numeric(func(c int) bool { return c == 0 })},
	"numericnotequals":          {match: numeric(func(c int) bool { return c == 0 }), negated: true},
	"numericlessthan":           {match: numeric(func(c int) bool { return c < 0 })},
	"numericlessthanequals":     {match: numeric(func(c int) bool { return c <= 0 })},
	"numericgreaterthan":        {match: numeric(func(c int) bool { return c > 0 })},
	"numericgreaterthanequals":  {match: numeric(func(c int) bool { return c >= 0 })},
	"dateequals":                {match: dateCompare(func(c int) bool { return c == 0 })},
	"datenotequals":             {match: dateCompare(func(c int) bool { return c == 0 }), negated: true},
	"datelessthan":              {match: dateCompare(func(c int) bool { return c < 0 })},
	"datelessthanequals":        {match: dateCompare(func(c int) bool { return c <= 0 })},
	"dategreaterthan":           {match: dateCompare(func(c int) bool { return c > 0 })},
	"dategreaterthanequals":     {match: dateCompare(func(c int) bool { return c >= 0 })},
	"bool":                      {match: boolEquals},
	"binaryequals":              {match: stringEquals},
	"ipaddress":                 {match: inNetwork},
	"notipaddress":              {match: inNetwork, negated: true},
}

// evalCondition evaluates one operator on one key.
func evalCondition(name, key string, policyValues []string, ctx port.ConditionKeys) (bool, error) {
	lower := strings.ToLower(name)
	set := ""
	if q, rest, ok := strings.Cut(lower, ":"); ok {
		set, lower = q, rest
	}
	values, present := ctx.Values(key)
	if lower == "null" {
		want, err := strconv.ParseBool(first(policyValues))
		if err != nil {
			return false, fmt.Errorf("iam: Null takes true or false, not %q", first(policyValues))
		}
		return want == !present, nil
	}
	ifExists := strings.HasSuffix(lower, "ifexists")
	op, ok := operators[strings.TrimSuffix(lower, "ifexists")]
	if !ok || (set != "" && set != "foranyvalue" && set != "forallvalues") {
		return false, fmt.Errorf("iam: condition operator %s is not one xregion evaluates", name)
	}
	if !present {
		switch {
		case set == "forallvalues":
			return true, nil
		case set == "foranyvalue":
			return false, nil
		}
		return ifExists || op.negated, nil
	}
	satisfied := func(v string) (bool, error) {
		for _, p := range policyValues {
			m, err := op.match(v, p)
			if err != nil || m {
				return !op.negated, err
			}
		}
		return op.negated, nil
	}
	if set == "forallvalues" {
		return all(values, satisfied)
	}
	if op.negated && set == "" {
		// A negated operator on a key with several values holds when none of them
		// matches.
		return all(values, satisfied)
	}
	return anyOf(values, satisfied)
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func all(values []string, f func(string) (bool, error)) (bool, error) {
	for _, v := range values {
		if ok, err := f(v); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func anyOf(values []string, f func(string) (bool, error)) (bool, error) {
	for _, v := range values {
		if ok, err := f(v); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func stringEquals(v, p string) (bool, error) { return v == p, nil }

func stringEqualsIgnoreCase(v, p string) (bool, error) { return strings.EqualFold(v, p), nil }

func boolEquals(v, p string) (bool, error) { return strings.EqualFold(v, p), nil }

// stringLike matches '*' (any run) and '?' (one character), case-sensitively.
func stringLike(v, p string) (bool, error) { return wildcardMatch(p, v, false), nil }

// arnLike compares an ARN with a pattern part by part: the six colon-separated parts,
// each with wildcards, the last one taking the rest of the ARN.
func arnLike(v, p string) (bool, error) {
	vs, ps := strings.SplitN(v, ":", 6), strings.SplitN(p, ":", 6)
	if len(vs) != 6 || len(ps) != 6 {
		return p == "*", nil
	}
	for i := range ps {
		if !wildcardMatch(ps[i], vs[i], false) {
			return false, nil
		}
	}
	return true, nil
}

func numeric(cmp func(int) bool) func(v, p string) (bool, error) {
	return func(v, p string) (bool, error) {
		a, errA := strconv.ParseFloat(v, 64)
		b, errB := strconv.ParseFloat(p, 64)
		if errA != nil || errB != nil {
			return false, nil // a value that is not a number matches nothing
		}
		return cmp(compare(a, b)), nil
	}
}

func dateCompare(cmp func(int) bool) func(v, p string) (bool, error) {
	return func(v, p string) (bool, error) {
		a, okA := parsePolicyTime(v)
		b, okB := parsePolicyTime(p)
		if !okA || !okB {
			return false, nil
		}
		return cmp(a.Compare(b)), nil
	}
}

// parsePolicyTime reads a date as policies write them: ISO 8601 (with or without
// seconds' fraction, or a date alone) or epoch seconds.
func parsePolicyTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	return time.Time{}, false
}

func inNetwork(v, p string) (bool, error) {
	ip := net.ParseIP(v)
	if ip == nil {
		return false, nil
	}
	if !strings.Contains(p, "/") {
		return ip.Equal(net.ParseIP(p)), nil
	}
	_, network, err := net.ParseCIDR(p)
	return err == nil && network.Contains(ip), nil
}

func compare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// wildcardMatch matches s against a pattern of '*' and '?', ignoring case if asked.
// (path.Match would treat '/' and '[' specially; IAM does not.)
func wildcardMatch(pattern, s string, foldCase bool) bool {
	if foldCase {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p, mark = star+1, mark+1
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
