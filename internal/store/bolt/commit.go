package bolt

import (
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/xregion/xregion/internal/store"
)

// Group commit. bbolt fsyncs every commit (twice), and an fsync costs far more than the
// transaction it makes durable, so Updates that arrive while another commit is under way
// queue up and the next commit takes all of them in one bbolt transaction: they share one
// pair of fsyncs, and each caller is answered only once that commit is on disk, so every
// acknowledged write is as durable as before.
//
// There is no waiting for a batch to fill (bbolt's DB.Batch waits up to MaxBatchDelay):
// whoever finds no commit running commits at once, so a lone writer is not slowed down,
// and batches grow only when writers really do wait for each other.
//
// The calls of a batch run one after another in queue order, each seeing the writes of
// those before it, so the outcome is that of running them serially. A call that fails
// (returns an error or panics) must not take the others' writes down with it, and bbolt
// cannot roll back part of a transaction: the batch is rolled back, the calls before the
// failed one are run again in a new transaction, and the failed one then runs first in
// the next, where its answer rests only on committed state. store.Store allows this:
// Update's fn may run more than once and keeps its effects in the transaction.

// maxBatch bounds the calls one commit takes, so that a long queue does not make one
// transaction (and the memory its dirty pages hold) grow without end.
const maxBatch = 256

// call is one Update waiting for its commit.
type call struct {
	fn       func(store.Tx) error
	err      error
	panicked any // what fn panicked with; re-raised in the caller's goroutine
	onCommit []func()
	done     chan struct{}
}

// outcome is how one call's fn ended: an error, or a recovered panic.
type outcome struct {
	err      error
	panicked any
}

func (o outcome) failed() bool { return o.err != nil || o.panicked != nil }

func (c *call) finish(o outcome, onCommit []func()) {
	c.err, c.panicked, c.onCommit = o.err, o.panicked, onCommit
	close(c.done)
}

// result is the call's answer in its own goroutine, with a panic of fn re-raised there,
// as if fn had run in that goroutine.
func (c *call) result() ([]func(), error) {
	if c.panicked != nil {
		panic(c.panicked)
	}
	return c.onCommit, c.err
}

// update queues fn and waits for its commit, committing the queue itself whenever no
// other goroutine is.
func (s *Store) update(fn func(store.Tx) error) ([]func(), error) {
	s.reads.writerStarts()
	defer s.reads.writerEnds()
	c := &call{fn: fn, done: make(chan struct{})}
	s.queueMu.Lock()
	s.queue = append(s.queue, c)
	s.queueMu.Unlock()
	for {
		select {
		case <-c.done:
			return c.result()
		case s.leader <- struct{}{}:
			s.leadOnce()
		}
	}
}

// leadOnce commits one batch and gives up the lead, even if bbolt panics, so that the
// other callers are not left waiting on a lead nobody holds.
func (s *Store) leadOnce() {
	defer func() { <-s.leader }()
	s.commitQueued()
}

// commitQueued commits up to maxBatch queued calls; only the goroutine holding s.leader
// calls it. The others still queued are taken by the next leader: every waiting caller
// competes for s.leader until its own call is done, so none is left behind.
func (s *Store) commitQueued() {
	s.queueMu.Lock()
	n := min(len(s.queue), maxBatch)
	batch := s.queue[:n:n]
	s.queue = s.queue[n:]
	if len(s.queue) == 0 {
		s.queue = nil // let the backing array go
	}
	s.queueMu.Unlock()
	for len(batch) > 0 {
		batch = batch[s.commitBatch(batch):]
	}
}

// commitBatch runs calls in one write transaction and commits it, and returns how many
// calls, from the front, it has answered: all of them, unless one failed (see above).
func (s *Store) commitBatch(calls []*call) int {
	btx, err := s.begin(true)
	if err != nil {
		for _, c := range calls {
			c.finish(outcome{err: err}, nil)
		}
		return len(calls)
	}
	txs := make([]*tx, len(calls))
	dirty := false
	for i, c := range calls {
		txs[i] = newTx(btx, &s.reads)
		if o := txs[i].runGuarded(c.fn); o.failed() {
			_ = btx.Rollback()
			if i == 0 {
				c.finish(o, nil)
				return 1
			}
			return s.commitBatch(calls[:i])
		}
		dirty = dirty || txs[i].dirty
	}
	err = s.commit(btx, dirty)
	for i, c := range calls {
		if err != nil {
			c.finish(outcome{err: err}, nil)
		} else {
			c.finish(outcome{}, txs[i].onCommit)
		}
	}
	return len(calls)
}

// commit makes btx durable, or rolls it back when nothing was written: a transaction
// that only read has nothing to make durable and skips the fsyncs.
func (s *Store) commit(btx *bbolt.Tx, dirty bool) error {
	if !dirty {
		_ = btx.Rollback()
		return nil
	}
	if err := btx.Commit(); err != nil {
		if noSpace(err) {
			return fmt.Errorf("%w: commit to %s: %v", store.ErrNoSpace, s.path, err)
		}
		return fmt.Errorf("store: commit: %v", err)
	}
	s.commits.Add(1)
	return nil
}
