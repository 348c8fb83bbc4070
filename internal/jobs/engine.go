package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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

	// Node names this engine's node, for health and logs.
	Node string
	// Shared makes the engine one of several nodes on one store: jobs are leased, and the
	// clock, the jobs and the nodes are polled (see cluster.go). Node must then be unique
	// among them.
	Shared bool
	// Lease is how long a node may stay silent before the others take its jobs over; 0
	// means DefaultLease. Poll is how often a shared node reads the shared state; 0 means
	// DefaultPoll. Wall is the real-time clock both are measured on; nil means time.Now.
	Lease time.Duration
	Poll  time.Duration
	Wall  func() time.Time
	// OnPoll, if set, runs after each poll of a shared node, outside every lock: the
	// server refreshes the faults with it.
	OnPoll func()
	// OnRemoteReset, if set, runs once when a shared node finds that the state was reset
	// through another node (a new clock epoch), outside every lock of the engine, after
	// the engine forgot its own mirror: the server lets services drop what they keep in
	// memory of the wiped state, as the resetting node's admin API does for itself.
	OnRemoteReset func()
}

type engineState int

const (
	stateNew engineState = iota
	stateRunning
	stateStopped
)

// Engine runs jobs. See the package documentation.
type Engine struct {
	cfg   Config
	st    store.Store
	clock *Clock
	log   *slog.Logger

	lastID atomic.Uint64
	node   *cluster // nil on a single node

	runCtx    context.Context // handlers' context, cancelled when Stop gives up waiting
	cancelRun context.CancelFunc

	advMu sync.Mutex // serialises AdvanceTo and Reset

	mu       sync.Mutex
	handlers map[string]Handler
	state    engineState
	paused   bool // AdvanceTo is running jobs itself
	// remotePaused: another node is moving the clock; draining: Drain was called. Either
	// stops dispatch.
	remotePaused bool
	draining     bool
	seq          uint64 // counts changes to entries, so sync can tell what is newer than its snapshot
	gen          uint64 // bumped by Reset, so that commits from before it are ignored
	jobs         map[string]*entry
	ready        readyHeap           // runnable entries: unkeyed, or heads of their key
	keys         map[string][]*entry // per key, in ID order; [0] is the head
	running      int                 // entries marked running, by workers or AdvanceTo
	history      []Finished          // ring buffer
	histNext     int                 // where the next Finished goes
	changed      chan struct{}       // closed and replaced on every change, for waiters
	work         chan *entry         // to the workers; capacity cfg.Workers
	wake         chan struct{}       // to the dispatcher; capacity 1
	quit         chan struct{}       // closed by Stop
	wg           sync.WaitGroup      // dispatcher and workers
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
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Wall == nil {
		cfg.Wall = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	var node *cluster
	if cfg.Shared {
		if cfg.Node == "" {
			panic("jobs: a shared engine needs Config.Node")
		}
		node = newCluster(cfg)
	}
	return &Engine{
		node:      node,
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

// Start loads the pending jobs from the store and starts running them. A shared node
// first writes its heartbeat, so that the others know it before it claims anything.
func (e *Engine) Start() error {
	e.mu.Lock()
	if e.state != stateNew {
		e.mu.Unlock()
		return errors.New("jobs: Start called twice")
	}
	e.mu.Unlock()
	if e.node != nil {
		if err := e.heartbeat(); err != nil {
			return fmt.Errorf("jobs: joining the nodes on the store: %w", err)
		}
	}
	snap, err := e.readSnapshot(e.node != nil)
	if err != nil {
		return fmt.Errorf("jobs: loading pending jobs: %w", err)
	}
	if e.node != nil {
		e.node.observe(snap.nodes)
		e.clock.adopt(snap.clock)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range snap.jobs {
		e.seenID(j.ID)
		if e.jobs[j.ID] != nil || (e.node != nil && e.foreign(snap, j.ID)) {
			continue // also announced by its commit callback, or another node's
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
	if e.node != nil {
		e.wg.Add(1)
		go e.clusterLoop()
	}
	e.changedLocked()
	return nil
}

// decodeJob reads a stored job record; an unreadable one is logged and skipped.
func (e *Engine) decodeJob(key string, value []byte) (Job, bool) {
	var j Job
	if err := json.Unmarshal(value, &j); err != nil || j.ID == "" {
		e.log.Error("jobs: skipping an unreadable job record", "key", store.Printable(key), "err", err)
		return Job{}, false
	}
	return j, true
}

// Drain stops this node from taking jobs (the first step of a shutdown on SIGTERM): the
// jobs it runs now finish, the rest wait for another node, or for the next start. Stop
// then waits for them and releases the node's leases.
func (e *Engine) Drain() {
	e.mu.Lock()
	e.draining = true
	running := e.state == stateRunning
	e.changedLocked()
	e.mu.Unlock()
	if e.node != nil && running { // a node that never started has no record to update
		e.node.mu.Lock()
		e.node.draining = true
		e.node.mu.Unlock()
		_ = e.heartbeat() // tell the others at once
	}
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
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	e.cancelRun()
	if e.node != nil {
		e.leave()
	}
	return err
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
	epoch := e.clock.Epoch() + 1
	err := e.st.Update(func(tx store.Tx) error {
		for _, p := range []string{jobsPrefix, indexPrefix, leasesPrefix} {
			if err := tx.DeletePrefix(p); err != nil {
				return err
			}
		}
		if err := tx.Delete(advanceKey); err != nil {
			return err
		}
		if e.node == nil {
			return tx.Delete(clockKey)
		}
		// The other nodes see the new epoch and put their clocks back too.
		return store.PutJSON(tx, clockKey, clockRecord{Epoch: epoch})
	})
	if e.node != nil {
		e.node.mu.Lock()
		clear(e.node.held)
		e.node.mu.Unlock()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.forgetLocked()
	e.clock.reset(epoch)
	e.history, e.histNext = nil, 0
	e.changedLocked()
	if err != nil {
		return fmt.Errorf("jobs: reset: %w", err)
	}
	return nil
}

// forgetLocked drops the mirror after the store was wiped, here or through another node.
func (e *Engine) forgetLocked() {
	e.gen++
	e.jobs = map[string]*entry{}
	e.keys = map[string][]*entry{}
	for _, ent := range e.ready {
		ent.index = -1
	}
	e.ready = nil
}
