package ec2

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"

	"github.com/xregion/xregion/internal/service/kit"
)

// blockSize is EBS's snapshot block: volumes are read, written, snapshotted and copied
// in blocks of 512 KiB. A block that was never written, or holds only zeros, takes no
// space; a stored block keeps its bytes up to its last non-zero one.
const blockSize = 512 << 10

const gib = 1 << 30

// blockName spells a block number so that blocks sort in order.
func blockName(n int64) string { return fmt.Sprintf("%010d", n) }

func blockNumber(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// sealer encrypts and opens the blocks of one lineage with its data key.
type sealer struct {
	id   string
	aead cipher.AEAD
}

func (z sealer) aad(block int64) []byte {
	return []byte("xregion/ec2/block\x00" + z.id + "\x00" + blockName(block))
}

func (z sealer) seal(block int64, plain []byte) []byte {
	nonce := make([]byte, z.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return z.aead.Seal(nonce, nonce, plain, z.aad(block))
}

func (z sealer) open(block int64, sealed []byte) ([]byte, error) {
	n := z.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("ec2: a stored block is damaged")
	}
	plain, err := z.aead.Open(nil, sealed[:n], sealed[n:], z.aad(block))
	if err != nil {
		return nil, fmt.Errorf("ec2: opening block %d of data key %s: %w", block, z.id, err)
	}
	return plain, nil
}

// newDataKey makes the data key of a new lineage, bound to the resource that starts it:
// wrapped by the KMS key keyARN, or sealed with the server's root key when keyARN is "".
func (s *Service) newDataKey(tx kit.Tx, v kit.View, keyARN, boundTo string) (sealer, error) {
	id := newID("dek")
	var plain, wrapped []byte
	if keyARN != "" {
		var err error
		plain, wrapped, _, err = s.keys.GenerateDataKey(tx, v.Account(), v.Region(), keyARN, dataKeyContext(boundTo))
		if err != nil {
			return sealer{}, err
		}
	} else {
		plain = make([]byte, 32)
		_, _ = rand.Read(plain)
		wrapped = s.Sealer.Seal(plain, dataKeyAAD(v, id, boundTo))
	}
	rec := &dataKeyRecord{ID: id, KeyARN: keyARN, BoundTo: boundTo, Wrapped: wrapped}
	if err := dataKeys.Put(v, rec, id); err != nil {
		return sealer{}, err
	}
	return newSealer(id, plain)
}

// dataKeyContext is the encryption context EBS binds a volume's data key to.
func dataKeyContext(boundTo string) map[string]string {
	return map[string]string{"aws:ebs:id": boundTo}
}

func dataKeyAAD(v kit.View, id, boundTo string) []byte {
	return []byte("xregion/ec2/dek\x00" + v.Account() + "\x00" + v.Region() + "\x00" + id + "\x00" + boundTo)
}

func newSealer(id string, key []byte) (sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, err
	}
	return sealer{id: id, aead: aead}, nil
}

// openDataKey unwraps a lineage's data key, with KMS or the root key.
func (s *Service) openDataKey(tx kit.Tx, v kit.View, id string) (sealer, error) {
	rec, err := dataKeys.Get(v, id)
	if err != nil {
		return sealer{}, err
	}
	if rec == nil {
		return sealer{}, fmt.Errorf("ec2: data key %s is missing", id)
	}
	var plain []byte
	if rec.KeyARN != "" {
		plain, _, err = s.keys.Decrypt(tx, v.Account(), v.Region(), rec.Wrapped, dataKeyContext(rec.BoundTo))
	} else {
		plain, err = s.Sealer.Open(rec.Wrapped, dataKeyAAD(v, id, rec.BoundTo))
	}
	if err != nil {
		return sealer{}, err
	}
	return newSealer(id, plain)
}

// trimZeros drops a block's trailing zeros, which reads give back.
func trimZeros(b []byte) []byte { return bytes.TrimRight(b, "\x00") }

// writeVolume writes data at offset into a volume's blocks, and marks the blocks it
// touches as changed since the volume's last snapshot.
func (s *Service) writeVolume(tx kit.Tx, v kit.View, vol *volumeRecord, offset int64, data []byte) error {
	z, err := s.openDataKey(tx, v, vol.DataKeyID)
	if err != nil {
		return err
	}
	for len(data) > 0 {
		n, at := offset/blockSize, offset%blockSize
		chunk := min(int64(len(data)), blockSize-at)
		block, err := readBlock(v, z, vol.ID, n)
		if err != nil {
			return err
		}
		if int64(len(block)) < at+chunk {
			block = append(block, make([]byte, at+chunk-int64(len(block)))...)
		}
		copy(block[at:], data[:chunk])
		if err := putBlock(v, z, vol.ID, n, block); err != nil {
			return err
		}
		if err := dirtyBlocks.Add(v, vol.ID, blockName(n)); err != nil {
			return err
		}
		offset, data = offset+chunk, data[chunk:]
	}
	return nil
}

func readBlock(v kit.View, z sealer, volumeID string, n int64) ([]byte, error) {
	sealed := volumeBlocks.Get(v, volumeID, blockName(n))
	if sealed == nil {
		return nil, nil
	}
	return z.open(n, sealed)
}

// putBlock stores a block, or drops it when it holds only zeros.
func putBlock(v kit.View, z sealer, volumeID string, n int64, block []byte) error {
	block = trimZeros(block)
	if len(block) == 0 {
		return volumeBlocks.Delete(v, volumeID, blockName(n))
	}
	return volumeBlocks.Put(v, z.seal(n, block), volumeID, blockName(n))
}

// readVolume reads length bytes at offset of a volume; blocks never written read as
// zeros.
func (s *Service) readVolume(tx kit.Tx, v kit.View, vol *volumeRecord, offset, length int64) ([]byte, error) {
	z, err := s.openDataKey(tx, v, vol.DataKeyID)
	if err != nil {
		return nil, err
	}
	out := make([]byte, length)
	for done := int64(0); done < length; {
		n, at := (offset+done)/blockSize, (offset+done)%blockSize
		chunk := min(length-done, blockSize-at)
		block, err := readBlock(v, z, vol.ID, n)
		if err != nil {
			return nil, err
		}
		if int64(len(block)) > at {
			copy(out[done:done+chunk], block[at:min(int64(len(block)), at+chunk)])
		}
		done += chunk
	}
	return out, nil
}

// volumeBlockNames lists the blocks of a volume that hold data.
func volumeBlockNames(v kit.View, volumeID string) ([]string, error) {
	var names []string
	err := volumeBlocks.Scan(v, "", func(e kit.Entry, _ []byte) bool {
		names = append(names, e.Last())
		return true
	}, volumeID)
	return names, err
}
