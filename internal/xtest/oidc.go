package xtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issuer is an OpenID Connect identity provider for tests: a signing key, the JWKS file
// xregion reads it from (--oidc-jwks), and tokens signed with it.
type Issuer struct {
	URL string // the "iss" of its tokens, https://...
	Kid string
	alg string // RS256 or ES256
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

// NewIssuer makes an issuer at url that signs with alg, RS256 or ES256.
func NewIssuer(t testing.TB, url, alg string) *Issuer {
	t.Helper()
	i := &Issuer{URL: url, Kid: "key-" + alg, alg: alg}
	var err error
	switch alg {
	case "RS256":
		i.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		i.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		t.Fatalf("xtest: issuer algorithm %q is not RS256 or ES256", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// JWKS is the issuer's public key set, with the "issuer" member xregion's key files
// carry.
func (i *Issuer) JWKS() map[string]any {
	key := map[string]any{"kid": i.Kid, "use": "sig", "alg": i.alg}
	b64 := base64.RawURLEncoding.EncodeToString
	if i.rsa != nil {
		key["kty"], key["n"], key["e"] = "RSA", b64(i.rsa.N.Bytes()), b64(big.NewInt(int64(i.rsa.E)).Bytes())
	} else {
		pt, _ := i.ec.PublicKey.Bytes() // 0x04 || X || Y
		size := (len(pt) - 1) / 2
		key["kty"], key["crv"], key["x"], key["y"] = "EC", "P-256", b64(pt[1:1+size]), b64(pt[1+size:])
	}
	return map[string]any{"issuer": i.URL, "keys": []any{key}}
}

// WriteJWKS writes the issuer's key file into dir and returns its path.
func (i *Issuer) WriteJWKS(t testing.TB, dir string) string {
	t.Helper()
	b, err := json.Marshal(i.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	name := strings.NewReplacer("https://", "", "/", "_", ":", "_").Replace(i.URL) + ".json"
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Token signs claims, adding iss, and iat, nbf and an hour's exp from the real clock
// where claims do not set them.
func (i *Issuer) Token(t testing.TB, claims map[string]any) string {
	t.Helper()
	full := map[string]any{"iss": i.URL, "iat": time.Now().Unix(), "nbf": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	for k, v := range claims {
		full[k] = v
	}
	return i.sign(t, map[string]any{"alg": i.alg, "typ": "JWT", "kid": i.Kid}, full)
}

// UnsignedToken is what the probe sent: alg none, no signature.
func UnsignedToken(claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"alg": "none", "typ": "JWT"})
	c, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + "."
}

func (i *Issuer) sign(t testing.TB, header, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	var err error
	if i.rsa != nil {
		sig, err = rsa.SignPKCS1v15(rand.Reader, i.rsa, crypto.SHA256, digest[:])
	} else {
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, i.ec, digest[:])
		if err == nil {
			sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}
