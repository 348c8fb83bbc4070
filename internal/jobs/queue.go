package jobs

import (
	"container/heap"
	"slices"
	"strings"
	"time"
)

// entry is the in-memory mirror of one pending job.
type entry struct {
	job     Job
	h       Handler
	orphan  bool // no handler is registered for the kind: kept, listed, never run
	index   int  // position in the ready heap, -1 when not in it
	running bool
	// blocked: the run found an earlier job with the same key in the store that the
	// engine has not heard of yet; the entry waits for that job's commit callback.
	blocked bool
	// displaced: while this entry ran, an earlier job of its key was announced. Its run
	// will report "not first"; by the time it does, that job may have finished already,
	// so the entry must be retried rather than blocked.
	displaced bool
	// deferred: a job another node enqueued, which this one leaves to it unless it is
	// still pending a grace after it fell due (see cluster.go); overdueSince is when this
	// node first saw it due, on the wall clock.
	deferred     bool
	overdueSince time.Time
	// touched is Engine.seq when this node last changed the entry: a shared node's poll
	// leaves alone what changed after its snapshot was taken.
	touched uint64
}

// insertLocked adds a committed job to the mirror.
func (e *Engine) insertLocked(j Job) *entry { return e.placeLocked(j, false) }

// placeLocked adds a committed job to the mirror, deferred or not.
func (e *Engine) placeLocked(j Job, deferred bool) *entry {
	h, ok := e.handlers[j.Kind]
	e.seq++
	ent := &entry{job: j, h: h, orphan: !ok, index: -1, touched: e.seq, deferred: deferred}
	e.jobs[j.ID] = ent
	if j.Key == "" {
		e.pushLocked(ent)
		return ent
	}
	q := e.keys[j.Key]
	i, _ := slices.BinarySearchFunc(q, j.ID, func(x *entry, id string) int { return strings.Compare(x.job.ID, id) })
	q = slices.Insert(q, i, ent)
	e.keys[j.Key] = q
	if i == 0 {
		if len(q) > 1 {
			// Announced late (see the package doc): the old head is no longer first. If
			// it is running, its transaction will see this job in the index and step back.
			old := q[1]
			old.blocked = false
			old.displaced = old.running
			if old.index >= 0 {
				heap.Remove(&e.ready, old.index)
			}
		}
		e.pushLocked(ent)
	}
	return ent
}

// pushLocked makes ent runnable if nothing holds it back.
func (e *Engine) pushLocked(ent *entry) {
	if ent.orphan || ent.running || ent.blocked || ent.deferred || ent.index >= 0 {
		return
	}
	heap.Push(&e.ready, ent)
}

// removeLocked drops ent from the mirror and lets the next job of its key go.
func (e *Engine) removeLocked(ent *entry) {
	if e.jobs[ent.job.ID] != ent {
		return
	}
	delete(e.jobs, ent.job.ID)
	if ent.index >= 0 {
		heap.Remove(&e.ready, ent.index)
	}
	key := ent.job.Key
	if key == "" {
		return
	}
	q := e.keys[key]
	i := slices.Index(q, ent)
	if i < 0 {
		return
	}
	if i == 0 {
		// The common case, and cheap: the queue drains from the front.
		q[0] = nil
		q = q[1:]
	} else {
		q = slices.Delete(q, i, i+1)
	}
	if len(q) == 0 {
		delete(e.keys, key)
		return
	}
	e.keys[key] = q
	if i == 0 {
		q[0].blocked = false
		e.pushLocked(q[0])
	}
}

func (e *Engine) isHeadLocked(ent *entry) bool {
	if ent.job.Key == "" {
		return true
	}
	q := e.keys[ent.job.Key]
	return len(q) > 0 && q[0] == ent
}

func (e *Engine) recordLocked(j Job, o Outcome, errText string) {
	f := Finished{Job: j, Outcome: o, Error: errText, FinishedAt: e.clock.Now()}
	e.observeLocked(f)
	if len(e.history) < e.cfg.History {
		e.history = append(e.history, f)
	} else {
		e.history[e.histNext] = f
	}
	e.histNext = (e.histNext + 1) % e.cfg.History
}

func (e *Engine) observeLocked(f Finished) {
	if e.cfg.Observe != nil {
		e.cfg.Observe(f)
	}
}

// changedLocked hands due jobs to workers, re-arms the dispatcher and wakes waiters.
func (e *Engine) changedLocked() {
	e.dispatchLocked()
	select {
	case e.wake <- struct{}{}:
	default:
	}
	close(e.changed)
	e.changed = make(chan struct{})
}

// dispatchLocked hands every due runnable job to a worker, as far as workers are free.
// Doing it here, on the committing goroutine, rather than via the dispatcher, saves a
// goroutine hand-off on the path from a write to its replica.
func (e *Engine) dispatchLocked() {
	if e.state != stateRunning || e.paused || e.remotePaused || e.draining || len(e.ready) == 0 {
		return
	}
	now := e.clock.Now()
	for e.running < e.cfg.Workers && len(e.ready) > 0 && !e.ready[0].job.RunAt.After(now) {
		ent := heap.Pop(&e.ready).(*entry)
		ent.running, ent.displaced = true, false
		e.running++
		e.work <- ent
	}
}

// readyHeap orders runnable entries by (RunAt, ID).
type readyHeap []*entry

func (h readyHeap) Len() int { return len(h) }

func (h readyHeap) Less(i, j int) bool {
	if c := h[i].job.RunAt.Compare(h[j].job.RunAt); c != 0 {
		return c < 0
	}
	return h[i].job.ID < h[j].job.ID
}

func (h readyHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *readyHeap) Push(x any) {
	ent := x.(*entry)
	ent.index = len(*h)
	*h = append(*h, ent)
}

func (h *readyHeap) Pop() any {
	old := *h
	n := len(old)
	ent := old[n-1]
	old[n-1] = nil
	ent.index = -1
	*h = old[:n-1]
	return ent
}
