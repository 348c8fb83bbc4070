package cloudtrail

import (
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// write files a batch of events in their accounts and Regions, holds those that logging
// trails cover for their next delivery, and drops from each Region it touches the events
// older than the retention.
func (s *Service) write(batch []port.TrailEvent) error {
	return s.Update(func(tx kit.Tx) error {
		touched := map[[2]string]bool{}
		docs := make([]document, len(batch))
		// Newest first: events are keyed newest first (eventKey) and a batch arrives
		// oldest first, so in arrival order each event would go in front of the ones
		// just put, and bbolt would shift all of them in its page's node to make room
		// (a tenth of the writer's CPU in batches of hundreds). In key order each goes
		// after the last.
		for i := len(batch) - 1; i >= 0; i-- {
			ev := batch[i]
			rec, err := recordOf(ev)
			if err != nil {
				return err
			}
			docs[i] = rec.Document
			if err := events.Put(tx.In(ev.Account, ev.Region), rec, eventKey(ev)...); err != nil {
				return err
			}
			touched[[2]string{ev.Account, ev.Region}] = true
		}
		if err := s.hold(tx, batch, docs); err != nil {
			return err
		}
		for ar := range touched {
			if err := s.expire(tx.In(ar[0], ar[1])); err != nil {
				return err
			}
		}
		return nil
	})
}

// expire deletes the events of v older than the retention: they sort last, so the scan
// starts at the cut-off and reads only what goes.
func (s *Service) expire(v kit.View) error {
	cutoff := kit.TimeKeyDesc(s.Clock.Now().Add(-Retention))
	var old [][]string
	err := events.Keys(v, cutoff, func(e kit.Entry) bool {
		old = append(old, e.ID())
		return true
	})
	if err != nil {
		return err
	}
	for _, id := range old {
		if err := events.Delete(v, id...); err != nil {
			return err
		}
	}
	return nil
}
