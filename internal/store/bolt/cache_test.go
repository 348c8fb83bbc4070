package bolt

import (
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/xregion/xregion/internal/store"
)

func put(t *testing.T, s *Store, key, value string) {
	t.Helper()
	if err := s.Update(func(tx store.Tx) error { return tx.Put(key, []byte(value)) }); err != nil {
		t.Fatal(err)
	}
}

// get reads key in a View of its own, twice: the cache keeps a key on its second read.
func get(t *testing.T, s *Store, key string) string {
	t.Helper()
	var v []byte
	if err := s.View(func(tx store.Tx) error { tx.Get(key); v = tx.Get(key); return nil }); err != nil {
		t.Fatal(err)
	}
	if v == nil {
		return "<missing>"
	}
	return string(v)
}

func cached(s *Store, key string) (string, bool) {
	s.reads.mu.RLock()
	defer s.reads.mu.RUnlock()
	e, ok := s.reads.entries[key]
	return string(e.value), ok
}

func TestCacheServesReadsAndForgetsWrites(t *testing.T) {
	s := openTemp(t)
	put(t, s, "a", "1")
	if got := get(t, s, "a"); got != "1" {
		t.Fatalf("a = %s", got)
	}
	if v, ok := cached(s, "a"); !ok || v != "1" {
		t.Fatalf("a read twice while no writer was under way is not cached: %q %v", v, ok)
	}
	put(t, s, "a", "2")
	if got := get(t, s, "a"); got != "2" {
		t.Errorf("a after its rewrite = %s, want 2", got)
	}
	if err := s.Update(func(tx store.Tx) error { return tx.Delete("a") }); err != nil {
		t.Fatal(err)
	}
	if got := get(t, s, "a"); got != "<missing>" {
		t.Errorf("a after its deletion = %s", got)
	}
	for _, k := range []string{"p/1", "p/2", "q/1"} {
		put(t, s, k, k)
		get(t, s, k)
	}
	if err := s.Update(func(tx store.Tx) error { return tx.DeletePrefix("p/") }); err != nil {
		t.Fatal(err)
	}
	if _, ok := cached(s, "p/1"); ok {
		t.Error("p/1 is still cached after DeletePrefix(p/)")
	}
	if got := get(t, s, "p/2") + get(t, s, "q/1"); got != "<missing>q/1" {
		t.Errorf("p/2 and q/1 after DeletePrefix(p/) = %s", got)
	}
	if err := s.Update(func(tx store.Tx) error { return tx.DeletePrefix("") }); err != nil {
		t.Fatal(err)
	}
	if got := get(t, s, "q/1"); got != "<missing>" {
		t.Errorf("q/1 after the store was emptied = %s", got)
	}
}

// A write that rolls back still drops the entry (it cannot know it will roll back), and
// the next read finds the value it left alone.
func TestCacheAfterRolledBackWrite(t *testing.T) {
	s := openTemp(t)
	put(t, s, "a", "1")
	get(t, s, "a")
	err := s.Update(func(tx store.Tx) error {
		_ = tx.Put("a", []byte("never"))
		return fmt.Errorf("changed my mind")
	})
	if err == nil {
		t.Fatal("the failing Update succeeded")
	}
	if got := get(t, s, "a"); got != "1" {
		t.Errorf("a = %s after a rolled-back write, want 1", got)
	}
}

