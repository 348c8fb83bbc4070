package jobs

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
)

// fakeWall is the wall clock leases are measured on, moved by the test.
type fakeWall struct {
	mu sync.Mutex
	t  time.Time
}

func newWall() *fakeWall { return &fakeWall{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (w *fakeWall) Now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.t
}

func (w *fakeWall) Add(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t = w.t.Add(d)
}

const testLease = 10 * time.Second

// node is one engine of several on st. Its poll is an hour, so that the test polls
// (sync) when it wants to: nothing happens behind its back.
func node(t *testing.T, st store.Store, clock *Clock, id string, wall *fakeWall, handlers map[string]Handler) *Engine {
	t.Helper()
	return start(t, Config{Store: st, Clock: clock, Shared: true, Node: id, Wall: wall.Now, Poll: time.Hour, Lease: testLease},
		handlers)
}

func mustSync(t *testing.T, e *Engine) {
	t.Helper()
	if err := e.sync(); err != nil {
		t.Fatal(err)
	}
}

// overdue lets a grace pass on the wall clock and polls: b then takes the jobs due that
// the node that enqueued them has not run.
func overdue(t *testing.T, b *Engine, wall *fakeWall) {
	t.Helper()
	mustSync(t, b)
	wall.Add(testLease / 4)
	mustSync(t, b)
}

func mustBeat(t *testing.T, e *Engine) {
	t.Helper()
	if err := e.heartbeat(); err != nil {
		t.Fatal(err)
	}
}

// logged is a handler that records each run of a job in the store, in the run's
// transaction: a job that ran twice appears twice.
func logged(name string) Handler {
	return Handler{Run: func(_ context.Context, tx store.Tx, j *Job) error { return appendLog(tx, name, j.ID) }}
}

// Jobs enqueued through one node and polled by another run once each, whichever node
// claims them.
func TestSharedJobsRunOnce(t *testing.T) {
	st, wall := memory.New(), newWall()
	h := map[string]Handler{"work": logged("runs")}
	a := node(t, st, NewFrozenClock(t0), "a", wall, h)
	b := node(t, st, NewFrozenClock(t0), "b", wall, h)
	var ids []string
	for range 40 {
		ids = append(ids, enqueue(t, a, st, Job{Kind: "work"})...)
		overdue(t, b, wall) // b learns of a's jobs and races a for them
	}
	waitIdle(t, a)
	waitIdle(t, b)
	mustSync(t, b)
	waitIdle(t, b)
	runs := readLog(t, st, "runs")
	slices.Sort(runs)
	if !slices.Equal(runs, ids) {
		t.Fatalf("ran %d times for %d jobs: %v", len(runs), len(ids), runs)
	}
	if left := keysUnder(t, st, leasesPrefix); len(left) != 0 {
		t.Fatalf("leases left behind: %v", left)
	}
}

// A job claimed by a node that then dies is taken over once the node's heartbeat has been
// silent for a lease, measured on the wall clock, and not before.
func TestDeadNodesJobIsTakenOver(t *testing.T) {
	st, wall := memory.New(), newWall()
	h := map[string]Handler{"work": logged("runs")}
	// a claims a job and dies before running it: it is never started, so it never beats
	// again and never runs what it claimed.
	a := New(Config{Store: st, Clock: NewFrozenClock(t0), Shared: true, Node: "a", Wall: wall.Now, Poll: time.Hour, Logger: quiet})
	a.Register("work", h["work"])
	mustBeat(t, a)
	ids := enqueue(t, a, st, Job{Kind: "work"})
	if err := a.claim(ids[0], "work"); err != nil {
		t.Fatal(err)
	}

	b := node(t, st, NewFrozenClock(t0), "b", wall, h)
	wall.Add(testLease - time.Second)
	mustSync(t, b)
	waitIdle(t, b)
	wantRuns(t, st, nil, "b ran a live node's job")
	if pending, _ := b.Jobs(); len(pending) != 0 {
		t.Fatalf("b lists a live node's job as its own: %v", pending)
	}

	wall.Add(time.Second)
	overdue(t, b, wall)
	waitIdle(t, b)
	wantRuns(t, st, ids, "after a's lease lapsed")
	if _, ok := storedJob(t, st, ids[0]); ok {
		t.Fatal("the job is still stored")
	}
	if left := keysUnder(t, st, leasesPrefix); len(left) != 0 {
		t.Fatalf("leases left behind: %v", left)
	}
}

// A live node keeps its leases: its heartbeat renews them all, however long it holds them.
func TestHeartbeatRenewsLeases(t *testing.T) {
	st, wall := memory.New(), newWall()
	a := New(Config{Store: st, Clock: NewFrozenClock(t0), Shared: true, Node: "a", Wall: wall.Now, Lease: testLease, Logger: quiet})
	a.Register("work", logged("runs"))
	mustBeat(t, a)
	ids := enqueue(t, a, st, Job{Kind: "work"})
	if err := a.claim(ids[0], "work"); err != nil {
		t.Fatal(err)
	}
	b := node(t, st, NewFrozenClock(t0), "b", wall, map[string]Handler{"work": logged("runs")})
	for range 5 {
		wall.Add(testLease / 2)
		mustBeat(t, a)
		mustSync(t, b)
		if err := b.claim(ids[0], "work"); !errors.Is(err, errLeased) {
			t.Fatalf("b claimed a live node's job: %v", err)
		}
	}
	if got := a.Node().Leases; len(got) != 1 || got[0].Job != ids[0] {
		t.Fatalf("a reports leases %+v", got)
	}
}

// A node presumed dead that comes back finds its lease taken: its run does nothing, and
// the job runs once, on the node that took it over.
func TestLostLeaseDoesNotRun(t *testing.T) {
	st, wall := memory.New(), newWall()
	a := New(Config{Store: st, Clock: NewFrozenClock(t0), Shared: true, Node: "a", Wall: wall.Now, Logger: quiet})
	a.Register("work", logged("runs"))
	mustBeat(t, a)
	ids := enqueue(t, a, st, Job{Kind: "work"})
	if err := a.claim(ids[0], "work"); err != nil {
		t.Fatal(err)
	}
	b := New(Config{Store: st, Clock: NewFrozenClock(t0), Shared: true, Node: "b", Wall: wall.Now, Logger: quiet})
	b.Register("work", logged("runs"))
	mustBeat(t, b)
	if _, err := b.readSnapshotInto(); err != nil {
		t.Fatal(err)
	}
	wall.Add(testLease)
	if _, err := b.readSnapshotInto(); err != nil {
		t.Fatal(err)
	}
	if err := b.claim(ids[0], "work"); err != nil {
		t.Fatalf("b could not take over a silent node's job: %v", err)
	}
	// a wakes up and runs the job it claimed: its run's transaction finds the lease gone.
	err := st.Update(func(tx store.Tx) error {
		_, err := a.take(tx, &entry{job: Job{ID: ids[0], Kind: "work"}})
		return err
	})
	if !errors.Is(err, errLost) {
		t.Fatalf("a's run transaction: %v, want errLost", err)
	}
	// Or it claims again first, and finds the job leased.
	kind, _, _ := a.run(&entry{job: Job{ID: ids[0], Kind: "work"}, h: logged("runs")})
	if kind != resultLeased {
		t.Fatalf("a's run: result %v, want resultLeased", kind)
	}
	wantRuns(t, st, nil, "a ran a job it had lost")
	if kind, _, _ := b.run(&entry{job: Job{ID: ids[0], Kind: "work"}, h: logged("runs")}); kind != resultDone {
		t.Fatalf("b's run: result %v", kind)
	}
	wantRuns(t, st, ids, "after b took the job over")
}

// readSnapshotInto polls like sync without touching the mirror of an engine not started.
func (e *Engine) readSnapshotInto() (snapshot, error) {
	s, err := e.readSnapshot(true)
	if err == nil {
		e.node.observe(s.nodes)
	}
	return s, err
}

// A recurring schedule fires once per occurrence across nodes, whichever node moves the
// clock, and the clock moved through one node is the other's at its next poll.
func TestSharedScheduleAndClock(t *testing.T) {
	st, wall := memory.New(), newWall()
	var nodes [2]*Engine
	daily := func(i int) Handler {
		return Handler{Run: func(_ context.Context, tx store.Tx, j *Job) error {
			if err := appendLog(tx, "fired", j.RunAt.Format(time.RFC3339)); err != nil {
				return err
			}
			_, err := nodes[i].Enqueue(tx, Job{Kind: "daily", Key: "plan", RunAt: j.RunAt.Add(24 * time.Hour)})
			return err
		}}
	}
	for i, id := range []string{"a", "b"} {
		clock, err := NewClock(st)
		if err != nil {
			t.Fatal(err)
		}
		nodes[i] = node(t, st, clock, id, wall, map[string]Handler{"daily": daily(i)})
	}
	a, b := nodes[0], nodes[1]
	first := a.Clock().Now().Add(time.Hour)
	enqueue(t, a, st, Job{Kind: "daily", Key: "plan", RunAt: first})
	mustSync(t, b)

	if err := a.Advance(testCtx(t), 72*time.Hour); err != nil {
		t.Fatal(err)
	}
	mustSync(t, b)
	if off := b.Clock().Offset(); off < 72*time.Hour-time.Minute {
		t.Fatalf("b's clock is %v ahead after a moved it 72h", off)
	}
	if err := b.Advance(testCtx(t), 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	mustSync(t, a)
	waitIdle(t, a)
	fired := readLog(t, st, "fired")
	want := []string{}
	for d := range 5 {
		want = append(want, first.Add(time.Duration(d)*24*time.Hour).Format(time.RFC3339))
	}
	if !slices.Equal(fired, want) {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	pa, _ := a.Jobs()
	pb, _ := b.Jobs()
	if len(pa) != 1 || len(pb) != 1 || pa[0].ID != pb[0].ID {
		t.Fatalf("pending on a %v, on b %v: want the one next occurrence on both", pa, pb)
	}
}

// While a node moves the clock the others claim nothing, and one cannot move it at the
// same time.
func TestAdvanceRecordStopsOtherNodes(t *testing.T) {
	st, wall := memory.New(), newWall()
	h := map[string]Handler{"work": logged("runs")}
	a := New(Config{Store: st, Clock: NewFrozenClock(t0), Shared: true, Node: "a", Wall: wall.Now, Poll: time.Millisecond, Logger: quiet})
	a.Register("work", h["work"])
	mustBeat(t, a)
	if err := a.takeAdvance(testCtx(t), t0); err != nil {
		t.Fatal(err)
	}
	b := node(t, st, NewFrozenClock(t0), "b", wall, h)
	ids := enqueue(t, b, st, Job{Kind: "work"})
	waitIdle(t, b)
	wantRuns(t, st, nil, "b ran while a moved the clock")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := b.AdvanceTo(ctx, t0.Add(time.Hour)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("b moved the clock while a did: %v", err)
	}
	a.giveAdvance()
	mustSync(t, b)
	waitIdle(t, b)
	wantRuns(t, st, ids, "after a's move")
}

// A reset through one node puts the others' clocks back and empties their mirrors, and
// tells each other node's server once, so that it drops its services' caches too.
func TestResetReachesOtherNodes(t *testing.T) {
	st, wall := memory.New(), newWall()
	clocks := [2]*Clock{}
	for i := range clocks {
		var err error
		if clocks[i], err = NewClock(st); err != nil {
			t.Fatal(err)
		}
	}
	h := map[string]Handler{"work": logged("runs")}
	a := node(t, st, clocks[0], "a", wall, h)
	var told atomic.Int32
	b := start(t, Config{Store: st, Clock: clocks[1], Shared: true, Node: "b", Wall: wall.Now, Poll: time.Hour, Lease: testLease,
		OnRemoteReset: func() { told.Add(1) }}, h)
	if err := a.Advance(testCtx(t), 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	enqueue(t, a, st, Job{Kind: "work", RunAt: a.Clock().Now().Add(time.Hour)})
	mustSync(t, b)
	if p, _ := b.Jobs(); len(p) != 1 || b.Clock().Offset() < 47*time.Hour {
		t.Fatalf("before the reset b has %d jobs and offset %v", len(p), b.Clock().Offset())
	}
	if err := a.Reset(); err != nil {
		t.Fatal(err)
	}
	if n := told.Load(); n != 0 {
		t.Fatalf("b was told of %d resets before one happened", n)
	}
	mustSync(t, b)
	if p, _ := b.Jobs(); len(p) != 0 || b.Clock().Offset() != 0 {
		t.Fatalf("after the reset b has %d jobs and offset %v", len(p), b.Clock().Offset())
	}
	mustSync(t, b) // the same epoch again: nothing new to tell
	if n := told.Load(); n != 1 {
		t.Errorf("b's server was told of %d resets, want 1", n)
	}
}

// Drain stops claiming; Stop then releases the node's leases and removes its record, so
// that the others take over at once.
func TestDrainAndLeave(t *testing.T) {
	st, wall := memory.New(), newWall()
	h := map[string]Handler{"work": logged("runs")}
	a := New(Config{Store: st, Clock: NewFrozenClock(t0), Shared: true, Node: "a", Wall: wall.Now, Poll: time.Hour, Logger: quiet})
	a.Register("work", h["work"])
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	a.Drain()
	ids := enqueue(t, a, st, Job{Kind: "work"})
	if err := a.claim(ids[0], "work"); err != nil { // as if it had claimed it before draining
		t.Fatal(err)
	}
	if !a.Node().Draining {
		t.Fatal("a does not report draining")
	}
	b := node(t, st, NewFrozenClock(t0), "b", wall, h)
	if peers := b.Node().Peers; len(peers) != 1 || !peers[0].Draining {
		t.Fatalf("b sees peers %+v", peers)
	}
	if err := a.Stop(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	wantRuns(t, st, nil, "a draining ran")
	if got := keysUnder(t, st, nodesPrefix); len(got) != 1 {
		t.Fatalf("node records after a left: %v", got)
	}
	overdue(t, b, wall) // no lease to wait for: a left
	waitIdle(t, b)
	wantRuns(t, st, ids, "after a left")
}

// failingStore fails every Update while down is set, as a store out of reach does.
type failingStore struct {
	store.Store
	mu   sync.Mutex
	down bool
}

func (f *failingStore) Update(fn func(store.Tx) error) error {
	f.mu.Lock()
	down := f.down
	f.mu.Unlock()
	if down {
		return errors.New("connection refused")
	}
	return f.Store.Update(fn)
}

// A node that cannot write its heartbeat says so until it can again.
func TestHeartbeatFailureIsReported(t *testing.T) {
	st, wall := &failingStore{Store: memory.New()}, newWall()
	a := node(t, st, NewFrozenClock(t0), "a", wall, nil)
	st.mu.Lock()
	st.down = true
	st.mu.Unlock()
	if err := a.heartbeat(); err == nil {
		t.Fatal("heartbeat succeeded on a store that is down")
	}
	if p := a.Node().Problem; p == "" {
		t.Fatal("no problem reported")
	}
	st.mu.Lock()
	st.down = false
	st.mu.Unlock()
	mustBeat(t, a)
	if p := a.Node().Problem; p != "" {
		t.Fatalf("problem after recovery: %s", p)
	}
}

// Jobs of one key enqueued through two nodes get IDs in enqueue order, each node's tag
// apart, and run in that order.
func TestSharedKeyOrderAcrossNodes(t *testing.T) {
	st, wall := memory.New(), newWall()
	h := map[string]Handler{"work": logged("runs")}
	a := node(t, st, NewFrozenClock(t0), "a", wall, h)
	b := node(t, st, NewFrozenClock(t0), "b", wall, h)
	// b's IDs would sort before a's if it did not look at the key's queue.
	b.lastID.Store(0)
	a.lastID.Store(uint64(time.Now().Add(time.Hour).UnixNano()))
	var ids []string
	for i := range 6 {
		e := a
		if i%2 == 1 {
			e = b
		}
		ids = append(ids, enqueue(t, e, st, Job{Kind: "work", Key: "k", RunAt: t0.Add(time.Minute)})...)
	}
	if !slices.IsSorted(ids) {
		t.Fatalf("IDs out of enqueue order: %v", ids)
	}
	if ids[0][16:] == ids[1][16:] {
		t.Fatalf("two nodes' IDs carry the same tag: %v", ids)
	}
	mustSync(t, a)
	mustSync(t, b)
	advance(t, a, t0.Add(time.Hour))
	wantRuns(t, st, ids, "after a moved the clock")
}

func TestNodeReportOnASingleNode(t *testing.T) {
	st, clock := frozen(t)
	release := make(chan struct{})
	running := make(chan struct{})
	e := start(t, Config{Store: st, Clock: clock, Node: "solo"}, map[string]Handler{"slow": {Run: func(context.Context, store.Tx, *Job) error {
		close(running)
		<-release
		return nil
	}}})
	ids := enqueue(t, e, st, Job{Kind: "slow"})
	<-running
	r := e.Node()
	close(release)
	if r.ID != "solo" || r.Shared || len(r.Leases) != 1 || r.Leases[0].Job != ids[0] {
		t.Fatalf("report %+v", r)
	}
	waitIdle(t, e)
	if r := e.Node(); len(r.Leases) != 0 {
		t.Fatalf("leases after the run: %+v", r.Leases)
	}
}

// A job another node enqueued is left to that node while it is due for less than a grace
// (Lease/4), and taken when it has not run by then: the node may have died before
// claiming it.
func TestOtherNodesJobsWaitAGrace(t *testing.T) {
	st, wall := memory.New(), newWall()
	a := New(Config{Store: st, Clock: NewFrozenClock(t0), Shared: true, Node: "a", Wall: wall.Now, Logger: quiet})
	a.Register("work", logged("runs"))
	mustBeat(t, a)
	b := node(t, st, NewFrozenClock(t0), "b", wall, map[string]Handler{"work": logged("runs")})
	ids := enqueue(t, a, st, Job{Kind: "work"}) // a never starts: it dies before running it
	mustSync(t, b)
	wall.Add(testLease/4 - time.Millisecond)
	mustSync(t, b)
	waitIdle(t, b)
	wantRuns(t, st, nil, "b ran a's job within the grace")
	if pending, _ := b.Jobs(); len(pending) != 1 {
		t.Fatalf("b does not list a's pending job: %v", pending)
	}
	wall.Add(time.Millisecond)
	mustSync(t, b)
	waitIdle(t, b)
	wantRuns(t, st, ids, "after the grace")
}

// wantRuns fails the test unless the jobs that ran, in order, are want; when says at
// which point of the test.
func wantRuns(t *testing.T, st store.Store, want []string, when string) {
	t.Helper()
	if runs := readLog(t, st, "runs"); !slices.Equal(runs, want) {
		t.Fatalf("%s: ran %v, want %v", when, runs, want)
	}
}
