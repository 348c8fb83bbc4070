package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// Decoded keeps the decoded form of JSON records for read-only transactions, so that a hot
// read path does not parse the same record on every request. An entry is used only while
// the stored bytes are exactly the bytes it was decoded from, so it can never be stale:
// not after a write, a rollback, a restart of the service or a reset of the store.
//
// Values returned from a read-only transaction are shared: callers must not modify them.
// In a writable transaction Get always decodes a fresh value, which the caller may change.
type Decoded[T any] struct {
	mu      sync.RWMutex
	entries map[string]decodedEntry[T]
	max     int
}

type decodedEntry[T any] struct {
	raw []byte
	val *T
}

// NewDecoded returns a cache of at most max entries.
func NewDecoded[T any](max int) *Decoded[T] {
	return &Decoded[T]{entries: map[string]decodedEntry[T]{}, max: max}
}

// Get returns the record under key, decoded. It reports whether the key exists.
func (d *Decoded[T]) Get(tx Tx, key string) (*T, bool, error) {
	raw := tx.Get(key)
	if raw == nil {
		return nil, false, nil
	}
	if !tx.Writable() {
		d.mu.RLock()
		e, ok := d.entries[key]
		d.mu.RUnlock()
		if ok && bytes.Equal(e.raw, raw) {
			return e.val, true, nil
		}
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, true, fmt.Errorf("store: decoding %q: %w", Printable(key), err)
	}
	if !tx.Writable() {
		d.put(key, bytes.Clone(raw), v) // raw is only valid inside the transaction
	}
	return v, true, nil
}

func (d *Decoded[T]) put(key string, raw []byte, v *T) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.entries) >= d.max {
		// Drop an arbitrary entry: Go's map iteration order is random, which makes this
		// a random eviction, good enough for a cache whose misses only cost a decode.
		for k := range d.entries {
			delete(d.entries, k)
			break
		}
	}
	// Another reader may have decoded a different version of the record meanwhile; the
	// byte comparison in Get keeps whichever is stored from being served wrongly.
	d.entries[key] = decodedEntry[T]{raw: raw, val: v}
}

// Reset empties the cache.
func (d *Decoded[T]) Reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.entries = map[string]decodedEntry[T]{}
}
