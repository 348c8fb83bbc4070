package memory_test

import (
	"testing"

	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
	"github.com/xregion/xregion/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := memory.New()
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store {
		s := memory.New()
		b.Cleanup(func() { s.Close() })
		return s
	})
}
