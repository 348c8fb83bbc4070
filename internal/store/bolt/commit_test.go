package bolt

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// holdLeader starts an Update whose fn waits until release is closed, so that Updates
// started meanwhile queue up behind it; it returns once that Update is running.
func holdLeader(t *testing.T, s *Store) (release chan struct{}, done chan error) {
	t.Helper()
	release, done, running := make(chan struct{}), make(chan error, 1), make(chan struct{})
	go func() {
		done <- s.Update(func(tx store.Tx) error {
			close(running)
			<-release
			return tx.Put("held", []byte("x"))
		})
	}()
	<-running
	return release, done
}

// waitQueued polls until n Updates are queued behind the leader.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		s.queueMu.Lock()
		queued := len(s.queue)
		s.queueMu.Unlock()
		if queued >= n {
			return
		}
		time.Sleep(time.Millisecond) // polling a real goroutine handoff, not a job clock
	}
	t.Fatalf("fewer than %d Updates queued", n)
}

// updateAll starts one Update per fn and returns their errors, in order, once all return.
func updateAll(s *Store, fns []func(store.Tx) error) []error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(fn)
		}()
	}
	wg.Wait()
	return errs
}

func TestQueuedUpdatesShareOneCommit(t *testing.T) {
	s := openTemp(t)
	release, held := holdLeader(t, s)
	before := s.commits.Load()
	const n = 20
	fns := make([]func(store.Tx) error, n)
	for i := range fns {
		fns[i] = func(tx store.Tx) error { return tx.Put("k"+strconv.Itoa(i), []byte(strconv.Itoa(i))) }
	}
	results := make(chan []error)
	go func() { results <- updateAll(s, fns) }()
	waitQueued(t, s, n)
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for i, err := range <-results {
		if err != nil {
			t.Errorf("Update %d: %v", i, err)
		}
	}
	// One commit for the held Update, one for the twenty queued behind it.
	if got := s.commits.Load() - before; got != 2 {
		t.Errorf("%d commits, want 2", got)
	}
	assertKeys(t, s, n)
}

func assertKeys(t *testing.T, s *Store, n int) {
	t.Helper()
	err := s.View(func(tx store.Tx) error {
		for i := range n {
			if got := string(tx.Get("k" + strconv.Itoa(i))); got != strconv.Itoa(i) {
				t.Errorf("k%d = %q", i, got)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A failing Update in a batch keeps none of its writes and costs the others none of
// theirs; each sees what the ones queued before it wrote, as if run one after another.
func TestFailedUpdateInBatchLeavesOthersWhole(t *testing.T) {
	s := openTemp(t)
	release, held := holdLeader(t, s)
	boom := errors.New("boom")
	var calls sync.Map // how often each fn ran
	counted := func(name string, fn func(store.Tx) error) func(store.Tx) error {
		return func(tx store.Tx) error {
			v, _ := calls.LoadOrStore(name, new(int))
			*v.(*int)++
			return fn(tx)
		}
	}
	fns := []func(store.Tx) error{
		counted("first", func(tx store.Tx) error { return tx.Put("k0", []byte("0")) }),
		counted("failing", func(tx store.Tx) error {
			if err := tx.Put("k1", []byte("bad")); err != nil {
				return err
			}
			return fmt.Errorf("after seeing k0=%q: %w", tx.Get("k0"), boom)
		}),
		counted("last", func(tx store.Tx) error { return tx.Put("k1", []byte("1")) }),
	}
	// Queue them in this order behind the held leader.
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = s.Update(fn) }()
		waitQueued(t, s, i+1)
	}
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if errs[0] != nil || errs[2] != nil {
		t.Errorf("errors %v, want only the second to fail", errs)
	}
	if !errors.Is(errs[1], boom) || errs[1].Error() != `after seeing k0="0": boom` {
		t.Errorf("failing Update returned %v", errs[1])
	}
	assertKeys(t, s, 2)
	for name, want := range map[string]int{"first": 2, "failing": 2, "last": 1} {
		v, _ := calls.Load(name)
		if got := *v.(*int); got != want {
			t.Errorf("%s ran %d times, want %d", name, got, want)
		}
	}
}

func TestPanicInBatchReachesItsCaller(t *testing.T) {
	s := openTemp(t)
	release, held := holdLeader(t, s)
	var recovered any
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer func() { recovered = recover() }()
		_ = s.Update(func(tx store.Tx) error {
			_ = tx.Put("k9", []byte("never"))
			panic("fn panicked")
		})
	}()
	waitQueued(t, s, 1)
	var otherErr error
	go func() {
		defer wg.Done()
		otherErr = s.Update(func(tx store.Tx) error { return tx.Put("k0", []byte("0")) })
	}()
	waitQueued(t, s, 2)
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if recovered != "fn panicked" {
		t.Errorf("recovered %v in the caller", recovered)
	}
	if otherErr != nil {
		t.Errorf("the other Update failed: %v", otherErr)
	}
	assertKeys(t, s, 1)
	_ = s.View(func(tx store.Tx) error {
		if tx.Get("k9") != nil {
			t.Error("the panicking Update's write was kept")
		}
		return nil
	})
}

// A lone writer commits at once: nothing waits for a batch to fill.
func TestLoneUpdateCommitsAtOnce(t *testing.T) {
	s := openTemp(t)
	before := s.commits.Load()
	for i := range 5 {
		if err := s.Update(func(tx store.Tx) error { return tx.Put("k"+strconv.Itoa(i), []byte(strconv.Itoa(i))) }); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.commits.Load() - before; got != 5 {
		t.Errorf("%d commits for 5 sequential Updates", got)
	}
	// An Update that writes nothing commits nothing.
	if err := s.Update(func(tx store.Tx) error { tx.Get("k0"); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := s.commits.Load() - before; got != 5 {
		t.Errorf("a read-only Update committed")
	}
}

func TestConcurrentUpdatesAllCommitted(t *testing.T) {
	s := openTemp(t)
	const n = 200
	fns := make([]func(store.Tx) error, n)
	for i := range fns {
		fns[i] = func(tx store.Tx) error {
			// A read-modify-write on one counter: lost updates would show.
			c, _ := strconv.Atoi(string(tx.Get("counter")))
			if err := tx.Put("counter", []byte(strconv.Itoa(c+1))); err != nil {
				return err
			}
			return tx.Put("k"+strconv.Itoa(i), []byte(strconv.Itoa(i)))
		}
	}
	for i, err := range updateAll(s, fns) {
		if err != nil {
			t.Fatalf("Update %d: %v", i, err)
		}
	}
	assertKeys(t, s, n)
	_ = s.View(func(tx store.Tx) error {
		if got := string(tx.Get("counter")); got != strconv.Itoa(n) {
			t.Errorf("counter = %s, want %d", got, n)
		}
		return nil
	})
}
