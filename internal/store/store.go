// Package store is xregion's storage: a small transactional, ordered key-value interface with
// an embedded durable implementation (package bolt), an in-memory one (package memory) and a
// shared one that several xregion nodes use at once (package postgres). All three are held
// to the same conformance suite (package storetest).
//
// Keys are strings ordered bytewise. Services build them with Scope so that every record is
// filed under its account and Region and nothing leaks between them.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Store runs transactions. Updates are serialisable: each behaves as if it ran alone; View
// runs concurrently with other readers and sees a consistent snapshot. When Update returns
// nil the write is durable: it survives a crash of the process (kill -9) as well as a
// clean shutdown. (The memory store, used for tests and --in-memory, is durable only for
// the life of the process.)
type Store interface {
	// View runs fn in a read-only transaction. fn must not call Update: on disk, a
	// commit that outgrows the file's memory map waits for every open View, so that can
	// deadlock.
	View(fn func(Tx) error) error
	// Update runs fn in a read-write transaction. If fn returns an error or panics, nothing
	// it wrote is kept; otherwise the writes are committed atomically. fn must not start
	// another transaction: an Update inside an Update deadlocks. Use OnCommit for work
	// that has to follow the commit.
	//
	// fn may run more than once. A store shared by several processes (postgres) cannot
	// lock out every other writer, so when a concurrent transaction conflicts with this
	// one, or the connection is lost before the commit, it discards the attempt and runs
	// fn again in a new transaction; an error fn returned is likewise only final once the
	// reads it rested on are known to be serialisable. So fn must keep its effects in the
	// transaction: assign results to variables it then overwrites, never append to or
	// count into state outside it, and leave side effects to OnCommit callbacks, which run
	// once, for the attempt that committed. Update returns after the last attempt.
	Update(fn func(Tx) error) error
	// Stats describes the store for the admin health endpoint.
	Stats() Stats
	// Close releases the store. Transactions started after Close fail with ErrClosed;
	// closing twice is harmless.
	Close() error
}

// Tx is one transaction. It is not safe for concurrent use and must not be kept after the
// function given to View or Update returns: using it afterwards panics, because a stale
// transaction silently reading or writing nothing would hide the bug.
type Tx interface {
	// Get returns the value stored under key, or nil if there is none. The slice is only
	// valid until the transaction ends and must not be modified. A store that can fail to
	// read (postgres, over a network) never answers nil for a failed read: Get then
	// unwinds fn with a panic that View or Update recover and report as their error (or,
	// for Update, retry), so fn never acts on a record it wrongly believes missing.
	Get(key string) []byte
	// Put stores value under key. The store owns value afterwards: the caller must not
	// modify it. A nil value is stored as an empty one (Get returns a non-nil empty
	// slice). Put fails with ErrReadOnly in a View transaction and with ErrInvalidKey
	// for an empty key or one longer than MaxKeySize.
	Put(key string, value []byte) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(key string) error
	// DeletePrefix removes every key that starts with prefix ("" removes everything).
	DeletePrefix(prefix string) error
	// Scan calls fn for each key that starts with prefix, in ascending order, beginning
	// with the first key >= start (start "" means from the beginning of the prefix). It
	// stops early when fn returns false. The value slice follows the rules of Get.
	// Writing to the transaction from inside fn is not allowed: such writes fail.
	Scan(prefix, start string, fn func(key string, value []byte) bool) error
	// Writable reports whether this is an Update transaction.
	Writable() bool
	// OnCommit registers fn to run after the transaction has committed durably. Callbacks
	// run in registration order, outside the transaction and its locks (so they may start
	// new transactions); they never run if the transaction rolls back, nor for an attempt
	// of Update that is discarded and run again (see Update). A View has nothing
	// to commit, so its callbacks run when its function returns nil. If a callback
	// panics, the panic propagates from View or Update and later callbacks do not run;
	// the transaction stays committed.
	OnCommit(fn func())
}

