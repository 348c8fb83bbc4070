package bolt

import (
	"bytes"
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/xregion/xregion/internal/store"
)

// errWriteInScan keeps writes away from a live cursor: bbolt cursors do not survive
// changes to the bucket they walk.
var errWriteInScan = errors.New("store: write from inside Scan")

type tx struct {
	btx      *bbolt.Tx
	b        *bbolt.Bucket // opened on first use (bucket): a View the cache answers needs none
	cache    *readCache
	state    uint64 // the writers' state noted before a read-only btx began
	scanning int    // nested Scans in progress
	dirty    bool   // something was written, so Update must commit
	done     bool
	onCommit []func()
}

var _ store.Tx = (*tx)(nil)

// newTx wraps btx. A new file has no bucket until its first write (Open does not commit
// one: that would cost a fresh start three fsyncs before its first answer), so a read
// finds none and sees an empty store, and a write creates it (bucket).
func newTx(btx *bbolt.Tx, cache *readCache) *tx {
	return &tx{btx: btx, cache: cache}
}

// bucket returns the bucket every key lives in, opening it on first use: opening it
// walks the root page and allocates. In a new file a read-only transaction finds none and gets nil; a writable one creates it.
func (t *tx) bucket() *bbolt.Bucket {
	if t.b == nil {
		b := t.btx.Bucket(bucket)
		if b == nil {
			if !t.btx.Writable() {
				return nil
			}
			b, _ = t.btx.CreateBucket(bucket) // cannot fail: writable, named, and not there yet
		}
		b.FillPercent = fillPercent
		t.b = b
	}
	return t.b
}

// fillPercent is how full bbolt fills the pages it splits a grown node into. Most of
// what xregion writes arrives in key order: CloudTrail's events (one per API call, newest
// first), jobs and indexes by time. At bbolt's default of a half, pages of such runs are
// left half empty for good, and every commit writes twice the pages its data needs; at
// 0.9 the trail's writer spent about a fifth less CPU per event on disk
// (BenchmarkWrite/store=durable) and the file grows less. A page split at 0.9 still has
// room for a few small records written at random.
const fillPercent = 0.9

// run calls fn and marks the transaction finished however fn returns, panics included:
// after that bbolt would dereference freed state, so the tx must refuse to be used.
func (t *tx) run(fn func(store.Tx) error) error {
	defer func() { t.done = true }()
	return fn(t)
}

// runGuarded is run for a call of a group commit, which runs on the committing
// goroutine: a panic of fn is recovered and handed back to be re-raised in the caller's.
func (t *tx) runGuarded(fn func(store.Tx) error) (o outcome) {
	defer func() {
		if p := recover(); p != nil {
			o = outcome{panicked: p}
		}
	}()
	return outcome{err: t.run(fn)}
}

func (t *tx) live() {
	if t.done {
		panic("store: transaction used after it ended")
	}
}

func (t *tx) writeCheck() error {
	t.live()
	if !t.btx.Writable() {
		return store.ErrReadOnly
	}
	if t.scanning > 0 {
		return errWriteInScan
	}
	return nil
}

// Get answers a read-only transaction from the read cache when it can (cache.go); an
// Update reads bbolt, which holds its own writes.
func (t *tx) Get(key string) []byte {
	t.live()
	if t.btx.Writable() {
		return t.bucket().Get([]byte(key))
	}
	id := t.btx.ID()
	if v, ok := t.cache.get(key, id); ok {
		return v
	}
	b := t.bucket()
	if b == nil {
		return nil // a new file, not yet written
	}
	v := b.Get([]byte(key))
	if v == nil {
		return nil
	}
	return t.cache.add(key, v, id, t.state)
}

func (t *tx) Put(key string, value []byte) error {
	if err := t.writeCheck(); err != nil {
		return err
	}
	if key == "" || len(key) > store.MaxKeySize {
		return fmt.Errorf("%w: %d bytes", store.ErrInvalidKey, len(key))
	}
	if value == nil {
		// bbolt keeps a nil value as nil until commit, and Get must tell "stored empty"
		// from "missing" before the commit too.
		value = []byte{}
	}
	// bbolt keeps both slices until commit; []byte(key) is a private copy and value is
	// the store's by contract.
	t.cache.written(key)
	if err := t.bucket().Put([]byte(key), value); err != nil {
		return fmt.Errorf("store: put %q: %v", store.Printable(key), err)
	}
	t.dirty = true
	return nil
}

func (t *tx) Delete(key string) error {
	if err := t.writeCheck(); err != nil {
		return err
	}
	t.cache.written(key)
	if err := t.bucket().Delete([]byte(key)); err != nil {
		return fmt.Errorf("store: delete %q: %v", store.Printable(key), err)
	}
	t.dirty = true
	return nil
}

func (t *tx) DeletePrefix(prefix string) error {
	if err := t.writeCheck(); err != nil {
		return err
	}
	t.dirty = true
	t.cache.writtenPrefix(prefix)
	if prefix == "" {
		return t.dropAll()
	}
	// Keys are gathered in batches and then deleted by key. Deleting through the cursor
	// is unsafe (a cursor that deletes and moves on can skip a key), and re-seeking the
	// prefix after every delete is quadratic: leaves emptied in this transaction stay in
	// the tree until commit and each seek would walk past all of them again.
	p := []byte(prefix)
	for {
		var batch [][]byte
		c := t.bucket().Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p) && len(batch) < deleteBatch; k, _ = c.Next() {
			batch = append(batch, bytes.Clone(k))
		}
		for _, k := range batch {
			if err := t.bucket().Delete(k); err != nil {
				return fmt.Errorf("store: delete prefix %q: %v", store.Printable(prefix), err)
			}
		}
		if len(batch) < deleteBatch {
			return nil
		}
	}
}

// deleteBatch bounds the memory DeletePrefix holds in copied keys.
const deleteBatch = 4096

// dropAll empties the store by freeing the bucket's pages wholesale, which costs far less
// than deleting its keys one by one.
func (t *tx) dropAll() error {
	t.bucket() // a new file has none until now, and DeleteBucket wants one
	if err := t.btx.DeleteBucket(bucket); err != nil {
		return fmt.Errorf("store: dropping all keys: %v", err)
	}
	b, err := t.btx.CreateBucket(bucket)
	if err != nil {
		return fmt.Errorf("store: dropping all keys: %v", err)
	}
	b.FillPercent = fillPercent
	t.b = b
	return nil
}

func (t *tx) Scan(prefix, start string, fn func(key string, value []byte) bool) error {
	t.live()
	b := t.bucket()
	if b == nil {
		return nil // a new file, not yet written
	}
	p := []byte(prefix)
	t.scanning++
	defer func() { t.scanning-- }()
	c := b.Cursor()
	for k, v := c.Seek([]byte(max(prefix, start))); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if !fn(string(k), v) {
			break
		}
	}
	return nil
}

func (t *tx) Writable() bool {
	t.live()
	return t.btx.Writable()
}

func (t *tx) OnCommit(fn func()) {
	t.live()
	t.onCommit = append(t.onCommit, fn)
}