// A View keeps its snapshot: a newer transaction's entry is not used by an older one.
func TestCacheKeepsEachViewsSnapshot(t *testing.T) {
	s := openTemp(t)
	put(t, s, "a", "old")
	err := s.View(func(tx store.Tx) error {
		put(t, s, "a", "new")
		if got := get(t, s, "a"); got != "new" { // caches "new", from a later snapshot
			t.Errorf("a read after the write = %s", got)
		}
		if got := string(tx.Get("a")); got != "old" {
			t.Errorf("the View begun before the write read a = %s, want old", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A reader whose transaction began before a write committed must not cache what it read:
// it is stale the moment it is read.
func TestCacheRefusesValuesReadWhileAWriterWasBusy(t *testing.T) {
	s := openTemp(t)
	put(t, s, "a", "old")
	err := s.View(func(tx store.Tx) error {
		put(t, s, "a", "new")
		for range 2 { // the second read is the one the cache would keep
			if got := string(tx.Get("a")); got != "old" {
				t.Errorf("the View read a = %s, want its snapshot's old", got)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := cached(s, "a"); ok {
		t.Errorf("a stale value was cached: %q", v)
	}

	// The same while an Update is under way: its write is not committed yet, and may
	// be to any key.
	release, done := holdLeader(t, s)
	go func() { done <- s.Update(func(tx store.Tx) error { return tx.Put("a", []byte("newer")) }) }()
	waitQueued(t, s, 1)
	if got := get(t, s, "a"); got != "new" {
		t.Errorf("a while its write waits = %s, want new", got)
	}
	if _, ok := cached(s, "a"); ok {
		t.Error("a value was cached while an Update was under way")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := get(t, s, "a"); got != "newer" {
		t.Errorf("a = %s, want newer", got)
	}
}

// A key read once is not kept: a pass over many keys, each read once, must not fill the
// cache (and evict the keys read again and again) with what is not read again.
func TestCacheKeepsKeysReadTwice(t *testing.T) {
	s := openTemp(t)
	put(t, s, "a", "1")
	if err := s.View(func(tx store.Tx) error { tx.Get("a"); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, ok := cached(s, "a"); ok {
		t.Error("a key read once was cached")
	}
	if err := s.View(func(tx store.Tx) error { tx.Get("a"); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, ok := cached(s, "a"); !ok {
		t.Error("a key read twice was not cached")
	}
}

func TestCacheIsBounded(t *testing.T) {
	s := openTemp(t)
	value := make([]byte, 4096)
	err := s.Update(func(tx store.Tx) error {
		for i := range 4000 {
			if err := tx.Put("k"+strconv.Itoa(i), value); err != nil {
				return err
			}
		}
		return tx.Put("large", make([]byte, maxCachedSize+1))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(func(tx store.Tx) error {
		for range 2 {
			for i := range 4000 {
				tx.Get("k" + strconv.Itoa(i))
			}
			tx.Get("large")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.reads.mu.RLock()
	n, size := len(s.reads.entries), s.reads.bytes
	_, large := s.reads.entries["large"]
	s.reads.mu.RUnlock()
	if size > maxCacheBytes || n == 0 || large {
		t.Errorf("the cache holds %d entries, %d bytes (at most %d), the large value: %v", n, size, maxCacheBytes, large)
	}
}

// Concurrent writers move a total between two keys; readers, served by the cache or not,
// must always see it whole.
func TestCacheReadersSeeConsistentSnapshots(t *testing.T) {
	s := openTemp(t)
	const total = 1000
	err := s.Update(func(tx store.Tx) error {
		return firstErr(tx.Put("x", []byte(strconv.Itoa(total))), tx.Put("y", []byte("0")))
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 2 {
		wg.Go(func() {
			for i := range 200 {
				err := s.Update(func(tx store.Tx) error {
					x, _ := strconv.Atoi(string(tx.Get("x")))
					y, _ := strconv.Atoi(string(tx.Get("y")))
					d := (i+w)%7 - 3
					return firstErr(tx.Put("x", []byte(strconv.Itoa(x-d))), tx.Put("y", []byte(strconv.Itoa(y+d))))
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 2000 {
				var x, y int
				_ = s.View(func(tx store.Tx) error {
					x, _ = strconv.Atoi(string(tx.Get("x")))
					y, _ = strconv.Atoi(string(tx.Get("y")))
					return nil
				})
				if x+y != total {
					errs <- fmt.Errorf("a reader saw x=%d y=%d", x, y)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
