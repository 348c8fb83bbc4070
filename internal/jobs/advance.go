package jobs

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// Advance moves the clock forward by d; see AdvanceTo.
func (e *Engine) Advance(ctx context.Context, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("jobs: cannot move the clock back by %v", -d)
	}
	return e.AdvanceTo(ctx, e.clock.Now().Add(d))
}

// AdvanceTo moves the clock forward to t, running on the way every job that falls due,
// each at its own instant: it pauses normal dispatch, waits for the jobs in flight, then
// repeatedly takes the earliest runnable job with RunAt <= t, moves the clock to that
// RunAt (or leaves it, if RunAt has passed) and runs it with the clock standing there
// (Clock.hold), including jobs that those runs
// enqueue and retries that fall before t. Finally the clock is set to t.
//
// On a shared store the move is the cluster's (see cluster.go): the node records that it
// moves the clock, which stops the others from claiming jobs, waits for the jobs they
// run to finish, reads every pending job, and runs them all itself; the others adopt the
// new clock at their next poll.
//
// It refuses to move backwards, and stops with ErrAdvanceLimit after
// Config.MaxAdvanceRuns runs, leaving the clock at the last job's instant. If ctx ends it
// stops between two runs in the same way.
func (e *Engine) AdvanceTo(ctx context.Context, t time.Time) error {
	e.advMu.Lock()
	defer e.advMu.Unlock()
	if now := e.clock.Now(); t.Before(now) {
		return fmt.Errorf("jobs: cannot move the clock back from %s to %s",
			now.Format(time.RFC3339Nano), t.UTC().Format(time.RFC3339Nano))
	}
	if err := e.clock.reachable(t); err != nil {
		return err
	}
	e.mu.Lock()
	if e.state != stateRunning {
		e.mu.Unlock()
		return ErrNotRunning
	}
	e.paused = true
	e.mu.Unlock()
	if e.node != nil {
		if err := e.takeAdvance(ctx, t); err != nil {
			e.unpause()
			return err
		}
		defer e.giveAdvance()
	}
	defer e.unpause()
	if err := e.waitFor(ctx, func() bool { return e.running == 0 }); err != nil {
		return err
	}
	if e.node != nil {
		if err := e.joinAdvance(ctx); err != nil {
			return err
		}
	}
	for runs := 0; ; runs++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		e.mu.Lock()
		if e.state != stateRunning {
			e.mu.Unlock()
			return ErrNotRunning
		}
		if len(e.ready) == 0 || e.ready[0].job.RunAt.After(t) {
			e.mu.Unlock()
			break
		}
		if runs >= e.cfg.MaxAdvanceRuns {
			next := e.ready[0].job
			e.mu.Unlock()
			return fmt.Errorf("%w: %d runs before reaching %s; next is %s job %s due %s", ErrAdvanceLimit,
				runs, t.UTC().Format(time.RFC3339), next.Kind, next.ID, next.RunAt.Format(time.RFC3339Nano))
		}
		ent := heap.Pop(&e.ready).(*entry)
		ent.running, ent.displaced = true, false
		e.running++
		at := ent.job.RunAt
		e.mu.Unlock()
		if err := e.clock.hold(at); err != nil {
			e.clock.release()
			e.mu.Lock()
			ent.running = false
			e.running--
			e.pushLocked(ent)
			e.mu.Unlock()
			return err
		}
		e.execute(ent)
		e.clock.release()
	}
	return e.clock.moveTo(t)
}

func (e *Engine) unpause() {
	e.mu.Lock()
	e.paused = false
	e.changedLocked()
	e.mu.Unlock()
}

// takeAdvance records that this node moves the clock, once no other live node does.
func (e *Engine) takeAdvance(ctx context.Context, t time.Time) error {
	c := e.node
	return e.pollUntil(ctx, func() (bool, error) {
		err := e.st.Update(func(tx store.Tx) error {
			var adv advanceRecord
			if found, err := store.GetJSON(tx, advanceKey, &adv); err != nil {
				return err
			} else if found && adv.Node != c.id && c.alive(adv.Node) {
				return errPaused
			}
			return store.PutJSON(tx, advanceKey, advanceRecord{Node: c.id, Target: t.UTC()})
		})
		if errors.Is(err, errPaused) {
			return false, nil
		}
		return err == nil, err
	})
}

// joinAdvance waits until no other live node runs a job (their claims see the advance
// record and stop), then reads every pending job and the clock.
func (e *Engine) joinAdvance(ctx context.Context) error {
	err := e.pollUntil(ctx, func() (bool, error) {
		s, err := e.readSnapshot(true)
		if err != nil {
			return false, err
		}
		for id := range s.leases {
			if e.foreign(s, id) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	if err := e.sync(); err != nil {
		return err
	}
	e.mu.Lock()
	e.takeAllLocked()
	e.mu.Unlock()
	return nil
}

func (e *Engine) giveAdvance() {
	id := e.node.id
	err := e.st.Update(func(tx store.Tx) error {
		var adv advanceRecord
		if found, err := store.GetJSON(tx, advanceKey, &adv); err != nil || !found || adv.Node != id {
			return err
		}
		return tx.Delete(advanceKey)
	})
	if err != nil {
		e.log.Warn("jobs: ending a clock move; the other nodes resume when this node's heartbeat lapses", "err", err)
	}
}

// pollUntil calls done every Poll until it reports true, fails, or ctx ends.
func (e *Engine) pollUntil(ctx context.Context, done func() (bool, error)) error {
	for {
		ok, err := done()
		if ok || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(e.node.poll):
		}
	}
}

// waitFor waits until cond, evaluated under e.mu, holds.
func (e *Engine) waitFor(ctx context.Context, cond func() bool) error {
	for {
		e.mu.Lock()
		if cond() {
			e.mu.Unlock()
			return nil
		}
		ch := e.changed
		e.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitIdle waits until no job is running and none that is due waits to run: the moment
// a test can look at the results of what it enqueued. Jobs due in the future do not
// count; with a frozen clock, AdvanceTo makes them due.
func (e *Engine) WaitIdle(ctx context.Context) error {
	return e.waitFor(ctx, func() bool {
		if e.running > 0 {
			return false
		}
		// Paused, draining, or stopped by another node's clock move: nothing will run.
		return e.paused || e.remotePaused || e.draining || len(e.ready) == 0 || e.ready[0].job.RunAt.After(e.clock.Now())
	})
}
