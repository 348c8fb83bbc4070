package jobs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// newID returns a fixed-width hex timestamp of real time, nudged past the last one issued,
// so IDs sort in issue order. Enqueue issues IDs under the store's writer lock, so issue
// order is commit order; Start nudges past the IDs it finds so a restart keeps the order
// even if the host clock stepped back. A shared node adds its tag, so that two nodes that
// issue an ID in the same nanosecond do not issue the same one.
func (e *Engine) newID() string {
	id := e.newStamp()
	if e.node != nil {
		id += "-" + e.node.tag
	}
	return id
}

func (e *Engine) newStamp() string {
	for {
		last := e.lastID.Load()
		next := uint64(time.Now().UnixNano())
		if next <= last {
			next = last + 1
		}
		if e.lastID.CompareAndSwap(last, next) {
			return fmt.Sprintf("%016x", next)
		}
	}
}

func (e *Engine) seenID(id string) {
	n, err := strconv.ParseUint(id[:min(len(id), 16)], 16, 64)
	if err != nil {
		return
	}
	for {
		last := e.lastID.Load()
		if n <= last || e.lastID.CompareAndSwap(last, n) {
			return
		}
	}
}

// Enqueue adds j to tx. The job exists when tx commits, and the engine schedules it then;
// if tx rolls back there is no job. It returns the new job's ID. Attempt, LastError and
// CreatedAt are set by the engine; a zero RunAt means now.
func (e *Engine) Enqueue(tx store.Tx, j Job) (string, error) {
	if !tx.Writable() {
		return "", fmt.Errorf("jobs: Enqueue %s: %w", j.Kind, store.ErrReadOnly)
	}
	if strings.Contains(j.Key, store.Sep) {
		return "", fmt.Errorf("jobs: Enqueue %s: key %q contains the store separator", j.Kind, store.Printable(j.Key))
	}
	e.mu.Lock()
	_, known := e.handlers[j.Kind]
	gen := e.gen
	e.mu.Unlock()
	if !known {
		return "", fmt.Errorf("jobs: Enqueue: no handler registered for kind %q", j.Kind)
	}
	now := e.clock.Now()
	if e.node != nil && j.Key != "" {
		// On a shared store the writer lock is not one process's: order this job after
		// the jobs of its key other nodes enqueued, whose IDs this node may not have seen.
		if err := e.seeKey(tx, j.Key); err != nil {
			return "", err
		}
	}
	j.ID = e.newID()
	j.Attempt, j.LastError, j.CreatedAt = 0, "", now
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	j.RunAt = j.RunAt.UTC()
	if err := store.PutJSON(tx, jobKey(j.ID), &j); err != nil {
		return "", err
	}
	if j.Key != "" {
		if err := tx.Put(indexKey(j.Key, j.ID), []byte{'1'}); err != nil {
			return "", err
		}
	}
	tx.OnCommit(func() {
		e.log.Debug("jobs: job queued", append(jobAttrs(&j), "runAt", j.RunAt)...)
		e.committed(j, gen)
	})
	return j.ID, nil
}

func (e *Engine) committed(j Job, gen uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if gen != e.gen || e.jobs[j.ID] != nil {
		return
	}
	e.insertLocked(j)
	e.changedLocked()
}

// Cancel deletes the pending job id in tx. It returns ErrNotFound if there is no such
// job, including one whose run has already committed. A run in progress when Cancel
// commits finds its job gone and has no effect.
func (e *Engine) Cancel(tx store.Tx, id string) error {
	if !tx.Writable() {
		return fmt.Errorf("jobs: Cancel %s: %w", id, store.ErrReadOnly)
	}
	raw := tx.Get(jobKey(id))
	if raw == nil {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	var j Job
	if err := json.Unmarshal(raw, &j); err != nil {
		return fmt.Errorf("jobs: Cancel %s: %w", id, err)
	}
	if err := tx.Delete(jobKey(id)); err != nil {
		return err
	}
	if j.Key != "" {
		if err := tx.Delete(indexKey(j.Key, id)); err != nil {
			return err
		}
	}
	if e.node != nil {
		if err := tx.Delete(leaseKey(id)); err != nil {
			return err
		}
	}
	e.mu.Lock()
	gen := e.gen
	e.mu.Unlock()
	tx.OnCommit(func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if gen != e.gen {
			return
		}
		if ent := e.jobs[id]; ent != nil {
			e.removeLocked(ent)
		}
		e.recordLocked(j, Cancelled, "")
		e.changedLocked()
	})
	return nil
}

// seeKey nudges the IDs this node issues past those of the jobs waiting on key.
func (e *Engine) seeKey(tx store.Tx, key string) error {
	prefix := store.Prefix("_xregion", "jobkeys", key)
	return tx.Scan(prefix, "", func(k string, _ []byte) bool {
		e.seenID(k[len(prefix):])
		return true
	})
}
