package jobs

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xregion/xregion/internal/store"
)

var (
	jobsPrefix  = store.Prefix("_xregion", "jobs")
	indexPrefix = store.Prefix("_xregion", "jobkeys")
)

func jobKey(id string) string        { return store.Key("_xregion", "jobs", id) }
func indexKey(key, id string) string { return store.Key("_xregion", "jobkeys", key, id) }

// Config configures an Engine. Store and Clock are required.
type Config struct {
	Store store.Store
	Clock *Clock
	// TransitionDelay is how long asynchronous AWS transitions (InProgress → InSync, ...)
	// take: services enqueue them at After(). 0 makes them happen at once.
	TransitionDelay time.Duration
	// Workers bounds the jobs in flight; 0 means 4. Each run is a store Update and the
	// store serialises writers, so handler bodies never overlap: more workers only overlap
	// the hand-offs and bookkeeping around them.
	Workers int
	// BackoffBase and BackoffMax shape retries: BackoffBase << (attempt-1), at most
	// BackoffMax, on the engine clock. 0 means 1s and 5m.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// MaxAdvanceRuns bounds the runs in one AdvanceTo; 0 means 200000.
	MaxAdvanceRuns int
	// History is how many finished jobs Jobs reports; 0 means 100.
	History int
	// Logger receives failures and give-ups; nil means slog.Default().
	Logger *slog.Logger
	// Observe, when set, hears of every job that leaves the engine and of every failed
	// attempt that will be retried (Outcome Retried), for metrics. It is called with
	// Engine.mu held, so it is a leaf: it must not block or call the engine.
	Observe func(Finished)
}

type engineState int

const (
	stateNew engineState = iota
	stateRunning
	stateStopped
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
}

// Engine runs jobs. See the package documentation.
type Engine struct {
	cfg   Config
	st    store.Store
	clock *Clock
	log   *slog.Logger

	lastID atomic.Uint64

	runCtx    context.Context // handlers' context, cancelled when Stop gives up waiting
	cancelRun context.CancelFunc

	advMu sync.Mutex // serialises AdvanceTo and Reset

	mu       sync.Mutex
	handlers map[string]Handler
	state    engineState
	paused   bool   // AdvanceTo is running jobs itself
	gen      uint64 // bumped by Reset, so that commits from before it are ignored
	jobs     map[string]*entry
	ready    readyHeap           // runnable entries: unkeyed, or heads of their key
	keys     map[string][]*entry // per key, in ID order; [0] is the head
	running  int                 // entries marked running, by workers or AdvanceTo
	history  []Finished          // ring buffer
	histNext int                 // where the next Finished goes
	changed  chan struct{}       // closed and replaced on every change, for waiters
	work     chan *entry         // to the workers; capacity cfg.Workers
	wake     chan struct{}       // to the dispatcher; capacity 1
	quit     chan struct{}       // closed by Stop
	wg       sync.WaitGroup      // dispatcher and workers
}

