package kms

import (
	"encoding/binary"
	"slices"
)

// Ciphertext blob of a symmetric key:
//
//	magic 'x' | format 1 | len(keyID) | keyID | version (uint32, big endian) | nonce (12) | AES-GCM ciphertext and tag
//
// Everything before the nonce is the header. The header followed by the encoded
// encryption context is the additional authenticated data, so a blob cannot be moved to
// another key or version, nor opened with another context.
const (
	blobMagic   = 'x'
	blobFormat  = 1
	nonceSize   = 12
	gcmTagSize  = 16
	maxKeyIDLen = 64
)

type blobHeader struct {
	keyID   string
	version int
	header  []byte // the header bytes, a sub-slice of the blob
	body    []byte // nonce and sealed data
}

func parseBlob(blob []byte) (blobHeader, bool) {
	if len(blob) < 3 || blob[0] != blobMagic || blob[1] != blobFormat {
		return blobHeader{}, false
	}
	n := int(blob[2])
	end := 3 + n + 4
	if n == 0 || n > maxKeyIDLen || len(blob) < end+nonceSize+gcmTagSize {
		return blobHeader{}, false
	}
	return blobHeader{
		keyID:   string(blob[3 : 3+n]),
		version: int(binary.BigEndian.Uint32(blob[3+n : end])),
		header:  blob[:end],
		body:    blob[end:],
	}, true
}

func appendHeader(dst []byte, keyID string, version int) []byte {
	dst = append(dst, blobMagic, blobFormat, byte(len(keyID)))
	dst = append(dst, keyID...)
	return binary.BigEndian.AppendUint32(dst, uint32(version))
}

// appendContext encodes an encryption context canonically: pairs sorted by key, each
// string length-prefixed so that no two different contexts encode alike.
func appendContext(dst []byte, ctx map[string]string) []byte {
	if len(ctx) == 0 {
		return dst
	}
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		dst = binary.AppendUvarint(dst, uint64(len(k)))
		dst = append(dst, k...)
		v := ctx[k]
		dst = binary.AppendUvarint(dst, uint64(len(v)))
		dst = append(dst, v...)
	}
	return dst
}

// sealBlob encrypts plaintext under symmetric material m, version v of key keyID.
func sealBlob(m *material, keyID string, version int, plaintext []byte, ctx map[string]string) []byte {
	out := make([]byte, 0, 3+len(keyID)+4+nonceSize+len(plaintext)+gcmTagSize)
	out = appendHeader(out, keyID, version)
	headerLen := len(out)
	out = append(out, randomBytes(nonceSize)...)
	var buf [256]byte
	aad := appendContext(append(buf[:0], out[:headerLen]...), ctx)
	return m.aead.Seal(out, out[headerLen:], plaintext, aad)
}

// openBlob decrypts a parsed blob with the material of the version it names.
func openBlob(m *material, h blobHeader, ctx map[string]string) ([]byte, bool) {
	var buf [256]byte
	aad := appendContext(append(buf[:0], h.header...), ctx)
	out, err := m.aead.Open(nil, h.body[:nonceSize], h.body[nonceSize:], aad)
	return out, err == nil
}
