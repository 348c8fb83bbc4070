package kms

import (
	"bytes"
	"encoding/json"
	"sync"

	"github.com/xregion/xregion/internal/store"
)

// cacheLimit bounds each cache. When full, an arbitrary entry makes room: keys in use come
// back at once, and a server with more hot keys than this still works, only slower.
const cacheLimit = 8192

// recordCache remembers decoded key records by store key together with the bytes they
// were decoded from. A read compares the bytes the transaction sees with the cached ones,
// so it never returns a stale record, whatever committed or rolled back meanwhile, and
// skips the JSON decoding on the cryptographic path. Cached records are shared: callers
// must not change them.
type recordCache struct {
	mu sync.RWMutex
	m  map[string]cachedRecord
}

type cachedRecord struct {
	raw []byte
	rec *keyRecord
}

func (c *recordCache) get(tx store.Tx, key string) (*keyRecord, error) {
	raw := tx.Get(key)
	if raw == nil {
		return nil, nil
	}
	c.mu.RLock()
	hit, ok := c.m[key]
	c.mu.RUnlock()
	if ok && bytes.Equal(hit.raw, raw) {
		return hit.rec, nil
	}
	rec := new(keyRecord)
	if err := json.Unmarshal(raw, rec); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]cachedRecord{}
	}
	if len(c.m) >= cacheLimit {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[key] = cachedRecord{raw: bytes.Clone(raw), rec: rec}
	c.mu.Unlock()
	return rec, nil
}

func (c *recordCache) reset() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

// materialID names one version of one key's material in one Region. A struct of strings
// is a map key that needs no allocation to look up.
type materialID struct {
	account, region, key string
	version              int
}

// materialCache holds unsealed key material, ready to use (see material).
type materialCache struct {
	mu sync.RWMutex
	m  map[materialID]*material
}

func (c *materialCache) get(id materialID) *material {
	c.mu.RLock()
	m := c.m[id]
	c.mu.RUnlock()
	return m
}

func (c *materialCache) put(id materialID, m *material) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[materialID]*material{}
	}
	if len(c.m) >= cacheLimit {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[id] = m
	c.mu.Unlock()
}

// forget drops a key's material, for keys that are deleted.
func (c *materialCache) forget(account, region, key string) {
	c.mu.Lock()
	for id := range c.m {
		if id.account == account && id.region == region && id.key == key {
			delete(c.m, id)
		}
	}
	c.mu.Unlock()
}

func (c *materialCache) reset() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