// New returns an engine. It panics if cfg.Store or cfg.Clock is nil: that is a wiring
// mistake, not a condition to handle.
func New(cfg Config) *Engine {
	if cfg.Store == nil || cfg.Clock == nil {
		panic("jobs: Config.Store and Config.Clock are required")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = time.Second
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = 5 * time.Minute
	}
	if cfg.MaxAdvanceRuns <= 0 {
		// A guard against a job that reschedules itself with no interval, not a budget:
		// moving a year ahead with a few hourly and daily schedules runs tens of thousands.
		cfg.MaxAdvanceRuns = 200_000
	}
	if cfg.History <= 0 {
		cfg.History = 100
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Engine{
		cfg:       cfg,
		st:        cfg.Store,
		clock:     cfg.Clock,
		log:       cfg.Logger,
		runCtx:    ctx,
		cancelRun: cancel,
		handlers:  map[string]Handler{},
		jobs:      map[string]*entry{},
		keys:      map[string][]*entry{},
		changed:   make(chan struct{}),
		wake:      make(chan struct{}, 1),
		quit:      make(chan struct{}),
	}
}

// Register installs the handler for kind. It must be called before Start, once per kind.
func (e *Engine) Register(kind string, h Handler) {
	if h.Run == nil {
		panic("jobs: Register " + kind + ": Handler.Run is nil")
	}
	if h.MaxAttempts <= 0 {
		h.MaxAttempts = defaultMaxAttempts
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != stateNew {
		panic("jobs: Register " + kind + " after Start")
	}
	if _, dup := e.handlers[kind]; dup {
		panic("jobs: Register " + kind + " twice")
	}
	e.handlers[kind] = h
}

// Clock is the engine's clock.
func (e *Engine) Clock() *Clock { return e.clock }

// After is when an asynchronous transition started now is due: Clock.Now() plus
// Config.TransitionDelay.
func (e *Engine) After() time.Time { return e.clock.Now().Add(e.cfg.TransitionDelay) }

// newID returns a fixed-width hex timestamp of real time, nudged past the last one issued,
// so IDs sort in issue order. Enqueue issues IDs under the store's writer lock, so issue
// order is commit order; Start nudges past the IDs it finds so a restart keeps the order
// even if the host clock stepped back.
func (e *Engine) newID() string {
	for {
		last := e.lastID.Load()
		next := uint64(time.Now().UnixNano())
		if next <= last {
			next = last + 1
		}
		if e.lastID.CompareAndSwap(last, next) {
			return fmt.Sprintf("%016x", next)
		}
	}
}

func (e *Engine) seenID(id string) {
	n, err := strconv.ParseUint(id, 16, 64)
	if err != nil {
		return
	}
	for {
		last := e.lastID.Load()
		if n <= last || e.lastID.CompareAndSwap(last, n) {
			return
		}
	}
}

// Enqueue adds j to tx. The job exists when tx commits, and the engine schedules it then;
// if tx rolls back there is no job. It returns the new job's ID. Attempt, LastError and
// CreatedAt are set by the engine; a zero RunAt means now.
func (e *Engine) Enqueue(tx store.Tx, j Job) (string, error) {
	if !tx.Writable() {
		return "", fmt.Errorf("jobs: Enqueue %s: %w", j.Kind, store.ErrReadOnly)
	}
	if strings.Contains(j.Key, store.Sep) {
		return "", fmt.Errorf("jobs: Enqueue %s: key %q contains the store separator", j.Kind, store.Printable(j.Key))
	}
	e.mu.Lock()
	_, known := e.handlers[j.Kind]
	gen := e.gen
	e.mu.Unlock()
	if !known {
		return "", fmt.Errorf("jobs: Enqueue: no handler registered for kind %q", j.Kind)
	}
	now := e.clock.Now()
	j.ID = e.newID()
	j.Attempt, j.LastError, j.CreatedAt = 0, "", now
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	j.RunAt = j.RunAt.UTC()
	if err := store.PutJSON(tx, jobKey(j.ID), &j); err != nil {
		return "", err
	}
	if j.Key != "" {
		if err := tx.Put(indexKey(j.Key, j.ID), []byte{'1'}); err != nil {
			return "", err
		}
	}
	tx.OnCommit(func() {
		e.log.Debug("jobs: job queued", append(jobAttrs(&j), "runAt", j.RunAt)...)
		e.committed(j, gen)
	})
	return j.ID, nil
}

func (e *Engine) committed(j Job, gen uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if gen != e.gen || e.jobs[j.ID] != nil {
		return
	}
	e.insertLocked(j)
	e.changedLocked()
}

// Cancel deletes the pending job id in tx. It returns ErrNotFound if there is no such
// job, including one whose run has already committed. A run in progress when Cancel
// commits finds its job gone and has no effect.
func (e *Engine) Cancel(tx store.Tx, id string) error {
	if !tx.Writable() {
		return fmt.Errorf("jobs: Cancel %s: %w", id, store.ErrReadOnly)
	}
	raw := tx.Get(jobKey(id))
	if raw == nil {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	var j Job
	if err := json.Unmarshal(raw, &j); err != nil {
		return fmt.Errorf("jobs: Cancel %s: %w", id, err)
	}
	if err := tx.Delete(jobKey(id)); err != nil {
		return err
	}
	if j.Key != "" {
		if err := tx.Delete(indexKey(j.Key, id)); err != nil {
			return err
		}
	}
	e.mu.Lock()
	gen := e.gen
	e.mu.Unlock()
	tx.OnCommit(func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if gen != e.gen {
			return
		}
		if ent := e.jobs[id]; ent != nil {
			e.removeLocked(ent)
		}
		e.recordLocked(j, Cancelled, "")
		e.changedLocked()
	})
	return nil
}

// Start loads the pending jobs from the store and starts running them.
func (e *Engine) Start() error {
	e.mu.Lock()
	if e.state != stateNew {
		e.mu.Unlock()
		return errors.New("jobs: Start called twice")
	}
	e.mu.Unlock()

	var loaded []Job
	err := e.st.View(func(tx store.Tx) error {
		return tx.Scan(jobsPrefix, "", func(key string, value []byte) bool {
			var j Job
			if err := json.Unmarshal(value, &j); err != nil || j.ID == "" {
				e.log.Error("jobs: skipping an unreadable job record", "key", store.Printable(key), "err", err)
				return true
			}
			loaded = append(loaded, j)
			return true
		})
	})
	if err != nil {
		return fmt.Errorf("jobs: loading pending jobs: %w", err)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range loaded {
		e.seenID(j.ID)
		if e.jobs[j.ID] != nil {
			continue // also announced by its commit callback
		}
		if ent := e.insertLocked(j); ent.orphan {
			e.log.Error("jobs: no handler for a stored job; it stays pending", jobAttrs(&j)...)
		}
	}
	e.state = stateRunning
	e.work = make(chan *entry, e.cfg.Workers)
	e.wg.Add(e.cfg.Workers + 1)
	for range e.cfg.Workers {
		go e.worker()
	}
	go e.dispatcher()
	e.changedLocked()
	return nil
}

// Stop stops dispatching, then waits for the jobs in flight. If ctx ends first it cancels
// their context and returns ctx's error without waiting further. Jobs still pending stay
// in the store for the next Start.
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	if e.state != stateRunning {
		e.state = stateStopped
		e.mu.Unlock()
		return nil
	}
	e.state = stateStopped
	close(e.quit)
	// Safe: only dispatchLocked sends, under e.mu, and only while running.
	close(e.work)
	e.changedLocked()
	e.mu.Unlock()

	done := make(chan struct{})
	go func() {
		e.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		e.cancelRun()
		return nil
	case <-ctx.Done():
		e.cancelRun()
		return ctx.Err()
	}
}

// insertLocked adds a committed job to the mirror.
func (e *Engine) insertLocked(j Job) *entry {
	h, ok := e.handlers[j.Kind]
	ent := &entry{job: j, h: h, orphan: !ok, index: -1}
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
	if ent.orphan || ent.running || ent.blocked || ent.index >= 0 {
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
	if e.state != stateRunning || e.paused || len(e.ready) == 0 {
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

// dispatcher sleeps until the earliest RunAt. Everything else that makes a job due
// (a commit, a completion, a clock move) dispatches directly and pokes it to re-arm.
func (e *Engine) dispatcher() {
	defer e.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		e.mu.Lock()
		e.dispatchLocked()
		wait := time.Duration(-1)
		// A frozen clock never reaches a future RunAt by itself, so there is nothing to
		// wait for; with every worker busy, a completion will dispatch.
		if e.state == stateRunning && !e.paused && len(e.ready) > 0 && e.running < e.cfg.Workers && !e.clock.Frozen() {
			wait = max(e.ready[0].job.RunAt.Sub(e.clock.Now()), 0)
		}
		e.mu.Unlock()
		if wait >= 0 {
			timer.Reset(wait)
		} else {
			timer.Stop()
		}
		select {
		case <-e.quit:
			timer.Stop()
			return
		case <-e.wake:
		case <-timer.C:
		}
	}
}

func (e *Engine) worker() {
	defer e.wg.Done()
	for ent := range e.work {
		e.execute(ent)
	}
}

type resultKind int

const (
	resultDone    resultKind = iota // Run committed
	resultRetry                     // failed; RunAt moved
	resultGaveUp                    // failed for good; GiveUp ran
	resultGone                      // cancelled or wiped before it could run
	resultNotHead                   // an earlier job with its key exists
)

var (
	errGone    = errors.New("job gone")
	errNotHead = errors.New("job not first for its key")
)

// execute runs ent (marked running by the caller) and applies the result to the mirror.
func (e *Engine) execute(ent *entry) {
	kind, j, err := e.run(ent)
	e.finish(ent, kind, j, err)
}

func (e *Engine) finish(ent *entry, kind resultKind, j Job, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ent.running = false
	e.running--
	if e.jobs[ent.job.ID] != ent {
		// Cancelled or Reset while it ran; whoever removed it has recorded it.
		e.changedLocked()
		return
	}
	switch kind {
	case resultDone:
		e.removeLocked(ent)
		e.recordLocked(j, Succeeded, "")
	case resultGaveUp:
		e.removeLocked(ent)
		e.recordLocked(j, Failed, err.Error())
	case resultGone:
		e.removeLocked(ent)
	case resultRetry:
		e.observeLocked(Finished{Job: j, Outcome: Retried, Error: j.LastError, FinishedAt: e.clock.Now()})
		ent.job = j
		if e.isHeadLocked(ent) {
			e.pushLocked(ent)
		}
	case resultNotHead:
		switch {
		case !e.isHeadLocked(ent):
			// Its predecessor is known; finishing it will promote this entry.
		case ent.displaced:
			e.pushLocked(ent) // the predecessor came and went while this one ran
		default:
			ent.blocked = true // until insertLocked announces the predecessor
		}
		ent.displaced = false
	}
	e.changedLocked()
}

// run makes one attempt and, on failure, records the retry or gives up.
func (e *Engine) run(ent *entry) (resultKind, Job, error) {
	id, key := ent.job.ID, ent.job.Key
	var stored Job
	var runErr error
	err := e.st.Update(func(tx store.Tx) error {
		raw := tx.Get(jobKey(id))
		if raw == nil {
			return errGone
		}
		if err := json.Unmarshal(raw, &stored); err != nil {
			// The mirror's copy will overwrite the record on retry.
			stored = ent.job
			return fmt.Errorf("jobs: decoding job %s: %w", id, err)
		}
		if key != "" {
			head, err := e.firstForKey(tx, key, id)
			if err != nil {
				return err
			}
			if !head {
				return errNotHead
			}
			if err := tx.Delete(indexKey(key, id)); err != nil {
				return err
			}
		}
		if err := tx.Delete(jobKey(id)); err != nil {
			return err
		}
		j := stored
		runErr = callRun(e.runCtx, ent.h, tx, &j)
		return runErr
	})
	switch {
	case err == nil:
		e.log.Debug("jobs: job done", jobAttrs(&stored)...)
		return resultDone, stored, nil
	case errors.Is(err, errGone):
		return resultGone, ent.job, nil
	case errors.Is(err, errNotHead):
		return resultNotHead, ent.job, nil
	}
	if stored.ID == "" {
		stored = ent.job
	}
	failed := stored
	failed.Attempt++
	failed.LastError = err.Error()
	if pe := (*panicError)(nil); errors.As(runErr, &pe) {
		e.log.Error("jobs: handler panicked", append(jobAttrs(&failed), "panic", pe.value, "stack", pe.trace)...)
	}
	if IsPermanent(err) || failed.Attempt >= ent.h.MaxAttempts {
		return e.giveUp(ent, failed, err)
	}
	failed.RunAt = e.clock.Now().Add(e.backoff(failed.Attempt))
	e.log.Warn("jobs: job failed; will retry", append(jobAttrs(&failed), "err", err, "retryAt", failed.RunAt)...)
	err = e.st.Update(func(tx store.Tx) error {
		if tx.Get(jobKey(id)) == nil {
			return errGone
		}
		return store.PutJSON(tx, jobKey(id), &failed)
	})
	if errors.Is(err, errGone) {
		return resultGone, failed, nil
	}
	if err != nil {
		// The record keeps its old RunAt, so a restart retries sooner; nothing is lost.
		e.log.Error("jobs: recording a retry", append(jobAttrs(&failed), "err", err)...)
	}
	return resultRetry, failed, nil
}

// firstForKey reports whether no stored job with key precedes id. Index entries whose job
// record is missing (left by a partial wipe, say) are dropped rather than obeyed: they
// would hold the key forever.
func (e *Engine) firstForKey(tx store.Tx, key, id string) (bool, error) {
	prefix := store.Prefix("_xregion", "jobkeys", key)
	var stale []string
	head := true
	err := tx.Scan(prefix, "", func(k string, _ []byte) bool {
		other := k[len(prefix):]
		if other >= id {
			return false
		}
		if tx.Get(jobKey(other)) == nil {
			stale = append(stale, k)
			return true
		}
		head = false
		return false
	})
	if err != nil {
		return false, err
	}
	for _, k := range stale {
		e.log.Warn("jobs: dropping a key index entry without its job", "key", store.Printable(k))
		if err := tx.Delete(k); err != nil {
			return false, err
		}
	}
	return head, nil
}

func (e *Engine) giveUp(ent *entry, failed Job, cause error) (resultKind, Job, error) {
	id, key := failed.ID, failed.Key
	del := func(tx store.Tx) error {
		if key != "" {
			if err := tx.Delete(indexKey(key, id)); err != nil {
				return err
			}
		}
		return tx.Delete(jobKey(id))
	}
	e.log.Error("jobs: giving up on job", append(jobAttrs(&failed), "err", cause)...)
	err := e.st.Update(func(tx store.Tx) error {
		if tx.Get(jobKey(id)) == nil {
			return errGone
		}
		if err := del(tx); err != nil {
			return err
		}
		if ent.h.GiveUp == nil {
			return nil
		}
		j := failed
		return callGiveUp(e.runCtx, ent.h, tx, &j, cause)
	})
	if errors.Is(err, errGone) {
		return resultGone, failed, nil
	}
	if err != nil {
		e.log.Error("jobs: GiveUp failed; deleting the job anyway", append(jobAttrs(&failed), "err", err)...)
		if err := e.st.Update(del); err != nil {
			e.log.Error("jobs: deleting a failed job", append(jobAttrs(&failed), "err", err)...)
		}
	}
	return resultGaveUp, failed, cause
}

func callRun(ctx context.Context, h Handler, tx store.Tx, j *Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, trace: string(debug.Stack())}
		}
	}()
	return h.Run(ctx, tx, j)
}

func callGiveUp(ctx context.Context, h Handler, tx store.Tx, j *Job, cause error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, trace: string(debug.Stack())}
		}
	}()
	return h.GiveUp(ctx, tx, j, cause)
}

