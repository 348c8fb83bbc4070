package postgres

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/store"
)

type entry struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// kitOn is a service's kit on node s, as each xregion node builds its own.
func kitOn(t *testing.T, s store.Store) *kit.Kit {
	t.Helper()
	clock := jobs.NewFrozenClock(time.Now())
	k, err := kit.New("test", kit.Deps{Store: s, Jobs: jobs.New(jobs.Config{Store: s, Clock: clock}), Clock: clock, Sealer: seal.Ephemeral()})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The decoded-record cache (kit.Cache) compares the bytes a transaction reads with those
// it decoded, so a record another node changed is decoded again, never served stale:
// every node keeps its own cache over one database.
func TestDecodedCacheAcrossNodes(t *testing.T) {
	u := schemaURL(t)
	node1, node2 := kitOn(t, openURL(t, u)), kitOn(t, openURL(t, u))
	table := kit.Table[entry]{Kind: "entry"}
	cache := kit.NewCache(table, 16) // node 1's
	in := func(tx kit.Tx) kit.View { return tx.In("123456789012", "us-east-1") }
	read := func() *entry {
		t.Helper()
		got, err := kit.Read(node1, func(tx kit.Tx) (*entry, error) { return cache.Get(in(tx), "rec") })
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	put := func(k *kit.Kit, e entry) {
		t.Helper()
		if err := k.Update(func(tx kit.Tx) error { return table.Put(in(tx), &e, "rec") }); err != nil {
			t.Fatal(err)
		}
	}

	put(node1, entry{"a", 1})
	if first := read(); read() != first {
		t.Fatal("the second read through node 1 was not served from its cache")
	}
	for _, want := range []entry{
		{"a", 2},   // same length
		{"bb", 30}, // other length
		{"a", 1},   // back to the cached bytes: equal bytes, equal record
	} {
		put(node2, want)
		if got := read(); got == nil || *got != want {
			t.Fatalf("node 1 read %+v after node 2 wrote %+v", got, want)
		}
	}
	if err := node2.Update(func(tx kit.Tx) error { return table.Delete(in(tx), "rec") }); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != nil {
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
