package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/xregion/xregion/internal/store"
)

// bg is the context of every statement: the store interface has none, and a statement
// waits for nothing but PostgreSQL.
var bg = context.Background()

const (
	beginUpdateSQL = "BEGIN ISOLATION LEVEL SERIALIZABLE"
	beginViewSQL   = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
	savepointSQL   = "SAVEPOINT xregion_writes"
	undoWritesSQL  = "ROLLBACK TO SAVEPOINT xregion_writes"
)

// Pending writes go to the server early once they hold this many keys or bytes, so that a
// transaction writing a great deal does not hold it all in memory.
const (
	maxPendingKeys  = 10_000
	maxPendingBytes = 16 << 20
)

// Scans read pages that grow from firstPage to maxPage rows: a lookup that stops at the
// first row reads little, and a long walk takes few round trips.
const (
	firstPage = 128
	maxPage   = 2048
)

// errWriteInScan keeps a Scan's page from going stale under its callback, as the other
// stores do for their cursors.
var errWriteInScan = errors.New("store: write from inside Scan")

type tx struct {
	s        *Store
	writable bool
	conn     *pgxpool.Conn // taken from the pool at the first statement
	// pre holds control statements (BEGIN, SAVEPOINT) that travel with the next round
	// trip instead of costing one of their own.
	pre       []string
	sent      bool // a round trip has happened: the transaction is open on the server
	savepoint bool // SAVEPOINT precedes the first write that reached the server
	// pending holds writes not yet sent, by key: the value, or nil for a delete (Put
	// stores nil values as empty ones, so nil is free to mean deleted).
	pending      map[string][]byte
	pendingBytes int
	committing   bool // COMMIT has been sent: a lost connection leaves its outcome unknown
	scanning     int  // nested Scans in progress
	done         bool
	err          error // the first failed statement; the transaction cannot go on after it
	onCommit     []func()
}

var _ store.Tx = (*tx)(nil)

func (s *Store) newTx(writable bool) *tx {
	begin := beginViewSQL
	if writable {
		begin = beginUpdateSQL
	}
	return &tx{s: s, writable: writable, pre: []string{begin}, pending: map[string][]byte{}}
}

// abort is what Get panics with when its statement fails: Get has no error to return,
// and a nil it did not mean would let fn act on a record that may well exist. run
// recovers it, and View or Update return the failure.
type abort struct{ t *tx }

// run calls fn and marks the transaction finished however fn returns, panics included.
func (t *tx) run(fn func(store.Tx) error) (err error) {
	defer func() {
		t.done = true
		if r := recover(); r != nil {
			if a, ok := r.(abort); ok && a.t == t {
				err = t.err
				return
			}
			panic(r)
		}
	}()
	return fn(t)
}

func (t *tx) live() {
	if t.done {
		panic("store: transaction used after it ended")
	}
}

// fail records the first failure; every later use of the transaction reports it.
func (t *tx) fail(err error) error {
	if t.err == nil {
		if t.s.closed.Load() {
			err = store.ErrClosed
		}
		t.err = err
	}
	return t.err
}

// release ends the transaction on the server if it is still open and returns the
// connection. A connection that cannot roll back is closed by the pool instead.
func (t *tx) release() {
	if t.conn == nil {
		return
	}
	if pg := t.conn.Conn().PgConn(); !pg.IsClosed() && !pg.IsBusy() && pg.TxStatus() != 'I' {
		_, _ = t.conn.Exec(bg, "ROLLBACK")
	}
	t.conn.Release()
}

