package backupstore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/xregion/xregion/internal/lazyregexp"
)

// Base describes one base backup. Times are wall-clock (the servers' time), not
// xregion's movable clock; see package clockmap for the mapping.
type Base struct {
	ID           string    `json:"id"`
	Major        int       `json:"major"`        // the PostgreSQL major version that wrote it
	Version      string    `json:"version"`      // e.g. "15.18"
	Timeline     string    `json:"timeline"`     // 8 hex digits, as in WAL file names
	StartSegment string    `json:"startSegment"` // the first WAL segment a restore needs
	StopSegment  string    `json:"stopSegment"`  // the segment holding the backup's end
	Started      time.Time `json:"started"`
	// Completed is when the backup and the WAL up to its end were stored: the earliest
	// instant a restore from this backup can reach.
	Completed   time.Time `json:"completed"`
	Bytes       int64     `json:"bytes"`       // the tar stream: the database's size on disk
	StoredBytes int64     `json:"storedBytes"` // compressed and sealed, as stored
}

// ErrNoBase means the store has no base backup that fits the request.
var ErrNoBase = errors.New("backupstore: no base backup")

var baseIDRE = lazyregexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z-]{0,127}$`)

func baseData(id string) string { return "base/" + id + "/data" }
func baseInfo(id string) string { return "base/" + id + "/info" }

// NewBaseID names a base backup started at t; names sort by start time.
func NewBaseID(t time.Time) string {
	return t.UTC().Format("20060102T150405Z") + "-" + newID(4)
}

// PutBase stores a base backup: write streams the backup's tar into the writer it is
// given and returns the backup's description (its sizes are filled in here). The backup
// becomes visible — to Bases, restores and copies — only when both its data and its info
// are stored; until then its directory marks it as in progress (see Prune).
func (s *Store) PutBase(id string, write func(io.Writer) (Base, error)) (Base, error) {
	if !baseIDRE.MatchString(id) {
		return Base{}, fmt.Errorf("backupstore: %q is not a base backup id", id)
	}
	if s.exists(baseInfo(id)) {
		return Base{}, fmt.Errorf("backupstore: base backup %s already exists", id)
	}
	if err := os.MkdirAll(s.path("base/"+id), 0o700); err != nil {
		return Base{}, fmt.Errorf("backupstore: %w", err)
	}
	var b Base
	var n int64
	stored, err := s.writeAtomic(baseData(id), true, func(w io.Writer) error {
		cw := &countingWriter{w: w}
		var err error
		b, err = write(cw)
		n = cw.n
		return err
	})
	if err != nil {
		os.RemoveAll(s.path("base/" + id))
		return Base{}, err
	}
	b.ID, b.Bytes, b.StoredBytes = id, n, stored
	if err := s.writeJSON(baseInfo(id), b); err != nil {
		os.RemoveAll(s.path("base/" + id))
		return Base{}, err
	}
	return b, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Bases lists the complete base backups, oldest completion first.
func (s *Store) Bases() ([]Base, error) {
	ids, err := s.baseDirs()
	if err != nil {
		return nil, err
	}
	var out []Base
	for _, id := range ids {
		if !s.exists(baseInfo(id)) {
			continue // in progress, or abandoned by a crash
		}
		var b Base
		if err := s.readJSON(baseInfo(id), &b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Completed.Before(out[j].Completed) })
	return out, nil
}

// baseDirs lists the directories under base/, complete or not.
func (s *Store) baseDirs() ([]string, error) {
	return s.list("base", func(e os.DirEntry) bool { return e.IsDir() && baseIDRE.MatchString(e.Name()) })
}

// HasBase reports whether the store holds a complete base backup, without opening any.
func (s *Store) HasBase() bool {
	ids, err := s.baseDirs()
	if err != nil {
		return false
	}
	for _, id := range ids {
		if s.exists(baseInfo(id)) {
			return true
		}
	}
	return false
}

// Base returns the base backup called id.
func (s *Store) Base(id string) (Base, error) {
	if !baseIDRE.MatchString(id) || !s.exists(baseInfo(id)) {
		return Base{}, fmt.Errorf("%w %q", ErrNoBase, id)
	}
	var b Base
	err := s.readJSON(baseInfo(id), &b)
	return b, err
}

// BaseAt returns the newest base backup completed at or before t: the one a restore to t
// starts from.
func (s *Store) BaseAt(t time.Time) (Base, error) {
	bases, err := s.Bases()
	if err != nil {
		return Base{}, err
	}
	for i := len(bases) - 1; i >= 0; i-- {
		if !bases[i].Completed.After(t) {
			return bases[i], nil
		}
	}
	return Base{}, fmt.Errorf("%w completed at or before %s", ErrNoBase, t.UTC().Format(time.RFC3339Nano))
}

// OpenBase returns the tar stream of base backup id.
func (s *Store) OpenBase(id string) (io.ReadCloser, error) {
	if _, err := s.Base(id); err != nil {
		return nil, err
	}
	return s.open(baseData(id), true)
}

// DeleteBase removes base backup id: first its info, so that it stops being visible
// before its data goes.
func (s *Store) DeleteBase(id string) error {
	if !baseIDRE.MatchString(id) {
		return fmt.Errorf("backupstore: %q is not a base backup id", id)
	}
	if err := os.Remove(s.path(baseInfo(id))); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("backupstore: %w", err)
	}
	if err := os.RemoveAll(s.path("base/" + id)); err != nil {
		return fmt.Errorf("backupstore: %w", err)
	}
	return nil
}
