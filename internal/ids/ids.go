// Package ids makes the random identifiers AWS hands out: access key ids, role ids,
// request ids, resource suffixes.
package ids

import (
	"crypto/rand"
)

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	// keyIDChars are the characters of AWS access key ids and unique ids (base32).
	keyIDChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// From returns n characters drawn uniformly from alphabet, which must have at most 256
// characters.
func From(alphabet string, n int) string {
	out := make([]byte, n)
	buf := make([]byte, n+n/2+8)
	// Rejection sampling keeps the draw uniform for alphabets that do not divide 256.
	limit := 256 - 256%len(alphabet)
	for i := 0; i < n; {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if int(b) < limit {
				out[i] = alphabet[int(b)%len(alphabet)]
				i++
				if i == n {
					break
				}
			}
		}
	}
	return string(out)
}

// Upper is n upper-case letters and digits.
func Upper(n int) string { return From(upperAlnum, n) }

// Lower is n lower-case letters and digits.
func Lower(n int) string { return From(lowerAlnum, n) }

// Alnum is n letters of both cases and digits.
func Alnum(n int) string { return From(alnum, n) }

// Unique is an IAM-style unique id: a four-letter prefix ("AROA" for roles, "AIDA" for
// users, "ANPA" for policies, "AKIA"/"ASIA" for access keys) and 16 base32 characters.
func Unique(prefix string) string { return prefix + From(keyIDChars, 16) }

// Hex is n random bytes written as 2n hex digits.
func Hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	out := make([]byte, 2*n)
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&0xf]
	}
	return string(out)
}

// UUID is a random (version 4) UUID, the form of AWS request ids and many resource ids.
// The gateway makes two for every request (its id and its CloudTrail event's), so it is
// written into one buffer and allocates only the string.
func UUID() string {
	const digits = "0123456789abcdef"
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // the RFC 9562 variant: 8, 9, a or b
	var out [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = digits[c>>4], digits[c&0xf]
		j += 2
	}
	return string(out[:])
}