// roundTrip sends the waiting control statements, then the pending writes if flush is
// set, then b's statements, in one round trip, and returns the results of b's. The caller
// must Close them.
func (t *tx) roundTrip(b *pgx.Batch, flush bool) (pgx.BatchResults, error) {
	if t.conn == nil {
		conn, err := t.s.pool.Acquire(bg)
		if err != nil {
			return nil, fmt.Errorf("store: PostgreSQL at %s: %w", t.s.where, err)
		}
		t.conn = conn
	}
	all := &pgx.Batch{}
	for _, sql := range t.pre {
		all.Queue(sql)
	}
	if flush {
		t.queueWrites(all)
	}
	lead := all.Len()
	all.QueuedQueries = append(all.QueuedQueries, b.QueuedQueries...)
	t.pre, t.sent = nil, true
	br := t.conn.SendBatch(bg, all)
	for range lead {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, err
		}
	}
	return br, nil
}

// queueWrites moves the pending writes into b, at most two statements. Keys go in order,
// so that concurrent transactions lock rows in one order and do not deadlock.
func (t *tx) queueWrites(b *pgx.Batch) {
	if len(t.pending) == 0 {
		return
	}
	keys := make([]string, 0, len(t.pending))
	for k := range t.pending {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var putKeys, putValues, delKeys [][]byte
	for _, k := range keys {
		if v := t.pending[k]; v != nil {
			putKeys, putValues = append(putKeys, []byte(k)), append(putValues, v)
		} else {
			delKeys = append(delKeys, []byte(k))
		}
	}
	if len(putKeys) > 0 {
		b.Queue(upsertSQL, putKeys, putValues)
	}
	if len(delKeys) > 0 {
		b.Queue(deleteKeysSQL, delKeys)
	}
	clear(t.pending)
	t.pendingBytes = 0
}

// beforeWrite is called before writes reach the server while fn still runs: if fn then
// fails, commitReadsOnly undoes them back to this savepoint.
func (t *tx) beforeWrite() {
	if !t.savepoint {
		t.pre = append(t.pre, savepointSQL)
		t.savepoint = true
	}
}

// exec runs one statement of its own, with whatever waits to go before it.
func (t *tx) exec(flush bool, sql string, args ...any) error {
	b := &pgx.Batch{}
	b.Queue(sql, args...)
	br, err := t.roundTrip(b, flush)
	if err != nil {
		return t.fail(err)
	}
	_, err = br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return t.fail(err)
	}
	return nil
}

