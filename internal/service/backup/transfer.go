package backup

import (
	"time"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// How long a backup or copy job runs: as long as its bytes take to move at transferRate
// on the engine's clock, and at least the engine's transition delay. With a zero delay
// (the immediate transition policy of tests) jobs complete at once, whatever they move.
const transferRate = 1 << 30 // bytes a second

// transferDone is when a transfer of bytes that starts at now ends.
func (s *Service) transferDone(now time.Time, bytes int64) time.Time {
	// After is read before the clock, so that on a clock that ticks a zero delay is seen
	// as one.
	after := s.After()
	if !after.After(s.Clock.Now()) {
		return now
	}
	took := time.Duration(float64(bytes) / transferRate * float64(time.Second))
	if end := now.Add(took); end.After(after) {
		return end
	}
	return after
}

// pointsOfResource indexes the recovery points of each resource in a Region, in every
// vault: rpres/<resource ARN>/<recovery point ARN>. It tells what a Region already holds
// of a resource: the base of an incremental backup or copy. Recovery points made before
// the index existed are not in it (nor do they describe their content): the first backup
// or copy after them moves everything, as a first one does.
var pointsOfResource = kit.Index{Kind: "rpres"}

// heldOf is what the Region of v holds of a resource: the content of its recovery points
// there. A resource type whose copies are not incremental holds nothing a copy can use.
func heldOf(v kit.View, resourceType, resourceARN string) (port.BlockSet, error) {
	held := port.BlockSet{}
	if !incremental(resourceType) {
		return held, nil
	}
	var points []string
	err := pointsOfResource.Keys(v, "", func(e kit.Entry) bool {
		points = append(points, e.Last())
		return true
	}, resourceARN)
	if err != nil {
		return nil, err
	}
	for _, rp := range points {
		r, err := recoveryPoints.Get(v, idOf(v, recoveryVaults, rp), rp)
		if err != nil {
			return nil, err
		}
		if r != nil {
			held.Add(r.Content)
		}
	}
	return held, nil
}
