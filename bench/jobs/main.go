// Command jobs measures the job engine's throughput on a PostgreSQL store shared by one
// or more nodes: each node is a job engine with its own connection pool, as each xregion
// process has, on one throwaway database (XREGION_TEST_POSTGRES, or a cluster started
// from the PostgreSQL binaries on this machine, as the tests do).
//
//	go run ./bench/jobs -jobs 2000
//
// For 1 and 2 nodes it enqueues the jobs, spread over the nodes ("spread") or all through
// the first ("one"), and times them from the first enqueue to the last run. Each job
// writes one record in its run's transaction, as a replication step does. It prints one
// JSON line per run.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/postgres"
	"github.com/xregion/xregion/internal/store/postgres/pgtest"
)

type result struct {
	Nodes      int     `json:"nodes"`
	Enqueue    string  `json:"enqueue"` // spread over the nodes, or all through the first
	Jobs       int     `json:"jobs"`
	Seconds    float64 `json:"seconds"`
	JobsPerSec float64 `json:"jobsPerSec"`
	RunsByNode []int64 `json:"runsByNode"`
}

func main() {
	n := flag.Int("jobs", 2000, "jobs per run")
	writers := flag.Int("writers", 8, "goroutines enqueueing, one job per transaction")
	flag.Parse()
	if err := runAll(*n, *writers); err != nil {
		fmt.Fprintln(os.Stderr, "jobs:", err)
		os.Exit(1)
	}
}

func runAll(n, writers int) error {
	pg, err := pgtest.Start()
	if err != nil {
		return err
	}
	defer pg.Stop()
	for _, nodes := range []int{1, 2} {
		for _, how := range []string{"spread", "one"} {
			if nodes == 1 && how == "one" {
				continue // the same as spread
			}
			url, err := pg.NewSchema("bench_jobs")
			if err != nil {
				return err
			}
			r, err := measure(url, nodes, how, n, writers)
			if err != nil {
				return err
			}
			line, _ := json.Marshal(r)
			fmt.Println(string(line))
		}
	}
	return nil
}

// node is one job engine on its own store, counting the jobs it ran.
type node struct {
	st     *postgres.Store
	engine *jobs.Engine
	runs   atomic.Int64
}

func startNodes(url string, count int, done chan<- struct{}, total *atomic.Int64, want int64) ([]*node, error) {
	var nodes []*node
	for i := range count {
		st, err := postgres.Open(context.Background(), url)
		if err != nil {
			return nodes, err
		}
		clock, err := jobs.NewClock(st)
		if err != nil {
			return nodes, err
		}
		nd := &node{st: st}
		nd.engine = jobs.New(jobs.Config{Store: st, Clock: clock, Shared: true, Node: "node-" + strconv.Itoa(i),
			Observe: func(f jobs.Finished) {
				if f.Outcome == jobs.Succeeded {
					nd.runs.Add(1)
					if total.Add(1) == want {
						close(done)
					}
				}
			}})
		nd.engine.Register("bench", jobs.Handler{Run: func(_ context.Context, tx store.Tx, j *jobs.Job) error {
			return tx.Put(store.Key("bench", j.ID), j.Payload)
		}})
		if err := nd.engine.Start(); err != nil {
			return nodes, err
		}
		nodes = append(nodes, nd)
	}
	return nodes, nil
}

func measure(url string, count int, how string, n, writers int) (result, error) {
	done := make(chan struct{})
	var total atomic.Int64
	nodes, err := startNodes(url, count, done, &total, int64(n))
	defer func() {
		for _, nd := range nodes {
			_ = nd.engine.Stop(context.Background())
			nd.st.Close()
		}
	}()
	if err != nil {
		return result{}, err
	}
	began := time.Now()
	if err := enqueue(nodes, how, n, writers); err != nil {
		return result{}, err
	}
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		return result{}, fmt.Errorf("%d of %d jobs ran in 10 minutes", total.Load(), n)
	}
	took := time.Since(began)
	r := result{Nodes: count, Enqueue: how, Jobs: n, Seconds: took.Seconds(), JobsPerSec: float64(n) / took.Seconds()}
	for _, nd := range nodes {
		r.RunsByNode = append(r.RunsByNode, nd.runs.Load())
	}
	return r, nil
}

// enqueue commits n jobs, one per transaction, from several goroutines, through the
// nodes in turn ("spread") or through the first alone ("one").
func enqueue(nodes []*node, how string, n, writers int) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				nd := nodes[0]
				if how == "spread" {
					nd = nodes[int(i)%len(nodes)]
				}
				err := nd.st.Update(func(tx store.Tx) error {
					_, err := nd.engine.Enqueue(tx, jobs.Job{Kind: "bench", Payload: []byte(`"x"`)})
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
