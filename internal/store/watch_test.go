package store_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
)

// fullDisk is a store whose writes fail for want of space while full is set.
type fullDisk struct {
	store.Store
	full bool
}

func (f *fullDisk) Update(fn func(store.Tx) error) error {
	return f.Store.Update(func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if f.full {
			return fmt.Errorf("%w: write /data/xregion.db: no space left on device", store.ErrNoSpace)
		}
		return nil
	})
}

func put(w store.Store, key string) error {
	return w.Update(func(tx store.Tx) error { return tx.Put(key, []byte("v")) })
}

func TestWatchLogsASpellOfFullDiskOnce(t *testing.T) {
	var log bytes.Buffer
	disk := &fullDisk{Store: memory.New(), full: true}
	w := store.Watch(disk, slog.New(slog.NewTextHandler(&log, nil)))

	// Large writes fail while small ones still fit: the spell goes on.
	for i := range 50 {
		disk.full = i%5 != 4
		err := put(w, fmt.Sprint(i))
		if disk.full != (err != nil) {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	disk.full = true
	if err := put(w, "last failure"); err == nil {
		t.Fatal("a write on a full disk succeeded")
	}
	if n := strings.Count(log.String(), "level=ERROR"); n != 1 {
		t.Errorf("%d log lines for 41 failed writes, want 1:\n%s", n, log.String())
	}
	if strings.Contains(log.String(), "writes again") {
		t.Errorf("a write that fitted ended the spell:\n%s", log.String())
	}
	if p := w.Stats().Problem; !strings.Contains(p, "space") {
		t.Errorf("Stats().Problem = %q", p)
	}

	// An Update that writes nothing proves nothing about the disk; a write that
	// succeeds once writes have stopped failing (here at once) ends the spell.
	w.Quiet = 0
	disk.full = false
	if err := w.Update(func(store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if w.Stats().Problem == "" {
		t.Error("a read-only Update ended the spell")
	}
	if err := put(w, "after"); err != nil {
		t.Fatal(err)
	}
	if p := w.Stats().Problem; p != "" {
		t.Errorf("after a successful write: Problem = %q", p)
	}
	if !strings.Contains(log.String(), "writes again") {
		t.Errorf("no log line for the recovery:\n%s", log.String())
	}
	err := w.View(func(tx store.Tx) error {
		if tx.Get("after") == nil || tx.Get("0") != nil || tx.Get("4") == nil {
			return fmt.Errorf("after = %q, 0 = %q, 4 = %q", tx.Get("after"), tx.Get("0"), tx.Get("4"))
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
