package dynamodb

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/service/dynamodb/attr"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Items are never stored in plain text. Each table has a 256-bit data key, kept wrapped
// in the table record: by KMS under the table's key (SSE with alias/aws/dynamodb or a
// customer managed key), or, for DynamoDB's default AWS owned key, sealed with
// xregion's root key. Two keys are derived from it: one seals items with AES-256-GCM,
// the other (HMAC-SHA256) turns key values into store positions, so that not even the
// keys of items appear in the store.
//
// Unwrapping through KMS costs a store read and a decryption, so the derived keys are
// cached in memory by wrapped key. As DynamoDB does, a KMS-wrapped key is checked
// against KMS again after keyRecheck: a key disabled or scheduled for deletion stops the
// table within minutes, not at once.

const keyRecheck = 5 * time.Minute

// tableKeys are the keys derived from one data key.
type tableKeys struct {
	aead    cipher.AEAD
	posKey  []byte
	checked time.Time // when KMS last agreed (KMS-wrapped keys only)
}

type keyCache struct {
	mu      sync.Mutex
	entries map[string]*tableKeys // by wrapped key
}

const keyCacheSize = 10_000

func newKeyCache() *keyCache { return &keyCache{entries: map[string]*tableKeys{}} }

func (c *keyCache) get(wrapped []byte) *tableKeys {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[string(wrapped)]
}

func (c *keyCache) put(wrapped []byte, k *tableKeys) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= keyCacheSize {
		for w := range c.entries {
			delete(c.entries, w)
			break
		}
	}
	c.entries[string(wrapped)] = k
}

func (c *keyCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[string]*tableKeys{}
}

// encryptionContext binds a data key to its table, as DynamoDB binds the keys it asks
// KMS for.
func encryptionContext(account, table string) map[string]string {
	return map[string]string{"aws:dynamodb:tableName": table, "aws:dynamodb:subscriberId": account}
}

func ownedAAD(account, region, tableID string) []byte {
	return []byte("xregion/dynamodb/datakey\x00" + account + "\x00" + region + "\x00" + tableID)
}

// newDataKey makes a table's data key and returns it wrapped, under sse's key or the
// root key.
func (s *Service) newDataKey(tx kit.Tx, v kit.View, rec *tableRecord) ([]byte, error) {
	if rec.SSE == nil {
		dk := make([]byte, 32)
		if _, err := rand.Read(dk); err != nil {
			return nil, err
		}
		return s.Sealer.Seal(dk, ownedAAD(v.Account(), v.Region(), rec.ID)), nil
	}
	_, wrapped, _, err := s.keys.GenerateDataKey(tx, v.Account(), v.Region(), rec.SSE.KeyARN, encryptionContext(v.Account(), rec.Name))
	if err != nil {
		return nil, msgKMSKey.New(rec.SSE.KeyARN, err.Error())
	}
	return wrapped, nil
}

// keysOf returns the derived keys of a table's data key, from the cache when it can.
// account and region are those of the table; name and id identify it, for the
// encryption context and the root key's binding.
func (s *Service) keysOf(tx kit.Tx, account, region string, rec *tableRecord) (*tableKeys, error) {
	k := s.cache.get(rec.DataKey)
	now := s.Clock.Now()
	if k != nil && (rec.SSE == nil || now.Sub(k.checked) < keyRecheck) {
		return k, nil
	}
	dk, err := s.unwrap(tx, account, region, rec)
	if err != nil {
		return nil, err
	}
	k, err = deriveKeys(dk)
	if err != nil {
		return nil, err
	}
	k.checked = now
	s.cache.put(rec.DataKey, k)
	return k, nil
}

func (s *Service) unwrap(tx kit.Tx, account, region string, rec *tableRecord) ([]byte, error) {
	if rec.SSE == nil {
		dk, err := s.Sealer.Open(rec.DataKey, ownedAAD(account, region, rec.ID))
		if err != nil {
			return nil, fmt.Errorf("dynamodb: unsealing the data key of %s: %w", rec.Name, err)
		}
		return dk, nil
	}
	dk, _, err := s.keys.Decrypt(tx, account, region, rec.DataKey, encryptionContext(account, rec.Name))
	switch {
	case port.KeyUnavailable(err), errors.Is(err, port.ErrInvalidCiphertext), errors.Is(err, port.ErrIncorrectKey):
		return nil, msgKMSAccess.New(err.Error())
	case err != nil:
		return nil, fmt.Errorf("dynamodb: unwrapping the data key of %s: %w", rec.Name, err)
	}
	return dk, nil
}

