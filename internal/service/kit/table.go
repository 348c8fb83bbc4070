package kit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/xregion/xregion/internal/store"
)

// Table is a kind of JSON record, decoded into T. Declare one per kind of record:
//
//	var secrets = kit.Table[secretRecord]{Kind: "secret"}
type Table[T any] struct{ Kind string }

// Get returns the record stored under id, or nil when there is none. The record is the
// caller's own: it may change it and Put it back.
func (t Table[T]) Get(v View, id ...string) (*T, error) {
	raw := v.get(t.Kind, id)
	if raw == nil {
		return nil, nil
	}
	return t.decode(v, id, raw)
}

func (t Table[T]) decode(v View, id []string, raw []byte) (*T, error) {
	rec := new(T)
	if err := json.Unmarshal(raw, rec); err != nil {
		return nil, fmt.Errorf("kit: decoding %s: %w", store.Printable(v.scope.Key(t.Kind, id...)), err)
	}
	return rec, nil
}

// Has reports whether a record is stored under id, without decoding it.
func (t Table[T]) Has(v View, id ...string) bool { return v.get(t.Kind, id) != nil }

// Put stores rec under id.
func (t Table[T]) Put(v View, rec *T, id ...string) error {
	if a, ok := any(rec).(RecordAppender); ok {
		return v.put(t.Kind, a.AppendRecord(nil), id)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("kit: encoding %s: %w", store.Printable(v.scope.Key(t.Kind, id...)), err)
	}
	return v.put(t.Kind, b, id)
}

// RecordAppender is a record that writes its own JSON, for a table written on a hot path
// (CloudTrail stores one record per API call): Put appends it instead of calling
// encoding/json, whose reflection — and, for a json.Marshaler, whose validation of the
// output — would cost more than the write. What it appends must be valid JSON that
// encoding/json decodes back into an equal record; Get still decodes with encoding/json.
type RecordAppender interface {
	AppendRecord(b []byte) []byte
}

// Delete removes the record under id; a missing one is not an error.
func (t Table[T]) Delete(v View, id ...string) error { return v.delete(t.Kind, id) }

// DeleteAll removes every record below within.
func (t Table[T]) DeleteAll(v View, within ...string) error { return v.deleteAll(t.Kind, within) }

// Scan decodes each record below within, in key order, and calls fn with it until fn
// returns false.
func (t Table[T]) Scan(v View, fn func(rec *T) bool, within ...string) error {
	var decodeErr error
	err := v.scan(t.Kind, within, "", func(e Entry) bool {
		rec, err := t.decode(v, slices.Concat(within, e.ID()), e.value)
		if err != nil {
			decodeErr = err
			return false
		}
		return fn(rec)
	})
	if err != nil {
		return err
	}
	return decodeErr
}

// List returns every record below within, in key order.
func (t Table[T]) List(v View, within ...string) ([]*T, error) {
	var out []*T
	err := t.Scan(v, func(rec *T) bool {
		out = append(out, rec)
		return true
	}, within...)
	return out, err
}

// Keys calls fn for the key of each record below within, from position from, without
// decoding the records.
func (t Table[T]) Keys(v View, from string, fn func(Entry) bool, within ...string) error {
	return v.scan(t.Kind, within, from, fn)
}

// Cache reads the records of a table, decoding each stored version once: a hot read path
// (a secret's value, a key used for every Encrypt) skips the JSON decoding after the
// first read. An entry is used only while the stored bytes are exactly the bytes it was
// decoded from, so it can never be stale: not after a write, a rollback, a restart or a
// reset of the store.
//
// The records it returns are shared between readers and must not be changed: a caller
// that changes a record reads it with Table.Get.
type Cache[T any] struct {
	table   Table[T]
	max     int
	mu      sync.RWMutex
	entries map[string]cached[T]
}

type cached[T any] struct {
	raw []byte
	rec *T
}

// NewCache returns a cache of at most max records of t.
func NewCache[T any](t Table[T], max int) *Cache[T] {
	return &Cache[T]{table: t, max: max, entries: map[string]cached[T]{}}
}

// Get returns the record stored under id, or nil; see Cache for what the caller may do
// with it.
func (c *Cache[T]) Get(v View, id ...string) (*T, error) {
	key := v.scope.Key(c.table.Kind, id...)
	raw := v.raw.Get(key)
	if raw == nil {
		return nil, nil
	}
	c.mu.RLock()
	hit, ok := c.entries[key]
	c.mu.RUnlock()
	if ok && bytes.Equal(hit.raw, raw) {
		return hit.rec, nil
	}
	rec, err := c.table.decode(v, id, raw)
	if err != nil {
		return nil, err
	}
	c.put(key, bytes.Clone(raw), rec) // raw is only valid inside the transaction
	return rec, nil
}

func (c *Cache[T]) put(key string, raw []byte, rec *T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		// Drop an arbitrary entry: map order is random, so this is a random eviction,
		// good enough for a cache whose misses only cost a decode.
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	// Another reader may have decoded another version meanwhile; the byte comparison in
	// Get keeps whichever is stored from being served wrongly.
	c.entries[key] = cached[T]{raw: raw, rec: rec}
}

// Reset empties the cache, to free it after the store was wiped.
func (c *Cache[T]) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[string]cached[T]{}
}
