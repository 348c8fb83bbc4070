package dynamodb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/kit"
)

// tableCtx is a table opened for work on its items in one transaction: its record, its
// keys and its counters, which flush writes back once.
type tableCtx struct {
	s     *Service
	tx    kit.Tx
	v     kit.View
	rec   *tableRecord
	keys  *tableKeys
	meta  tableMeta
	dirty bool
	now   time.Time
}

// tableMeta are a table's counters, kept apart from its record so that a write does not
// rewrite the record: the last write's stamp (stamps only grow, so that history and
// last-writer-wins never see two writes of one instant), the item count and the bytes.
type tableMeta struct {
	Last  int64
	Count int64
	Bytes int64
}

func decodeMeta(b []byte) tableMeta {
	if len(b) != 24 {
		return tableMeta{}
	}
	return tableMeta{
		Last:  int64(binary.BigEndian.Uint64(b[0:8])),
		Count: int64(binary.BigEndian.Uint64(b[8:16])),
		Bytes: int64(binary.BigEndian.Uint64(b[16:24])),
	}
}

func (m tableMeta) encode() []byte {
	b := make([]byte, 0, 24)
	b = binary.BigEndian.AppendUint64(b, uint64(m.Last))
	b = binary.BigEndian.AppendUint64(b, uint64(m.Count))
	return binary.BigEndian.AppendUint64(b, uint64(m.Bytes))
}

// usable reports whether items of a table in status can be read and written.
func usable(status string) bool {
	return status == ddb.TableStatusActive || status == ddb.TableStatusUpdating
}

// openTable opens the table name of v for item work; a table that does not exist or is
// not ACTIVE (or UPDATING) is ResourceNotFoundException, as in DynamoDB.
func (s *Service) openTable(tx kit.Tx, v kit.View, name string) (*tableCtx, error) {
	rec, err := s.tableCache.Get(v, name)
	if err != nil {
		return nil, err
	}
	if rec == nil || !usable(rec.Status) {
		return nil, msgNotFound.New()
	}
	return s.openRecord(tx, v, rec)
}

// openRecord opens a table whose record the caller holds, in any status.
func (s *Service) openRecord(tx kit.Tx, v kit.View, rec *tableRecord) (*tableCtx, error) {
	keys, err := s.keysOf(tx, v.Account(), v.Region(), rec)
	if err != nil {
		return nil, err
	}
	return &tableCtx{s: s, tx: tx, v: v, rec: rec, keys: keys, meta: decodeMeta(meta.Get(v, rec.ID)), now: s.Clock.Now()}, nil
}

// flush stores the counters if writes changed them.
func (tc *tableCtx) flush() error {
	if !tc.dirty {
		return nil
	}
	tc.dirty = false
	return meta.Put(tc.v, tc.meta.encode(), tc.rec.ID)
}

// positions returns where an item with this key is stored.
func (tc *tableCtx) positions(key attr.Item) (string, string) {
	pp := tc.keys.position(key[tc.rec.Hash.Name])
	sp := noSortKey
	if tc.rec.Range != nil {
		sp = tc.keys.position(key[tc.rec.Range.Name])
	}
	return pp, sp
}

func posOf(pp, sp string) string { return pp + "\x00" + sp }

// get returns the item with this key, or nil.
func (tc *tableCtx) get(key attr.Item) (attr.Item, error) {
	pp, sp := tc.positions(key)
	_, item, _, err := tc.getAt(pp, sp)
	return item, err
}

// getAt returns the item stored at a position and its envelope; found is false when
// there is none.
func (tc *tableCtx) getAt(pp, sp string) (envelope, attr.Item, bool, error) {
	blob := items.Get(tc.v, tc.rec.ID, pp, sp)
	if blob == nil {
		return envelope{}, nil, false, nil
	}
	e, item, err := tc.keys.open(posOf(pp, sp), blob)
	if err != nil {
		return envelope{}, nil, false, fmt.Errorf("dynamodb: item of %s at %s/%s: %w", tc.rec.Name, pp, sp, err)
	}
	return e, item, true, nil
}

// nextStamp is the stamp of a write made now: the clock's time, or one nanosecond past
// the table's last write when the clock has not moved since.
func (tc *tableCtx) nextStamp() int64 {
	st := tc.now.UnixNano()
	if st <= tc.meta.Last {
		st = tc.meta.Last + 1
	}
	tc.meta.Last, tc.dirty = st, true
	return st
}

// apply writes a change made here now to the item with key: new is the item after it
// (nil for a deletion), old the item before (nil when there was none).
func (tc *tableCtx) apply(key, old, new attr.Item) error {
	st := tc.nextStamp()
	e := envelope{Deleted: new == nil, Stamp: st, Origin: tc.v.Region()}
	pp, sp := tc.positions(key)
	stored := new
	if stored == nil {
		stored = key // a deletion keeps the key, for replicas and history
	}
	return tc.store(pp, sp, e, tc.keys.seal(posOf(pp, sp), e, stored), st, old, new)
}

// store puts a sealed item (or deletion) at its position with everything that follows
// from it: the index entries, the counters, the history while point-in-time recovery is
// on (under the local stamp st), the tombstone of a global table's deletion, and the
// replication of a write made in this Region.
func (tc *tableCtx) store(pp, sp string, e envelope, blob []byte, st int64, old, new attr.Item) error {
	if err := tc.storeItem(pp, sp, e, blob); err != nil {
		return err
	}
	if err := tc.reindex(pp, sp, old, new); err != nil {
		return err
	}
	tc.count(old, new)
	if tc.rec.PITR != nil && tc.rec.PITR.Enabled {
		if err := history.Put(tc.v, blob, tc.rec.ID, pp, sp, stampKey(st)); err != nil {
			return err
		}
	}
	if e.Origin == tc.v.Region() {
		return tc.s.ship(tc, pp, sp)
	}
	return nil
}

