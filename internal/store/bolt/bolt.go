// Package bolt is the durable store: one bbolt file under --data-dir.
//
// Every key lives in one bucket; keys are composite strings, so prefix scans are cursor
// seeks. bbolt fsyncs every commit, which is what lets Update promise that an acknowledged
// write survives kill -9; concurrent Updates share one commit (commit.go). No bbolt type or
// error escapes this package.
package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/xregion/xregion/internal/store"
)

// ErrLocked is returned by Open when another process holds the file.
var ErrLocked = errors.New("data directory is in use by another xregion process")

// lockTimeout bounds how long Open waits for the file lock, so that a second xregion on
// the same data directory fails with a clear error instead of hanging.
const lockTimeout = 2 * time.Second

// mmapSize is reserved address space, not memory. bbolt must remap the file when it
// outgrows its mapping, and a remap waits for every open read transaction: a long View
// would stall all writers, and a View waiting on an Update would deadlock. A generous
// mapping makes remaps rare. Only 64-bit platforms have the address space to spare.
var mmapSize = func() int {
	if strconv.IntSize == 64 {
		return 1 << 30
	}
	return 0
}()

var bucket = []byte("kv")

// Store is a store.Store kept in a bbolt file.
type Store struct {
	db   *bbolt.DB
	path string

	// Group commit (commit.go): Updates waiting for a commit, and the token held by the
	// goroutine committing them.
	queueMu sync.Mutex
	queue   []*call
	leader  chan struct{} // capacity 1
	commits atomic.Uint64 // durable commits made, for tests

	reads readCache // values of recently read keys (cache.go)
}

var _ store.Store = (*Store)(nil)

// Open opens the store at path, creating the file (mode 0600) and its directory (mode
// 0700) if needed: secrets live here, so nobody else on the machine may read them. An
// existing file is made private if it is not, and checked before use (check.go): Open
// refuses an empty (ErrEmptyFile) or damaged (ErrDamaged) file with one sentence that
// says what to do.
func Open(path string) (*Store, error) {
	return open(path, lockTimeout)
}

func open(path string, timeout time.Duration) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: creating data directory: %w", err)
	}
	if err := makePrivate(path); err != nil {
		return nil, err
	}
	if err := checkFile(path); err != nil {
		return nil, err
	}
	var db *bbolt.DB
	err := guarded(path, func() error {
		var err error
		db, err = bbolt.Open(path, 0o600, &bbolt.Options{
			Timeout:         timeout,
			InitialMmapSize: mmapSize,
			// The hashmap freelist allocates pages without scanning the whole list, which
			// keeps commits cheap as the file accumulates free pages (etcd's choice too).
			FreelistType: bbolt.FreelistMapType,
		})
		return err
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("store: opening %s: %w (gave up after %s waiting for its lock)", path, ErrLocked, timeout)
	}
	switch {
	case errors.Is(err, ErrDamaged):
		return nil, err
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, damaged(path, err.Error())
	case err != nil:
		return nil, fmt.Errorf("store: opening %s: %v", path, err)
	}
	if err := checkPages(db, path); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, path: path, leader: make(chan struct{}, 1)}, nil
}

// makePrivate takes away the access of others to an existing store file: a file copied
// or restored with a loose mode would otherwise stay readable by every user.
func makePrivate(path string) error {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: %v", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, info.Mode().Perm()&0o700); err != nil {
			return fmt.Errorf("store: making %s private: %v", path, err)
		}
	}
	return nil
}

// begin maps bbolt's closed-database error to ours so callers need not know bbolt.
func (s *Store) begin(writable bool) (*bbolt.Tx, error) {
	btx, err := s.db.Begin(writable)
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return nil, store.ErrClosed
	}
	if err != nil {
		return nil, fmt.Errorf("store: begin: %v", err)
	}
	return btx, nil
}

// View implements store.Store.
func (s *Store) View(fn func(store.Tx) error) error {
	callbacks, err := s.view(fn)
	if err != nil {
		return err
	}
	runCallbacks(callbacks)
	return nil
}

func (s *Store) view(fn func(store.Tx) error) ([]func(), error) {
	state := s.reads.readerState() // before the snapshot is taken
	btx, err := s.begin(false)
	if err != nil {
		return nil, err
	}
	// Deferred so that a panicking fn still releases the read transaction, which would
	// otherwise block every later remap and Close.
	defer btx.Rollback()
	t := newTx(btx, &s.reads)
	t.state = state
	if err := t.run(fn); err != nil {
		return nil, err
	}
	return t.onCommit, nil
}

// Update implements store.Store.
func (s *Store) Update(fn func(store.Tx) error) error {
	callbacks, err := s.update(fn)
	if err != nil {
		return err
	}
	// Outside the write lock, so that a callback may start its own Update.
	runCallbacks(callbacks)
	return nil
}

// noSpace reports whether a commit failed for want of room: a full disk, a full quota,
// or the process's file size limit (which Go reports as EFBIG rather than a signal).
// bbolt formats some of its I/O errors with %s ("file resize error: ..."), which loses the
// errno, so its text is compared too.
func noSpace(err error) bool {
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EFBIG} {
		if errors.Is(err, errno) || strings.Contains(err.Error(), errno.Error()) {
			return true
		}
	}
	return false
}

func runCallbacks(callbacks []func()) {
	for _, fn := range callbacks {
		fn()
	}
}

// Stats implements store.Store. Counting keys walks the bucket's pages, not its keys, so
// it stays cheap enough for a health check.
func (s *Store) Stats() store.Stats {
	st := store.Stats{Kind: "bolt", Path: s.path}
	_ = s.db.View(func(btx *bbolt.Tx) error {
		if b := btx.Bucket(bucket); b != nil { // none in a new file until its first write
			st.Keys = b.Stats().KeyN
		}
		return nil
	})
	if fi, err := os.Stat(s.path); err == nil {
		st.Size = fi.Size()
	}
	return st
}

// Close implements store.Store. It waits for running transactions to finish.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: closing %s: %v", s.path, err)
	}
	return nil
}
