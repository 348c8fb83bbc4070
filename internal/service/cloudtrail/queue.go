package cloudtrail

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// queue batches events on their way to the store: recording a call must not add a
// commit to it (a GetSecretValue would become a write), so the gateway's events wait
// here and one writer commits whatever has gathered, in one transaction, while the next
// batch gathers. A lookup writes what is queued before it reads.
type queue struct {
	write func([]port.TrailEvent) error
	log   *slog.Logger

	mu      sync.Mutex
	pending []port.TrailEvent
	// spare is the slice of the last batch written, emptied, for the next batch to gather
	// in: an event is a large struct, and growing a new slice from nothing for every
	// batch copied each one several times.
	spare   []port.TrailEvent
	kick    chan struct{} // capacity 1: the writer has something to do
	full    chan struct{} // capacity 1: a batch has gathered maxBatch events
	gather  time.Duration // gatherFor, unless a test says otherwise
	quit    chan struct{}
	done    chan struct{}
	stopped bool
	dropped int // events dropped since the store last took a batch

	writeMu sync.Mutex // one batch at a time, from the writer or a lookup
}

// gatherFor is how long the writer lets a batch gather once its first event has arrived,
// unless maxBatch events come first. Each batch is one transaction, and each pays for
// more than its events: on disk a commit and its two fsyncs, whose I/O competes with
// every read the server answers, the expiry scan of every Region it touches, the logging
// trails' lookup, waking the writer. At 2 ms a durable server under read load committed
// hundreds of times a second, and the trail's writer took about a sixth of its CPU; at
// 100 ms it commits ten times a second.
//
// The delay is CloudTrail's own to take: AWS delivers a call's event to the event
// history within minutes ("typically within 5 minutes"), not at once, and log files
// every five. Nothing xregion answers waits for the writer: a lookup writes what is
// queued before it reads (so a LookupEvents right after a call finds it, earlier than
// AWS would show it), and Stop writes the rest, so a clean shutdown keeps every event.
// What a crash (kill -9) can lose is what gathered in the last gatherFor — as before,
// when it was the last 2 ms: an event was never written in the call's own transaction,
// and no acknowledged write of any service depends on it.
const gatherFor = 100 * time.Millisecond

// maxBatch ends a batch's gathering early: a burst writes in transactions of bounded
// size rather than one large one per gatherFor.
const maxBatch = 1024

// maxSpare bounds the slice kept for the next batch, so that one burst does not hold its
// memory for good.
const maxSpare = 4096

// maxQueued bounds the events waiting for the store: while it cannot write (a full
// disk), the oldest waiting events make room for new ones rather than memory growing
// without end.
const maxQueued = 100_000

// newQueue starts a writer that lets each batch gather for gather (gatherFor).
func newQueue(write func([]port.TrailEvent) error, log *slog.Logger, gather time.Duration) *queue {
	q := &queue{write: write, log: log, kick: make(chan struct{}, 1), full: make(chan struct{}, 1), gather: gather,
		quit: make(chan struct{}), done: make(chan struct{})}
	go q.run()
	return q
}

func (q *queue) add(ev port.TrailEvent) {
	q.mu.Lock()
	if q.stopped {
		q.mu.Unlock()
		q.log.Warn("cloudtrail: an event arrived after shutdown and is not kept", "event", ev.Name, "requestId", ev.RequestID)
		return
	}
	if len(q.pending) >= maxQueued {
		q.pending = q.pending[1:]
		q.dropped++
		if q.dropped == 1 {
			q.log.Error("cloudtrail: the store is not taking events; the oldest waiting ones are being dropped")
		}
	}
	q.pending = append(q.pending, ev)
	full := len(q.pending) == maxBatch
	q.mu.Unlock()
	signal(q.kick)
	if full {
		signal(q.full)
	}
}

// signal wakes the writer through c without waiting: one signal pending is enough.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (q *queue) run() {
	defer close(q.done)
	gather := time.NewTimer(q.gather)
	gather.Stop()
	for {
		select {
		case <-q.kick:
		case <-q.quit:
			return // stop writes what is queued
		}
		gather.Reset(q.gather)
		select {
		case <-gather.C:
		case <-q.full:
			// A full signal left from a batch a lookup already wrote only ends this
			// gathering early.
			gather.Stop()
		case <-q.quit:
			return
		}
		if err := q.flush(); err != nil {
			q.log.Error("cloudtrail: writing events", "err", err)
		}
	}
}

// flush writes every queued event. A batch that fails to write is put back, ahead of
// what came meanwhile, for the next flush.
func (q *queue) flush() error {
	q.writeMu.Lock()
	defer q.writeMu.Unlock()
	q.mu.Lock()
	batch := q.pending
	q.pending, q.spare = q.spare, nil
	q.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := q.write(batch); err != nil {
		q.mu.Lock()
		q.pending = append(batch, q.pending...)
		if over := len(q.pending) - maxQueued; over > 0 {
			q.pending, q.dropped = q.pending[over:], q.dropped+over
		}
		q.mu.Unlock()
		return err
	}
	clear(batch) // the events' maps and strings are the store's now, or garbage
	q.mu.Lock()
	if q.spare == nil && cap(batch) <= maxSpare {
		q.spare = batch[:0]
	}
	if q.dropped > 0 {
		q.log.Warn("cloudtrail: the store takes events again", "dropped", q.dropped)
		q.dropped = 0
	}
	q.mu.Unlock()
	return nil
}

// stop ends the writer and writes what is left.
func (q *queue) stop(ctx context.Context) error {
	q.mu.Lock()
	already := q.stopped
	q.stopped = true
	q.mu.Unlock()
	if !already {
		close(q.quit)
	}
	select {
	case <-q.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	// On a full disk the events still queued cannot be kept: the store refused them while
	// serving too, and the log said so. Stopping is not a failure of the process for it.
	if err := q.flush(); err != nil && !errors.Is(err, kit.ErrNoSpace) {
		return err
	}
	return nil
}

// drop forgets the queued events, after the store was wiped.
func (q *queue) drop() {
	q.writeMu.Lock()
	defer q.writeMu.Unlock()
	q.mu.Lock()
	q.pending = nil
	q.mu.Unlock()
}
