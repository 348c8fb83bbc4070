package store_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/store"
)

func TestTimeKeysOrderTime(t *testing.T) {
	limit := time.Unix(0, math.MaxInt64).UTC() // 2262-04-11T23:47:16.854775807Z
	times := []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 7, 10, 0, 0, 1, time.UTC),
		limit.Add(-time.Nanosecond), limit, limit.Add(time.Nanosecond),
		time.Date(2262, 4, 12, 0, 0, 0, 0, time.UTC),
		time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2318, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(4000, 6, 1, 0, 0, 0, 0, time.UTC),
	}
	asc := make([]string, len(times))
	desc := make([]string, len(times))
	for i, tm := range times {
		asc[i], desc[i] = store.TimeKey(tm), store.TimeKeyDesc(tm)
		if len(asc[i]) != 20 {
			t.Errorf("TimeKey(%v) = %q, not 20 characters", tm, asc[i])
		}
	}
	if !slices.IsSorted(asc) {
		t.Errorf("TimeKey is not in time order: %q", asc)
	}
	for i := 1; i < len(desc); i++ {
		if desc[i-1] <= desc[i] {
			t.Errorf("TimeKeyDesc(%v) = %q does not sort after TimeKeyDesc(%v) = %q", times[i-1], desc[i-1], times[i], desc[i])
		}
	}
}

// TestTimeKeysKeepTheirFormat: indexes written before TimeKey existed held these exact
// strings, and must still be found.
func TestTimeKeysKeepTheirFormat(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 12, 7, 10, 11, 12, 13, time.UTC),
		time.Date(2100, 1, 1, 0, 0, 0, 999999999, time.UTC),
		time.Unix(0, math.MaxInt64),
	} {
		if got, want := store.TimeKey(tm), fmt.Sprintf("%020d", tm.UnixNano()); got != want {
			t.Errorf("TimeKey(%v) = %s, was %s", tm, got, want)
		}
		if got, want := store.TimeKeyDesc(tm), fmt.Sprintf("%020d", math.MaxInt64-tm.UnixNano()); got != want {
			t.Errorf("TimeKeyDesc(%v) = %s, was %s", tm, got, want)
		}
	}
}
