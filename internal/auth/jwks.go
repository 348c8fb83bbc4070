package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	_ "crypto/sha256" // the hashes of the accepted algorithms: crypto.Hash.New needs them linked
	_ "crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// AWS fetches an OIDC provider's signing keys from its jwks_uri; xregion runs where no
// such fetch can be made (and must not be: tests sign tokens with keys of their own). So
// the keys are given to xregion, as JSON Web Key Sets in files (--oidc-jwks: one file,
// or a directory of *.json files). Each file is a JWKS (RFC 7517) with one extra member
// naming the issuer whose keys it holds, exactly as the tokens' "iss" claim and the IAM
// provider's URL spell it:
//
//	{"issuer": "https://token.example.com", "keys": [{"kty": "RSA", "kid": "k1", "n": "...", "e": "AQAB"}]}
//
// RSA keys (RS256, RS384, RS512, PS256, PS384, PS512) of at least 2048 bits and EC keys
// on P-256, P-384 and P-521 (ES256, ES384, ES512) are accepted. The files are read at
// start-up; a file xregion cannot use stops it with a message naming the file.

// WebIdentityKeys are the signing keys of the identity providers xregion can verify, by
// issuer.
type WebIdentityKeys struct {
	byIssuer map[string][]webKey
}

type webKey struct {
	kid, alg string // alg is empty when the JWK does not restrict it
	pub      crypto.PublicKey
}

// Errors of Verify, which STS answers as AWS does.
var (
	// ErrNoVerificationKey: no key is configured for the token's issuer (or none with its
	// "kid") — AWS's "Couldn't retrieve verification key".
	ErrNoVerificationKey = errors.New("auth: no key to verify the token with")
	// ErrBadSignature: the token's signature does not verify, or its algorithm is none or
	// one xregion does not accept.
	ErrBadSignature = errors.New("auth: the token's signature does not verify")
)

// jwksFile is the JSON of one key file.
type jwksFile struct {
	Issuer string            `json:"issuer"`
	Keys   []json.RawMessage `json:"keys"`
}

// LoadWebIdentityKeys reads the key files at path: a file, or every *.json file of a
// directory.
func LoadWebIdentityKeys(path string) (*WebIdentityKeys, error) {
	files := []string{path}
	if info, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("oidc keys: %w", err)
	} else if info.IsDir() {
		if files, err = filepath.Glob(filepath.Join(path, "*.json")); err != nil {
			return nil, fmt.Errorf("oidc keys: %w", err)
		}
		sort.Strings(files)
	}
	k := &WebIdentityKeys{byIssuer: map[string][]webKey{}}
	for _, f := range files {
		if err := k.addFile(f); err != nil {
			return nil, err
		}
	}
	return k, nil
}

func (k *WebIdentityKeys) addFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("oidc keys: %w", err)
	}
	var f jwksFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("oidc keys: %s is not a JSON Web Key Set: %v", path, err)
	}
	if !strings.HasPrefix(f.Issuer, "https://") {
		return fmt.Errorf(`oidc keys: %s names no issuer: add "issuer": "https://..." as the tokens' iss claim spells it`, path)
	}
	if len(f.Keys) == 0 {
		return fmt.Errorf("oidc keys: %s holds no keys", path)
	}
	for i, raw := range f.Keys {
		key, err := parseJWK(raw)
		if err != nil {
			return fmt.Errorf("oidc keys: %s: key %d: %v", path, i, err)
		}
		k.byIssuer[f.Issuer] = append(k.byIssuer[f.Issuer], key)
	}
	return nil
}

// jwk is the members of a JSON Web Key that xregion reads.
type jwk struct {
	Kty, Kid, Alg, Use string
	N, E               string // RSA
	Crv, X, Y          string // EC
}

func parseJWK(raw json.RawMessage) (webKey, error) {
	var j jwk
	if err := json.Unmarshal(raw, &j); err != nil {
		return webKey{}, err
	}
	if j.Use != "" && j.Use != "sig" {
		return webKey{}, fmt.Errorf("use %q is not sig", j.Use)
	}
	key := webKey{kid: j.Kid, alg: j.Alg}
	var err error
	switch j.Kty {
	case "RSA":
		key.pub, err = rsaKey(j)
	case "EC":
		key.pub, err = ecKey(j)
	default:
		err = fmt.Errorf("kty %q is not RSA or EC", j.Kty)
	}
	return key, err
}

