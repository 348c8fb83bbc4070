package sns

import "strings"

// The condition operators a topic policy can use, on the keys SNS knows for a request
// (aws:SourceAccount, aws:SourceArn, AWS:SourceOwner, aws:PrincipalAccount,
// aws:PrincipalArn). All are single-valued, so the ForAnyValue: and ForAllValues:
// qualifiers test the one value.

// operator tests a request's value of a key against a condition's values.
type operator struct {
	test   func(value string, want []string) bool
	negate bool // the Not operators: true also when the key is absent
}

var operators = map[string]operator{
	"stringequals":              {test: equalsAny},
	"stringnotequals":           {test: equalsAny, negate: true},
	"stringequalsignorecase":    {test: equalsAnyFold},
	"stringnotequalsignorecase": {test: equalsAnyFold, negate: true},
	"stringlike":                {test: likeAny},
	"stringnotlike":             {test: likeAny, negate: true},
	"arnequals":                 {test: likeAny},
	"arnlike":                   {test: likeAny},
	"arnnotequals":              {test: likeAny, negate: true},
	"arnnotlike":                {test: likeAny, negate: true},
}

// conditionOperator returns the operator a condition names, without its qualifiers and
// IfExists suffix, and whether SNS knows it. Null is handled by conditionsHold.
func conditionOperator(name string) (string, bool) {
	op := strings.ToLower(name)
	for _, q := range []string{"foranyvalue:", "forallvalues:"} {
		op = strings.TrimPrefix(op, q)
	}
	op = strings.TrimSuffix(op, "ifexists")
	_, known := operators[op]
	return op, known || op == "null"
}

// conditionsHold reports whether every condition of a statement holds for keys.
func conditionsHold(conds map[string]map[string]stringList, keys map[string]string) bool {
	for name, tests := range conds {
		op, _ := conditionOperator(name)
		ifExists := strings.HasSuffix(strings.ToLower(name), "ifexists")
		for key, want := range tests {
			value, present := keys[strings.ToLower(key)]
			if !conditionHolds(op, ifExists, value, present, want) {
				return false
			}
		}
	}
	return true
}

func conditionHolds(op string, ifExists bool, value string, present bool, want []string) bool {
	if op == "null" {
		// Null: "true" holds when the key is absent, "false" when it is present.
		return len(want) == 1 && (want[0] == "true") == !present
	}
	o, ok := operators[op]
	switch {
	case !ok:
		return false
	case !present:
		return ifExists || o.negate
	}
	return o.test(value, want) != o.negate
}

func equalsAny(value string, want []string) bool {
	for _, w := range want {
		if value == w {
			return true
		}
	}
	return false
}

func equalsAnyFold(value string, want []string) bool {
	for _, w := range want {
		if strings.EqualFold(value, w) {
			return true
		}
	}
	return false
}

func likeAny(value string, want []string) bool { return anyMatch(want, value, false) }
