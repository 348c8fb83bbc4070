package rds

import (
	"testing"
	"time"

	"github.com/xregion/xregion/internal/service/port"
)

// TestSyntheticContentChangesADayAtATime: an instance's snapshots of one day hold the
// same blocks; one a day later differs in about dailyChange of them; a first copy moves
// the whole storage.
func TestSyntheticContentChangesADayAtATime(t *testing.T) {
	born := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	snap := func(at time.Time) *snapshotRec {
		s := &snapshotRec{ResourceID: "db-ABC", Original: at}
		s.AllocatedStorage, s.InstanceCreated = 100, born
		return s
	}
	morning, evening := syntheticContent(snap(born.Add(2*time.Hour))), syntheticContent(snap(born.Add(20*time.Hour)))
	if morning.Size != 100<<30 || morning.Count() != 1600 {
		t.Fatalf("100 GiB in %d blocks of %d", morning.Count(), morning.BlockSize)
	}
	if n := morning.Missing(nil); n != 100<<30 {
		t.Errorf("a first copy moves %d bytes, want all", n)
	}
	if n := evening.Missing(port.SetOf(morning)); n != 0 {
		t.Errorf("a snapshot of the same day moves %d bytes", n)
	}
	next := syntheticContent(snap(born.Add(30 * time.Hour)))
	changed := next.Missing(port.SetOf(morning))
	if low, high := int64(100<<30)/100, int64(100<<30)*6/100; changed < low || changed > high {
		t.Errorf("a day later %d bytes changed, want about 3%% of 100 GiB", changed)
	}
	other := &snapshotRec{ResourceID: "db-XYZ", Original: born}
	other.AllocatedStorage, other.InstanceCreated = 100, born
	if n := syntheticContent(other).Missing(port.SetOf(morning)); n != 100<<30 {
		t.Errorf("another instance shares %d bytes", 100<<30-n)
	}
}
