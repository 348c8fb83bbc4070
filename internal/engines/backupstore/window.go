package backupstore

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"
)

const windowName = "window"

// windowRecord is the one mutable object of a store. Its fields only move forward.
type windowRecord struct {
	Mark
	// PrunedBefore and PrunedSegment are the prune horizon: what Prune removed (bases
	// completed before PrunedBefore, segments before PrunedSegment) a Copy into this
	// store does not bring back.
	PrunedBefore  time.Time `json:"prunedBefore,omitzero"`
	PrunedSegment string    `json:"prunedSegment,omitempty"`
}

// Window is the span a restore from the store can reach, in wall time: from the oldest
// base backup's completion to the latest instant whose commits are all stored. Both are
// zero when the store holds no base backup, or none completed before that instant.
type Window struct {
	Earliest time.Time
	Latest   time.Time
}

// Contains reports whether t lies in the window.
func (w Window) Contains(t time.Time) bool {
	return !w.Earliest.IsZero() && !t.Before(w.Earliest) && !t.After(w.Latest)
}

// windowLocks serialises the read-modify-write of each store's window in this process;
// a store directory belongs to one xregion process (the supervisor's lock sees to that).
var windowLocks sync.Map // cleaned directory -> *sync.Mutex

func (s *Store) windowLock() *sync.Mutex {
	dir, err := filepath.Abs(s.dir)
	if err != nil {
		dir = filepath.Clean(s.dir)
	}
	m, _ := windowLocks.LoadOrStore(dir, new(sync.Mutex))
	return m.(*sync.Mutex)
}

func (s *Store) readWindow() (windowRecord, error) {
	var w windowRecord
	err := s.readJSON(windowName, &w)
	if errors.Is(err, os.ErrNotExist) {
		return windowRecord{}, nil
	}
	return w, err
}

// updateWindow applies change to the window record under the store's lock, and returns
// the size of the record written (0 if change changed nothing).
func (s *Store) updateWindow(change func(*windowRecord) bool) (int64, error) {
	mu := s.windowLock()
	mu.Lock()
	defer mu.Unlock()
	w, err := s.readWindow()
	if err != nil {
		return 0, err
	}
	if !change(&w) {
		return 0, nil
	}
	if err := s.writeJSON(windowName, w); err != nil {
		return 0, err
	}
	return s.size(windowName), nil
}

// Mark is what a flush of the server's WAL established (see postgres.Server.Flush).
type Mark struct {
	// Latest: every commit made before this wall instant is stored.
	Latest time.Time `json:"latest"`
	// Segment is the WAL segment the flush closed: every commit before Latest lies in
	// it or before it.
	Segment string `json:"segment,omitempty"`
	// LastCommit is the timestamp of the server's last commit when the flush closed
	// Segment, zero when the server could not tell (just after it started).
	LastCommit time.Time `json:"lastCommit,omitzero"`
}

// MarkArchived records a flush. A mark older than the one recorded changes nothing: the
// window's latest time never moves back.
func (s *Store) MarkArchived(m Mark) error {
	_, err := s.markArchived(m)
	return err
}

func (s *Store) markArchived(m Mark) (int64, error) {
	return s.updateWindow(func(w *windowRecord) bool {
		if !m.Latest.After(w.Latest) {
			return false
		}
		w.Mark = m
		w.Latest = m.Latest.UTC()
		return true
	})
}

// AllCommittedBy reports whether every commit in the store's WAL is known to have been
// made at or before t: the last mark's LastCommit is, and no segment was stored after
// the mark's. A recovery to t then ends where the WAL ends — and PostgreSQL, finding no
// commit after t to stop at, would refuse the target (see postgres.Restore).
func (s *Store) AllCommittedBy(t time.Time) (bool, error) {
	w, err := s.readWindow()
	if err != nil || w.LastCommit.IsZero() || w.LastCommit.After(t) || !IsSegment(w.Segment) {
		return false, err
	}
	files, err := s.WALFiles()
	if err != nil {
		return false, err
	}
	for _, f := range files {
		// A segment after the mark's on its timeline, or on a later one, may hold
		// commits after LastCommit.
		if IsSegment(f) && f > w.Segment {
			return false, nil
		}
	}
	return true, nil
}

// Window returns the store's restore window.
func (s *Store) Window() (Window, error) {
	bases, err := s.Bases()
	if err != nil || len(bases) == 0 {
		return Window{}, err
	}
	rec, err := s.readWindow()
	if err != nil {
		return Window{}, err
	}
	// The window closes at the last mark, never at a backup's completion: commits made
	// during a backup may still sit in a segment that was not archived when it ended.
	if rec.Latest.Before(bases[0].Completed) {
		return Window{}, nil
	}
	return Window{Earliest: bases[0].Completed, Latest: rec.Latest}, nil
}
