package jobs

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/jobs/schedule"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/bolt"
	"github.com/xregion/xregion/internal/store/memory"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// testCtx bounds every wait in a test, so that a bug fails the test instead of hanging it.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// start builds, registers and starts an engine, stopping it when the test ends.
func start(t testing.TB, cfg Config, handlers map[string]Handler) *Engine {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	e := New(cfg)
	for kind, h := range handlers {
		e.Register(kind, h)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Stop(testCtx(t)); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return e
}

// newStore is the store most tests run on. XREGION_JOBS_TEST_STORE=bolt runs them on
// the durable store instead.
func newStore(t testing.TB) store.Store {
	if os.Getenv("XREGION_JOBS_TEST_STORE") != "bolt" {
		return memory.New()
	}
	st, err := bolt.Open(filepath.Join(t.TempDir(), "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func frozen(t testing.TB) (store.Store, *Clock) {
	return newStore(t), NewFrozenClock(t0)
}

func enqueue(t testing.TB, e *Engine, st store.Store, jobs ...Job) []string {
	t.Helper()
	var ids []string
	err := st.Update(func(tx store.Tx) error {
		for _, j := range jobs {
			id, err := e.Enqueue(tx, j)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func waitIdle(t testing.TB, e *Engine) {
	t.Helper()
	if err := e.WaitIdle(testCtx(t)); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
}

func advance(t testing.TB, e *Engine, to time.Time) {
	t.Helper()
	if err := e.AdvanceTo(testCtx(t), to); err != nil {
		t.Fatalf("AdvanceTo(%s): %v", to, err)
	}
}

// appendLog is a handler effect kept in the store, so that it commits or rolls back with
// the run like real service state does.
func appendLog(tx store.Tx, name, line string) error {
	var lines []string
	if _, err := store.GetJSON(tx, store.Key("test", name), &lines); err != nil {
		return err
	}
	return store.PutJSON(tx, store.Key("test", name), append(lines, line))
}

func readLog(t testing.TB, st store.Store, name string) []string {
	t.Helper()
	var lines []string
	err := st.View(func(tx store.Tx) error {
		_, err := store.GetJSON(tx, store.Key("test", name), &lines)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

func storedJob(t testing.TB, st store.Store, id string) (Job, bool) {
	t.Helper()
	var j Job
	var ok bool
	err := st.View(func(tx store.Tx) error {
		var err error
		ok, err = store.GetJSON(tx, jobKey(id), &j)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return j, ok
}

func keysUnder(t testing.TB, st store.Store, prefix string) []string {
	t.Helper()
	var keys []string
	_ = st.View(func(tx store.Tx) error {
		return tx.Scan(prefix, "", func(k string, _ []byte) bool {
			keys = append(keys, store.Printable(k))
			return true
		})
	})
	return keys
}

// logRun records the job's payload string and the clock time it ran at.
func logRun(e **Engine, name string) Handler {
	return Handler{Run: func(_ context.Context, tx store.Tx, j *Job) error {
		var p string
		_ = json.Unmarshal(j.Payload, &p)
		return appendLog(tx, name, p+"@"+(*e).Clock().Now().Format(time.RFC3339))
	}}
}

func payload(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

func TestRunsOnCommitAndDeletes(t *testing.T) {
	st, clock := frozen(t)
	var e *Engine
	e = start(t, Config{Store: st, Clock: clock}, map[string]Handler{"log": logRun(&e, "log")})
	ids := enqueue(t, e, st, Job{Kind: "log", Payload: payload("a"), Account: "111122223333", Region: "us-east-1"})
	waitIdle(t, e)
	if got := readLog(t, st, "log"); !slices.Equal(got, []string{"a@2024-01-01T00:00:00Z"}) {
		t.Fatalf("log = %q", got)
	}
	if _, ok := storedJob(t, st, ids[0]); ok {
		t.Fatal("job record still stored after a successful run")
	}
	pending, recent := e.Jobs()
	if len(pending) != 0 || len(recent) != 1 || recent[0].Outcome != Succeeded || recent[0].Job.ID != ids[0] ||
		recent[0].Job.Region != "us-east-1" {
		t.Fatalf("Jobs() = %+v, %+v", pending, recent)
	}
}

func TestEnqueueValidation(t *testing.T) {
	st, clock := frozen(t)
	e := start(t, Config{Store: st, Clock: clock}, map[string]Handler{"ok": {Run: func(context.Context, store.Tx, *Job) error { return nil }}})
	err := st.Update(func(tx store.Tx) error {
		_, err := e.Enqueue(tx, Job{Kind: "nope"})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), `no handler registered for kind "nope"`) {
		t.Errorf("unknown kind: %v", err)
	}
	err = st.Update(func(tx store.Tx) error {
		_, err := e.Enqueue(tx, Job{Kind: "ok", Key: "a" + store.Sep + "b"})
		return err
	})
	if err == nil {
		t.Error("a key with the separator was accepted")
	}
	err = st.View(func(tx store.Tx) error {
		_, err := e.Enqueue(tx, Job{Kind: "ok"})
		return err
	})
	if !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("Enqueue in a View: %v", err)
	}
	err = st.Update(func(tx store.Tx) error {
		_, err := e.Enqueue(tx, Job{Kind: "ok", Payload: json.RawMessage("{not json")})
		return err
	})
	if err == nil {
		t.Error("an invalid JSON payload was accepted")
	}
}

func TestRolledBackEnqueueLeavesNothing(t *testing.T) {
	st, clock := frozen(t)
	var runs atomic.Int32
	e := start(t, Config{Store: st, Clock: clock}, map[string]Handler{
		"x": {Run: func(context.Context, store.Tx, *Job) error { runs.Add(1); return nil }},
	})
	boom := errors.New("boom")
	err := st.Update(func(tx store.Tx) error {
		if err := tx.Put(store.Key("test", "state"), []byte("changed")); err != nil {
			return err
		}
		if _, err := e.Enqueue(tx, Job{Kind: "x", Key: "k"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	// A commit afterwards proves the engine is alive, and that its job ran alone.
	enqueue(t, e, st, Job{Kind: "x", Key: "k"})
	waitIdle(t, e)
	if n := runs.Load(); n != 1 {
		t.Errorf("%d runs, want 1", n)
	}
	if pending, _ := e.Jobs(); len(pending) != 0 {
		t.Errorf("pending = %+v", pending)
	}
	if keys := keysUnder(t, st, store.Prefix("_xregion")); len(keys) != 0 {
		t.Errorf("left in the store: %q", keys)
	}
	if keys := keysUnder(t, st, store.Prefix("test")); len(keys) != 0 {
		t.Errorf("rolled-back state visible: %q", keys)
	}
}

func TestRetryWithBackoff(t *testing.T) {
	st, clock := frozen(t)
	var attempts []int
	var seen []time.Time
	var e *Engine
	e = start(t, Config{Store: st, Clock: clock}, map[string]Handler{
		"flaky": {Run: func(_ context.Context, tx store.Tx, j *Job) error {
			attempts = append(attempts, j.Attempt)
			seen = append(seen, e.Clock().Now())
			if err := appendLog(tx, "flaky", "written"); err != nil {
				return err
			}
			if j.Attempt < 3 {
				return fmt.Errorf("transient %d", j.Attempt)
			}
			return nil
		}},
	})
	ids := enqueue(t, e, st, Job{Kind: "flaky"})
	waitIdle(t, e)

	// The failed run rolled back; the retry was recorded in its own transaction.
	if got := readLog(t, st, "flaky"); len(got) != 0 {
		t.Fatalf("a failed run's write survived: %q", got)
	}
	j, ok := storedJob(t, st, ids[0])
	if !ok || j.Attempt != 1 || j.LastError != "transient 0" || !j.RunAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("after one failure: %+v (stored %v)", j, ok)
	}
	// 1s, 2s, 4s doubling on the engine clock: runs at 0, 1, 3 and 7 seconds.
	advance(t, e, t0.Add(time.Minute))
	want := []time.Time{t0, t0.Add(1 * time.Second), t0.Add(3 * time.Second), t0.Add(7 * time.Second)}
	if !slices.Equal(attempts, []int{0, 1, 2, 3}) || !slices.EqualFunc(seen, want, time.Time.Equal) {
		t.Fatalf("attempts %v at %v, want at %v", attempts, seen, want)
	}
	if got := readLog(t, st, "flaky"); len(got) != 1 {
		t.Fatalf("log = %q, want the one successful write", got)
	}
	if _, ok := storedJob(t, st, ids[0]); ok {
		t.Fatal("job still stored")
	}
}

func TestBackoffCap(t *testing.T) {
	e := New(Config{Store: memory.New(), Clock: NewFrozenClock(t0), BackoffBase: time.Second, BackoffMax: 5 * time.Minute})
	got := []time.Duration{}
	for a := 1; a <= 12; a++ {
		got = append(got, e.backoff(a))
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300}
	for i := range want {
		want[i] *= time.Second
	}
	if !slices.Equal(got, want) {
		t.Fatalf("backoff = %v", got)
	}
	if d := e.backoff(1 << 30); d != 5*time.Minute {
		t.Fatalf("backoff(huge) = %v", d)
	}
}

func TestGiveUpAfterMaxAttempts(t *testing.T) {
	st, clock := frozen(t)
	var runs atomic.Int32
	var gaveUp []string
	e := start(t, Config{Store: st, Clock: clock}, map[string]Handler{
		"doomed": {
			MaxAttempts: 3,
			Run: func(context.Context, store.Tx, *Job) error {
				runs.Add(1)
				return errors.New("still broken")
			},
			GiveUp: func(_ context.Context, tx store.Tx, j *Job, err error) error {
				gaveUp = append(gaveUp, fmt.Sprintf("attempt=%d last=%q err=%v", j.Attempt, j.LastError, err))
				return appendLog(tx, "status", "Failed")
			},
		},
	})
	ids := enqueue(t, e, st, Job{Kind: "doomed", Key: "res"})
	advance(t, e, t0.Add(time.Hour))
	if runs.Load() != 3 {
		t.Errorf("%d runs, want 3", runs.Load())
	}
	if !slices.Equal(gaveUp, []string{`attempt=3 last="still broken" err=still broken`}) {
		t.Errorf("GiveUp calls: %q", gaveUp)
	}
	if got := readLog(t, st, "status"); !slices.Equal(got, []string{"Failed"}) {
		t.Errorf("status = %q", got)
	}
	if _, ok := storedJob(t, st, ids[0]); ok {
		t.Error("job still stored after giving up")
	}
	if keys := keysUnder(t, st, indexPrefix); len(keys) != 0 {
		t.Errorf("key index left: %q", keys)
	}
	_, recent := e.Jobs()
	if len(recent) != 1 || recent[0].Outcome != Failed || recent[0].Error != "still broken" || recent[0].Job.Attempt != 3 {
		t.Errorf("recent = %+v", recent)
	}
}

func TestPermanentGivesUpAtOnce(t *testing.T) {
	st, clock := frozen(t)
	var runs, giveUps atomic.Int32
	var cause error
	e := start(t, Config{Store: st, Clock: clock}, map[string]Handler{
		"bad": {
			Run: func(context.Context, store.Tx, *Job) error {
				runs.Add(1)
				return Permanent(fmt.Errorf("wrapped: %w", store.ErrReadOnly))
			},
			GiveUp: func(_ context.Context, _ store.Tx, _ *Job, err error) error {
				giveUps.Add(1)
				cause = err
				return nil
			},
		},
	})
	enqueue(t, e, st, Job{Kind: "bad"})
	waitIdle(t, e)
	if runs.Load() != 1 || giveUps.Load() != 1 {
		t.Fatalf("runs %d, giveUps %d", runs.Load(), giveUps.Load())
	}
	if !IsPermanent(cause) || !errors.Is(cause, store.ErrReadOnly) {
		t.Errorf("GiveUp got %v", cause)
	}
	if Permanent(nil) != nil || IsPermanent(errors.New("x")) {
		t.Error("Permanent(nil) or IsPermanent of a plain error")
	}
}

func TestGiveUpFailureStillDeletes(t *testing.T) {
	st, clock := frozen(t)
	e := start(t, Config{Store: st, Clock: clock}, map[string]Handler{
		"bad": {
			Run: func(context.Context, store.Tx, *Job) error { return Permanent(errors.New("no")) },
			GiveUp: func(_ context.Context, tx store.Tx, _ *Job, _ error) error {
				_ = appendLog(tx, "giveup", "partial")
				panic("GiveUp is broken too")
			},
		},
	})
	ids := enqueue(t, e, st, Job{Kind: "bad"})
	waitIdle(t, e)
	if _, ok := storedJob(t, st, ids[0]); ok {
		t.Error("job kept after GiveUp failed")
	}
	if got := readLog(t, st, "giveup"); len(got) != 0 {
		t.Errorf("the failed GiveUp's write survived: %q", got)
	}
}

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestPanicIsAFailure(t *testing.T) {
	st, clock := frozen(t)
	var logs syncBuffer
	e := start(t, Config{Store: st, Clock: clock, Logger: slog.New(slog.NewTextHandler(&logs, nil))},
		map[string]Handler{
			"panicky": {Run: func(_ context.Context, tx store.Tx, j *Job) error {
				if err := appendLog(tx, "p", fmt.Sprint(j.Attempt)); err != nil {
					return err
				}
				if j.Attempt == 0 {
					var m map[string]int
					m["boom"]++ // nil map write: a real runtime panic
				}
				return nil
			}},
		})
	ids := enqueue(t, e, st, Job{Kind: "panicky"})
	waitIdle(t, e)
	j, ok := storedJob(t, st, ids[0])
	if !ok || j.Attempt != 1 || !strings.Contains(j.LastError, "panic: assignment to entry in nil map") {
		t.Fatalf("after the panic: %+v", j)
	}
	if out := logs.String(); !strings.Contains(out, "handler panicked") || !strings.Contains(out, "job="+ids[0]) ||
		!strings.Contains(out, "engine_test.go") {
		t.Errorf("panic log lacks the message, job id or stack:\n%s", out)
	}
	advance(t, e, t0.Add(time.Second))
	if got := readLog(t, st, "p"); !slices.Equal(got, []string{"1"}) {
		t.Errorf("log = %q: the panicking run's write must roll back", got)
	}
}

func TestKeyFIFOHeadBlocksDuringRetry(t *testing.T) {
	st, clock := frozen(t)
	var e *Engine
	e = start(t, Config{Store: st, Clock: clock, Workers: 8}, map[string]Handler{
		"step": {Run: func(_ context.Context, tx store.Tx, j *Job) error {
			var p string
			_ = json.Unmarshal(j.Payload, &p)
			if p == "first" && j.Attempt == 0 {
				return errors.New("not yet")
			}
			return appendLog(tx, "order", p+"@"+e.Clock().Now().Format(time.TimeOnly))
		}},
	})
	enqueue(t, e, st,
		Job{Kind: "step", Key: "secret-1", Payload: payload("first")},
		Job{Kind: "step", Key: "secret-1", Payload: payload("second")},
		Job{Kind: "step", Key: "secret-2", Payload: payload("other")},
	)
	waitIdle(t, e)
	// secret-1's head waits for its retry at +1s and holds "second" back; secret-2 is free.
	if got := readLog(t, st, "order"); !slices.Equal(got, []string{"other@00:00:00"}) {
		t.Fatalf("before the retry: %q", got)
	}
	advance(t, e, t0.Add(time.Second))
	want := []string{"other@00:00:00", "first@00:00:01", "second@00:00:01"}
	if got := readLog(t, st, "order"); !slices.Equal(got, want) {
		t.Fatalf("order = %q, want %q", got, want)
	}
}

func TestKeyFIFOUnderConcurrency(t *testing.T) {
	st := newStore(t)
	clock, err := NewClock(st)
	if err != nil {
		t.Fatal(err)
	}
	const keys, perKey, writers = 8, 100, 4
	var inFlight [keys]atomic.Int32
	var total atomic.Int32
	var violations atomic.Int32
	e := start(t, Config{Store: st, Clock: clock, Workers: 8}, map[string]Handler{
		"seq": {Run: func(_ context.Context, tx store.Tx, j *Job) error {
			var p struct{ Key, Seq int }
			if err := json.Unmarshal(j.Payload, &p); err != nil {
				return Permanent(err)
			}
			if inFlight[p.Key].Add(1) != 1 {
				violations.Add(1)
			}
			defer inFlight[p.Key].Add(-1)
			total.Add(1)
			if p.Seq%7 == 3 && j.Attempt == 0 {
				return errors.New("retry me") // retries hold their key's later jobs back
			}
			return appendLog(tx, fmt.Sprint("k", p.Key), fmt.Sprint(p.Seq))
		}},
	})
	// Several goroutines enqueue, each owning some keys so that per-key order is defined.
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for seq := range perKey {
				for k := w; k < keys; k += writers {
					b, _ := json.Marshal(struct{ Key, Seq int }{k, seq})
					err := st.Update(func(tx store.Tx) error {
						_, err := e.Enqueue(tx, Job{Kind: "seq", Key: fmt.Sprint("key-", k), Payload: b})
						return err
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	// Retries are due a second later on the ticking clock; move it past them. Each round
	// runs at least every key's head, so a key that makes no progress is a lost wakeup.
	for round := 0; ; round++ {
		waitIdle(t, e)
		pending, _ := e.Jobs()
		if len(pending) == 0 {
			break
		}
		if round > keys*perKey {
			t.Fatalf("%d jobs never ran, first %+v", len(pending), pending[0])
		}
		advance(t, e, clock.Now().Add(time.Minute))
	}
	if violations.Load() != 0 {
		t.Errorf("%d runs overlapped another run of the same key", violations.Load())
	}
	for k := range keys {
		got := readLog(t, st, fmt.Sprint("k", k))
		if len(got) != perKey {
			t.Fatalf("key %d: %d runs committed, want %d", k, len(got), perKey)
		}
		for i, s := range got {
			if s != fmt.Sprint(i) {
				t.Fatalf("key %d out of order: %q", k, got)
			}
		}
	}
}

// TestLateAnnouncedPredecessor covers the case the store index exists for: a job with a
// lower ID and the same key has committed, but its commit callback has not reached the
// engine yet when the later job is dispatched.
func TestLateAnnouncedPredecessor(t *testing.T) {
	st, clock := frozen(t)
	var e *Engine
	e = start(t, Config{Store: st, Clock: clock}, map[string]Handler{"log": logRun(&e, "log")})
	early := Job{ID: e.newID(), Kind: "log", Key: "k", Payload: payload("early"), RunAt: t0, CreatedAt: t0}
	err := st.Update(func(tx store.Tx) error {
		if err := store.PutJSON(tx, jobKey(early.ID), &early); err != nil {
			return err
		}
		return tx.Put(indexKey("k", early.ID), []byte{'1'})
	})
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, e, st, Job{Kind: "log", Key: "k", Payload: payload("late")})
	waitIdle(t, e)
	if got := readLog(t, st, "log"); len(got) != 0 {
		t.Fatalf("the later job ran before its predecessor: %q", got)
	}
	e.mu.Lock()
	gen := e.gen
	e.mu.Unlock()
	e.committed(early, gen) // the delayed callback arrives
	waitIdle(t, e)
	if got := readLog(t, st, "log"); !slices.Equal(got, []string{"early@2024-01-01T00:00:00Z", "late@2024-01-01T00:00:00Z"}) {
		t.Fatalf("log = %q", got)
	}
}

func TestAdvanceRunsDailyScheduleAtEachInstant(t *testing.T) {
	st, clock := frozen(t)
	daily, err := schedule.Parse("cron(0 5 ? * * *)")
	if err != nil {
		t.Fatal(err)
	}
	var e *Engine
	var seen []time.Time
	e = start(t, Config{Store: st, Clock: clock}, map[string]Handler{
		"plan": {Run: func(_ context.Context, tx store.Tx, j *Job) error {
			now := e.Clock().Now()
			seen = append(seen, now)
			if !now.Equal(j.RunAt) {
				return Permanent(fmt.Errorf("ran at %s, due %s", now, j.RunAt))
			}
			if err := appendLog(tx, "backups", now.Format(time.RFC3339)); err != nil {
				return err
			}
			// Re-arm, as a Backup plan rule does.
			_, err := e.Enqueue(tx, Job{Kind: "plan", Key: j.Key, RunAt: daily.Next(j.RunAt), Payload: j.Payload})
			return err
		}},
	})
	enqueue(t, e, st, Job{Kind: "plan", Key: "plan-1", RunAt: daily.Next(clock.Now())})
	advance(t, e, t0.Add(72*time.Hour))
	want := []string{"2024-01-01T05:00:00Z", "2024-01-02T05:00:00Z", "2024-01-03T05:00:00Z"}
	if got := readLog(t, st, "backups"); !slices.Equal(got, want) {
		t.Fatalf("backups = %q, want %q", got, want)
	}
	if now := clock.Now(); !now.Equal(t0.Add(72 * time.Hour)) {
		t.Errorf("clock at %s after the advance", now)
	}
	pending, _ := e.Jobs()
	if len(pending) != 1 || !pending[0].RunAt.Equal(time.Date(2024, 1, 4, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("pending = %+v", pending)
	}
}

func TestAdvanceOrderAndFollowUps(t *testing.T) {
	st, clock := frozen(t)
	var e *Engine
	e = start(t, Config{Store: st, Clock: clock}, map[string]Handler{
		"log": logRun(&e, "log"),
		"chain": {Run: func(_ context.Context, tx store.Tx, j *Job) error {
			if err := appendLog(tx, "log", "chain@"+e.Clock().Now().Format(time.RFC3339)); err != nil {
				return err
			}
			for _, d := range []time.Duration{30 * time.Minute, 10 * time.Hour} {
				if _, err := e.Enqueue(tx, Job{Kind: "log", RunAt: j.RunAt.Add(d), Payload: payload("child+" + d.String())}); err != nil {
					return err
				}
			}
			return nil
		}},
	})
	enqueue(t, e, st,
		Job{Kind: "log", RunAt: t0.Add(3 * time.Hour), Payload: payload("3h")},
		Job{Kind: "chain", RunAt: t0.Add(time.Hour)},
		Job{Kind: "log", RunAt: t0.Add(2 * time.Hour), Payload: payload("2h")},
		Job{Kind: "log", RunAt: t0.Add(5 * time.Hour), Payload: payload("5h")},
	)
	advance(t, e, t0.Add(4*time.Hour))
	want := []string{
		"chain@2024-01-01T01:00:00Z",
		"child+30m0s@2024-01-01T01:30:00Z",
		"2h@2024-01-01T02:00:00Z",
		"3h@2024-01-01T03:00:00Z",
	}
	if got := readLog(t, st, "log"); !slices.Equal(got, want) {
		t.Fatalf("log = %q, want %q", got, want)
	}
	pending, _ := e.Jobs()
	if len(pending) != 2 || !pending[0].RunAt.Equal(t0.Add(5*time.Hour)) || !pending[1].RunAt.Equal(t0.Add(11*time.Hour)) {
		t.Errorf("pending = %+v", pending)
	}
	if err := e.AdvanceTo(testCtx(t), t0); err == nil || !strings.Contains(err.Error(), "cannot move the clock back") {
		t.Errorf("moving back: %v", err)
	}
	if err := e.Advance(testCtx(t), -time.Second); err == nil {
		t.Error("Advance by a negative duration succeeded")
	}
}

func TestAdvanceWithTickingClock(t *testing.T) {
	st := newStore(t)
	clock, err := NewClock(st)
	if err != nil {
		t.Fatal(err)
	}
	var e *Engine
	var ranAt, due time.Time
	e = start(t, Config{Store: st, Clock: clock}, map[string]Handler{
		"later": {Run: func(_ context.Context, _ store.Tx, j *Job) error {
			ranAt, due = e.Clock().Now(), j.RunAt
			return nil
		}},
	})
	enqueue(t, e, st, Job{Kind: "later", RunAt: clock.Now().Add(24 * time.Hour)})
	before := time.Now()
	if err := e.Advance(testCtx(t), 36*time.Hour); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(before)
	if ranAt.Before(due) || ranAt.Sub(due) > elapsed {
		t.Errorf("ran at %s, due %s (advance took %s)", ranAt, due, elapsed)
	}
	if off := clock.Offset(); off < 36*time.Hour-elapsed || off > 36*time.Hour+elapsed {
		t.Errorf("offset %s after advancing 36h", off)
	}
	reloaded, err := NewClock(st)
	if err != nil {
		t.Fatal(err)
	}
	if reloaded.Offset() != clock.Offset() {
		t.Errorf("persisted offset %s, in memory %s", reloaded.Offset(), clock.Offset())
	}
}

// TestAdvanceHoldsTickingClockDuringRuns: while AdvanceTo runs a job, a ticking clock
// stands at the job's instant, so a step armed "an hour from now" is due exactly an hour
// after it and runs within an advance that reaches that instant, however long the runs
// take on a loaded machine; afterwards the clock ticks on from there.
func TestAdvanceHoldsTickingClockDuringRuns(t *testing.T) {
	st := newStore(t)
	clock, err := NewClock(st)
	if err != nil {
		t.Fatal(err)
	}
	var e *Engine
	var seen []time.Time
	e = start(t, Config{Store: st, Clock: clock}, map[string]Handler{
		"step": {Run: func(_ context.Context, tx store.Tx, j *Job) error {
			first := e.Clock().Now()
			for i := 0; i < 1000; i++ { // real time passes during the run
				_ = tx.Get(fmt.Sprint("k", i))
			}
			if second := e.Clock().Now(); !second.Equal(first) || !first.Equal(j.RunAt) {
				return Permanent(fmt.Errorf("the clock moved during the run: due %s, read %s then %s", j.RunAt, first, second))
			}
			seen = append(seen, first)
			if len(seen) < 3 {
				_, err := e.Enqueue(tx, Job{Kind: "step", Key: "chain", RunAt: e.Clock().Now().Add(time.Hour)})
				return err
			}
			return nil
		}},
	})
	start := clock.Now()
	enqueue(t, e, st, Job{Kind: "step", Key: "chain", RunAt: start.Add(time.Hour)})
	if err := e.AdvanceTo(testCtx(t), start.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || !seen[2].Equal(start.Add(3*time.Hour)) {
		t.Fatalf("runs at %v, want three, an hour apart from %s", seen, start)
	}
	if _, recent := e.Jobs(); len(recent) != 3 || recent[0].Outcome != Succeeded {
		t.Errorf("finished jobs %+v", recent)
	}
	if now := clock.Now(); now.Before(start.Add(3 * time.Hour)) {
		t.Errorf("after the advance the clock reads %s, before where it stopped", now)
	}
}

func TestAdvanceLimitStopsRunaway(t *testing.T) {
	st, clock := frozen(t)
	var e *Engine
	var fixed atomic.Bool
	e = start(t, Config{Store: st, Clock: clock, MaxAdvanceRuns: 50}, map[string]Handler{
		"loop": {Run: func(_ context.Context, tx store.Tx, j *Job) error {
			if fixed.Load() {
				return nil
			}
			_, err := e.Enqueue(tx, Job{Kind: "loop", RunAt: j.RunAt}) // zero interval
			return err
		}},
		"log": logRun(&e, "log"),
	})
	enqueue(t, e, st, Job{Kind: "loop", RunAt: t0.Add(time.Minute)})
	err := e.AdvanceTo(testCtx(t), t0.Add(time.Hour))
	if !errors.Is(err, ErrAdvanceLimit) || !strings.Contains(err.Error(), "50 runs") || !strings.Contains(err.Error(), "loop job") {
		t.Fatalf("err = %v", err)
	}
	if now := clock.Now(); !now.Equal(t0.Add(time.Minute)) {
		t.Errorf("clock at %s, want the runaway job's instant", now)
	}
	// Normal dispatch resumed: the runaway, now due, spins in the background until its
	// handler is fixed, and a new job runs.
	fixed.Store(true)
	enqueue(t, e, st, Job{Kind: "log", Payload: payload("after")})
	waitIdle(t, e)
	for _, line := range readLog(t, st, "log") {
		if strings.HasPrefix(line, "after@") {
			return
		}
	}
	t.Error("dispatch did not resume after the failed advance")
}

func TestCancel(t *testing.T) {
	st, clock := frozen(t)
	var e *Engine
	e = start(t, Config{Store: st, Clock: clock}, map[string]Handler{"log": logRun(&e, "log")})
	ids := enqueue(t, e, st,
		Job{Kind: "log", Key: "k", RunAt: t0.Add(time.Hour), Payload: payload("head")},
		Job{Kind: "log", Key: "k", Payload: payload("next")},
		Job{Kind: "log", RunAt: t0.Add(time.Hour), Payload: payload("solo")},
	)
	waitIdle(t, e)
	if got := readLog(t, st, "log"); len(got) != 0 {
		t.Fatalf("ran before its key's head: %q", got)
	}
	if err := st.Update(func(tx store.Tx) error { return e.Cancel(tx, ids[0]) }); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	if got := readLog(t, st, "log"); !slices.Equal(got, []string{"next@2024-01-01T00:00:00Z"}) {
		t.Fatalf("after cancelling the head: %q", got)
	}
	// A Cancel that rolls back cancels nothing.
	_ = st.Update(func(tx store.Tx) error {
		if err := e.Cancel(tx, ids[2]); err != nil {
			t.Fatal(err)
		}
		return errors.New("roll back")
	})
	if err := st.Update(func(tx store.Tx) error { return e.Cancel(tx, ids[0]) }); !errors.Is(err, ErrNotFound) {
		t.Errorf("cancelling twice: %v", err)
	}
	if err := st.Update(func(tx store.Tx) error { return e.Cancel(tx, ids[1]) }); !errors.Is(err, ErrNotFound) {
		t.Errorf("cancelling a finished job: %v", err)
	}
	advance(t, e, t0.Add(2*time.Hour))
	if got := readLog(t, st, "log"); !slices.Equal(got, []string{"next@2024-01-01T00:00:00Z", "solo@2024-01-01T01:00:00Z"}) {
		t.Fatalf("log = %q", got)
	}
	_, recent := e.Jobs()
	var outcomes []Outcome
	for _, f := range recent {
		outcomes = append(outcomes, f.Outcome)
	}
	if !slices.Equal(outcomes, []Outcome{Succeeded, Succeeded, Cancelled}) {
		t.Errorf("recent outcomes, newest first: %v", outcomes)
	}
}

func TestReset(t *testing.T) {
	st, clock := frozen(t)
	var e *Engine
	e = start(t, Config{Store: st, Clock: clock}, map[string]Handler{"log": logRun(&e, "log")})
	enqueue(t, e, st, Job{Kind: "log", Payload: payload("a")})
	enqueue(t, e, st, Job{Kind: "log", Key: "k", RunAt: t0.Add(48 * time.Hour), Payload: payload("later")})
	advance(t, e, t0.Add(time.Hour))
	if pending, recent := e.Jobs(); len(pending) != 1 || len(recent) != 1 {
		t.Fatalf("before reset: %d pending, %d recent", len(pending), len(recent))
	}
	if err := st.Update(func(tx store.Tx) error { return tx.DeletePrefix("") }); err != nil {
		t.Fatal(err)
	}
	if err := e.Reset(); err != nil {
		t.Fatal(err)
	}
	if pending, recent := e.Jobs(); len(pending) != 0 || len(recent) != 0 {
		t.Fatalf("after reset: %+v, %+v", pending, recent)
	}
	if now := clock.Now(); !now.Equal(t0) {
		t.Errorf("clock at %s after reset, want %s", now, t0)
	}
	advance(t, e, t0.Add(72*time.Hour))
	if got := readLog(t, st, "log"); len(got) != 0 {
		t.Errorf("a job from before the reset ran: %q", got)
	}
	enqueue(t, e, st, Job{Kind: "log", Key: "k", Payload: payload("fresh")})
	waitIdle(t, e)
	if got := readLog(t, st, "log"); !slices.Equal(got, []string{"fresh@2024-01-04T00:00:00Z"}) {
		t.Errorf("after reset: %q", got)
	}
}

func TestResetTickingClock(t *testing.T) {
	st := newStore(t)
	clock, _ := NewClock(st)
	e := start(t, Config{Store: st, Clock: clock}, nil)
	if err := e.Advance(testCtx(t), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := e.Reset(); err != nil {
		t.Fatal(err)
	}
	if clock.Offset() != 0 {
		t.Errorf("offset %v after reset", clock.Offset())
	}
	if keys := keysUnder(t, st, store.Prefix("_xregion")); len(keys) != 0 {
		t.Errorf("left after reset: %q", keys)
	}
}

func TestAfterAndTransitionDelay(t *testing.T) {
	st, clock := frozen(t)
	var e *Engine
	e = start(t, Config{Store: st, Clock: clock, TransitionDelay: 2 * time.Second}, map[string]Handler{"log": logRun(&e, "log")})
	if got := e.After(); !got.Equal(t0.Add(2 * time.Second)) {
		t.Fatalf("After() = %s", got)
	}
	enqueue(t, e, st, Job{Kind: "log", RunAt: e.After(), Payload: payload("InSync")})
	waitIdle(t, e)
	if got := readLog(t, st, "log"); len(got) != 0 {
		t.Fatalf("ran before the transition delay: %q", got)
	}
	advance(t, e, t0.Add(2*time.Second))
	if got := readLog(t, st, "log"); !slices.Equal(got, []string{"InSync@2024-01-01T00:00:02Z"}) {
		t.Fatalf("log = %q", got)
	}
}

func TestHistoryIsBounded(t *testing.T) {
	st, clock := frozen(t)
	e := start(t, Config{Store: st, Clock: clock, History: 3}, map[string]Handler{
		"n": {Run: func(context.Context, store.Tx, *Job) error { return nil }},
	})
	for i := range 5 {
		enqueue(t, e, st, Job{Kind: "n", Payload: payload(fmt.Sprint(i))})
		waitIdle(t, e)
	}
	_, recent := e.Jobs()
	var got []string
	for _, f := range recent {
		got = append(got, string(f.Job.Payload))
	}
	if !slices.Equal(got, []string{`"4"`, `"3"`, `"2"`}) {
		t.Errorf("recent = %v", got)
	}
}

func TestStopWaitsForRunningJob(t *testing.T) {
	st, clock := frozen(t)
	entered := make(chan struct{})
	release := make(chan struct{})
	e := New(Config{Store: st, Clock: clock, Logger: quiet})
	e.Register("slow", Handler{Run: func(context.Context, store.Tx, *Job) error {
		close(entered)
		<-release
		return nil
	}})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	ids := enqueue(t, e, st, Job{Kind: "slow"})
	<-entered
	stopped := make(chan error)
	go func() { stopped <- e.Stop(testCtx(t)) }()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned %v while a job was running", err)
	default:
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if _, ok := storedJob(t, st, ids[0]); ok {
		t.Error("the in-flight job did not finish")
	}
	if err := e.AdvanceTo(testCtx(t), t0.Add(time.Hour)); !errors.Is(err, ErrNotRunning) {
		t.Errorf("AdvanceTo after Stop: %v", err)
	}
}

// TestRestartResumes runs on the durable store: jobs pending at shutdown, including one
// whose run was interrupted and rolled back, run after reopening; a committed run does
// not repeat.
func TestRestartResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "xregion.db")
	var runs sync.Map // payload -> *atomic.Int32
	interrupted := make(chan struct{})
	count := func(p string) int32 {
		v, _ := runs.LoadOrStore(p, new(atomic.Int32))
		return v.(*atomic.Int32).Load()
	}
	handlers := func(e **Engine) map[string]Handler {
		return map[string]Handler{
			"log": {Run: func(ctx context.Context, tx store.Tx, j *Job) error {
				var p string
				_ = json.Unmarshal(j.Payload, &p)
				v, _ := runs.LoadOrStore(p, new(atomic.Int32))
				v.(*atomic.Int32).Add(1)
				if err := appendLog(tx, "log", p+"@"+(*e).Clock().Now().Format(time.RFC3339)); err != nil {
					return err
				}
				if p == "interrupted" && j.Attempt == 0 {
					// Wait for shutdown; the cancelled context stands in for the process dying
					// mid-run: the transaction rolls back.
					close(interrupted)
					<-ctx.Done()
					return ctx.Err()
				}
				return nil
			}},
		}
	}

	st1, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var e1 *Engine
	e1 = New(Config{Store: st1, Clock: NewFrozenClock(t0), Logger: quiet})
	for k, h := range handlers(&e1) {
		e1.Register(k, h)
	}
	if err := e1.Start(); err != nil {
		t.Fatal(err)
	}
	enqueue(t, e1, st1, Job{Kind: "log", Payload: payload("done")})
	waitIdle(t, e1)
	enqueue(t, e1, st1,
		Job{Kind: "log", Key: "k", RunAt: t0.Add(time.Hour), Payload: payload("k1")},
		Job{Kind: "log", Key: "k", Payload: payload("k2")},
		Job{Kind: "log", RunAt: t0.Add(2 * time.Hour), Payload: payload("solo")},
	)
	enqueue(t, e1, st1, Job{Kind: "log", Payload: payload("interrupted")})
	<-interrupted
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e1.Stop(expired); !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop with an expired context: %v", err)
	}
	if err := e1.waitFor(testCtx(t), func() bool { return e1.running == 0 }); err != nil {
		t.Fatal(err)
	}
	if err := st1.Close(); err != nil {
		t.Fatal(err)
	}

	st2, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	var e2 *Engine
	e2 = start(t, Config{Store: st2, Clock: NewFrozenClock(t0)}, handlers(&e2))
	pending, _ := e2.Jobs()
	if len(pending) != 4 {
		t.Fatalf("%d jobs pending after restart, want 4: %+v", len(pending), pending)
	}
	// The interrupted run rolled back; its retry is due a second later. k2 waits behind k1.
	waitIdle(t, e2)
	advance(t, e2, t0.Add(3*time.Hour))
	want := []string{
		"done@2024-01-01T00:00:00Z",
		"interrupted@2024-01-01T00:00:01Z",
		"k1@2024-01-01T01:00:00Z",
		"k2@2024-01-01T01:00:00Z",
		"solo@2024-01-01T02:00:00Z",
	}
	if got := readLog(t, st2, "log"); !slices.Equal(got, want) {
		t.Fatalf("log = %q, want %q", got, want)
	}
	if count("done") != 1 || count("interrupted") != 2 {
		t.Errorf("runs: done %d (want 1), interrupted %d (want 2)", count("done"), count("interrupted"))
	}
	// New IDs still sort after the ones from before the restart.
	ids := enqueue(t, e2, st2, Job{Kind: "log", RunAt: t0.Add(time.Hour * 100)})
	for _, p := range pending {
		if ids[0] <= p.ID {
			t.Errorf("new id %s does not sort after %s", ids[0], p.ID)
		}
	}
}

func TestOrphanJobStaysPending(t *testing.T) {
	st, clock := frozen(t)
	orphan := Job{ID: "0000000000000001", Kind: "retired.kind", Key: "k", RunAt: t0}
	_ = st.Update(func(tx store.Tx) error {
		_ = store.PutJSON(tx, jobKey(orphan.ID), &orphan)
		return tx.Put(indexKey("k", orphan.ID), []byte{'1'})
	})
	var e *Engine
	e = start(t, Config{Store: st, Clock: clock}, map[string]Handler{"log": logRun(&e, "log")})
	enqueue(t, e, st, Job{Kind: "log", Key: "k", Payload: payload("behind")}, Job{Kind: "log", Payload: payload("free")})
	waitIdle(t, e)
	if got := readLog(t, st, "log"); !slices.Equal(got, []string{"free@2024-01-01T00:00:00Z"}) {
		t.Errorf("log = %q", got)
	}
	pending, _ := e.Jobs()
	if len(pending) != 2 || pending[0].Kind != "retired.kind" {
		t.Errorf("pending = %+v", pending)
	}
}

func TestRegisterMisuse(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	run := Handler{Run: func(context.Context, store.Tx, *Job) error { return nil }}
	mustPanic("New without a store", func() { New(Config{Clock: NewFrozenClock(t0)}) })
	e := New(Config{Store: memory.New(), Clock: NewFrozenClock(t0), Logger: quiet})
	mustPanic("Register without Run", func() { e.Register("x", Handler{}) })
	e.Register("x", run)
	mustPanic("Register twice", func() { e.Register("x", run) })
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	defer e.Stop(context.Background())
	mustPanic("Register after Start", func() { e.Register("y", run) })
	if err := e.Start(); err == nil {
		t.Error("second Start succeeded")
	}
}

func TestFrozenClock(t *testing.T) {
	c := NewFrozenClock(time.Date(2024, 1, 1, 1, 0, 0, 0, time.FixedZone("X", 3600)))
	if !c.Now().Equal(t0) || c.Now().Location() != time.UTC || !c.Frozen() {
		t.Fatalf("Now = %v", c.Now())
	}
	if err := c.moveTo(t0.Add(-time.Hour)); err != nil || !c.Now().Equal(t0) {
		t.Fatalf("moved back: %v %v", c.Now(), err)
	}
	_ = c.moveTo(t0.Add(time.Hour))
	if c.Offset() != time.Hour {
		t.Fatalf("Offset = %v", c.Offset())
	}
	c.reset(0)
	if !c.Now().Equal(t0) {
		t.Fatalf("after reset: %v", c.Now())
	}
}

func TestStaleKeyIndexDoesNotBlock(t *testing.T) {
	st, clock := frozen(t)
	var e *Engine
	e = start(t, Config{Store: st, Clock: clock}, map[string]Handler{"log": logRun(&e, "log")})
	// An index entry for a job that no longer exists, older than anything new.
	_ = st.Update(func(tx store.Tx) error { return tx.Put(indexKey("k", "0000000000000001"), []byte{'1'}) })
	ids := enqueue(t, e, st,
		Job{Kind: "log", Key: "k", RunAt: t0.Add(time.Minute), Payload: payload("a")},
		Job{Kind: "log", Key: "k", RunAt: t0.Add(time.Minute), Payload: payload("b")})
	// And a job that lost its own index entry while a later one kept its.
	_ = st.Update(func(tx store.Tx) error { return tx.Delete(indexKey("k", ids[0])) })
	advance(t, e, t0.Add(time.Minute))
	if got := readLog(t, st, "log"); !slices.Equal(got, []string{"a@2024-01-01T00:01:00Z", "b@2024-01-01T00:01:00Z"}) {
		t.Fatalf("log = %q", got)
	}
	if keys := keysUnder(t, st, indexPrefix); len(keys) != 0 {
		t.Errorf("index left: %q", keys)
	}
}

// TestPredecessorFinishesWhileSuccessorReports pins the interleaving behind the
// "displaced" flag: B's run reports "not first" because of A, and before that report is
// applied A is announced, runs and finishes. B must then run, not wait forever.
func TestPredecessorFinishesWhileSuccessorReports(t *testing.T) {
	st, clock := frozen(t)
	var e *Engine
	e = start(t, Config{Store: st, Clock: clock}, map[string]Handler{"log": logRun(&e, "log")})
	a := Job{ID: e.newID(), Kind: "log", Key: "k", Payload: payload("A"), RunAt: t0, CreatedAt: t0}
	_ = st.Update(func(tx store.Tx) error {
		_ = store.PutJSON(tx, jobKey(a.ID), &a)
		return tx.Put(indexKey("k", a.ID), []byte{'1'})
	})
	ids := enqueue(t, e, st, Job{Kind: "log", Key: "k", RunAt: t0.Add(time.Hour), Payload: payload("B")})

	// Dispatch B by hand and let its run find A in the store.
	e.mu.Lock()
	b := e.jobs[ids[0]]
	heap.Remove(&e.ready, b.index)
	b.running = true
	e.running++
	e.mu.Unlock()
	kind, j, err := e.run(b)
	if kind != resultNotHead {
		t.Fatalf("B's run: %v %v", kind, err)
	}

	// A is announced, runs and finishes while B's report is still on its way.
	e.mu.Lock()
	gen := e.gen
	e.mu.Unlock()
	e.committed(a, gen)
	waitIdleExcept := func() bool { return e.running == 1 && e.jobs[a.ID] == nil }
	if err := e.waitFor(testCtx(t), waitIdleExcept); err != nil {
		t.Fatal(err)
	}
	e.finish(b, kind, j, err)
	advance(t, e, t0.Add(time.Hour))
	if got := readLog(t, st, "log"); !slices.Equal(got, []string{"A@2024-01-01T00:00:00Z", "B@2024-01-01T01:00:00Z"}) {
		t.Fatalf("log = %q", got)
	}
}

func TestDecodePayload(t *testing.T) {
	j := Job{ID: "1", Kind: "k", Payload: json.RawMessage(`{"SecretId":"s","Region":"us-west-2"}`)}
	var p struct{ SecretId, Region string }
	if err := j.DecodePayload(&p); err != nil || p.Region != "us-west-2" {
		t.Fatalf("%+v %v", p, err)
	}
	j.Payload = json.RawMessage(`[1]`)
	if err := j.DecodePayload(&p); !IsPermanent(err) {
		t.Fatalf("undecodable payload: %v, want a Permanent error", err)
	}
}

// TestAdvanceRefusesUnrepresentableTimes: a ticking clock is real time plus a
// time.Duration, which reaches 292 years; a target beyond it is refused, where it used to
// be reached only in part, silently.
func TestAdvanceRefusesUnrepresentableTimes(t *testing.T) {
	st := newStore(t)
	clock, err := NewClock(st)
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, Config{Store: st, Clock: clock}, nil)
	past2262 := time.Date(2262, 4, 12, 0, 0, 0, 0, time.UTC)
	if err := e.AdvanceTo(testCtx(t), past2262); err != nil {
		t.Fatalf("2262-04-12: %v", err)
	}
	if now := clock.Now(); now.Before(past2262) || now.Sub(past2262) > time.Hour {
		t.Fatalf("clock at %v after moving to %v", now, past2262)
	}
	before := clock.Offset()
	err = e.AdvanceTo(testCtx(t), time.Now().AddDate(300, 0, 0))
	if !errors.Is(err, ErrUnrepresentable) || !strings.Contains(err.Error(), "292 years") {
		t.Errorf("300 years ahead: %v, want ErrUnrepresentable", err)
	}
	if clock.Offset() != before {
		t.Errorf("a refused move changed the offset from %v to %v", before, clock.Offset())
	}
}

// TestClockWatch: a watcher hears of every offset a move of a ticking clock saves, and
// the last it hears is the clock's offset.
func TestClockWatch(t *testing.T) {
	st := newStore(t)
	clock, err := NewClock(st)
	if err != nil {
		t.Fatal(err)
	}
	var heard []time.Duration
	clock.Watch(func(offset time.Duration) { heard = append(heard, offset) })
	e := start(t, Config{Store: st, Clock: clock}, nil)
	if err := e.Advance(testCtx(t), time.Hour); err != nil {
		t.Fatal(err)
	}
	if len(heard) == 0 || heard[len(heard)-1] != clock.Offset() || heard[len(heard)-1] < time.Hour-time.Minute {
		t.Errorf("heard %v; offset %v", heard, clock.Offset())
	}
}
