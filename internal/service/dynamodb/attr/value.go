package attr

import (
	"bytes"
	"slices"
	"sort"
	"strings"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
)

// Value is one attribute value; exactly one of its members is set.
type Value = ddb.AttributeValue

// Item is an item, or a key: attribute values by name.
type Item = map[string]Value

// The data types, as DynamoDB names them.
const (
	S    = "S"
	N    = "N"
	B    = "B"
	SS   = "SS"
	NS   = "NS"
	BS   = "BS"
	M    = "M"
	L    = "L"
	NULL = "NULL"
	BOOL = "BOOL"
)

// Types lists every data type, for attribute_type's check.
var Types = []string{S, N, B, SS, NS, BS, M, L, NULL, BOOL}

// maxDepth is how deeply lists and maps may nest.
const maxDepth = 32

// TypeOf names the type of v, or "" when no member is set. When several are set (which
// Check refuses) the first in Types order wins.
func TypeOf(v Value) string {
	switch {
	case v.S != nil:
		return S
	case v.N != nil:
		return N
	case v.B != nil:
		return B
	case v.SS != nil:
		return SS
	case v.NS != nil:
		return NS
	case v.BS != nil:
		return BS
	case v.M != nil:
		return M
	case v.L != nil:
		return L
	case v.NULL != nil:
		return NULL
	case v.BOOL != nil:
		return BOOL
	}
	return ""
}

func typesSet(v Value) int {
	n := 0
	for _, set := range [...]bool{v.S != nil, v.N != nil, v.B != nil, v.SS != nil, v.NS != nil, v.BS != nil, v.M != nil, v.L != nil, v.NULL != nil, v.BOOL != nil} {
		if set {
			n++
		}
	}
	return n
}

// CheckItem checks every value of an item (see Check).
func CheckItem(it Item) error {
	for _, v := range it {
		if err := Check(v); err != nil {
			return err
		}
	}
	return nil
}

// Check answers DynamoDB's validation error for a value it would refuse: no type or
// several, NULL false, an empty set, a set with duplicates, a number it cannot store,
// nesting deeper than 32 levels.
func Check(v Value) error { return check(v, 0) }

