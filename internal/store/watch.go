package store

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// ErrNoSpace means a write failed because the disk (or a quota, or a file size limit)
// has no room for it. Nothing was written; the same write succeeds once there is room,
// so callers answer it as a temporary failure (ServiceUnavailable), not an internal one.
var ErrNoSpace = errors.New("store: no space left for writes")

// Watched is a Store that notices when writes fail for want of space: it logs the start
// and the end of such a spell once each, whatever the number of writes that fail in
// between, and reports it in Stats (Problem) for the health endpoint.
//
// A full disk does not refuse every write: a small one may still fit in the free pages
// of the file while the next large one fails. So one successful write does not end the
// spell; it ends with the first successful write made Quiet after the last failure.
type Watched struct {
	Store
	// Quiet is how long writes must go without failing for want of space before a
	// successful one ends the spell.
	Quiet time.Duration
	log   *slog.Logger

	mu          sync.Mutex
	since       time.Time // when the spell began; zero when there is none
	lastFailure time.Time
	cause       string
}

// DefaultQuiet is Watched.Quiet unless a caller sets it.
const DefaultQuiet = time.Minute

// Watch wraps st.
func Watch(st Store, logger *slog.Logger) *Watched {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Watched{Store: st, Quiet: DefaultQuiet, log: logger}
}

// Update implements Store.
func (w *Watched) Update(fn func(Tx) error) error {
	wrote := false
	err := w.Store.Update(func(tx Tx) error { return fn(watchedTx{Tx: tx, wrote: &wrote}) })
	switch {
	case errors.Is(err, ErrNoSpace):
		w.noSpace(err)
	case err == nil && wrote:
		w.recovered()
	}
	return err
}

func (w *Watched) noSpace(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lastFailure = time.Now()
	if !w.since.IsZero() {
		return
	}
	w.since, w.cause = w.lastFailure, err.Error()
	w.log.Error("the store cannot write: no space left; writes answer ServiceUnavailable (503) until there is room again",
		"path", w.Store.Stats().Path, "err", err)
}

func (w *Watched) recovered() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.since.IsZero() || time.Since(w.lastFailure) < w.Quiet {
		return
	}
	w.log.Info("the store writes again", "path", w.Store.Stats().Path, "failedFor", time.Since(w.since).Round(time.Second))
	w.since, w.cause = time.Time{}, ""
}

// Stats implements Store, with the current problem, if any.
func (w *Watched) Stats() Stats {
	st := w.Store.Stats()
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.since.IsZero() {
		st.Problem = fmt.Sprintf("writes fail for want of space since %s: %s", w.since.UTC().Format(time.RFC3339), w.cause)
	}
	return st
}

// watchedTx notes whether a transaction wrote anything: a write that commits proves the
// disk has room again, an Update that only read proves nothing.
type watchedTx struct {
	Tx
	wrote *bool
}

func (t watchedTx) Put(key string, value []byte) error {
	*t.wrote = true
	return t.Tx.Put(key, value)
}

func (t watchedTx) Delete(key string) error {
	*t.wrote = true
	return t.Tx.Delete(key)
}

func (t watchedTx) DeletePrefix(prefix string) error {
	*t.wrote = true
	return t.Tx.DeletePrefix(prefix)
}
