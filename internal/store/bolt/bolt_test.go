package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/storetest"
)

func openTemp(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), "data", "xregion.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store { return openTemp(b) })
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	path := filepath.Join(dir, "xregion.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s has mode %v, want %v", p, fi.Mode(), want)
		}
	}
	st := s.Stats()
	if st.Kind != "bolt" || st.Path != path || st.Size <= 0 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "xregion.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(func(tx store.Tx) error {
		if err := tx.Put("kept", []byte("yes")); err != nil {
			return err
		}
		return tx.Put("empty", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(func(tx store.Tx) error {
		if string(tx.Get("kept")) != "yes" {
			return errors.New("kept is gone")
		}
		if v := tx.Get("empty"); v == nil || len(v) != 0 {
			return errors.New("the empty value did not come back empty")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Stats().Keys; n != 2 {
		t.Fatalf("Stats().Keys = %d after reopening, want 2", n)
	}
}

// A second process on the same data directory must fail promptly and say why. flock
// locks belong to the open file, so a second Open in this process contends just as
// another process would.
func TestOpenWhileLocked(t *testing.T) {
	s := openTemp(t)
	started := time.Now()
	_, err := open(s.path, 100*time.Millisecond)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: err = %v, want ErrLocked", err)
	}
	if waited := time.Since(started); waited > 5*time.Second {
		t.Fatalf("second Open took %s to give up", waited)
	}
	t.Log(err)
	// The holder is unaffected.
	if err := s.Update(func(tx store.Tx) error { return tx.Put("k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRejectsForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "xregion.db")
	if err := os.WriteFile(path, []byte("this is not a bbolt database, but it is long enough to look like one might be... "+string(make([]byte, 8192))), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("Open of a foreign file succeeded")
	} else {
		t.Log(err)
	}
}

// Deleting one family of 10,000 records from a store of 100,000, which is what resetting
// an account or a Region costs. A naive cursor loop here was quadratic (15 s for 100,000
// keys), so this keeps an eye on it. The memory store cuts a range out of its tree in
// O(log n) and needs no such watch.
func BenchmarkDeletePrefix(b *testing.B) {
	s := openTemp(b)
	key := func(family, i int) string {
		return store.Key("123456789012", "us-east-1", "secretsmanager", "secret", fmt.Sprintf("family-%02d", family), fmt.Sprintf("%06d", i))
	}
	fill := func(family int) {
		err := s.Update(func(tx store.Tx) error {
			for i := range 10_000 {
				if err := tx.Put(key(family, i), make([]byte, 256)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for family := range 10 {
		fill(family)
	}
	prefix := store.Prefix("123456789012", "us-east-1", "secretsmanager", "secret", "family-05")
	for b.Loop() {
		if err := s.Update(func(tx store.Tx) error { return tx.DeletePrefix(prefix) }); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if n := s.Stats().Keys; n != 90_000 {
			b.Fatalf("%d keys after deleting a family, want 90000", n)
		}
		fill(5)
		b.StartTimer()
	}
}

// Opening a store writes nothing (a commit costs two or three fsyncs, which a start would
// wait for): a new file gets its bucket with its first write, and until then reads as
// empty — as does a file a first start left without one, stopped after bbolt
// initialised it.
func TestReopenCommitsNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "xregion.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx store.Tx) error { return tx.Put("k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	fresh := filepath.Join(t.TempDir(), "new.db")
	if s, err = Open(fresh); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if txid := metaOf(t, fresh).txid; txid > 1 {
		t.Errorf("opening a new store committed: transaction id %d after bbolt's initialisation", txid)
	}
	before := metaOf(t, path).txid
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if after := metaOf(t, path).txid; after != before {
		t.Errorf("reopening committed: transaction id %d -> %d", before, after)
	}
}

func TestOpenCreatesAMissingBucket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "xregion.db")
	db, err := bbolt.Open(path, 0o600, nil) // initialised, no bucket yet
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(func(tx store.Tx) error {
		if v := tx.Get("k"); v != nil {
			t.Errorf("Get in a store without its bucket = %q", v)
		}
		return tx.Scan("", "", func(k string, _ []byte) bool { t.Errorf("Scan found %q", k); return true })
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Keys != 0 {
		t.Errorf("Stats().Keys = %d", st.Keys)
	}
	if err := s.Update(func(tx store.Tx) error { return tx.Put("k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	err = s.View(func(tx store.Tx) error {
		if v := tx.Get("k"); string(v) != "v" {
			t.Errorf("after the first write: Get = %q", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
