package kms

import (
	"crypto/aes"
	"crypto/subtle"
	"encoding/binary"
	"errors"
)

// errKeyWrap is any failure to unwrap: the caller answers it as AWS does, without detail.
var errKeyWrap = errors.New("kms: the wrapped key material does not unwrap")

// kwpIV is the alternative initial value of AES Key Wrap with Padding (RFC 5649).
var kwpIV = [4]byte{0xA6, 0x59, 0x59, 0xA6}

// unwrapKWP opens AES Key Wrap with Padding (RFC 5649), which the RSA_AES_KEY_WRAP
// wrapping algorithms of GetParametersForImport use for the key material itself. The
// standard library has no key wrap.
func unwrapKWP(kek, wrapped []byte) ([]byte, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	if len(wrapped) < 16 || len(wrapped)%8 != 0 {
		return nil, errKeyWrap
	}
	n := len(wrapped)/8 - 1
	var a [8]byte
	r := make([]byte, n*8)
	if n == 1 {
		var b [16]byte
		block.Decrypt(b[:], wrapped)
		copy(a[:], b[:8])
		copy(r, b[8:])
	} else {
		copy(a[:], wrapped[:8])
		copy(r, wrapped[8:])
		var b [16]byte
		for j := 5; j >= 0; j-- {
			for i := n; i >= 1; i-- {
				t := uint64(n*j + i)
				binary.BigEndian.PutUint64(b[:8], binary.BigEndian.Uint64(a[:])^t)
				copy(b[8:], r[(i-1)*8:i*8])
				block.Decrypt(b[:], b[:])
				copy(a[:], b[:8])
				copy(r[(i-1)*8:i*8], b[8:])
			}
		}
	}
	if subtle.ConstantTimeCompare(a[:4], kwpIV[:]) != 1 {
		return nil, errKeyWrap
	}
	size := int(binary.BigEndian.Uint32(a[4:]))
	if size <= (n-1)*8 || size > n*8 {
		return nil, errKeyWrap
	}
	for _, pad := range r[size:] {
		if pad != 0 {
			return nil, errKeyWrap
		}
	}
	return r[:size], nil
}
