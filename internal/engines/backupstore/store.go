// Package backupstore keeps PostgreSQL backups — base backups and the archived WAL
// stream — in a directory where every file is compressed and then sealed with a key the
// caller provides (the RDS side supplies one derived from the instance's, snapshot's or
// vault's KMS key). Without the key nothing in the directory is readable: not the rows,
// not the catalogue. Only file names (WAL segment names and backup ids) are visible.
//
// Layout:
//
//	base/<id>/data   the base backup, a tar stream as pg_basebackup wrote it
//	base/<id>/info   what the backup is: timeline, WAL range, times, sizes (JSON)
//	wal/<name>       archived WAL segments, timeline history and backup history files
//	window           the restore window's latest time and the prune horizon (JSON)
//
// Every object is written to a temporary file, synced and renamed into place, so a
// reader — a restore, a copy to another Region — sees whole objects or none. A base
// backup becomes visible when its info is written, after its data and after every WAL
// segment it needs.
//
// Objects are immutable once written, except window, which only moves forward; so a
// copy to another store is incremental by name (Copy).
package backupstore

import (
	"compress/flate"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/xregion/xregion/internal/engines/atomicfile"
	"github.com/xregion/xregion/internal/engines/sealstream"
)

// Sealer encrypts and authenticates with one key; see sealstream.Sealer.
type Sealer = sealstream.Sealer

// Store is one backup store directory and its key. It is safe for concurrent use, and
// several Stores (even in several processes) may share a directory: every write is an
// atomic rename.
type Store struct {
	dir    string
	sealer Sealer
}

// Open returns the store in dir, creating it (mode 0700) when missing.
func Open(dir string, s Sealer) (*Store, error) {
	if s == nil {
		return nil, errors.New("backupstore: a sealer is required")
	}
	for _, d := range []string{dir, filepath.Join(dir, "base"), filepath.Join(dir, "wal")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("backupstore: %w", err)
		}
	}
	return &Store{dir: dir, sealer: s}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

func (s *Store) path(name string) string { return filepath.Join(s.dir, filepath.FromSlash(name)) }

// writeAtomic writes the object called name through fn, sealing (and, if compress,
// first compressing) what fn writes. It returns the sealed size.
func (s *Store) writeAtomic(name string, compress bool, fn func(io.Writer) error) (int64, error) {
	return s.createAtomic(name, func(f io.Writer) (int64, error) { return s.sealInto(f, name, compress, fn) })
}

// createAtomic writes the file of the object called name through fn, which returns the
// bytes it wrote. The object appears under its name only once whole and synced.
func (s *Store) createAtomic(name string, fn func(io.Writer) (int64, error)) (int64, error) {
	n, err := atomicfile.Write(s.path(name), fn)
	if err != nil {
		return 0, fmt.Errorf("backupstore: %w", err)
	}
	return n, nil
}

func (s *Store) sealInto(f io.Writer, name string, compress bool, fn func(io.Writer) error) (int64, error) {
	sw := sealstream.NewWriter(f, s.sealer, name)
	var w io.Writer = sw
	var zw *flate.Writer
	if compress {
		// BestSpeed: WAL segments closed early by a switch are mostly zeros and data
		// pages compress well even at the fastest level; backups are on the clock.
		zw, _ = flate.NewWriter(sw, flate.BestSpeed)
		w = zw
	}
	if err := fn(w); err != nil {
		return 0, err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return 0, err
		}
	}
	if err := sw.Close(); err != nil {
		return 0, err
	}
	return sw.Size(), nil
}

// open returns the plaintext of the object called name.
func (s *Store) open(name string, compressed bool) (io.ReadCloser, error) {
	f, err := os.Open(s.path(name))
	if err != nil {
		return nil, fmt.Errorf("backupstore: %w", err)
	}
	var r io.Reader = sealstream.NewReader(f, s.sealer, name)
	if !compressed {
		return readCloser{r, f}, nil
	}
	zr := flate.NewReader(r)
	return readCloser{zr, closers{zr, f}}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type closers []io.Closer

func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// writeJSON stores v as the sealed object called name.
func (s *Store) writeJSON(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.writeAtomic(name, false, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
	return err
}

// readJSON reads the sealed object called name into v.
func (s *Store) readJSON(name string, v any) error {
	r, err := s.open(name, false)
	if err != nil {
		return err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("backupstore: %s: %w", name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("backupstore: %s: %w", name, err)
	}
	return nil
}

// exists reports whether the object called name is in the store.
func (s *Store) exists(name string) bool {
	_, err := os.Stat(s.path(name))
	return err == nil
}

// size is the sealed size of the object called name.
func (s *Store) size(name string) int64 {
	info, err := os.Stat(s.path(name))
	if err != nil {
		return 0
	}
	return info.Size()
}

// list returns the names of the entries of the store's directory sub that keep accepts,
// in name order.
func (s *Store) list(sub string, keep func(os.DirEntry) bool) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, sub))
	if err != nil {
		return nil, fmt.Errorf("backupstore: %w", err)
	}
	var out []string
	for _, e := range entries {
		if keep(e) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Usage is how much a store holds.
type Usage struct {
	Objects     int   // files, temporary ones excluded
	StoredBytes int64 // their sizes on disk: sealed, compressed bytes
}

// Usage walks the store and adds up its objects.
func (s *Store) Usage() (Usage, error) {
	var u Usage
	err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || atomicfile.IsTemp(d.Name()) {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		u.Objects++
		u.StoredBytes += info.Size()
		return nil
	})
	return u, err
}

// newID returns a random suffix for names that must not collide.
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
