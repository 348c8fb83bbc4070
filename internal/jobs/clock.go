package jobs

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// TimeSource is what code that only reads the time needs; *Clock is one.
type TimeSource interface {
	Now() time.Time
}

var _ TimeSource = (*Clock)(nil)

// clockKey holds the offset, so that a restarted server keeps the time users moved to:
// deadlines already computed from the moved clock would otherwise jump back into the future.
var clockKey = store.Key("_xregion", "clock")

type clockRecord struct {
	OffsetNanos int64 `json:"offsetNanos"`
	// Epoch counts resets of a shared store: an offset only grows, except when a reset
	// puts it back, which the other nodes tell by the new epoch.
	Epoch uint64 `json:"epoch,omitempty"`
}

// Clock is xregion's time. A ticking clock is real time plus an offset that only grows;
// a frozen clock stands at one instant and moves only when the engine advances it, which
// is what tests want: nothing becomes due behind their back.
//
// Only the Engine moves a Clock (Engine.AdvanceTo), because moving time without running
// what falls due in between would skip events.
type Clock struct {
	st store.Store // where the offset is kept; nil for a frozen clock

	mu     sync.Mutex
	frozen bool
	offset time.Duration // ticking: added to real time
	epoch  uint64        // see clockRecord
	at     time.Time     // frozen: the current instant
	start  time.Time     // frozen: where Reset puts it back
	// held: a ticking clock stands at pin while AdvanceTo runs a job (see hold).
	held bool
	pin  time.Time
	// watch, if set, hears of every saved offset (see Watch).
	watch func(offset time.Duration)
}

// Watch makes fn hear of every change of a ticking clock's offset, after it is saved:
// the real database engines map xregion's clock to wall time with it (package
// clockmap). fn runs outside the clock's lock and outside any transaction; it must not
// move the clock. A reset (Engine.Reset) is not reported: it runs under the engine's
// lock, and whoever resets tells the watcher (the admin API's OnReset).
func (c *Clock) Watch(fn func(offset time.Duration)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.watch = fn
}

// NewClock returns a ticking clock whose offset is kept in st, loading the offset a
// previous run left there.
func NewClock(st store.Store) (*Clock, error) {
	c := &Clock{st: st}
	err := st.View(func(tx store.Tx) error {
		var rec clockRecord
		if _, err := store.GetJSON(tx, clockKey, &rec); err != nil {
			return err
		}
		c.offset, c.epoch = time.Duration(rec.OffsetNanos), rec.Epoch
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: loading the clock: %w", err)
	}
	return c, nil
}

// NewFrozenClock returns a clock standing at t. It keeps nothing in a store: a test that
// restarts an engine builds a new frozen clock at the instant it wants.
func NewFrozenClock(t time.Time) *Clock {
	t = t.UTC()
	return &Clock{frozen: true, at: t, start: t}
}

// Now returns the current time in UTC.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.frozen {
		return c.at
	}
	if c.held {
		return c.pin
	}
	return time.Now().Add(c.offset).UTC()
}

// Offset is how far a ticking clock is ahead of real time; for a frozen clock, how far it
// has moved since it was made.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.at.Sub(c.start)
	}
	return c.offset
}

// Frozen reports whether the clock stands still between moves.
func (c *Clock) Frozen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frozen
}

// ErrUnrepresentable is returned by AdvanceTo for a time the clock cannot stand at.
var ErrUnrepresentable = errors.New("jobs: the clock cannot represent that time")

// reachable refuses a time a ticking clock cannot stand at: it keeps its distance from
// real time as a time.Duration, which reaches 292 years, and would otherwise stop short of
// the target without a word. A frozen clock stands at any instant.
func (c *Clock) reachable(t time.Time) error {
	if c.Frozen() {
		return nil
	}
	if latest := time.Now().Add(math.MaxInt64); t.After(latest) {
		return fmt.Errorf("%w: %s is too far ahead; the clock runs as an offset from real time of at most 292 years, "+
			"so the latest time it can stand at now is %s", ErrUnrepresentable, t.UTC().Format(time.RFC3339),
			latest.UTC().Truncate(time.Second).Format(time.RFC3339))
	}
	return nil
}

// moveTo moves the clock forward to t; an earlier t leaves it where it is. A ticking
// clock persists the new offset before using it, so that no handler can write a time the
// clock could fall behind after a crash.
func (c *Clock) moveTo(t time.Time) error {
	c.mu.Lock()
	if !t.After(c.nowLocked()) {
		c.mu.Unlock()
		return nil
	}
	if c.frozen {
		c.at = t.UTC()
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	return c.saveOffset(time.Until(t))
}

// saveOffset persists a ticking clock's new offset, then uses it: no handler can write a
// time the clock could fall behind after a crash.
func (c *Clock) saveOffset(offset time.Duration) error {
	c.mu.Lock()
	b, _ := json.Marshal(clockRecord{OffsetNanos: int64(offset), Epoch: c.epoch})
	c.mu.Unlock()
	if err := c.st.Update(func(tx store.Tx) error { return tx.Put(clockKey, b) }); err != nil {
		return fmt.Errorf("jobs: saving the clock: %w", err)
	}
	c.mu.Lock()
	if offset > c.offset {
		c.offset = offset
	}
	now, watch := c.offset, c.watch
	c.mu.Unlock()
	if watch != nil {
		watch(now)
	}
	return nil
}

// hold moves the clock forward to t (or leaves it, if it is past t) and makes it stand
// there until release. AdvanceTo holds the clock at each job's instant while the job runs:
// a ticking clock would otherwise move on during the run, and a step the job arms "one
// transition delay from now" would fall that much later, possibly past the instant the
// advance stops at, depending on how loaded the machine is. When released, the ticking
// clock resumes from the held instant plus the real time that passed, so it never goes
// back.
func (c *Clock) hold(t time.Time) error {
	c.mu.Lock()
	if cur := c.nowLocked(); cur.After(t) {
		t = cur
	}
	if c.frozen {
		c.at = t.UTC()
		c.mu.Unlock()
		return nil
	}
	c.pin, c.held = t.UTC(), true
	c.mu.Unlock()
	return c.saveOffset(time.Until(t))
}

// release lets a held clock tick again.
func (c *Clock) release() {
	c.mu.Lock()
	c.held = false
	c.mu.Unlock()
}

// reset puts the clock back where it started: offset 0, or the frozen clock's first
// instant, in a new epoch. The caller has wiped the store, offset record included.
func (c *Clock) reset(epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset, c.epoch = 0, epoch
	c.at = c.start
}

// Epoch is the number of resets the clock's store has seen (counted on shared stores).
func (c *Clock) Epoch() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// adopt takes the clock another node saved: a larger offset (the clock was moved through
// that node), or a new epoch (the state was reset through it), which may put the clock
// back. It reports a new epoch. A frozen clock keeps nothing in the store and adopts
// nothing.
func (c *Clock) adopt(rec clockRecord) (newEpoch bool) {
	c.mu.Lock()
	if c.frozen || rec.Epoch < c.epoch || (rec.Epoch == c.epoch && time.Duration(rec.OffsetNanos) <= c.offset) {
		c.mu.Unlock()
		return false
	}
	newEpoch = rec.Epoch > c.epoch
	if newEpoch || time.Duration(rec.OffsetNanos) > c.offset {
		c.offset = time.Duration(rec.OffsetNanos)
	}
	c.epoch = max(c.epoch, rec.Epoch)
	now, watch := c.offset, c.watch
	c.mu.Unlock()
	if watch != nil {
		watch(now)
	}
	return newEpoch
}
