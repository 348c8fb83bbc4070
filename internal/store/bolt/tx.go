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
	b        *bbolt.Bucket
	scanning int  // nested Scans in progress
	dirty    bool // something was written, so Update must commit
	done     bool
	onCommit []func()
}

var _ store.Tx = (*tx)(nil)

// newTx wraps btx. A new file has no bucket until its first write (Open does not commit
// one: that would cost a fresh start three fsyncs before its first answer), so a read
// finds none and sees an empty store, and a write creates it.
func newTx(btx *bbolt.Tx) *tx {
	b := btx.Bucket(bucket)
	if b == nil && btx.Writable() {
		b, _ = btx.CreateBucket(bucket) // cannot fail: writable, named, and not there yet
	}
	return &tx{btx: btx, b: b}
}

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

func (t *tx) Get(key string) []byte {
	t.live()
	if t.b == nil {
		return nil // a new file, not yet written (newTx)
	}
	return t.b.Get([]byte(key))
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
	if err := t.b.Put([]byte(key), value); err != nil {
		return fmt.Errorf("store: put %q: %v", store.Printable(key), err)
	}
	t.dirty = true
	return nil
}

func (t *tx) Delete(key string) error {
	if err := t.writeCheck(); err != nil {
		return err
	}
	if err := t.b.Delete([]byte(key)); err != nil {
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
		c := t.b.Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p) && len(batch) < deleteBatch; k, _ = c.Next() {
			batch = append(batch, bytes.Clone(k))
		}
		for _, k := range batch {
			if err := t.b.Delete(k); err != nil {
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
	if err := t.btx.DeleteBucket(bucket); err != nil {
		return fmt.Errorf("store: dropping all keys: %v", err)
	}
	b, err := t.btx.CreateBucket(bucket)
	if err != nil {
		return fmt.Errorf("store: dropping all keys: %v", err)
	}
	t.b = b
	return nil
}

func (t *tx) Scan(prefix, start string, fn func(key string, value []byte) bool) error {
	t.live()
	if t.b == nil {
		return nil // a new file, not yet written (newTx)
	}
	p := []byte(prefix)
	t.scanning++
	defer func() { t.scanning-- }()
	c := t.b.Cursor()
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
