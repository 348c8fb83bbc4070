package memory

import (
	"math/rand/v2"
	"strings"
)

// node is one key of a persistent treap: a binary search tree on key that is also a heap
// on prio. Random priorities keep the expected depth logarithmic whatever order keys
// arrive in, which is what keeps Get, Put, Delete and Seek flat as the store grows.
//
// The tree is persistent: a published node is never modified, so a reader holding an old
// root keeps a consistent snapshot with no locks. A writer copies the path it changes.
// Copies it made itself carry its generation and may be modified in place, because no
// reader can reach them until the writer publishes its root; this spares a transaction
// that writes many keys from copying the same upper nodes again and again.
type node struct {
	key         string
	val         []byte
	left, right *node
	prio        uint64
	gen         uint64 // the write transaction that created this node
	count       int    // keys in this subtree, so Stats and DeletePrefix need no walk
	bytes       int    // len(key)+len(val) over this subtree, for Stats
}

func count(n *node) int {
	if n == nil {
		return 0
	}
	return n.count
}

func payload(n *node) int {
	if n == nil {
		return 0
	}
	return n.bytes
}

// fix recomputes the subtree totals after a child changed.
func (n *node) fix() {
	n.count = 1 + count(n.left) + count(n.right)
	n.bytes = len(n.key) + len(n.val) + payload(n.left) + payload(n.right)
}

// own returns a node that generation gen may modify: n itself if gen made it, else a copy.
func (n *node) own(gen uint64) *node {
	if n.gen == gen {
		return n
	}
	c := *n
	c.gen = gen
	return &c
}

// get returns the node holding key, or nil. One three-way comparison per level, rather than
// < then >, halves the string comparisons on the hottest path.
func get(n *node, key string) *node {
	for n != nil {
		switch c := strings.Compare(key, n.key); {
		case c < 0:
			n = n.left
		case c > 0:
			n = n.right
		default:
			return n
		}
	}
	return nil
}

// insert returns the root of a tree that holds val under key. The returned root is always
// owned by gen, which the rotations rely on.
func insert(n *node, key string, val []byte, gen uint64) *node {
	if n == nil {
		c := &node{key: key, val: val, prio: rand.Uint64(), gen: gen}
		c.fix()
		return c
	}
	switch c := strings.Compare(key, n.key); {
	case c < 0:
		l := insert(n.left, key, val, gen)
		n = n.own(gen)
		n.left = l
		if l.prio > n.prio {
			return rotateRight(n)
		}
	case c > 0:
		r := insert(n.right, key, val, gen)
		n = n.own(gen)
		n.right = r
		if r.prio > n.prio {
			return rotateLeft(n)
		}
	default:
		n = n.own(gen)
		n.val = val
	}
	n.fix()
	return n
}

// rotateRight lifts n.left above n. Both must already be owned by the writer.
func rotateRight(n *node) *node {
	l := n.left
	n.left = l.right
	n.fix()
	l.right = n
	l.fix()
	return l
}

// rotateLeft lifts n.right above n. Both must already be owned by the writer.
func rotateLeft(n *node) *node {
	r := n.right
	n.right = r.left
	n.fix()
	r.left = n
	r.fix()
	return r
}

// remove returns the root of a tree without key, and whether key was there. When it was
// not, the tree is returned unchanged so that deleting a missing key copies nothing.
func remove(n *node, key string, gen uint64) (*node, bool) {
	if n == nil {
		return nil, false
	}
	switch c := strings.Compare(key, n.key); {
	case c < 0:
		l, ok := remove(n.left, key, gen)
		if !ok {
			return n, false
		}
		n = n.own(gen)
		n.left = l
	case c > 0:
		r, ok := remove(n.right, key, gen)
		if !ok {
			return n, false
		}
		n = n.own(gen)
		n.right = r
	default:
		return merge(n.left, n.right, gen), true
	}
	n.fix()
	return n, true
}

// merge joins two trees where every key of a is less than every key of b.
func merge(a, b *node, gen uint64) *node {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a = a.own(gen)
		a.right = merge(a.right, b, gen)
		a.fix()
		return a
	default:
		b = b.own(gen)
		b.left = merge(a, b.left, gen)
		b.fix()
		return b
	}
}

// split divides a tree into the keys less than key and the keys greater or equal.
func split(n *node, key string, gen uint64) (lt, ge *node) {
	if n == nil {
		return nil, nil
	}
	if n.key < key {
		l, r := split(n.right, key, gen)
		n = n.own(gen)
		n.right = l
		n.fix()
		return n, r
	}
	l, r := split(n.left, key, gen)
	n = n.own(gen)
	n.left = r
	n.fix()
	return l, n
}

// removePrefix returns the root of a tree without the keys that start with prefix. Cutting
// the range out with two splits costs O(log n) however many keys it holds, so resetting a
// whole account or the whole store is as cheap as deleting one key.
func removePrefix(n *node, prefix string, gen uint64) *node {
	if prefix == "" {
		return nil
	}
	lo, rest := split(n, prefix, gen)
	end, bounded := prefixEnd(prefix)
	if !bounded {
		return lo
	}
	_, hi := split(rest, end, gen)
	return merge(lo, hi, gen)
}

// prefixEnd returns the least key greater than every key that starts with prefix. There is
// none when prefix is all 0xff bytes.
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// ascend calls fn for each node with key >= from, in key order, until fn returns false.
func ascend(root *node, from string, fn func(*node) bool) {
	// The stack holds the nodes still to visit, nearest last. 64 covers the depth of any
	// realistic treap without a heap allocation; append grows it if not.
	var buf [64]*node
	stack := buf[:0]
	for n := root; n != nil; {
		if n.key >= from {
			stack = append(stack, n)
			n = n.left
		} else {
			n = n.right
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !fn(n) {
			return
		}
		for c := n.right; c != nil; c = c.left {
			stack = append(stack, c)
		}
	}
}