func check(v Value, depth int) error {
	if depth > maxDepth {
		return msgTooDeep.New()
	}
	switch typesSet(v) {
	case 0:
		return msgEmptyValue.New()
	case 1:
	default:
		return msgManyTypes.New()
	}
	switch TypeOf(v) {
	case N:
		_, err := ParseNumber(*v.N)
		return err
	case NULL:
		if !*v.NULL {
			return msgNullFalse.New()
		}
	case SS:
		return checkSet("string", v.SS, func(s string) (string, error) { return s, nil })
	case NS:
		return checkSet("number", v.NS, func(s string) (string, error) {
			n, err := ParseNumber(s)
			return n.String(), err
		})
	case BS:
		return checkSet("binary", v.BS, func(b []byte) (string, error) { return string(b), nil })
	case M:
		for _, e := range v.M {
			if err := check(e, depth+1); err != nil {
				return err
			}
		}
	case L:
		for _, e := range v.L {
			if err := check(e, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkSet refuses an empty set and duplicates (numbers compare by value, so "1" and
// "1.0" are duplicates).
func checkSet[T any](noun string, elems []T, canon func(T) (string, error)) error {
	if len(elems) == 0 {
		return msgEmptySet.New(noun)
	}
	seen := make(map[string]bool, len(elems))
	for _, e := range elems {
		c, err := canon(e)
		if err != nil {
			return err
		}
		if seen[c] {
			return msgDuplicates.New(showSet(elems))
		}
		seen[c] = true
	}
	return nil
}

func showSet[T any](elems []T) string {
	parts := make([]string, len(elems))
	for i, e := range elems {
		switch x := any(e).(type) {
		case string:
			parts[i] = x
		case []byte:
			parts[i] = string(x)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Normalize returns v with its numbers in canonical form (DynamoDB stores "1.50" as
// 1.5) and its sets in a stable order. v must have passed Check.
func Normalize(v Value) Value {
	switch TypeOf(v) {
	case N:
		return Value{N: new(MustNumber(*v.N).String())}
	case NS:
		out := make([]string, len(v.NS))
		for i, s := range v.NS {
			out[i] = MustNumber(s).String()
		}
		return Value{NS: out}
	case M:
		out := make(map[string]Value, len(v.M))
		for k, e := range v.M {
			out[k] = Normalize(e)
		}
		return Value{M: out}
	case L:
		out := make([]Value, len(v.L))
		for i, e := range v.L {
			out[i] = Normalize(e)
		}
		return Value{L: out}
	}
	return v
}

// NormalizeItem normalises every value of an item into a new item.
func NormalizeItem(it Item) Item {
	out := make(Item, len(it))
	for k, v := range it {
		out[k] = Normalize(v)
	}
	return out
}

// Equal reports whether two values are equal as DynamoDB compares them: same type,
// numbers by value, sets regardless of order, lists and maps element by element.
func Equal(a, b Value) bool {
	ta := TypeOf(a)
	if ta != TypeOf(b) {
		return false
	}
	switch ta {
	case S:
		return *a.S == *b.S
	case N:
		return CompareNumbers(MustNumber(*a.N), MustNumber(*b.N)) == 0
	case B:
		return bytes.Equal(a.B, b.B)
	case BOOL:
		return *a.BOOL == *b.BOOL
	case NULL:
		return true
	case SS:
		return sameSet(a.SS, b.SS, func(s string) string { return s })
	case NS:
		return sameSet(a.NS, b.NS, func(s string) string { return MustNumber(s).String() })
	case BS:
		return sameSet(a.BS, b.BS, func(x []byte) string { return string(x) })
	case L:
		return slices.EqualFunc(a.L, b.L, Equal)
	case M:
		if len(a.M) != len(b.M) {
			return false
		}
		for k, va := range a.M {
			vb, ok := b.M[k]
			if !ok || !Equal(va, vb) {
				return false
			}
		}
		return true
	}
	return false
}

func sameSet[T any](a, b []T, canon func(T) string) bool {
	if len(a) != len(b) {
		return false
	}
	in := make(map[string]bool, len(a))
	for _, e := range a {
		in[canon(e)] = true
	}
	for _, e := range b {
		if !in[canon(e)] {
			return false
		}
	}
	return true
}

// Compare orders two scalar values of the same type as DynamoDB orders keys: strings and
// binaries bytewise (UTF-8 bytes), numbers by value. ok is false for values that do not
// order (different types, or not S, N or B).
func Compare(a, b Value) (c int, ok bool) {
	t := TypeOf(a)
	if t != TypeOf(b) {
		return 0, false
	}
	switch t {
	case S:
		return strings.Compare(*a.S, *b.S), true
	case N:
		return CompareNumbers(MustNumber(*a.N), MustNumber(*b.N)), true
	case B:
		return bytes.Compare(a.B, b.B), true
	}
	return 0, false
}

// KeyBytes is the canonical byte form of a key value (S, N or B), so that equal keys
// ("1" and "1.0") have equal forms. The type is part of it.
func KeyBytes(v Value) []byte {
	switch TypeOf(v) {
	case S:
		return append([]byte{'S'}, *v.S...)
	case N:
		return append([]byte{'N'}, MustNumber(*v.N).String()...)
	case B:
		return append([]byte{'B'}, v.B...)
	}
	return nil
}

// Clone returns a deep copy of v, so that an update can change it without touching what
// a cache or a caller holds.
func Clone(v Value) Value {
	switch TypeOf(v) {
	case B:
		return Value{B: slices.Clone(v.B)}
	case SS:
		return Value{SS: slices.Clone(v.SS)}
	case NS:
		return Value{NS: slices.Clone(v.NS)}
	case BS:
		out := make([][]byte, len(v.BS))
		for i, b := range v.BS {
			out[i] = slices.Clone(b)
		}
		return Value{BS: out}
	case M:
		return Value{M: CloneItem(v.M)}
	case L:
		out := make([]Value, len(v.L))
		for i, e := range v.L {
			out[i] = Clone(e)
		}
		return Value{L: out}
	}
	return v
}

// CloneItem returns a deep copy of an item.
func CloneItem(it Item) Item {
	if it == nil {
		return nil
	}
	out := make(Item, len(it))
	for k, v := range it {
		out[k] = Clone(v)
	}
	return out
}

// SortedNames returns the names of an item in order, for output that must not depend on
// map order.
func SortedNames(it Item) []string {
	names := make([]string, 0, len(it))
	for k := range it {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
