package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/xregion/xregion/internal/store"
)

func testReadOnlyView(t *testing.T, s store.Store) {
	put(t, s, kv{"a", "1"})
	view(t, s, func(tx store.Tx) error {
		if tx.Writable() {
			return errors.New("a View transaction reports Writable")
		}
		for name, err := range map[string]error{
			"Put":          tx.Put("a", []byte("2")),
			"Put new":      tx.Put("b", []byte("2")),
			"Delete":       tx.Delete("a"),
			"DeletePrefix": tx.DeletePrefix(""),
		} {
			if !errors.Is(err, store.ErrReadOnly) {
				return fmt.Errorf("%s in a View: err = %v, want ErrReadOnly", name, err)
			}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		if !tx.Writable() {
			return errors.New("an Update transaction reports read-only")
		}
		return nil
	})
	wantPairs(t, "contents", contents(t, s), []kv{{"a", "1"}})
}

func testReadYourWrites(t *testing.T, s store.Store) {
	put(t, s, kv{"p/a", "old"}, kv{"p/b", "old"}, kv{"p/c", "old"})
	update(t, s, func(tx store.Tx) error {
		steps := []func() error{
			func() error { return tx.Put("p/a", []byte("new")) },
			func() error { return tx.Delete("p/b") },
			func() error { return tx.Put("p/d", []byte("added")) },
			func() error { return tx.Put("p/0", []byte("first")) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		wantValue(t, "own overwrite", tx.Get("p/a"), "new")
		wantMissing(t, "own delete", tx.Get("p/b"))
		wantValue(t, "own insert", tx.Get("p/d"), "added")
		got, err := scan(tx, "p/", "")
		wantPairs(t, "Scan inside the Update", got,
			[]kv{{"p/0", "first"}, {"p/a", "new"}, {"p/c", "old"}, {"p/d", "added"}})
		got, _ = scan(tx, "p/", "p/b")
		wantPairs(t, "Scan from a deleted key", got, []kv{{"p/c", "old"}, {"p/d", "added"}})
		return err
	})
	wantPairs(t, "after commit", contents(t, s),
		[]kv{{"p/0", "first"}, {"p/a", "new"}, {"p/c", "old"}, {"p/d", "added"}})
}

// writeEverything makes one of each kind of write, so a rollback has something to undo.
func writeEverything(tx store.Tx) error {
	for _, err := range []error{
		tx.Put("a", []byte("changed")),
		tx.Put("new", []byte("added")),
		tx.Delete("b"),
		tx.DeletePrefix("p/"),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

var rollbackSeed = []kv{{"a", "1"}, {"b", "2"}, {"p/1", "3"}, {"p/2", "4"}}

func testRollbackOnError(t *testing.T, s store.Store) {
	put(t, s, rollbackSeed...)
	errFail := errors.New("operation failed")
	err := s.Update(func(tx store.Tx) error {
		if err := writeEverything(tx); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", errFail)
	})
	if !errors.Is(err, errFail) {
		t.Fatalf("Update = %v, want the function's error", err)
	}
	wantPairs(t, "after rollback", contents(t, s), rollbackSeed)
}

func testRollbackOnPanic(t *testing.T, s store.Store) {
	put(t, s, rollbackSeed...)
	type boom struct{ why string }
	var seenDuringUnwind []kv
	p := panicValue(func() {
		defer func() {
			// By the time the panic reaches the caller the rollback is done.
			if r := recover(); r != nil {
				seenDuringUnwind = contents(t, s)
				panic(r)
			}
		}()
		_ = s.Update(func(tx store.Tx) error {
			if err := writeEverything(tx); err != nil {
				return err
			}
			panic(boom{"mid-transaction"})
		})
	})
	if p != (boom{"mid-transaction"}) {
		t.Fatalf("Update panicked with %v, want the function's own panic value", p)
	}
	wantPairs(t, "seen as the panic left Update", seenDuringUnwind, rollbackSeed)
	// The write lock must have been released: a later Update works.
	within(t, "Update after a panicking Update", func() error {
		return s.Update(func(tx store.Tx) error { return tx.Put("after", []byte("ok")) })
	})
	wantPairs(t, "after rollback and a new write", contents(t, s),
		[]kv{{"a", "1"}, {"after", "ok"}, {"b", "2"}, {"p/1", "3"}, {"p/2", "4"}})

	// A panicking View must release its snapshot too, or Close would wait forever.
	if p := panicValue(func() { _ = s.View(func(store.Tx) error { panic("view") }) }); p != "view" {
		t.Fatalf("View panicked with %v, want the function's panic value", p)
	}
	within(t, "Close after a panicking View", s.Close)
}

// Writing while a Scan walks the data could reshape it under the walk, so it must fail
// cleanly and leave the transaction usable.
func testWriteInsideScan(t *testing.T, s store.Store) {
	put(t, s, kv{"a/1", "1"}, kv{"a/2", "2"}, kv{"a/3", "3"})
	update(t, s, func(tx store.Tx) error {
		var visited []string
		err := tx.Scan("a/", "", func(k string, _ []byte) bool {
			visited = append(visited, k)
			for name, err := range map[string]error{
				"Put":          tx.Put("a/22", []byte("x")),
				"Delete":       tx.Delete("a/3"),
				"DeletePrefix": tx.DeletePrefix("a/"),
			} {
				if err == nil {
					t.Errorf("%s inside Scan succeeded", name)
				}
			}
			return true
		})
		if err != nil {
			return err
		}
		if !slices.Equal(visited, []string{"a/1", "a/2", "a/3"}) {
			return fmt.Errorf("Scan visited %q", visited)
		}
		return tx.Put("a/4", []byte("4")) // allowed again once the Scan is over
	})
	wantPairs(t, "contents", contents(t, s), []kv{{"a/1", "1"}, {"a/2", "2"}, {"a/3", "3"}, {"a/4", "4"}})
}

func testUseAfterEnd(t *testing.T, s store.Store) {
	put(t, s, kv{"a", "1"})
	var kept []store.Tx
	view(t, s, func(tx store.Tx) error { kept = append(kept, tx); return nil })
	update(t, s, func(tx store.Tx) error { kept = append(kept, tx); return nil })
	_ = s.Update(func(tx store.Tx) error { kept = append(kept, tx); return errors.New("rolled back") })
	for i, tx := range kept {
		for name, use := range map[string]func(){
			"Get":          func() { tx.Get("a") },
			"Put":          func() { _ = tx.Put("a", []byte("2")) },
			"Delete":       func() { _ = tx.Delete("a") },
			"DeletePrefix": func() { _ = tx.DeletePrefix("") },
			"Scan":         func() { _ = tx.Scan("", "", func(string, []byte) bool { return true }) },
			"Writable":     func() { tx.Writable() },
			"OnCommit":     func() { tx.OnCommit(func() {}) },
		} {
			if panicValue(use) == nil {
				t.Errorf("transaction %d: %s after the transaction ended did not panic", i, name)
			}
		}
	}
	wantPairs(t, "contents", contents(t, s), []kv{{"a", "1"}})
}

func testOnCommitOrder(t *testing.T, s store.Store) {
	var calls []string
	update(t, s, func(tx store.Tx) error {
		for _, name := range []string{"first", "second", "third"} {
			tx.OnCommit(func() {
				// The commit has happened by the time any callback runs.
				if v := get(t, s, "k"); string(v) != "committed" {
					t.Errorf("callback %s saw k=%q, want the committed value", name, v)
				}
				calls = append(calls, name)
			})
		}
		if err := tx.Put("k", []byte("committed")); err != nil {
			return err
		}
		if len(calls) != 0 {
			return fmt.Errorf("callbacks ran before the transaction ended: %q", calls)
		}
		return nil
	})
	if !slices.Equal(calls, []string{"first", "second", "third"}) {
		t.Fatalf("callbacks ran as %q, want registration order", calls)
	}
}

// Callbacks typically wake something that then writes; they must be able to.
func testOnCommitOutsideLock(t *testing.T, s store.Store) {
	within(t, "Update from an OnCommit callback", func() error {
		var inner error
		err := s.Update(func(tx store.Tx) error {
			tx.OnCommit(func() {
				inner = s.Update(func(tx store.Tx) error { return tx.Put("from-callback", []byte("1")) })
			})
			return tx.Put("k", []byte("v"))
		})
		return errors.Join(err, inner)
	})
	wantPairs(t, "contents", contents(t, s), []kv{{"from-callback", "1"}, {"k", "v"}})
}

func testOnCommitNotOnRollback(t *testing.T, s store.Store) {
	called := false
	_ = s.Update(func(tx store.Tx) error {
		tx.OnCommit(func() { called = true })
		return errors.New("fail")
	})
	panicValue(func() {
		_ = s.Update(func(tx store.Tx) error {
			tx.OnCommit(func() { called = true })
			panic("fail")
		})
	})
	if called {
		t.Fatal("OnCommit callback ran for a rolled-back transaction")
	}
}

func testOnCommitInView(t *testing.T, s store.Store) {
	ran := 0
	view(t, s, func(tx store.Tx) error {
		tx.OnCommit(func() { ran++ })
		return nil
	})
	_ = s.View(func(tx store.Tx) error {
		tx.OnCommit(func() { ran += 100 })
		return errors.New("fail")
	})
	if ran != 1 {
		t.Fatalf("View callbacks: got %d, want only the successful View's", ran)
	}
}

func testOnCommitPanic(t *testing.T, s store.Store) {
	later := false
	p := panicValue(func() {
		_ = s.Update(func(tx store.Tx) error {
			tx.OnCommit(func() { panic("callback") })
			tx.OnCommit(func() { later = true })
			return tx.Put("k", []byte("kept"))
		})
	})
	if p != "callback" {
		t.Fatalf("Update panicked with %v, want the callback's panic", p)
	}
	if later {
		t.Error("a callback after the panicking one ran")
	}
	wantValue(t, "write of the transaction whose callback panicked", get(t, s, "k"), "kept")
	within(t, "Update after a panicking callback", func() error {
		return s.Update(func(tx store.Tx) error { return tx.Put("k2", []byte("ok")) })
	})
}
