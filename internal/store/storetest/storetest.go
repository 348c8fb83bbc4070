// Package storetest is the conformance suite every store.Store implementation must pass,
// so that code tested against the memory store behaves the same on disk.
package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// Run runs the suite. open must return a new, empty store each time it is called and may
// be called from parallel subtests. It should close the store in a t.Cleanup; the suite
// closes some stores itself, so Close must tolerate a second call.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"GetPutDelete", testGetPutDelete},
		{"Overwrite", testOverwrite},
		{"EmptyValue", testEmptyValue},
		{"InvalidKey", testInvalidKey},
		{"BinaryKeysAndValues", testBinary},
		{"LargeValues", testLargeValues},
		{"ManyKeysOneTx", testManyKeysOneTx},
		{"Stats", testStats},
		{"Close", testClose},

		{"ScanOrder", testScanOrder},
		{"ScanPrefix", testScanPrefix},
		{"ScanStart", testScanStart},
		{"ScanEarlyStop", testScanEarlyStop},
		{"ScanPaging", testScanPaging},
		{"ScanKeyFamilies", testScanKeyFamilies},
		{"ScanNested", testScanNested},
		{"DeletePrefix", testDeletePrefix},
		{"DeletePrefixMany", testDeletePrefixMany},
		{"DeletePrefixAll", testDeletePrefixAll},
		{"DeletePrefixHighBytes", testDeletePrefixHighBytes},

		{"ReadOnlyView", testReadOnlyView},
		{"ReadYourWrites", testReadYourWrites},
		{"RollbackOnError", testRollbackOnError},
		{"RollbackOnPanic", testRollbackOnPanic},
		{"WriteInsideScan", testWriteInsideScan},
		{"UseAfterEnd", testUseAfterEnd},
		{"OnCommitOrder", testOnCommitOrder},
		{"OnCommitOutsideLock", testOnCommitOutsideLock},
		{"OnCommitNotOnRollback", testOnCommitNotOnRollback},
		{"OnCommitInView", testOnCommitInView},
		{"OnCommitPanic", testOnCommitPanic},

		{"ViewSnapshotSurvivesCommit", testViewSnapshotSurvivesCommit},
		{"UpdateInvisibleUntilCommit", testUpdateInvisibleUntilCommit},
		{"ViewsRunConcurrently", testViewsRunConcurrently},
		{"ConcurrentReadersAndWriters", testConcurrentReadersAndWriters},

		{"JSON", testJSON},
		{"ScanJSON", testScanJSON},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// patience bounds waits that only time out when an implementation deadlocks, so a broken
// store fails with a message instead of hanging until the test binary's deadline.
const patience = 30 * time.Second

// kv is one record as a test expects to find it.
type kv struct{ k, v string }

func (p kv) String() string { return fmt.Sprintf("%q=%q", p.k, p.v) }

func update(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.View(fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// put stores each pair in one Update.
func put(t *testing.T, s store.Store, pairs ...kv) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, p := range pairs {
			if err := tx.Put(p.k, []byte(p.v)); err != nil {
				return err
			}
		}
		return nil
	})
}

// get returns a copy of the value under key, or nil.
func get(t *testing.T, s store.Store, key string) []byte {
	t.Helper()
	var out []byte
	view(t, s, func(tx store.Tx) error {
		if v := tx.Get(key); v != nil {
			out = append([]byte{}, v...)
		}
		return nil
	})
	return out
}

// scan collects a Scan into pairs, copying the values.
func scan(tx store.Tx, prefix, start string) ([]kv, error) {
	var out []kv
	err := tx.Scan(prefix, start, func(k string, v []byte) bool {
		out = append(out, kv{k, string(v)})
		return true
	})
	return out, err
}

// contents is every record in the store, in order.
func contents(t *testing.T, s store.Store) []kv {
	t.Helper()
	out, err := readAll(s)
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	return out
}

func readAll(s store.Store) (out []kv, err error) {
	err = s.View(func(tx store.Tx) error {
		out, err = scan(tx, "", "")
		return err
	})
	return out, err
}

func wantPairs(t *testing.T, what string, got, want []kv) {
	t.Helper()
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			t.Fatalf("%s: %d records, want %d; first missing is %v", what, len(got), len(want), brief(want[i]))
		case i >= len(want):
			t.Fatalf("%s: %d records, want %d; first extra is %v", what, len(got), len(want), brief(got[i]))
		case got[i] != want[i]:
			t.Fatalf("%s: record %d is %v, want %v", what, i, brief(got[i]), brief(want[i]))
		}
	}
}

// brief keeps failure messages readable when values are large or binary.
func brief(p kv) string {
	if len(p.v) > 40 {
		return fmt.Sprintf("%q=%q... (%d bytes)", p.k, p.v[:40], len(p.v))
	}
	return p.String()
}

func wantValue(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if got == nil || !bytes.Equal(got, []byte(want)) {
		t.Fatalf("%s: got %q (nil=%t), want %q", what, got, got == nil, want)
	}
}

func wantMissing(t *testing.T, what string, got []byte) {
	t.Helper()
	if got != nil {
		t.Fatalf("%s: got %q, want nil", what, got)
	}
}

// panicValue runs fn and returns what it panicked with, or nil.
func panicValue(fn func()) (p any) {
	defer func() { p = recover() }()
	fn()
	return nil
}

// within runs fn on another goroutine and fails the test if it does not return in time,
// which is how the suite reports a deadlock. fn must not call t.Fatal.
func within(t *testing.T, what string, fn func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(patience):
		t.Fatalf("%s: still blocked after %s (deadlock?)", what, patience)
	}
}
