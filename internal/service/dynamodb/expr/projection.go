package expr

import (
	"slices"

	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// Projection is a parsed projection expression: the paths to return.
type Projection []Path

// ParseProjection parses a projection expression with the names of ctx.
func ParseProjection(src string, ctx *Context) (Projection, error) {
	p, err := newParser(KindProjection, src, ctx)
	if err != nil {
		return nil, err
	}
	var out Projection
	for {
		path, err := p.parsePath()
		if err != nil {
			return nil, err
		}
		out = append(out, path)
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return out, checkOverlaps(KindProjection, out)
}

// NewProjection is the projection of top-level attributes by name (AttributesToGet,
// an index's projected attributes).
func NewProjection(names ...string) Projection {
	out := make(Projection, len(names))
	for i, n := range names {
		out[i] = Path{{Name: n}}
	}
	return out
}

func checkOverlaps(kind string, paths []Path) error {
	for i, a := range paths {
		for _, b := range paths[i+1:] {
			switch {
			case a.prefixOf(b) || b.prefixOf(a):
				return msgPathsOverlap.New(kind, a.String(), b.String())
			case a.conflicts(b):
				return msgPathsConflict.New(kind, a.String(), b.String())
			}
		}
	}
	return nil
}

// Apply returns the parts of item the projection names, as DynamoDB returns them:
// nested maps keep only the named keys, lists only the named elements (in index order).
// Paths to nothing are left out.
func (pr Projection) Apply(item attr.Item) attr.Item {
	if item == nil {
		return nil
	}
	root := &projNode{}
	for _, p := range pr {
		root.add(p)
	}
	return root.fromMap(item)
}

// projNode is the tree of the paths a projection names below one value.
type projNode struct {
	leaf    bool
	names   map[string]*projNode
	indexes map[int]*projNode
}

func (n *projNode) add(p Path) {
	for _, s := range p {
		var next *projNode
		if s.IsIndex {
			if n.indexes == nil {
				n.indexes = map[int]*projNode{}
			}
			if next = n.indexes[s.Index]; next == nil {
				next = &projNode{}
				n.indexes[s.Index] = next
			}
		} else {
			if n.names == nil {
				n.names = map[string]*projNode{}
			}
			if next = n.names[s.Name]; next == nil {
				next = &projNode{}
				n.names[s.Name] = next
			}
		}
		n = next
	}
	n.leaf = true
}

func (n *projNode) fromMap(m attr.Item) attr.Item {
	out := attr.Item{}
	for name, child := range n.names {
		v, ok := m[name]
		if !ok {
			continue
		}
		if pv, ok := child.project(v); ok {
			out[name] = pv
		}
	}
	return out
}

func (n *projNode) project(v attr.Value) (attr.Value, bool) {
	if n.leaf {
		return attr.Clone(v), true
	}
	switch {
	case n.names != nil && v.M != nil:
		sub := n.fromMap(v.M)
		return attr.Value{M: sub}, len(sub) > 0
	case n.indexes != nil && v.L != nil:
		idx := make([]int, 0, len(n.indexes))
		for i := range n.indexes {
			idx = append(idx, i)
		}
		slices.Sort(idx)
		var out []attr.Value
		for _, i := range idx {
			if i < len(v.L) {
				if pv, ok := n.indexes[i].project(v.L[i]); ok {
					out = append(out, pv)
				}
			}
		}
		return attr.Value{L: out}, len(out) > 0
	}
	return attr.Value{}, false
}
