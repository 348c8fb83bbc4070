package kms

import (
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
)

func TestK256KnownPoints(t *testing.T) {
	// 2G and 3G on secp256k1, from the SEC 2 curve's published multiples.
	want := map[int64][2]string{
		2: {"C6047F9441ED7D6D3045406E95C07CD85C778E4B8CEF3CA7ABAC09B95C709EE5", "1AE168FEA63DC339A3C58419466CEAEEF7F632653266D0E1236431A950CFE52A"},
		3: {"F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9", "388F7B0F632DE8140FE337E62A37F3566500A99934C2231B6CB9FD7584B8E672"},
	}
	for k, xy := range want {
		p := k256Mul(k256Base(), big.NewInt(k))
		x, _ := new(big.Int).SetString(xy[0], 16)
		y, _ := new(big.Int).SetString(xy[1], 16)
		if p.x.Cmp(x) != 0 || p.y.Cmp(y) != 0 || !p.onCurve() {
			t.Errorf("%dG = (%X, %X)", k, p.x, p.y)
		}
	}
	if !k256Mul(k256Base(), k256N).infinity() {
		t.Error("nG is not the point at infinity")
	}
}

func TestK256SignVerify(t *testing.T) {
	k := generateK256()
	digest := sha256.Sum256([]byte("message"))
	sig, err := k.sign(digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if !k256Verify(k.pub, digest[:], sig) {
		t.Fatal("signature does not verify")
	}
	other := sha256.Sum256([]byte("other"))
	if k256Verify(k.pub, other[:], sig) {
		t.Error("signature verifies another digest")
	}
	if k256Verify(generateK256().pub, digest[:], sig) {
		t.Error("signature verifies under another key")
	}
	back, err := k256FromScalar(k.scalarBytes())
	if err != nil || back.pub.x.Cmp(k.pub.x) != 0 {
		t.Errorf("scalar round trip: %v", err)
	}
	p, err := parseK256PKIX(k.marshalPKIX())
	if err != nil || p.x.Cmp(k.pub.x) != 0 || p.y.Cmp(k.pub.y) != 0 {
		t.Errorf("SubjectPublicKeyInfo round trip: %v", err)
	}
}

func parseK256PKIX(der []byte) (k256Point, error) {
	var spki subjectPublicKeyInfo
	if rest, err := asn1.Unmarshal(der, &spki); err != nil || len(rest) > 0 {
		return k256Point{}, errors.New("kms: not a SubjectPublicKeyInfo")
	}
	b := spki.PublicKey.Bytes
	if !spki.Algorithm.Parameters.Equal(oidSecp256k1) || len(b) != 65 || b[0] != 4 {
		return k256Point{}, errors.New("kms: not a secp256k1 public key")
	}
	p := k256Point{new(big.Int).SetBytes(b[1:33]), new(big.Int).SetBytes(b[33:])}
	if !p.onCurve() {
		return k256Point{}, errors.New("kms: point is not on secp256k1")
	}
	return p, nil
}
