package ec2

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"slices"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// The content of an EBS snapshot, as AWS Backup's recovery points record it (see
// port.Blocks): the 512 KiB blocks that hold data, in block order — a block never written
// holds nothing and is never stored or moved, as with EBS — each named by a digest of its
// number and its plain data, so that a copy under another key names the same blocks.
// The digests are keyed (HMAC-SHA256 under one key of the server, sealed with the root
// key) so that a recovery point's map cannot confirm a guess of what a block holds.

// digestKeyAccount and digestKeyRegion file the server's digest key: one key whatever the
// account and Region, since copies cross both, under an account part no AWS account id
// is (as SNS files its signing certificates).
const (
	digestKeyAccount = "aws"
	digestKeyRegion  = "global"
	digestKeyID      = "current"
)

var digestKeyAAD = []byte("xregion/ec2/digestkey")

// digestKey returns the server's block digest key, making it on first use.
func (s *Service) digestKey(tx kit.Tx) ([]byte, error) {
	v := tx.In(digestKeyAccount, digestKeyRegion)
	if sealed := digestKeys.Get(v, digestKeyID); sealed != nil {
		return s.Sealer.Open(sealed, digestKeyAAD)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return key, digestKeys.Put(v, s.Sealer.Seal(key, digestKeyAAD), digestKeyID)
}

// contentOf describes the data a snapshot holds.
func (s *Service) contentOf(tx kit.Tx, v kit.View, snap *snapshotRecord) (port.Blocks, error) {
	m, err := snapshotMap(v, snap.ID)
	if err != nil || len(m) == 0 {
		return port.Blocks{}, err
	}
	z, err := s.openDataKey(tx, v, snap.DataKeyID)
	if err != nil {
		return port.Blocks{}, err
	}
	key, err := s.digestKey(tx)
	if err != nil {
		return port.Blocks{}, err
	}
	names := make([]string, 0, len(m))
	for block := range m {
		names = append(names, block)
	}
	slices.Sort(names) // blockName spells numbers so that they sort in order
	digests := make([]uint64, len(names))
	for i, block := range names {
		plain, err := z.open(blockNumber(block), snapBlocks.Get(v, m[block], block))
		if err != nil {
			return port.Blocks{}, err
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(block))
		mac.Write([]byte{0})
		mac.Write(plain)
		digests[i] = binary.BigEndian.Uint64(mac.Sum(nil))
	}
	return port.NewBlocks(int64(len(names))*blockSize, blockSize, func(i int) uint64 { return digests[i] }), nil
}