func (e *Engine) backoff(attempt int) time.Duration {
	d := e.cfg.BackoffBase
	for i := 1; i < attempt; i++ {
		if d >= e.cfg.BackoffMax/2 {
			return e.cfg.BackoffMax // also where doubling would overflow
		}
		d *= 2
	}
	return min(d, e.cfg.BackoffMax)
}

func jobAttrs(j *Job) []any {
	return []any{"job", j.ID, "kind", j.Kind, "key", j.Key, "account", j.Account, "region", j.Region, "attempt", j.Attempt}
}

// Advance moves the clock forward by d; see AdvanceTo.
func (e *Engine) Advance(ctx context.Context, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("jobs: cannot move the clock back by %v", -d)
	}
	return e.AdvanceTo(ctx, e.clock.Now().Add(d))
}

// AdvanceTo moves the clock forward to t, running on the way every job that falls due,
// each at its own instant: it pauses normal dispatch, waits for the jobs in flight, then
// repeatedly takes the earliest runnable job with RunAt <= t, moves the clock to that
// RunAt (or leaves it, if RunAt has passed) and runs it with the clock standing there
// (Clock.hold), including jobs that those runs
// enqueue and retries that fall before t. Finally the clock is set to t.
//
// It refuses to move backwards, and stops with ErrAdvanceLimit after
// Config.MaxAdvanceRuns runs, leaving the clock at the last job's instant. If ctx ends it
// stops between two runs in the same way.
func (e *Engine) AdvanceTo(ctx context.Context, t time.Time) error {
	e.advMu.Lock()
	defer e.advMu.Unlock()
	if now := e.clock.Now(); t.Before(now) {
		return fmt.Errorf("jobs: cannot move the clock back from %s to %s",
			now.Format(time.RFC3339Nano), t.UTC().Format(time.RFC3339Nano))
	}
	if err := e.clock.reachable(t); err != nil {
		return err
	}
	e.mu.Lock()
	if e.state != stateRunning {
		e.mu.Unlock()
		return ErrNotRunning
	}
	e.paused = true
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.paused = false
		e.changedLocked()
		e.mu.Unlock()
	}()
	if err := e.waitFor(ctx, func() bool { return e.running == 0 }); err != nil {
		return err
	}
	for runs := 0; ; runs++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		e.mu.Lock()
		if e.state != stateRunning {
			e.mu.Unlock()
			return ErrNotRunning
		}
		if len(e.ready) == 0 || e.ready[0].job.RunAt.After(t) {
			e.mu.Unlock()
			break
		}
		if runs >= e.cfg.MaxAdvanceRuns {
			next := e.ready[0].job
			e.mu.Unlock()
			return fmt.Errorf("%w: %d runs before reaching %s; next is %s job %s due %s", ErrAdvanceLimit,
				runs, t.UTC().Format(time.RFC3339), next.Kind, next.ID, next.RunAt.Format(time.RFC3339Nano))
		}
		ent := heap.Pop(&e.ready).(*entry)
		ent.running, ent.displaced = true, false
		e.running++
		at := ent.job.RunAt
		e.mu.Unlock()
		if err := e.clock.hold(at); err != nil {
			e.clock.release()
			e.mu.Lock()
			ent.running = false
			e.running--
			e.pushLocked(ent)
			e.mu.Unlock()
			return err
		}
		e.execute(ent)
		e.clock.release()
	}
	return e.clock.moveTo(t)
}

