package postgres

import (
	"strconv"
	"sync"
	"testing"

	"github.com/xregion/xregion/internal/store"
)

type entry struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// The decoded-record cache compares the bytes a transaction reads with those it decoded,
// so a record another node changed is decoded again, never served stale: every node
// keeps its own cache over one database.
func TestDecodedCacheAcrossNodes(t *testing.T) {
	u := schemaURL(t)
	node1, node2 := openURL(t, u), openURL(t, u)
	cache := store.NewDecoded[entry](16) // node 1's
	read := func() (*entry, bool) {
		t.Helper()
		var got *entry
		var ok bool
		err := node1.View(func(tx store.Tx) (err error) {
			got, ok, err = cache.Get(tx, "rec")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got, ok
	}
	put := func(s store.Store, r entry) {
		t.Helper()
		mustUpdate(t, s, func(tx store.Tx) error { return store.PutJSON(tx, "rec", r) })
	}

	put(node1, entry{"a", 1})
	first, _ := read()
	if again, _ := read(); again != first {
		t.Fatal("the second read through node 1 was not served from its cache")
	}
	for _, want := range []entry{
		{"a", 2},   // same length
		{"bb", 30}, // other length
		{"a", 1},   // back to the cached bytes: equal bytes, equal record
	} {
		put(node2, want)
		if got, ok := read(); !ok || *got != want {
			t.Fatalf("node 1 read %+v after node 2 wrote %+v", got, want)
		}
	}
	mustUpdate(t, node2, func(tx store.Tx) error { return tx.Delete("rec") })
	if got, ok := read(); ok {
		t.Fatalf("node 1 read %+v after node 2 deleted the record", got)
	}
}

// Transactions of several nodes are serialisable together: increments of one counter
// through two stores lose none.
func TestNodesSerialise(t *testing.T) {
	u := schemaURL(t)
	nodes := []*Store{openURL(t, u), openURL(t, u)}
	mustUpdate(t, nodes[0], func(tx store.Tx) error { return tx.Put("n", []byte("0")) })
	const workers, increments = 3, 15
	var wg sync.WaitGroup
	errs := make(chan error, len(nodes)*workers)
	for _, node := range nodes {
		for range workers {
			wg.Go(func() {
				for range increments {
					err := node.Update(func(tx store.Tx) error {
						n, err := strconv.Atoi(string(tx.Get("n")))
						if err != nil {
							return err
						}
						return tx.Put("n", []byte(strconv.Itoa(n+1)))
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := strconv.Itoa(len(nodes) * workers * increments)
	for i, node := range nodes {
		if got := mustGet(t, node, "n"); got != want {
			t.Errorf("node %d reads n=%s, want %s", i+1, got, want)
		}
	}
}

// A write committed through one node is read through another at once.
func TestWriteThroughOneReadThroughAnother(t *testing.T) {
	u := schemaURL(t)
	node1, node2 := openURL(t, u), openURL(t, u)
	for i := range 20 {
		v := strconv.Itoa(i)
		mustUpdate(t, node1, func(tx store.Tx) error { return tx.Put("k", []byte(v)) })
		if got := mustGet(t, node2, "k"); got != v {
			t.Fatalf("node 2 read %q right after node 1 committed %q", got, v)
		}
	}
}
