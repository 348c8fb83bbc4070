package memory

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// check verifies the treap invariants under n and returns its keys in order.
func check(t *testing.T, n *node) []string {
	t.Helper()
	var keys []string
	var walk func(n *node, lo, hi *string) (count, bytes int)
	walk = func(n *node, lo, hi *string) (int, int) {
		if n == nil {
			return 0, 0
		}
		if (lo != nil && n.key <= *lo) || (hi != nil && n.key >= *hi) {
			t.Fatalf("key %q out of order", n.key)
		}
		for _, c := range []*node{n.left, n.right} {
			if c != nil && c.prio > n.prio {
				t.Fatalf("child %q outranks parent %q", c.key, n.key)
			}
		}
		lc, lb := walk(n.left, lo, &n.key)
		keys = append(keys, n.key)
		rc, rb := walk(n.right, &n.key, hi)
		count, bytes := 1+lc+rc, len(n.key)+len(n.val)+lb+rb
		if n.count != count || n.bytes != bytes {
			t.Fatalf("node %q records count %d bytes %d, subtree has %d and %d", n.key, n.count, n.bytes, count, bytes)
		}
		return count, bytes
	}
	walk(n, nil, nil)
	return keys
}

func height(n *node) int {
	if n == nil {
		return 0
	}
	return 1 + max(height(n.left), height(n.right))
}

// contentsOf reads a tree the way Scan does.
func contentsOf(n *node) map[string]string {
	m := map[string]string{}
	ascend(n, "", func(n *node) bool {
		m[n.key] = string(n.val)
		return true
	})
	return m
}

// Random operations, each generation a "transaction", checked against a map; every
// earlier generation's tree must still hold exactly what it held when it was made.
func TestTreapAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	key := func() string { return fmt.Sprintf("%c/%02d", 'a'+rng.IntN(4), rng.IntN(40)) }
	model := map[string]string{}
	var root *node
	type snapshot struct {
		root *node
		want map[string]string
	}
	var snapshots []snapshot
	for gen := uint64(1); gen <= 300; gen++ {
		for range rng.IntN(30) {
			switch op := rng.IntN(20); {
			case op < 12:
				k, v := key(), fmt.Sprint(rng.Int())
				root = insert(root, k, []byte(v), gen)
				model[k] = v
			case op < 19:
				k := key()
				var removed bool
				root, removed = remove(root, k, gen)
				if _, had := model[k]; had != removed {
					t.Fatalf("remove(%q) reported %t, model had it: %t", k, removed, had)
				}
				delete(model, k)
			default:
				p := key()[:rng.IntN(4)]
				root = removePrefix(root, p, gen)
				maps.DeleteFunc(model, func(k, _ string) bool { return strings.HasPrefix(k, p) })
			}
		}
		keys := check(t, root)
		if want := slices.Sorted(maps.Keys(model)); !slices.Equal(keys, want) {
			t.Fatalf("generation %d: keys %q, want %q", gen, keys, want)
		}
		if got := contentsOf(root); !maps.Equal(got, model) {
			t.Fatalf("generation %d: contents differ from the model", gen)
		}
		snapshots = append(snapshots, snapshot{root, maps.Clone(model)})
	}
	for i, s := range snapshots {
		if got := contentsOf(s.root); !maps.Equal(got, s.want) {
			t.Fatalf("generation %d's tree changed after later generations wrote", i+1)
		}
	}
}

func TestTreapStaysShallow(t *testing.T) {
	var root *node
	const n = 100_000
	// Sorted insertion is the worst case for an unbalanced tree.
	for i := range n {
		root = insert(root, fmt.Sprintf("k%08d", i), nil, uint64(i/1000+1))
	}
	// A treap's expected height is about 3 ln n, 35 here.
	if h := height(root); h > 80 {
		t.Fatalf("height %d for %d sorted keys", h, n)
	}
	if root.count != n {
		t.Fatalf("count %d, want %d", root.count, n)
	}
	root = removePrefix(root, "k0005", n)
	if root.count != n-10_000 {
		t.Fatalf("count after removing a prefix %d, want %d", root.count, n-10_000)
	}
	if h := height(root); h > 80 {
		t.Fatalf("height %d after removing a prefix", h)
	}
}

// Nodes made by the running generation are updated in place; older ones never are.
func TestTreapCopiesOnlySharedNodes(t *testing.T) {
	old := insert(insert(nil, "a", []byte("1"), 1), "b", []byte("1"), 1)
	next := insert(old, "a", []byte("2"), 2)
	if next == old || string(get(old, "a").val) != "1" {
		t.Fatal("writing generation 2 changed generation 1's tree")
	}
	again := insert(next, "b", []byte("2"), 2)
	if again != next {
		t.Fatal("generation 2 copied a node it had made itself")
	}
	if untouched, removed := remove(old, "missing", 3); untouched != old || removed {
		t.Fatal("removing a missing key copied the tree")
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, c := range []struct {
		prefix, end string
		bounded     bool
	}{
		{"a", "b", true},
		{"a\x00", "a\x01", true},
		{"a\xff", "b", true},
		{"a\xff\xff", "b", true},
		{"\xff", "", false},
		{"\xff\xff", "", false},
	} {
		end, bounded := prefixEnd(c.prefix)
		if end != c.end || bounded != c.bounded {
			t.Errorf("prefixEnd(%q) = %q, %t; want %q, %t", c.prefix, end, bounded, c.end, c.bounded)
		}
	}
}

func TestAscendFrom(t *testing.T) {
	var root *node
	for _, k := range []string{"d", "b", "f", "a", "c", "e", "g"} {
		root = insert(root, k, nil, 1)
	}
	for from, want := range map[string]string{"": "abcdefg", "a": "abcdefg", "c": "cdefg", "cc": "defg", "g": "g", "h": ""} {
		var got strings.Builder
		ascend(root, from, func(n *node) bool {
			got.WriteString(n.key)
			return true
		})
		if got.String() != want {
			t.Errorf("ascend from %q visited %q, want %q", from, got.String(), want)
		}
	}
}