// waitFor waits until cond, evaluated under e.mu, holds.
func (e *Engine) waitFor(ctx context.Context, cond func() bool) error {
	for {
		e.mu.Lock()
		if cond() {
			e.mu.Unlock()
			return nil
		}
		ch := e.changed
		e.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitIdle waits until no job is running and none that is due waits to run: the moment
// a test can look at the results of what it enqueued. Jobs due in the future do not
// count; with a frozen clock, AdvanceTo makes them due.
func (e *Engine) WaitIdle(ctx context.Context) error {
	return e.waitFor(ctx, func() bool {
		if e.running > 0 {
			return false
		}
		return e.paused || len(e.ready) == 0 || e.ready[0].job.RunAt.After(e.clock.Now())
	})
}

// Jobs lists the pending jobs, earliest RunAt first, and the most recently finished ones,
// newest first, for the admin API.
func (e *Engine) Jobs() (pending []Job, recent []Finished) {
	e.mu.Lock()
	defer e.mu.Unlock()
	pending = make([]Job, 0, len(e.jobs))
	for _, ent := range e.jobs {
		pending = append(pending, ent.job)
	}
	slices.SortFunc(pending, func(a, b Job) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	n := len(e.history)
	recent = make([]Finished, 0, n)
	for i := 1; i <= n; i++ {
		recent = append(recent, e.history[(e.histNext-i+n)%n])
	}
	return pending, recent
}

// Reset is for after the whole store was wiped (the admin API's reset): it forgets every
// pending job and the history and puts the clock back. It also deletes the engine's own
// records, in case the wipe spared them. Jobs running meanwhile find their records gone
// and have no effect.
func (e *Engine) Reset() error {
	e.advMu.Lock()
	defer e.advMu.Unlock()
	err := e.st.Update(func(tx store.Tx) error {
		if err := tx.DeletePrefix(jobsPrefix); err != nil {
			return err
		}
		if err := tx.DeletePrefix(indexPrefix); err != nil {
			return err
		}
		return tx.Delete(clockKey)
	})
	e.mu.Lock()
	defer e.mu.Unlock()
	e.gen++
	e.jobs = map[string]*entry{}
	e.keys = map[string][]*entry{}
	for _, ent := range e.ready {
		ent.index = -1
	}
	e.ready = nil
	e.history, e.histNext = nil, 0
	e.clock.reset()
	e.changedLocked()
	if err != nil {
		return fmt.Errorf("jobs: reset: %w", err)
	}
	return nil
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
