package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/xtest"
)

// runsPrefix holds one record per job run: runs/<key>/<run stamp>/<job id>.
var runsPrefix = store.Prefix("runs")

// Three job engines, each on its own connection pool to one database, as three xregion
// nodes are: jobs enqueued through all of them, with keys and without, run exactly once
// each, and the jobs of one key in enqueue order, whichever node claims them.
func TestJobsRunOnceAcrossNodes(t *testing.T) {
	u := schemaURL(t)
	const perNode, keys = 40, 4
	var engines []*jobs.Engine
	for i := range 3 {
		engines = append(engines, startNode(t, openURL(t, u), "node-"+strconv.Itoa(i)))
	}
	st := openURL(t, u)
	for n := range perNode {
		for i, e := range engines {
			key := ""
			if n%2 == 0 {
				key = fmt.Sprintf("k%d", (n+i)%keys)
			}
			mustUpdate(t, st, func(tx store.Tx) error {
				_, err := e.Enqueue(tx, jobs.Job{Kind: "count", Key: key})
				return err
			})
		}
	}
	xtest.CheckFor(t, time.Minute, func() error {
		if n := countUnder(t, st, store.Prefix("_xregion", "jobs")); n > 0 {
			return fmt.Errorf("%d jobs pending", n)
		}
		return nil
	})

	times := map[string]int{}
	byKey := map[string][]string{} // job IDs of a key, in the order they ran
	mustView(t, st, func(tx store.Tx) error {
		return tx.Scan(runsPrefix, "", func(k string, _ []byte) bool {
			parts := strings.Split(k[len(runsPrefix):], store.Sep) // key, stamp, id
			times[parts[2]]++
			if parts[0] != "" {
				byKey[parts[0]] = append(byKey[parts[0]], parts[2])
			}
			return true
		})
	})
	if len(times) != 3*perNode {
		t.Fatalf("%d jobs ran, want %d", len(times), 3*perNode)
	}
	for id, n := range times {
		if n != 1 {
			t.Errorf("job %s ran %d times", id, n)
		}
	}
	for key, ids := range byKey {
		if !slices.IsSorted(ids) {
			t.Errorf("the jobs of key %s ran out of order: %v", key, ids)
		}
	}
	if n := countUnder(t, st, store.Prefix("_xregion", "leases")); n != 0 {
		t.Errorf("%d leases left behind", n)
	}
}

// startNode starts a job engine on st as one node of several.
func startNode(t *testing.T, st store.Store, id string) *jobs.Engine {
	t.Helper()
	clock, err := jobs.NewClock(st)
	if err != nil {
		t.Fatal(err)
	}
	e := jobs.New(jobs.Config{Store: st, Clock: clock, Shared: true, Node: id, Poll: 20 * time.Millisecond})
	e.Register("count", jobs.Handler{Run: func(_ context.Context, tx store.Tx, j *jobs.Job) error {
		// Stamped with the real time of the run, zero-padded so that they sort.
		stamp := fmt.Sprintf("%020d", time.Now().UnixNano())
		return tx.Put(store.Key("runs", j.Key, stamp, j.ID), nil)
	}})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Stop(context.Background()) })
	return e
}

func countUnder(t *testing.T, st store.Store, prefix string) int {
	t.Helper()
	var n int
	mustView(t, st, func(tx store.Tx) error {
		n = 0
		return tx.Scan(prefix, "", func(string, []byte) bool { n++; return true })
	})
	return n
}

func mustView(t *testing.T, st store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := st.View(fn); err != nil {
		t.Fatal(err)
	}
}
