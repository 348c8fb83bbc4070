package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"

	bbolt "go.etcd.io/bbolt"
)

// A store file is checked before it is used. bbolt trusts its file: a truncated one
// crashes the process with SIGBUS when a page past the end is touched through the memory
// map, and a damaged page panics deep inside it ("assertion failed"), neither of which a
// user can make sense of. An empty file is worse: bbolt initialises it as a new store,
// and the data it held is silently gone. So Open reads the meta pages itself, compares
// the size the last transaction needs with the file's, opens the file with faults turned
// into errors, reads every page once and runs bbolt's own consistency check, and
// answers one sentence naming the file and what to do.

// ErrEmptyFile is returned by Open for a store file that exists but holds nothing: a
// missing file is a fresh start, an empty one is a lost store.
var ErrEmptyFile = errors.New("the store file is empty")

// ErrDamaged is returned by Open for a store file that is truncated or corrupted.
var ErrDamaged = errors.New("the store file is damaged")

// bbolt's on-disk layout (go.etcd.io/bbolt/internal/common): a 16-byte page header,
// then in pages 0 and 1 a meta record with its FNV-64a checksum at offset 56.
const (
	pageHeaderSize = 16
	metaSize       = 64
	metaChecksumAt = 56
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	noFreelist     = ^uint64(0)
)

// meta is what the check needs of a meta page.
type meta struct {
	pageSize uint32
	root     uint64 // root bucket's page
	freelist uint64
	pgid     uint64 // high water mark: pages the transaction uses
	txid     uint64
}

// readMeta decodes and validates the meta record at off, as bbolt does.
func readMeta(f io.ReaderAt, off int64) (meta, bool) {
	var b [pageHeaderSize + metaSize]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		return meta{}, false
	}
	m := b[pageHeaderSize:]
	le := binary.NativeEndian // bbolt writes its structs in the machine's byte order
	h := fnv.New64a()
	h.Write(m[:metaChecksumAt])
	if le.Uint32(m[0:]) != boltMagic || le.Uint32(m[4:]) != boltVersion || le.Uint64(m[metaChecksumAt:]) != h.Sum64() {
		return meta{}, false
	}
	return meta{pageSize: le.Uint32(m[8:]), root: le.Uint64(m[16:]), freelist: le.Uint64(m[32:]),
		pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}, true
}

// currentMeta returns the meta page bbolt would use: the intact one of the two with the
// later transaction. The second page's place depends on the page size the first one
// records; without it, bbolt assumes the machine's.
func currentMeta(f io.ReaderAt) (meta, bool) {
	m0, ok0 := readMeta(f, 0)
	pageSize := int64(os.Getpagesize())
	if ok0 {
		pageSize = int64(m0.pageSize)
	}
	m1, ok1 := readMeta(f, pageSize)
	switch {
	case ok0 && ok1 && m1.txid > m0.txid:
		return m1, true
	case ok0:
		return m0, true
	}
	return m1, ok1
}

// checkFile checks what can be checked of the file at path without bbolt: that it is not
// empty, that one of its meta pages is intact, and that it holds every page the last
// committed transaction uses. A missing file is fine (a fresh store).
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: opening %s: %v", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store: opening %s: %v", path, err)
	}
	size := info.Size()
	if size == 0 {
		return fmt.Errorf("store: %s: %w (0 bytes), so the data it held is lost; restore it from a backup, "+
			"or delete it to start with an empty store", path, ErrEmptyFile)
	}
	m, ok := currentMeta(f)
	if !ok {
		return damaged(path, "neither of its two meta pages is intact (or it is not an xregion store)")
	}
	if m.root >= m.pgid || (m.freelist != noFreelist && m.freelist >= m.pgid) {
		return damaged(path, "its meta page points past its own end")
	}
	if need := int64(m.pgid) * int64(m.pageSize); need > size {
		return damaged(path, fmt.Sprintf("it is truncated: %d bytes, but its last transaction needs %d", size, need))
	}
	return nil
}

func damaged(path, why string) error {
	return fmt.Errorf("store: %s: %w: %s; restore it from a backup, or move it away to start with an empty store",
		path, ErrDamaged, why)
}

// guarded runs fn with memory faults turned into panics and every panic into an error, so
// that a damaged page that slipped past checkFile fails Open instead of the process.
func guarded(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = damaged(path, fmt.Sprint(p))
		}
	}()
	return fn()
}

// checkPages walks the file's pages (walk) and then, in a read transaction, reads every
// key and value and runs bbolt's consistency check (reachable pages, the freelist, key
// order). bbolt's check runs on a goroutine of its own, where a fault cannot be caught;
// the walk has read every page and bound it checks with plain file reads first, so by
// then nothing it touches lies outside the file or outside its page.
func checkPages(db *bbolt.DB, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("store: opening %s: %v", path, err)
	}
	defer f.Close()
	if err := walkFile(f); err != nil {
		return damaged(path, err.Error())
	}
	return guarded(path, func() error {
		return db.View(func(btx *bbolt.Tx) error {
			if b := btx.Bucket(bucket); b != nil {
				total := 0
				if err := b.ForEach(func(k, v []byte) error { total += len(k) + len(v); return nil }); err != nil {
					return damaged(path, err.Error())
				}
			}
			// Check sends every fault it finds and stops when done; it must be read to
			// the end, or it would go on reading the file after the transaction ends.
			var first error
			for err := range btx.Check() {
				if first == nil {
					first = damaged(path, err.Error())
				}
			}
			return first
		})
	})
}