func (tc *tableCtx) storeItem(pp, sp string, e envelope, blob []byte) error {
	if !e.Deleted {
		if tc.rec.global() {
			if err := tombstones.Delete(tc.v, tc.rec.ID, pp, sp); err != nil {
				return err
			}
		}
		return items.Put(tc.v, blob, tc.rec.ID, pp, sp)
	}
	if err := items.Delete(tc.v, tc.rec.ID, pp, sp); err != nil {
		return err
	}
	if tc.rec.global() {
		return tombstones.Put(tc.v, blob, tc.rec.ID, pp, sp)
	}
	return nil
}

func (tc *tableCtx) count(old, new attr.Item) {
	if old != nil {
		tc.meta.Count--
		tc.meta.Bytes -= int64(attr.ItemSize(old))
	}
	if new != nil {
		tc.meta.Count++
		tc.meta.Bytes += int64(attr.ItemSize(new))
	}
	tc.dirty = true
}

// stampKey is a stamp as a key part that sorts in time order.
func stampKey(st int64) string { return fmt.Sprintf("%016x", uint64(st)) }

// indexPosition returns the position of an item in an index's partition, or false when
// the item lacks the index's keys (indexes are sparse).
func (tc *tableCtx) indexPosition(idx *indexRecord, item attr.Item) (string, bool) {
	if item == nil {
		return "", false
	}
	hv, ok := item[idx.Hash.Name]
	if !ok || attr.TypeOf(hv) != idx.Hash.Type {
		return "", false
	}
	if idx.Range != nil {
		if rv, ok := item[idx.Range.Name]; !ok || attr.TypeOf(rv) != idx.Range.Type {
			return "", false
		}
	}
	return tc.keys.position(hv), true
}

// reindex moves an item's index entries from old to new.
func (tc *tableCtx) reindex(pp, sp string, old, new attr.Item) error {
	for _, idx := range tc.rec.indexes() {
		if ip, ok := tc.indexPosition(&idx, old); ok {
			if err := indexEntries.Remove(tc.v, tc.rec.ID, idx.Name, ip, pp, sp); err != nil {
				return err
			}
		}
		if ip, ok := tc.indexPosition(&idx, new); ok {
			if err := indexEntries.Add(tc.v, tc.rec.ID, idx.Name, ip, pp, sp); err != nil {
				return err
			}
		}
	}
	return nil
}

// scanAll calls fn for every item of the table, in store order.
func (tc *tableCtx) scanAll(fn func(pp, sp string, e envelope, item attr.Item) error) error {
	var failed error
	err := items.Scan(tc.v, "", func(en kit.Entry, blob []byte) bool {
		id := en.ID()
		e, item, err := tc.keys.open(en.Pos, blob)
		if err == nil {
			err = fn(id[0], id[1], e, item)
		}
		failed = err
		return err == nil
	}, tc.rec.ID)
	if err != nil {
		return err
	}
	return failed
}

// load puts a sealed item of the same data key (from a backup, the history or another
// Region's replica) into the table as it is, with its index entries and counters.
// A deletion is kept as a tombstone by a global table and otherwise skipped.
func (tc *tableCtx) load(pp, sp string, blob []byte) error {
	e, item, err := tc.keys.open(posOf(pp, sp), blob)
	if err != nil {
		return err
	}
	if e.Deleted {
		if tc.rec.global() {
			return tombstones.Put(tc.v, blob, tc.rec.ID, pp, sp)
		}
		return nil
	}
	if err := items.Put(tc.v, blob, tc.rec.ID, pp, sp); err != nil {
		return err
	}
	tc.count(nil, item)
	return tc.reindex(pp, sp, nil, item)
}

// scanBatch is how many records a copy reads before it writes them: the store forbids
// writes during a scan, and a whole table need not sit in memory.
const scanBatch = 512

// copyBlobs calls fn with every record of src below within, in key order, outside the
// store's scan, so that fn may write. id is the record's id below within.
func copyBlobs(v kit.View, src kit.Blobs, within []string, fn func(id []string, blob []byte) error) error {
	from := ""
	for {
		type rec struct {
			pos  string
			blob []byte
		}
		var batch []rec
		more := false
		err := src.Scan(v, from, func(e kit.Entry, value []byte) bool {
			if len(batch) == scanBatch {
				from, more = e.Pos, true
				return false
			}
			batch = append(batch, rec{pos: e.Pos, blob: bytes.Clone(value)})
			return true
		}, within...)
		if err != nil {
			return err
		}
		for _, r := range batch {
			if err := fn(strings.Split(r.pos, "\x00"), r.blob); err != nil {
				return err
			}
		}
		if !more {
			return nil
		}
	}
}

// dropItems deletes everything stored for a table's items.
func dropItems(v kit.View, id string) error {
	for _, del := range []func(kit.View, ...string) error{
		items.DeleteAll, indexEntries.RemoveAll, history.DeleteAll, tombstones.DeleteAll, outbox.RemoveAll, outboxJob.DeleteAll,
	} {
		if err := del(v, id); err != nil {
			return err
		}
	}
	return meta.Delete(v, id)
}
