package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// dispatcher sleeps until the earliest RunAt. Everything else that makes a job due
// (a commit, a completion, a clock move) dispatches directly and pokes it to re-arm.
func (e *Engine) dispatcher() {
	defer e.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		e.mu.Lock()
		e.dispatchLocked()
		wait := time.Duration(-1)
		// A frozen clock never reaches a future RunAt by itself, so there is nothing to
		// wait for; with every worker busy, a completion will dispatch.
		if e.state == stateRunning && !e.paused && !e.remotePaused && !e.draining && len(e.ready) > 0 && e.running < e.cfg.Workers && !e.clock.Frozen() {
			wait = max(e.ready[0].job.RunAt.Sub(e.clock.Now()), 0)
		}
		e.mu.Unlock()
		if wait >= 0 {
			timer.Reset(wait)
		} else {
			timer.Stop()
		}
		select {
		case <-e.quit:
			timer.Stop()
			return
		case <-e.wake:
		case <-timer.C:
		}
	}
}

func (e *Engine) worker() {
	defer e.wg.Done()
	for ent := range e.work {
		e.execute(ent)
	}
}

type resultKind int

const (
	resultDone      resultKind = iota // Run committed
	resultRetry                       // failed; RunAt moved
	resultGaveUp                      // failed for good; GiveUp ran
	resultGone                        // cancelled or wiped before it could run
	resultNotHead                     // an earlier job with its key exists
	resultLeased                      // another node runs it
	resultPaused                      // another node is moving the clock
	resultUnclaimed                   // the claim failed in the store; try again soon
)

var (
	errGone    = errors.New("job gone")
	errNotHead = errors.New("job not first for its key")
)

// execute runs ent (marked running by the caller) and applies the result to the mirror.
func (e *Engine) execute(ent *entry) {
	kind, j, err := e.run(ent)
	e.finish(ent, kind, j, err)
}

func (e *Engine) finish(ent *entry, kind resultKind, j Job, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ent.running = false
	e.running--
	e.seq++
	ent.touched = e.seq
	if e.jobs[ent.job.ID] != ent {
		// Cancelled or Reset while it ran; whoever removed it has recorded it.
		e.changedLocked()
		return
	}
	switch kind {
	case resultDone:
		e.removeLocked(ent)
		e.recordLocked(j, Succeeded, "")
	case resultGaveUp:
		e.removeLocked(ent)
		e.recordLocked(j, Failed, err.Error())
	case resultGone, resultLeased:
		e.removeLocked(ent)
	case resultPaused:
		e.remotePaused = true // until a poll finds the clock move over
		e.pushLocked(ent)
	case resultUnclaimed:
		ent.job.RunAt = e.clock.Now().Add(e.cfg.BackoffBase)
		e.pushLocked(ent)
	case resultRetry:
		e.observeLocked(Finished{Job: j, Outcome: Retried, Error: j.LastError, FinishedAt: e.clock.Now()})
		ent.job = j
		if e.isHeadLocked(ent) {
			e.pushLocked(ent)
		}
	case resultNotHead:
		switch {
		case !e.isHeadLocked(ent):
			// Its predecessor is known; finishing it will promote this entry.
		case ent.displaced:
			e.pushLocked(ent) // the predecessor came and went while this one ran
		default:
			ent.blocked = true // until insertLocked announces the predecessor
		}
		ent.displaced = false
	}
	e.changedLocked()
}

// run makes one attempt and, on failure, records the retry or gives up. A shared node
// claims the job first (see cluster.go).
func (e *Engine) run(ent *entry) (resultKind, Job, error) {
	if e.node != nil {
		if kind, claimed := e.claimFor(ent); !claimed {
			return kind, ent.job, nil
		}
		defer e.dropLease(ent.job.ID)
	}
	id := ent.job.ID
	var stored Job
	var runErr error
	err := e.st.Update(func(tx store.Tx) error {
		var err error
		stored, err = e.take(tx, ent)
		if err != nil {
			return err
		}
		j := stored
		runErr = callRun(e.runCtx, ent.h, tx, &j)
		return runErr
	})
	switch {
	case err == nil:
		e.log.Debug("jobs: job done", jobAttrs(&stored)...)
		return resultDone, stored, nil
	case errors.Is(err, errGone):
		e.releaseIfShared(id)
		return resultGone, ent.job, nil
	case errors.Is(err, errNotHead):
		e.releaseIfShared(id)
		return resultNotHead, ent.job, nil
	case errors.Is(err, errLost):
		return resultLeased, ent.job, nil
	}
	if stored.ID == "" {
		stored = ent.job
	}
	return e.failed(ent, stored, err, runErr)
}

// claimFor claims ent's job for this shared node, or says why it cannot.
func (e *Engine) claimFor(ent *entry) (resultKind, bool) {
	switch err := e.claim(ent.job.ID, ent.job.Kind); {
	case err == nil:
		return 0, true
	case errors.Is(err, errGone):
		return resultGone, false
	case errors.Is(err, errLeased):
		return resultLeased, false
	case errors.Is(err, errPaused):
		return resultPaused, false
	default:
		e.log.Warn("jobs: claiming a job", append(jobAttrs(&ent.job), "err", err)...)
		return resultUnclaimed, false
	}
}

