package expr

import (
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// Step is one step of a document path: a map key (an attribute name at the top) or a
// list index.
type Step struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is a document path: a top-level attribute name and the steps into it.
type Path []Step

// Top is the top-level attribute the path starts at.
func (p Path) Top() string { return p[0].Name }

// String shows a path as AWS's messages do: [a, b, [2]].
func (p Path) String() string {
	parts := make([]string, len(p))
	for i, s := range p {
		if s.IsIndex {
			parts[i] = "[" + strconv.Itoa(s.Index) + "]"
		} else {
			parts[i] = s.Name
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Resolve returns the value at the path in item, and whether there is one.
func (p Path) Resolve(item attr.Item) (attr.Value, bool) {
	v, ok := item[p[0].Name]
	for _, s := range p[1:] {
		if !ok {
			return attr.Value{}, false
		}
		v, ok = step(v, s)
	}
	return v, ok
}

func step(v attr.Value, s Step) (attr.Value, bool) {
	if s.IsIndex {
		if v.L == nil || s.Index >= len(v.L) {
			return attr.Value{}, false
		}
		return v.L[s.Index], true
	}
	if v.M == nil {
		return attr.Value{}, false
	}
	e, ok := v.M[s.Name]
	return e, ok
}

// prefixOf reports whether p is a prefix of q (or equal to it).
func (p Path) prefixOf(q Path) bool {
	if len(p) > len(q) {
		return false
	}
	for i := range p {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

// conflicts reports whether p and q name the same spot once as a map key and once as a
// list index (a.b and a[0]).
func (p Path) conflicts(q Path) bool {
	n := min(len(p), len(q))
	for i := 0; i < n; i++ {
		if p[i] == q[i] {
			continue
		}
		return i > 0 && p[i].IsIndex != q[i].IsIndex
	}
	return false
}
