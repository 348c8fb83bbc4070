package kms

import (
	"encoding/asn1"
	"errors"
	"math/big"
)

// ECC_SECG_P256K1 (secp256k1) is a KMS key spec that crypto/ecdsa cannot do: Go's curves are
// the NIST ones, whose generic arithmetic assumes a = -3, while secp256k1 has a = 0. This
// file implements the curve y² = x³ + 7 over its prime field with math/big, and ECDSA on
// it (SEC 1, section 4.1). It favours clarity over speed and is not constant time, which
// an emulator whose keys guard test data can afford.

var (
	k256P, _  = new(big.Int).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", 16)
	k256N, _  = new(big.Int).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16)
	k256Gx, _ = new(big.Int).SetString("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798", 16)
	k256Gy, _ = new(big.Int).SetString("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8", 16)
	k256B     = big.NewInt(7)

	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSecp256k1   = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
)

// k256Point is an affine point; the point at infinity has nil coordinates.
type k256Point struct{ x, y *big.Int }

func (p k256Point) infinity() bool { return p.x == nil }

func k256Add(a, b k256Point) k256Point {
	if a.infinity() {
		return b
	}
	if b.infinity() {
		return a
	}
	p := k256P
	var lambda *big.Int
	if a.x.Cmp(b.x) == 0 {
		if new(big.Int).Add(a.y, b.y).Mod(new(big.Int).Add(a.y, b.y), p).Sign() == 0 {
			return k256Point{}
		}
		// Doubling: λ = 3x² / 2y.
		num := new(big.Int).Mul(a.x, a.x)
		num.Mul(num, big.NewInt(3))
		den := new(big.Int).Lsh(a.y, 1)
		lambda = num.Mul(num, den.ModInverse(den.Mod(den, p), p))
	} else {
		num := new(big.Int).Sub(b.y, a.y)
		den := new(big.Int).Sub(b.x, a.x)
		den.Mod(den, p)
		lambda = num.Mul(num, den.ModInverse(den, p))
	}
	lambda.Mod(lambda, p)
	x := new(big.Int).Mul(lambda, lambda)
	x.Sub(x, a.x).Sub(x, b.x).Mod(x, p)
	y := new(big.Int).Sub(a.x, x)
	y.Mul(y, lambda).Sub(y, a.y).Mod(y, p)
	return k256Point{x, y}
}

func k256Mul(pt k256Point, k *big.Int) k256Point {
	var acc k256Point
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc = k256Add(acc, acc)
		if k.Bit(i) == 1 {
			acc = k256Add(acc, pt)
		}
	}
	return acc
}

func k256Base() k256Point { return k256Point{k256Gx, k256Gy} }

func (p k256Point) onCurve() bool {
	if p.infinity() || p.x.Sign() < 0 || p.x.Cmp(k256P) >= 0 || p.y.Sign() < 0 || p.y.Cmp(k256P) >= 0 {
		return false
	}
	lhs := new(big.Int).Mul(p.y, p.y)
	lhs.Mod(lhs, k256P)
	rhs := new(big.Int).Mul(p.x, p.x)
	rhs.Mul(rhs, p.x).Add(rhs, k256B).Mod(rhs, k256P)
	return lhs.Cmp(rhs) == 0
}

type k256Key struct {
	d   *big.Int
	pub k256Point
}

func randomScalar() *big.Int {
	for {
		b := randomBytes(32)
		k := new(big.Int).SetBytes(b)
		if k.Sign() > 0 && k.Cmp(k256N) < 0 {
			return k
		}
	}
}

func generateK256() *k256Key {
	d := randomScalar()
	return &k256Key{d: d, pub: k256Mul(k256Base(), d)}
}

func k256FromScalar(b []byte) (*k256Key, error) {
	d := new(big.Int).SetBytes(b)
	if len(b) != 32 || d.Sign() == 0 || d.Cmp(k256N) >= 0 {
		return nil, errors.New("kms: invalid secp256k1 private key")
	}
	return &k256Key{d: d, pub: k256Mul(k256Base(), d)}, nil
}