func rsaKey(j jwk) (*rsa.PublicKey, error) {
	n, err := base64.RawURLEncoding.DecodeString(j.N)
	if err != nil {
		return nil, fmt.Errorf("n is not base64url: %v", err)
	}
	e, err := base64.RawURLEncoding.DecodeString(j.E)
	if err != nil || len(e) == 0 || len(e) > 4 {
		return nil, errors.New("e is not a base64url exponent")
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if pub.N.BitLen() < 2048 {
		return nil, fmt.Errorf("an RSA key of %d bits is too small (2048 at least)", pub.N.BitLen())
	}
	return pub, nil
}

var curves = map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}

func ecKey(j jwk) (*ecdsa.PublicKey, error) {
	curve, ok := curves[j.Crv]
	if !ok {
		return nil, fmt.Errorf("crv %q is not P-256, P-384 or P-521", j.Crv)
	}
	x, errX := base64.RawURLEncoding.DecodeString(j.X)
	y, errY := base64.RawURLEncoding.DecodeString(j.Y)
	size := (curve.Params().BitSize + 7) / 8
	if errX != nil || errY != nil || len(x) != size || len(y) != size {
		return nil, fmt.Errorf("x and y are not base64url coordinates of %d bytes", size)
	}
	point := append(append([]byte{4}, x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, fmt.Errorf("not a point of %s: %v", j.Crv, err)
	}
	return pub, nil
}

// Issuers lists the issuers keys are configured for.
func (k *WebIdentityKeys) Issuers() []string {
	if k == nil {
		return nil
	}
	out := make([]string, 0, len(k.byIssuer))
	for iss := range k.byIssuer {
		out = append(out, iss)
	}
	sort.Strings(out)
	return out
}

// Verify checks t's signature with the keys configured for its issuer.
func (k *WebIdentityKeys) Verify(t *WebToken) error {
	var keys []webKey
	if k != nil {
		keys = k.byIssuer[t.Claims.Issuer]
	}
	if t.Header.Kid != "" {
		keys = withKid(keys, t.Header.Kid)
	}
	if len(keys) == 0 {
		return ErrNoVerificationKey
	}
	hash, ok := algHashes[t.Header.Alg]
	if !ok {
		return ErrBadSignature // "none", HS256 (no shared secrets here), or unknown
	}
	h := hash.New()
	h.Write([]byte(t.signed))
	digest := h.Sum(nil)
	for _, key := range keys {
		if (key.alg == "" || key.alg == t.Header.Alg) && verifyWith(key.pub, t.Header.Alg, hash, digest, t.sig) {
			return nil
		}
	}
	return ErrBadSignature
}

func withKid(keys []webKey, kid string) []webKey {
	var out []webKey
	for _, k := range keys {
		if k.kid == kid {
			out = append(out, k)
		}
	}
	return out
}

var algHashes = map[string]crypto.Hash{
	"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512,
	"PS256": crypto.SHA256, "PS384": crypto.SHA384, "PS512": crypto.SHA512,
	"ES256": crypto.SHA256, "ES384": crypto.SHA384, "ES512": crypto.SHA512,
}

func verifyWith(pub crypto.PublicKey, alg string, hash crypto.Hash, digest, sig []byte) bool {
	switch key := pub.(type) {
	case *rsa.PublicKey:
		switch alg[:2] {
		case "RS":
			return rsa.VerifyPKCS1v15(key, hash, digest, sig) == nil
		case "PS":
			return rsa.VerifyPSS(key, hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
	case *ecdsa.PublicKey:
		return alg[:2] == "ES" && verifyES(key, alg, digest, sig)
	}
	return false
}

// verifyES checks a JWS ECDSA signature: R and S as fixed-size big-endian integers, one
// after the other (RFC 7518 §3.4), on the curve the algorithm names.
func verifyES(key *ecdsa.PublicKey, alg string, digest, sig []byte) bool {
	want := map[string]string{"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg]
	if key.Curve.Params().Name != want {
		return false
	}
	size := (key.Curve.Params().BitSize + 7) / 8
	if len(sig) != 2*size {
		return false
	}
	r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
	return ecdsa.Verify(key, digest, r, s)
}
