package kit

import (
	"strings"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// View is one service's records of one account and Region. Every key it builds is
// (account, Region, service, kind, id...), so nothing it writes can land in another
// service's, account's or Region's records. Tables, indexes and blobs read and write
// through it.
type View struct {
	raw   store.Tx
	scope store.Scope
}

// Account is the account of the view's records.
func (v View) Account() string { return v.scope.Account }

// Region is the Region of the view's records.
func (v View) Region() string { return v.scope.Region }

// Entry is one key a scan found. Pos is the key below the scanned prefix: a page that
// starts at Pos resumes at this entry.
type Entry struct {
	Pos   string
	value []byte
}

// ID returns the id parts of the entry below the scanned prefix.
func (e Entry) ID() []string { return strings.Split(e.Pos, store.Sep) }

// Last returns the last id part of the entry: the name an index entry points at.
func (e Entry) Last() string { return e.Pos[strings.LastIndex(e.Pos, store.Sep)+1:] }

// scan calls fn for every key of kind below within, from the position from (inclusive;
// "" is the start), in key order, until fn returns false.
func (v View) scan(kind string, within []string, from string, fn func(Entry) bool) error {
	prefix := v.scope.Prefix(kind, within...)
	start := ""
	if from != "" {
		start = prefix + from
	}
	return v.raw.Scan(prefix, start, func(key string, value []byte) bool {
		return fn(Entry{Pos: key[len(prefix):], value: value})
	})
}

func (v View) get(kind string, id []string) []byte { return v.raw.Get(v.scope.Key(kind, id...)) }

func (v View) put(kind string, value []byte, id []string) error {
	return v.raw.Put(v.scope.Key(kind, id...), value)
}

func (v View) delete(kind string, id []string) error { return v.raw.Delete(v.scope.Key(kind, id...)) }

func (v View) deleteAll(kind string, within []string) error {
	return v.raw.DeletePrefix(v.scope.Prefix(kind, within...))
}

// Index is a kind of record that holds no value: its key is the information, and its
// order is what a scan walks (secrets by creation date, a key's aliases).
type Index struct{ Kind string }

// Add records id.
func (i Index) Add(v View, id ...string) error { return v.put(i.Kind, nil, id) }

// Remove deletes id; a missing one is not an error.
func (i Index) Remove(v View, id ...string) error { return v.delete(i.Kind, id) }

// RemoveAll deletes every entry below within.
func (i Index) RemoveAll(v View, within ...string) error { return v.deleteAll(i.Kind, within) }

// TimeKey and TimeKeyDesc are index key parts in time order and in its reverse, past
// 2262 too (store.TimeKey): for indexes by date, such as secrets by creation.
func TimeKey(t time.Time) string     { return store.TimeKey(t) }
func TimeKeyDesc(t time.Time) string { return store.TimeKeyDesc(t) }

// Has reports whether id is recorded.
func (i Index) Has(v View, id ...string) bool { return v.get(i.Kind, id) != nil }

// Keys calls fn for each entry below within, from position from, in key order, until fn
// returns false. fn must not write to the transaction.
func (i Index) Keys(v View, from string, fn func(Entry) bool, within ...string) error {
	return v.scan(i.Kind, within, from, fn)
}

// Blobs is a kind of record whose value is bytes the service encodes itself: sealed key
// material, ciphertexts.
type Blobs struct{ Kind string }

// Get returns the bytes stored under id, or nil. They are only valid until the
// transaction ends and must not be modified.
func (b Blobs) Get(v View, id ...string) []byte { return v.get(b.Kind, id) }

// Put stores value under id; the store owns it afterwards.
func (b Blobs) Put(v View, value []byte, id ...string) error { return v.put(b.Kind, value, id) }

// Delete removes id; a missing one is not an error.
func (b Blobs) Delete(v View, id ...string) error { return v.delete(b.Kind, id) }

// DeleteAll removes every record below within.
func (b Blobs) DeleteAll(v View, within ...string) error { return v.deleteAll(b.Kind, within) }

// Scan calls fn with each record below within, from position from, in key order, until
// fn returns false. The bytes are only valid during the call and must not be changed;
// fn must not write to the transaction.
func (b Blobs) Scan(v View, from string, fn func(e Entry, value []byte) bool, within ...string) error {
	return v.scan(b.Kind, within, from, func(e Entry) bool { return fn(e, e.value) })
}
