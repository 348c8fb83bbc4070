package server

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
)

// While a start's writes are under way, reads go on and writes wait for them.
func TestSettlingStoreHoldsWritesBack(t *testing.T) {
	release := make(chan struct{})
	st := settle(memory.New(), settleWork{fingerprint: func() error { <-release; return nil }}, slog.New(slog.DiscardHandler))
	if err := st.View(func(store.Tx) error { return nil }); err != nil {
		t.Fatalf("a read while settling: %v", err)
	}
	wrote := make(chan error, 1)
	go func() { wrote <- st.Update(func(tx store.Tx) error { return tx.Put("k", []byte("v")) }) }()
	select {
	case err := <-wrote:
		t.Fatalf("a write was acknowledged before the start's writes were on disk: %v", err)
	default:
	}
	close(release)
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// A start that could not make its data directory durable refuses every write and says so
// in the health report.
func TestSettlingStoreFailure(t *testing.T) {
	st := settle(memory.New(), settleWork{fingerprint: func() error { return errors.New("disk gone") }}, slog.New(slog.DiscardHandler))
	err := st.Update(func(tx store.Tx) error { return tx.Put("k", []byte("v")) })
	if err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Fatalf("Update = %v, want the start-up failure", err)
	}
	if p := st.Stats().Problem; !strings.Contains(p, "disk gone") {
		t.Errorf("Stats().Problem = %q", p)
	}
}

// A start with nothing to make durable (a restart) keeps its store as it is.
func TestSettleWithNothingToDo(t *testing.T) {
	st := memory.New()
	if got := settle(st, settleWork{}, slog.New(slog.DiscardHandler)); got != store.Store(st) {
		t.Errorf("settle wrapped a store with nothing to do: %T", got)
	}
}
