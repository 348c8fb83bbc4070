package port

import (
	"crypto/sha256"
	"encoding/binary"
)

// DigestSize is the size of a block digest in Blocks.Digests.
const DigestSize = 8

// Blocks is the content of an image: its data cut into blocks of BlockSize bytes (the
// last one shorter when Size is not a multiple of it), each named by a 64-bit digest of
// what it holds. Blocks with equal digests hold equal data, so a copy need not move a
// block whose digest the destination already holds.
//
// A provider chooses its blocks: an EBS snapshot's changed blocks, a table's items
// gathered into pages, a database's pages. Digests of real data are digests of the
// (plain) data, not of a ciphertext, so that re-encrypting a copy does not change them.
// A provider with no real data (RDS today) derives them from what would determine the
// data: the resource, the block and when the block was last written (see DigestOf).
// Keep maps small: a few thousand blocks at most, with larger blocks for larger
// resources, since AWS Backup stores the map with each recovery point.
type Blocks struct {
	BlockSize int64 `json:"blockSize,omitempty"`
	Size      int64 `json:"size,omitempty"`
	// Digests holds DigestSize bytes per block, big-endian, in block order.
	Digests []byte `json:"digests,omitempty"`
}

// NewBlocks describes size bytes in blocks of blockSize, block i named by digest(i).
func NewBlocks(size, blockSize int64, digest func(i int) uint64) Blocks {
	if size <= 0 || blockSize <= 0 {
		return Blocks{}
	}
	n := int((size + blockSize - 1) / blockSize)
	b := Blocks{BlockSize: blockSize, Size: size, Digests: make([]byte, n*DigestSize)}
	for i := range n {
		binary.BigEndian.PutUint64(b.Digests[i*DigestSize:], digest(i))
	}
	return b
}

// DigestOf makes a block digest from what identifies a block's content: the content
// itself, or for a synthetic map the parts that determine it (the resource's id, the
// block's index, when it was last written).
func DigestOf(parts ...string) uint64 {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return binary.BigEndian.Uint64(h.Sum(nil))
}

// Count is the number of blocks.
func (b Blocks) Count() int { return len(b.Digests) / DigestSize }

// Digest is the digest of block i.
func (b Blocks) Digest(i int) uint64 { return binary.BigEndian.Uint64(b.Digests[i*DigestSize:]) }

// blockLen is the length of block i: BlockSize, or what is left for the last one.
func (b Blocks) blockLen(i int) int64 { return min(b.BlockSize, b.Size-int64(i)*b.BlockSize) }

// Missing is how many bytes of b held lacks: the length of each distinct block of b
// whose digest is not in held. With an empty held, it is the whole of b's distinct data.
func (b Blocks) Missing(held BlockSet) int64 {
	var n int64
	seen := map[uint64]bool{}
	for i := range b.Count() {
		d := b.Digest(i)
		if _, ok := held[d]; ok || seen[d] {
			continue
		}
		seen[d] = true
		n += b.blockLen(i)
	}
	return n
}

// BlockSet is the blocks some images hold, by digest: what a destination already has.
type BlockSet map[uint64]struct{}

// SetOf gathers the blocks of images.
func SetOf(contents ...Blocks) BlockSet {
	s := BlockSet{}
	for _, b := range contents {
		s.Add(b)
	}
	return s
}

// Add gathers b's blocks into s.
func (s BlockSet) Add(b Blocks) {
	for i := range b.Count() {
		s[b.Digest(i)] = struct{}{}
	}
}
