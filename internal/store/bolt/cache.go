package bolt

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
)

// The read cache keeps the values of recently read keys in memory, so that a read-only
// transaction that reads them (every GetSecretValue reads its secret, its version, the
// version's ciphertext and the KMS key) skips bbolt's B+tree walk for each: under load
// those walks were a tenth of a durable server's CPU, and they lengthen as the file fills
// (CloudTrail's events share the bucket).
//
// Only this process writes the file (bbolt holds an exclusive lock on it), so every
// change passes through tx.Put, Delete or DeletePrefix, and the cache can know when an
// entry stops being true. A store shared between processes (postgres) could not know
// that, and has no such cache.
//
// An entry never serves a snapshot it is not true of:
//
//   - A write drops the entries of the keys it writes when it writes them, before its
//     commit, so no reader can meet an entry that its own snapshot contradicts.
//   - An entry is only added while no Update is under way and none has begun or ended
//     since the reading transaction began: its value is then the latest committed one,
//     and no Update can have written the key yet. An entry therefore stays true from
//     the transaction it was read in (from) until it is dropped.
//   - A transaction uses an entry only if its snapshot is at least from: an entry read
//     by a newer transaction may hold a value this one must not see.
//
// What the cache saves is a lookup, not a transaction: a View still opens its bbolt read
// transaction, which fixes its snapshot for the reads the cache cannot answer.
type readCache struct {
	// writers is the writers' state: the count of Updates that have ended, times
	// endedUnit, plus the number under way. A reader notes it before it begins its
	// transaction; an entry is added only if it has not changed and was quiet.
	writers atomic.Uint64

	// seen admits a key on its second read: the hash of each key read but not cached
	// is noted in its slot, and a key whose hash is already there is cached. A read of
	// one of many keys, each read once (a scan of 100,000 secrets by name), would
	// otherwise copy every value into the cache and evict a hot one for it: such a miss
	// cost 3.4 µs of CPU more than without the cache (BenchmarkStore/Get/keys=100000),
	// and now costs a hash.
	seen [4096]atomic.Uint64

	mu      sync.RWMutex
	entries map[string]cachedValue
	bytes   int // bytes of values and keys held
}

// seenSeed seeds the hashes of seen; a per-process seed keeps keys from colliding by
// design.
var seenSeed = maphash.MakeSeed()

type cachedValue struct {
	value []byte // a private copy: bbolt's slices die with their transaction
	from  int    // the bbolt transaction id it was read in
}

const (
	endedUnit     = 1 << 24 // Updates under way are counted below this bit
	underWayMask  = endedUnit - 1
	maxCacheBytes = 8 << 20  // what the cache may hold, keys and values
	maxCachedSize = 16 << 10 // larger values are not kept: a hot record is small
)

// writerStarts and writerEnds bracket every Update, from before its function first runs
// until its commit is visible to new readers (or it failed).
func (c *readCache) writerStarts() { c.writers.Add(1) }
func (c *readCache) writerEnds()   { c.writers.Add(endedUnit - 1) }

// readerState is what a reader notes before beginning its transaction.
func (c *readCache) readerState() uint64 { return c.writers.Load() }

// get returns the cached value of key if it is true of the snapshot of transaction txid.
func (c *readCache) get(key string, txid int) ([]byte, bool) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || e.from > txid {
		return nil, false
	}
	return e.value, true
}

// add keeps value, read under key in transaction txid by a reader that noted state
// before beginning it, if no writer can have made it stale since (see readCache). It
// returns the slice to hand the reader: the cached copy, or value itself.
func (c *readCache) add(key string, value []byte, txid int, state uint64) []byte {
	size := len(key) + len(value)
	if state&underWayMask != 0 || len(value) > maxCachedSize || c.writers.Load() != state {
		return value
	}
	if !c.secondRead(key) {
		return value
	}
	cp := append(make([]byte, 0, len(value)), value...)
	c.mu.Lock()
	defer c.mu.Unlock()
	// Checked again under the lock: a writer drops entries under it, so one that
	// started after this check drops this entry when it writes the key.
	if c.writers.Load() != state {
		return value
	}
	if c.entries == nil {
		c.entries = map[string]cachedValue{}
	}
	if old, ok := c.entries[key]; ok {
		c.bytes -= len(key) + len(old.value)
	}
	for c.bytes+size > maxCacheBytes && len(c.entries) > 0 {
		c.evictOne()
	}
	c.entries[key] = cachedValue{value: cp, from: txid}
	c.bytes += size
	return cp
}

// secondRead reports whether key was read (and not cached) recently, and notes that it
// was. Two keys may share a slot: then each read of one forgets the other, and neither
// is cached while both are read in turn — a miss, never a wrong answer.
func (c *readCache) secondRead(key string) bool {
	h := maphash.String(seenSeed, key) | 1 // never 0, the empty slot
	slot := &c.seen[h%uint64(len(c.seen))]
	if slot.Load() == h {
		return true
	}
	slot.Store(h)
	return false
}

// evictOne drops an arbitrary entry: map order is random, so this is random eviction,
// good enough for a cache whose misses only cost a lookup. c.mu is held.
func (c *readCache) evictOne() {
	for k, e := range c.entries {
		c.drop(k, e)
		return
	}
}

func (c *readCache) drop(key string, e cachedValue) {
	delete(c.entries, key)
	c.bytes -= len(key) + len(e.value)
}

// written drops key's entry: a transaction is writing it. Most keys written (CloudTrail's
// events, one per call) are never cached, and looking under the read lock first keeps
// their writes from locking out every reader in turn. The look cannot miss an entry
// being added: the writing transaction is under way, so add refuses until it ends.
func (c *readCache) written(key string) {
	c.mu.RLock()
	_, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.drop(key, e)
	}
}

// writtenPrefix drops the entries of every key under prefix ("" is every key).
func (c *readCache) writtenPrefix(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if prefix == "" {
		c.entries, c.bytes = nil, 0
		return
	}
	for k, e := range c.entries {
		if strings.HasPrefix(k, prefix) {
			c.drop(k, e)
		}
	}
}