// commit sends the pending writes and COMMIT together.
func (t *tx) commit() error {
	if !t.sent && len(t.pending) == 0 {
		return nil // nothing was read or written: there is no transaction to commit
	}
	t.committing = true
	if err := t.exec(true, "COMMIT"); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// commitReadsOnly commits what fn read without what it wrote.
func (t *tx) commitReadsOnly() error {
	if !t.sent {
		return nil // fn read nothing from the server
	}
	b := &pgx.Batch{}
	if t.savepoint {
		b.Queue(undoWritesSQL)
	}
	b.Queue("COMMIT")
	clear(t.pending)
	t.committing = true
	br, err := t.roundTrip(b, false)
	if err == nil {
		for range b.Len() {
			if _, err = br.Exec(); err != nil {
				break
			}
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("store: checking the reads of a failed transaction: %w", t.fail(err))
	}
	return nil
}

// retryable reports whether running the transaction's function again is safe and may
// succeed: PostgreSQL refused it for a conflict, or its connection was lost before COMMIT
// was sent, which leaves nothing of it committed.
func (t *tx) retryable(err error) bool {
	if isConflict(err) {
		return true
	}
	lost := t.conn != nil && t.conn.Conn().IsClosed()
	return lost && !t.committing && !t.s.closed.Load()
}

func (t *tx) writeCheck() error {
	t.live()
	if !t.writable {
		return store.ErrReadOnly
	}
	if t.scanning > 0 {
		return errWriteInScan
	}
	return t.err
}

func (t *tx) Get(key string) []byte {
	t.live()
	if v, ok := t.pending[key]; ok {
		return v
	}
	if t.err != nil {
		panic(abort{t})
	}
	if key == "" {
		return nil // Put refuses it, so it is never stored
	}
	v, err := t.get(key)
	if err != nil {
		t.fail(err)
		panic(abort{t})
	}
	return v
}

func (t *tx) get(key string) ([]byte, error) {
	b := &pgx.Batch{}
	b.Queue(getSQL, []byte(key))
	br, err := t.roundTrip(b, false)
	if err != nil {
		return nil, err
	}
	var v []byte
	err = br.QueryRow().Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		v, err = nil, nil
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return v, err
}

func (t *tx) Put(key string, value []byte) error {
	if err := t.writeCheck(); err != nil {
		return err
	}
	if key == "" || len(key) > store.MaxKeySize {
		return fmt.Errorf("%w: %d bytes", store.ErrInvalidKey, len(key))
	}
	if value == nil {
		value = []byte{}
	}
	t.pending[key] = value
	t.pendingBytes += len(key) + len(value)
	if len(t.pending) >= maxPendingKeys || t.pendingBytes >= maxPendingBytes {
		return t.sendPending()
	}
	return nil
}

// sendPending sends the pending writes ahead of the commit.
func (t *tx) sendPending() error {
	t.beforeWrite()
	br, err := t.roundTrip(&pgx.Batch{}, true)
	if err != nil {
		return t.fail(err)
	}
	if err := br.Close(); err != nil {
		return t.fail(err)
	}
	return nil
}

func (t *tx) Delete(key string) error {
	if err := t.writeCheck(); err != nil {
		return err
	}
	if key == "" || len(key) > store.MaxKeySize {
		return nil // such a key is never stored
	}
	t.pending[key] = nil
	t.pendingBytes += len(key)
	if len(t.pending) >= maxPendingKeys {
		return t.sendPending()
	}
	return nil
}

func (t *tx) DeletePrefix(prefix string) error {
	if err := t.writeCheck(); err != nil {
		return err
	}
	// Pending writes under the prefix are deleted with it before they reach the server.
	for k := range t.pending {
		if strings.HasPrefix(k, prefix) {
			delete(t.pending, k)
		}
	}
	t.beforeWrite()
	r := prefixRange(prefix, "")
	switch {
	case prefix == "":
		return t.exec(true, deleteAllSQL)
	case r.unbounded:
		return t.exec(true, deleteFromSQL, []byte(r.lo))
	default:
		return t.exec(true, deleteToSQL, []byte(r.lo), []byte(r.hi))
	}
}

// record is one row of a Scan page.
type record struct {
	key   string
	value []byte
}

func (t *tx) Scan(prefix, start string, fn func(key string, value []byte) bool) error {
	t.live()
	if t.err != nil {
		return t.err
	}
	if len(t.pending) > 0 {
		t.beforeWrite() // the page's query sends them: the server must see them
	}
	t.scanning++
	defer func() { t.scanning-- }()
	r := prefixRange(prefix, start)
	for limit := firstPage; ; limit = min(4*limit, maxPage) {
		page, err := t.page(r, limit)
		if err != nil {
			return t.fail(err)
		}
		// The page is read to the end before fn runs, so fn may use the transaction.
		for _, rec := range page {
			if !fn(rec.key, rec.value) {
				return nil
			}
		}
		if len(page) < limit {
			return nil
		}
		r.lo = after(page[len(page)-1].key)
	}
}

// page reads up to limit records of r, in key order.
func (t *tx) page(r keyRange, limit int) ([]record, error) {
	b := &pgx.Batch{}
	if r.unbounded {
		b.Queue(scanFromSQL, []byte(r.lo), limit)
	} else {
		b.Queue(scanToSQL, []byte(r.lo), []byte(r.hi), limit)
	}
	br, err := t.roundTrip(b, true)
	if err != nil {
		return nil, err
	}
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	var page []record
	for rows.Next() {
		var k, v []byte
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return nil, err
		}
		page = append(page, record{string(k), v})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return page, br.Close()
}

func (t *tx) Writable() bool {
	t.live()
	return t.writable
}

func (t *tx) OnCommit(fn func()) {
	t.live()
	t.onCommit = append(t.onCommit, fn)
}