func deriveKeys(dk []byte) (*tableKeys, error) {
	block, err := aes.NewCipher(derive(dk, "xregion/dynamodb/items"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &tableKeys{aead: aead, posKey: derive(dk, "xregion/dynamodb/positions")}, nil
}

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// position is where a key value sits in the store: 128 bits of its HMAC, in hex. It
// hides the value and spreads partitions evenly, as DynamoDB's hash of the partition key
// does.
func (k *tableKeys) position(v attr.Value) string {
	m := hmac.New(sha256.New, k.posKey)
	m.Write(attr.KeyBytes(v))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// noSortKey is the sort position of items of tables without a sort key.
const noSortKey = "-"

// envelope is what is stored for an item (or a deletion): who wrote it when, for
// last-writer-wins between replicas, and the sealed item.
type envelope struct {
	Deleted bool
	Stamp   int64  // the write's time on its Region's clock, in nanoseconds
	Origin  string // the Region the write was made in
}

const envelopeVersion = 1

func (e envelope) header() []byte {
	h := make([]byte, 0, 11+len(e.Origin))
	flags := byte(0)
	if e.Deleted {
		flags = 1
	}
	h = append(h, envelopeVersion, flags)
	h = binary.BigEndian.AppendUint64(h, uint64(e.Stamp))
	h = append(h, byte(len(e.Origin)))
	return append(h, e.Origin...)
}

// newer reports whether e wins over o under last-writer-wins: the later write, and
// between writes of the same instant the Region that sorts last.
func (e envelope) newer(o envelope) bool {
	if e.Stamp != o.Stamp {
		return e.Stamp > o.Stamp
	}
	return e.Origin > o.Origin
}

func itemAAD(pos string, header []byte) []byte {
	aad := make([]byte, 0, 32+len(pos)+len(header))
	aad = append(aad, "xregion/dynamodb/item\x00"...)
	aad = append(aad, pos...)
	aad = append(aad, 0)
	return append(aad, header...)
}

// seal encrypts an item for the store at pos (a deletion's item is its key).
func (k *tableKeys) seal(pos string, e envelope, item attr.Item) []byte {
	h := e.header()
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail
	}
	out := append(h, nonce...)
	plain := attr.AppendItem(nil, item)
	return k.aead.Seal(out, nonce, plain, itemAAD(pos, h))
}

var errDamaged = errors.New("dynamodb: a stored item does not open")

// readEnvelope reads the header of a stored item without opening it.
func readEnvelope(blob []byte) (envelope, int, error) {
	if len(blob) < 11 || blob[0] != envelopeVersion {
		return envelope{}, 0, errDamaged
	}
	n := int(blob[10])
	if len(blob) < 11+n {
		return envelope{}, 0, errDamaged
	}
	return envelope{Deleted: blob[1]&1 != 0, Stamp: int64(binary.BigEndian.Uint64(blob[2:10])), Origin: string(blob[11 : 11+n])}, 11 + n, nil
}

// open decrypts an item stored at pos.
func (k *tableKeys) open(pos string, blob []byte) (envelope, attr.Item, error) {
	e, n, err := readEnvelope(blob)
	if err != nil {
		return envelope{}, nil, err
	}
	ns := k.aead.NonceSize()
	if len(blob) < n+ns {
		return envelope{}, nil, errDamaged
	}
	plain, err := k.aead.Open(nil, blob[n:n+ns], blob[n+ns:], itemAAD(pos, blob[:n]))
	if err != nil {
		return envelope{}, nil, fmt.Errorf("%w: %v", errDamaged, err)
	}
	item, err := attr.DecodeItem(plain)
	return e, item, err
}