func (k *k256Key) scalarBytes() []byte { return k.d.FillBytes(make([]byte, 32)) }

func (p k256Point) uncompressed() []byte {
	out := make([]byte, 65)
	out[0] = 4
	p.x.FillBytes(out[1:33])
	p.y.FillBytes(out[33:])
	return out
}

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.ObjectIdentifier
}

type subjectPublicKeyInfo struct {
	Algorithm algorithmIdentifier
	PublicKey asn1.BitString
}

// marshalPKIX encodes the public key as X.509 SubjectPublicKeyInfo, as GetPublicKey answers.
func (k *k256Key) marshalPKIX() []byte {
	pub := k.pub.uncompressed()
	der, err := asn1.Marshal(subjectPublicKeyInfo{
		Algorithm: algorithmIdentifier{oidECPublicKey, oidSecp256k1},
		PublicKey: asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)},
	})
	if err != nil {
		panic(err) // fixed shapes always marshal
	}
	return der
}

type ecPrivateKey struct {
	Version    int
	PrivateKey []byte
	PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
}

type pkcs8 struct {
	Version    int
	Algorithm  algorithmIdentifier
	PrivateKey []byte
}

// marshalPKCS8 encodes the private key as PKCS #8 holding a SEC 1 ECPrivateKey, the form
// GenerateDataKeyPair returns.
func (k *k256Key) marshalPKCS8() []byte {
	pub := k.pub.uncompressed()
	inner, err := asn1.Marshal(ecPrivateKey{Version: 1, PrivateKey: k.scalarBytes(), PublicKey: asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)}})
	if err != nil {
		panic(err)
	}
	der, err := asn1.Marshal(pkcs8{Algorithm: algorithmIdentifier{oidECPublicKey, oidSecp256k1}, PrivateKey: inner})
	if err != nil {
		panic(err)
	}
	return der
}

type ecdsaSignature struct{ R, S *big.Int }

// hashToInt takes the leftmost bits of a digest, as many as the order has (SEC 1 4.1.3).
func hashToInt(digest []byte) *big.Int {
	if len(digest) > 32 {
		digest = digest[:32]
	}
	return new(big.Int).SetBytes(digest)
}

// sign makes an ECDSA signature of a digest, DER-encoded as KMS returns it. The nonce is
// drawn afresh from crypto/rand for each signature.
func (k *k256Key) sign(digest []byte) ([]byte, error) {
	e := hashToInt(digest)
	for {
		nonce := randomScalar()
		r := k256Mul(k256Base(), nonce).x
		r = new(big.Int).Mod(r, k256N)
		if r.Sign() == 0 {
			continue
		}
		s := new(big.Int).Mul(k.d, r)
		s.Add(s, e)
		s.Mul(s, new(big.Int).ModInverse(nonce, k256N)).Mod(s, k256N)
		if s.Sign() == 0 {
			continue
		}
		return asn1.Marshal(ecdsaSignature{r, s})
	}
}

func k256Verify(pub k256Point, digest, sig []byte) bool {
	var es ecdsaSignature
	if rest, err := asn1.Unmarshal(sig, &es); err != nil || len(rest) > 0 {
		return false
	}
	r, s := es.R, es.S
	if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(k256N) >= 0 || s.Cmp(k256N) >= 0 {
		return false
	}
	w := new(big.Int).ModInverse(s, k256N)
	u1 := new(big.Int).Mul(hashToInt(digest), w)
	u1.Mod(u1, k256N)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, k256N)
	p := k256Add(k256Mul(k256Base(), u1), k256Mul(pub, u2))
	if p.infinity() {
		return false
	}
	return new(big.Int).Mod(p.x, k256N).Cmp(r) == 0
}
