package memory

import (
	"errors"
	"fmt"
	"strings"

	"github.com/xregion/xregion/internal/store"
)

// errWriteInScan guards the in-place updates of writer-owned nodes (and bbolt's cursors, in
// the other implementation): a write would reshape the tree under the running iteration.
var errWriteInScan = errors.New("store: write from inside Scan")

// tx is a transaction over one tree. A View's root is a committed snapshot; an Update's
// root is its private working tree, which is why Get and Scan see its own writes.
type tx struct {
	root     *node
	gen      uint64
	writable bool
	scanning int // nested Scans in progress
	done     bool
	onCommit []func()
}

var _ store.Tx = (*tx)(nil)

// run calls fn and marks the transaction finished however fn returns, panics included.
func (t *tx) run(fn func(store.Tx) error) error {
	defer func() { t.done = true }()
	return fn(t)
}

func (t *tx) live() {
	if t.done {
		panic("store: transaction used after it ended")
	}
}

func (t *tx) writeCheck() error {
	t.live()
	if !t.writable {
		return store.ErrReadOnly
	}
	if t.scanning > 0 {
		return errWriteInScan
	}
	return nil
}

func (t *tx) Get(key string) []byte {
	t.live()
	if n := get(t.root, key); n != nil {
		return n.val
	}
	return nil
}

func (t *tx) Put(key string, value []byte) error {
	if err := t.writeCheck(); err != nil {
		return err
	}
	if key == "" || len(key) > store.MaxKeySize {
		return fmt.Errorf("%w: %d bytes", store.ErrInvalidKey, len(key))
	}
	if value == nil {
		// Get must tell "stored empty" from "missing".
		value = []byte{}
	}
	t.root = insert(t.root, key, value, t.gen)
	return nil
}

func (t *tx) Delete(key string) error {
	if err := t.writeCheck(); err != nil {
		return err
	}
	t.root, _ = remove(t.root, key, t.gen)
	return nil
}

func (t *tx) DeletePrefix(prefix string) error {
	if err := t.writeCheck(); err != nil {
		return err
	}
	t.root = removePrefix(t.root, prefix, t.gen)
	return nil
}

func (t *tx) Scan(prefix, start string, fn func(key string, value []byte) bool) error {
	t.live()
	from := max(prefix, start)
	t.scanning++
	defer func() { t.scanning-- }()
	ascend(t.root, from, func(n *node) bool {
		return strings.HasPrefix(n.key, prefix) && fn(n.key, n.val)
	})
	return nil
}

func (t *tx) Writable() bool {
	t.live()
	return t.writable
}

func (t *tx) OnCommit(fn func()) {
	t.live()
	t.onCommit = append(t.onCommit, fn)
}
