package backupstore

import (
	"os"
	"time"
)

// abandonedAfter is how old a base backup directory without info must be before Prune
// takes it for the leftover of a crash rather than a backup in progress.
const abandonedAfter = 24 * time.Hour

// Prune removes what no restore to an instant at or after before can use: base backups
// older than the newest one completed by then, and WAL older than the oldest base backup
// kept. It never removes the only way back to before, timeline history files, or WAL
// while a base backup is being written (its first segments are already stored). It
// returns the names of the objects removed.
func (s *Store) Prune(before time.Time) ([]string, error) {
	bases, err := s.Bases()
	if err != nil {
		return nil, err
	}
	keepFrom := 0
	for i, b := range bases {
		if !b.Completed.After(before) {
			keepFrom = i
		}
	}
	var removed []string
	for _, b := range bases[:keepFrom] {
		if err := s.DeleteBase(b.ID); err != nil {
			return removed, err
		}
		removed = append(removed, "base/"+b.ID)
	}
	inProgress, err := s.removeAbandoned(&removed)
	if err != nil || inProgress {
		return removed, err
	}
	horizon := ""
	if len(bases) > 0 {
		horizon = bases[keepFrom].StartSegment
	}
	if err := s.pruneWAL(horizon, before, &removed); err != nil {
		return removed, err
	}
	_, err = s.updateWindow(func(w *windowRecord) bool {
		changed := false
		if len(bases) > 0 && bases[keepFrom].Completed.After(w.PrunedBefore) {
			w.PrunedBefore, changed = bases[keepFrom].Completed, true
		}
		if horizon != "" && (w.PrunedSegment == "" || position(horizon) > position(w.PrunedSegment)) {
			w.PrunedSegment, changed = horizon, true
		}
		return changed
	})
	return removed, err
}

// removeAbandoned removes base backup directories a crash left without info, and reports
// whether a backup is in progress.
func (s *Store) removeAbandoned(removed *[]string) (bool, error) {
	ids, err := s.baseDirs()
	if err != nil {
		return false, err
	}
	inProgress := false
	for _, id := range ids {
		if s.exists(baseInfo(id)) {
			continue
		}
		info, err := os.Stat(s.path("base/" + id))
		if err != nil {
			continue
		}
		if time.Since(info.ModTime()) < abandonedAfter {
			inProgress = true
			continue
		}
		if err := os.RemoveAll(s.path("base/" + id)); err != nil {
			return false, err
		}
		*removed = append(*removed, "base/"+id)
	}
	return inProgress, nil
}

// pruneWAL removes WAL files before the horizon segment — all of them when no base backup
// is left — that were stored before the instant before.
func (s *Store) pruneWAL(horizon string, before time.Time, removed *[]string) error {
	files, err := s.WALFiles()
	if err != nil {
		return err
	}
	for _, f := range files {
		if IsHistory(f) || (horizon != "" && atOrAfter(f, horizon)) {
			continue
		}
		info, err := os.Stat(s.path(walName(f)))
		if err != nil || !info.ModTime().Before(before) {
			continue
		}
		if err := os.Remove(s.path(walName(f))); err != nil && !os.IsNotExist(err) {
			return err
		}
		*removed = append(*removed, walName(f))
	}
	return nil
}
