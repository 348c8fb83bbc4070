// Package memory is the in-memory store, for tests and --in-memory.
//
// The data is a persistent treap (see treap.go). A committed tree is never modified, so a
// View simply takes the current root and reads it without locks: Views never wait, never
// block a writer and can never observe a half-applied Update. An Update builds its changes
// off to the side and publishes the new root with one atomic store when it commits;
// rolling back is dropping the new root.
package memory

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/xregion/xregion/internal/store"
)

// Store is an in-memory store.Store.
type Store struct {
	root   atomic.Pointer[node] // the last committed tree; nil when empty
	closed atomic.Bool

	mu  sync.Mutex // serialises Updates and guards gen
	gen uint64     // generation of the last Update; nodes it made are private to it
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{} }

// View implements store.Store.
func (s *Store) View(fn func(store.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	t := &tx{root: s.root.Load()}
	err := t.run(fn)
	if err != nil {
		return err
	}
	runCallbacks(t.onCommit)
	return nil
}

// Update implements store.Store.
func (s *Store) Update(fn func(store.Tx) error) error {
	callbacks, err := s.update(fn)
	if err != nil {
		return err
	}
	// Outside the lock, so that a callback may start its own Update.
	runCallbacks(callbacks)
	return nil
}

func (s *Store) update(fn func(store.Tx) error) ([]func(), error) {
	s.mu.Lock()
	// A panic in fn unwinds through this Unlock without publishing anything, which is
	// the whole of rolling back.
	defer s.mu.Unlock()
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	s.gen++
	t := &tx{root: s.root.Load(), gen: s.gen, writable: true}
	if err := t.run(fn); err != nil {
		return nil, err
	}
	s.root.Store(t.root)
	return t.onCommit, nil
}

func runCallbacks(callbacks []func()) {
	for _, fn := range callbacks {
		fn()
	}
}

// nodeSize is what each key costs beyond its bytes, so that Stats.Size tracks memory use.
const nodeSize = int64(unsafe.Sizeof(node{}))

// Stats implements store.Store.
func (s *Store) Stats() store.Stats {
	root := s.root.Load()
	n := count(root)
	return store.Stats{
		Kind: "memory",
		Keys: n,
		Size: int64(payload(root)) + int64(n)*nodeSize,
	}
}

// Close implements store.Store. It waits for a running Update, then drops the data;
// Views already running keep their snapshot.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed.Store(true)
	s.root.Store(nil)
	return nil
}