// Stats is what the admin API reports about the store.
type Stats struct {
	Kind string `json:"kind"`           // "bolt", "memory" or "postgres"
	Path string `json:"path,omitempty"` // file path, or the database (without credentials)
	Keys int    `json:"keys"`
	Size int64  `json:"sizeBytes"` // bytes on disk, or bytes held in memory
	// Problem says why the store cannot do its work right now (a full disk); empty when
	// all is well.
	Problem string `json:"problem,omitempty"`
}

// ErrReadOnly is returned by writes in a View transaction.
var ErrReadOnly = errors.New("store: write in a read-only transaction")

// ErrClosed is returned by View and Update once the store is closed, so that background
// work racing a shutdown can tell it apart from a real failure.
var ErrClosed = errors.New("store: closed")

// ErrInvalidKey is returned by Put for an empty key or one longer than MaxKeySize.
var ErrInvalidKey = errors.New("store: invalid key")

// MaxKeySize is the longest key any implementation accepts. It is bbolt's limit, enforced
// by every implementation so that code tested against the memory store works on disk.
const MaxKeySize = 32768

// Sep separates the parts of a key. NUL cannot appear in any AWS name or identifier, so
// keys never collide however names are spelled.
const Sep = "\x00"

// Key joins parts into one key.
func Key(parts ...string) string { return strings.Join(parts, Sep) }

// Prefix returns the key prefix under which Key(parts..., x) falls for every x.
func Prefix(parts ...string) string { return strings.Join(parts, Sep) + Sep }

// Global is the Region part of a Scope for services that have no Region, such as IAM.
const Global = "global"

// Scope files a service's records under an account and a Region.
type Scope struct {
	Account string
	Region  string // a Region name, or Global
	Service string
}

// Key names one record of the given kind, e.g. scope.Key("secret", name).
func (s Scope) Key(kind string, id ...string) string { return s.join(kind, id, false) }

// Prefix is the prefix of every record of the given kind in the scope.
func (s Scope) Prefix(kind string, id ...string) string { return s.join(kind, id, true) }

// join builds a key in one allocation: every request builds several.
func (s Scope) join(kind string, id []string, trailing bool) string {
	n := len(s.Account) + len(s.Region) + len(s.Service) + len(kind) + 3*len(Sep)
	for _, p := range id {
		n += len(Sep) + len(p)
	}
	if trailing {
		n += len(Sep)
	}
	var b strings.Builder
	b.Grow(n)
	for i, p := range [...]string{s.Account, s.Region, s.Service, kind} {
		if i > 0 {
			b.WriteString(Sep)
		}
		b.WriteString(p)
	}
	for _, p := range id {
		b.WriteString(Sep)
		b.WriteString(p)
	}
	if trailing {
		b.WriteString(Sep)
	}
	return b.String()
}

// GetJSON decodes the JSON value stored under key into v. It reports whether the key
// exists.
func GetJSON(tx Tx, key string, v any) (bool, error) {
	b := tx.Get(key)
	if b == nil {
		return false, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("store: decoding %q: %w", Printable(key), err)
	}
	return true, nil
}

// PutJSON stores v, encoded as JSON, under key.
func PutJSON(tx Tx, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encoding %q: %w", Printable(key), err)
	}
	return tx.Put(key, b)
}

// ScanJSON decodes every value under prefix into a new T and calls fn with it, in key
// order, until fn returns false.
func ScanJSON[T any](tx Tx, prefix string, fn func(key string, v *T) bool) error {
	var decodeErr error
	err := tx.Scan(prefix, "", func(key string, value []byte) bool {
		v := new(T)
		if err := json.Unmarshal(value, v); err != nil {
			decodeErr = fmt.Errorf("store: decoding %q: %w", Printable(key), err)
			return false
		}
		return fn(key, v)
	})
	if err != nil {
		return err
	}
	return decodeErr
}

// Printable shows a key with its separators as "/", for error messages and logs.
func Printable(key string) string { return strings.ReplaceAll(key, Sep, "/") }
