package jobs

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/bolt"
	"github.com/xregion/xregion/internal/store/memory"
)

func benchStores(b *testing.B, fn func(b *testing.B, st store.Store)) {
	b.Run("memory", func(b *testing.B) { fn(b, memory.New()) })
	b.Run("bolt", func(b *testing.B) {
		st, err := bolt.Open(filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		fn(b, st)
	})
}

// BenchmarkEnqueueToStart measures, with TransitionDelay 0 on a ticking clock, how long a
// job waits between its commit and the start of its Run ("commit-µs"), and between the
// start of the write that enqueued it and its Run ("write-µs", which adds the commit itself:
// an fsync on bolt). One job at a time, as a replicated write would be.
func BenchmarkEnqueueToStart(b *testing.B) {
	benchStores(b, func(b *testing.B, st store.Store) {
		clock, err := NewClock(st)
		if err != nil {
			b.Fatal(err)
		}
		var committed atomic.Int64
		started := make(chan int64, 1)
		e := start(b, Config{Store: st, Clock: clock}, map[string]Handler{
			"replicate": {Run: func(context.Context, store.Tx, *Job) error {
				started <- time.Now().UnixNano()
				return nil
			}},
		})
		var fromCommit, fromWrite []time.Duration
		for b.Loop() {
			begin := time.Now().UnixNano()
			err := st.Update(func(tx store.Tx) error {
				// Registered before Enqueue's own callback, so it runs first.
				tx.OnCommit(func() { committed.Store(time.Now().UnixNano()) })
				_, err := e.Enqueue(tx, Job{Kind: "replicate", Key: "secret", RunAt: e.After()})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			at := <-started
			fromCommit = append(fromCommit, time.Duration(at-committed.Load()))
			fromWrite = append(fromWrite, time.Duration(at-begin))
		}
		b.StopTimer()
		waitIdle(b, e)
		report(b, "commit", fromCommit)
		report(b, "write", fromWrite)
	})
}

func report(b *testing.B, name string, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	q := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))]) / 1e3 }
	b.ReportMetric(q(0.50), name+"-p50-µs")
	b.ReportMetric(q(0.99), name+"-p99-µs")
	b.ReportMetric(float64(d[len(d)-1])/1e3, name+"-max-µs")
}

// BenchmarkThroughput enqueues b.N jobs from several goroutines, one job per write, half
// of them spread over 16 keys, and waits for all to run.
func BenchmarkThroughput(b *testing.B) {
	benchStores(b, func(b *testing.B, st store.Store) {
		clock, err := NewClock(st)
		if err != nil {
			b.Fatal(err)
		}
		var ran atomic.Int64
		done := make(chan struct{})
		target := int64(b.N)
		e := start(b, Config{Store: st, Clock: clock, Workers: 8}, map[string]Handler{
			"work": {Run: func(_ context.Context, tx store.Tx, j *Job) error {
				if err := tx.Put(store.Key("bench", j.ID), []byte("x")); err != nil {
					return err
				}
				if ran.Add(1) == target {
					close(done)
				}
				return nil
			}},
		})
		const writers = 8
		b.ResetTimer()
		var wg sync.WaitGroup
		var next atomic.Int64
		for range writers {
			wg.Go(func() {
				for {
					n := next.Add(1)
					if n > target {
						return
					}
					key := ""
					if n%2 == 0 {
						key = "k" + string(rune('a'+n%16))
					}
					err := st.Update(func(tx store.Tx) error {
						_, err := e.Enqueue(tx, Job{Kind: "work", Key: key})
						return err
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		<-done
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
	})
}
