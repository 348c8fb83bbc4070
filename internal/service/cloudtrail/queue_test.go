package cloudtrail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/xtest"
)

// fakeWriter keeps the batches written, and fails while failing is set.
type fakeWriter struct {
	mu      sync.Mutex
	batches [][]port.TrailEvent
	failing bool
}

func (w *fakeWriter) write(b []port.TrailEvent) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failing {
		return errors.New("disk full")
	}
	w.batches = append(w.batches, b)
	return nil
}

func (w *fakeWriter) written() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, b := range w.batches {
		n += len(b)
	}
	return n
}

func TestQueueWritesByItselfAndOnStop(t *testing.T) {
	w := &fakeWriter{}
	q := newQueue(w.write, slog.New(slog.DiscardHandler), gatherFor)
	q.add(port.TrailEvent{ID: "1"})
	xtest.CheckFor(t, 10*time.Second, func() error {
		if w.written() != 1 {
			return errors.New("the writer has not written the event yet")
		}
		return nil
	})

	// A batch that fails to write is kept, and written by the next flush: here, Stop's.
	w.mu.Lock()
	w.failing = true
	w.mu.Unlock()
	q.add(port.TrailEvent{ID: "2"})
	q.add(port.TrailEvent{ID: "3"})
	if err := q.flush(); err == nil {
		t.Fatal("a failing write flushed")
	}
	w.mu.Lock()
	w.failing = false
	w.mu.Unlock()
	if err := q.stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.written() != 3 {
		t.Errorf("written %d events by the end, want 3", w.written())
	}
	q.add(port.TrailEvent{ID: "late"}) // after Stop: logged, not kept
	if len(q.pending) != 0 {
		t.Error("an event after Stop was queued")
	}
}

func TestQueueIsBoundedWhileTheStoreRefuses(t *testing.T) {
	w := &fakeWriter{failing: true}
	q := newQueue(w.write, slog.New(slog.DiscardHandler), gatherFor)
	for i := range maxQueued + 10 {
		q.add(port.TrailEvent{ID: strconv.Itoa(i)})
	}
	_ = q.flush()
	q.mu.Lock()
	n, first := len(q.pending), q.pending[0].ID
	q.mu.Unlock()
	if n != maxQueued || first != "10" {
		t.Errorf("queued %d events from %s, want %d from the 11th", n, first, maxQueued)
	}
	w.mu.Lock()
	w.failing = false
	w.mu.Unlock()
	if err := q.stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.written() != maxQueued {
		t.Errorf("written %d, want %d", w.written(), maxQueued)
	}
}

// A batch that reaches maxBatch events is written at once, whatever is left of its
// gathering time: here an hour, so only the full batch can have woken the writer.
func TestQueueWritesAFullBatchAtOnce(t *testing.T) {
	w := &fakeWriter{}
	q := newQueue(w.write, slog.New(slog.DiscardHandler), time.Hour)
	t.Cleanup(func() { _ = q.stop(context.Background()) })
	for i := range maxBatch + 1 {
		q.add(port.TrailEvent{ID: strconv.Itoa(i)})
	}
	xtest.CheckFor(t, 10*time.Second, func() error {
		if n := w.written(); n < maxBatch {
			return fmt.Errorf("written %d events, want the full batch of %d", n, maxBatch)
		}
		return nil
	})
	if err := q.stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.written() != maxBatch+1 {
		t.Errorf("written %d events by the end, want %d", w.written(), maxBatch+1)
	}
}