// take reads the job in a run's transaction and deletes it there, after checking that it
// still exists, that it is first for its key and, on a shared node, that its lease is
// still this node's.
func (e *Engine) take(tx store.Tx, ent *entry) (Job, error) {
	id, key := ent.job.ID, ent.job.Key
	raw := tx.Get(jobKey(id))
	if raw == nil {
		return Job{}, errGone
	}
	var stored Job
	if err := json.Unmarshal(raw, &stored); err != nil {
		// The mirror's copy will overwrite the record on retry.
		return ent.job, fmt.Errorf("jobs: decoding job %s: %w", id, err)
	}
	if e.node != nil {
		if err := e.holdsLease(tx, id); err != nil {
			return stored, err
		}
	}
	if key != "" {
		head, err := e.firstForKey(tx, key, id)
		if err != nil {
			return stored, err
		}
		if !head {
			return stored, errNotHead
		}
		if err := tx.Delete(indexKey(key, id)); err != nil {
			return stored, err
		}
	}
	return stored, tx.Delete(jobKey(id))
}

func (e *Engine) releaseIfShared(id string) {
	if e.node != nil {
		e.release(id)
	}
}

// failed records a failed attempt for a retry, or gives up. A shared node gives its lease
// back with the retry: the next attempt may run on any node.
func (e *Engine) failed(ent *entry, stored Job, err, runErr error) (resultKind, Job, error) {
	id := stored.ID
	failed := stored
	failed.Attempt++
	failed.LastError = err.Error()
	if pe := (*panicError)(nil); errors.As(runErr, &pe) {
		e.log.Error("jobs: handler panicked", append(jobAttrs(&failed), "panic", pe.value, "stack", pe.trace)...)
	}
	if IsPermanent(err) || failed.Attempt >= ent.h.MaxAttempts {
		return e.giveUp(ent, failed, err)
	}
	failed.RunAt = e.clock.Now().Add(e.backoff(failed.Attempt))
	e.log.Warn("jobs: job failed; will retry", append(jobAttrs(&failed), "err", err, "retryAt", failed.RunAt)...)
	err = e.st.Update(func(tx store.Tx) error {
		if tx.Get(jobKey(id)) == nil {
			return errGone
		}
		if e.node != nil {
			if err := e.holdsLease(tx, id); err != nil {
				return err
			}
		}
		return store.PutJSON(tx, jobKey(id), &failed)
	})
	switch {
	case errors.Is(err, errGone):
		return resultGone, failed, nil
	case errors.Is(err, errLost):
		return resultLeased, failed, nil
	case err != nil:
		// The record keeps its old RunAt, so a restart retries sooner; nothing is lost.
		e.log.Error("jobs: recording a retry", append(jobAttrs(&failed), "err", err)...)
	}
	return resultRetry, failed, nil
}

// firstForKey reports whether no stored job with key precedes id. Index entries whose job
// record is missing (left by a partial wipe, say) are dropped rather than obeyed: they
// would hold the key forever.
func (e *Engine) firstForKey(tx store.Tx, key, id string) (bool, error) {
	prefix := store.Prefix("_xregion", "jobkeys", key)
	var stale []string
	head := true
	err := tx.Scan(prefix, "", func(k string, _ []byte) bool {
		other := k[len(prefix):]
		if other >= id {
			return false
		}
		if tx.Get(jobKey(other)) == nil {
			stale = append(stale, k)
			return true
		}
		head = false
		return false
	})
	if err != nil {
		return false, err
	}
	for _, k := range stale {
		e.log.Warn("jobs: dropping a key index entry without its job", "key", store.Printable(k))
		if err := tx.Delete(k); err != nil {
			return false, err
		}
	}
	return head, nil
}

func (e *Engine) giveUp(ent *entry, failed Job, cause error) (resultKind, Job, error) {
	id, key := failed.ID, failed.Key
	del := func(tx store.Tx) error {
		if e.node != nil {
			if err := tx.Delete(leaseKey(id)); err != nil {
				return err
			}
		}
		if key != "" {
			if err := tx.Delete(indexKey(key, id)); err != nil {
				return err
			}
		}
		return tx.Delete(jobKey(id))
	}
	e.log.Error("jobs: giving up on job", append(jobAttrs(&failed), "err", cause)...)
	err := e.st.Update(func(tx store.Tx) error {
		if tx.Get(jobKey(id)) == nil {
			return errGone
		}
		if err := del(tx); err != nil {
			return err
		}
		if ent.h.GiveUp == nil {
			return nil
		}
		j := failed
		return callGiveUp(e.runCtx, ent.h, tx, &j, cause)
	})
	if errors.Is(err, errGone) {
		return resultGone, failed, nil
	}
	if err != nil {
		e.log.Error("jobs: GiveUp failed; deleting the job anyway", append(jobAttrs(&failed), "err", err)...)
		if err := e.st.Update(del); err != nil {
			e.log.Error("jobs: deleting a failed job", append(jobAttrs(&failed), "err", err)...)
		}
	}
	return resultGaveUp, failed, cause
}

func callRun(ctx context.Context, h Handler, tx store.Tx, j *Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, trace: string(debug.Stack())}
		}
	}()
	return h.Run(ctx, tx, j)
}

func callGiveUp(ctx context.Context, h Handler, tx store.Tx, j *Job, cause error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, trace: string(debug.Stack())}
		}
	}()
	return h.GiveUp(ctx, tx, j, cause)
}

func (e *Engine) backoff(attempt int) time.Duration {
	d := e.cfg.BackoffBase
	for i := 1; i < attempt; i++ {
		if d >= e.cfg.BackoffMax/2 {
			return e.cfg.BackoffMax // also where doubling would overflow
		}
		d *= 2
	}
	return min(d, e.cfg.BackoffMax)
}

func jobAttrs(j *Job) []any {
	return []any{"job", j.ID, "kind", j.Kind, "key", j.Key, "account", j.Account, "region", j.Region, "attempt", j.Attempt}
}
