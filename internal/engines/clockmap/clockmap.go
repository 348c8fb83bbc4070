// Package clockmap maps between xregion's movable clock and wall time, durably.
//
// xregion's clock (jobs.Clock) is wall time plus an offset that users move forward. The
// PostgreSQL servers behind RDS instances know only wall time: their commit timestamps,
// and so recovery_target_time, are wall instants. A user who restores "to 12:00" means
// 12:00 on xregion's clock, the time RDS showed them; to restore the rows committed when
// xregion's clock read 12:00 the engine needs the wall instant at which it read 12:00.
//
// The map records every change of the offset as a step: from wall instant W on, the
// clock read W + offset. Because the offset only grows, the function from wall to clock
// is non-decreasing, with a jump at every step. Its inverse is defined everywhere by one
// rule: a clock instant inside a jump — a time the clock skipped and never showed —
// maps to the wall instant of the jump; so restoring to a skipped time restores what was
// committed before the clock was moved, which is what the clock showed just before and
// after that instant.
//
// While the job engine runs due jobs during a move it holds the clock still for each
// job (jobs.Clock.hold); the map ignores those milliseconds and counts the offset each
// hold sets from the moment it is noted.
package clockmap

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// key holds the steps, beside the job clock's own offset record.
var key = store.Key("_xregion", "clockmap")

// ErrBackwards means a noted offset was smaller than the last one: xregion's clock never
// goes back (except by a reset, which calls Reset).
var ErrBackwards = errors.New("clockmap: the clock's offset went back")

// step says that from Wall on, the clock read Wall + Offset.
type step struct {
	Wall   time.Time     `json:"wall"`
	Offset time.Duration `json:"offset"`
}

type record struct {
	Steps []step `json:"steps"`
}

// Map is the recorded function. It is safe for concurrent use.
type Map struct {
	st    store.Store
	mu    sync.Mutex
	steps []step // Wall and Offset both increasing
}

// Open loads the map kept in st.
func Open(st store.Store) (*Map, error) {
	m := &Map{st: st}
	err := st.View(func(tx store.Tx) error {
		var rec record
		_, err := store.GetJSON(tx, key, &rec)
		m.steps = rec.Steps
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("clockmap: %w", err)
	}
	return m, nil
}

// Note records that from wall on the clock's offset is offset. Call it when xregion
// starts and right after every move of the clock; noting an unchanged offset records
// nothing. It is durable when it returns.
func (m *Map) Note(wall time.Time, offset time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	wall = wall.UTC()
	if n := len(m.steps); n > 0 {
		last := m.steps[n-1]
		switch {
		case offset == last.Offset:
			return nil
		case offset < last.Offset:
			return fmt.Errorf("%w: from %s to %s", ErrBackwards, last.Offset, offset)
		case wall.Before(last.Wall):
			wall = last.Wall // wall time stepped back (NTP); keep the map monotone
		}
	}
	steps := append(m.steps[:len(m.steps):len(m.steps)], step{Wall: wall, Offset: offset})
	if err := m.save(steps); err != nil {
		return err
	}
	m.steps = steps
	return nil
}

// Reset forgets every step: xregion's reset puts the clock back to real time and wipes
// everything recorded against the old clock.
func (m *Map) Reset() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.save(nil); err != nil {
		return err
	}
	m.steps = nil
	return nil
}

func (m *Map) save(steps []step) error {
	err := m.st.Update(func(tx store.Tx) error {
		if len(steps) == 0 {
			return tx.Delete(key)
		}
		return store.PutJSON(tx, key, record{Steps: steps})
	})
	if err != nil {
		return fmt.Errorf("clockmap: %w", err)
	}
	return nil
}

// ToClock returns what xregion's clock read at wall instant w. Before the first step the
// first offset applies; with no step at all, the clock is wall time.
func (m *Map) ToClock(w time.Time) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	w = w.UTC()
	for i := len(m.steps) - 1; i >= 0; i-- {
		if !w.Before(m.steps[i].Wall) || i == 0 {
			return w.Add(m.steps[i].Offset)
		}
	}
	return w
}

// ToWall returns the wall instant at which xregion's clock read c; an instant the clock
// skipped maps to the wall instant of the jump that skipped it.
func (m *Map) ToWall(c time.Time) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	c = c.UTC()
	for i := len(m.steps) - 1; i >= 0; i-- {
		s := m.steps[i]
		if c.Before(s.Wall.Add(s.Offset)) && i > 0 {
			continue
		}
		w := c.Add(-s.Offset)
		if i+1 < len(m.steps) && w.After(m.steps[i+1].Wall) {
			return m.steps[i+1].Wall // inside the jump at step i+1
		}
		return w
	}
	return c
}
