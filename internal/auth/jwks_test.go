package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/xtest"
)

func loadKeys(t *testing.T, issuers ...*xtest.Issuer) *WebIdentityKeys {
	t.Helper()
	dir := t.TempDir()
	for _, i := range issuers {
		i.WriteJWKS(t, dir)
	}
	keys, err := LoadWebIdentityKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func parse(t *testing.T, raw string) *WebToken {
	t.Helper()
	tok, err := ParseWebToken(raw)
	if err != nil {
		t.Fatalf("ParseWebToken: %v", err)
	}
	return tok
}

func TestVerifySignatures(t *testing.T) {
	rs := xtest.NewIssuer(t, "https://rs.example.com", "RS256")
	es := xtest.NewIssuer(t, "https://es.example.com/tenant", "ES256")
	stranger := xtest.NewIssuer(t, "https://rs.example.com", "RS256") // same issuer, other key
	keys := loadKeys(t, rs, es)
	if got := keys.Issuers(); len(got) != 2 {
		t.Errorf("issuers %v", got)
	}
	claims := map[string]any{"sub": "user", "aud": "sts.amazonaws.com"}

	for _, i := range []*xtest.Issuer{rs, es} {
		if err := keys.Verify(parse(t, i.Token(t, claims))); err != nil {
			t.Errorf("%s: %v", i.URL, err)
		}
	}
	for name, c := range map[string]struct {
		token string
		want  error
	}{
		"alg none":           {xtest.UnsignedToken(map[string]any{"iss": rs.URL, "sub": "x"}), ErrBadSignature},
		"another key":        {stranger.Token(t, claims), ErrBadSignature},
		"unknown issuer":     {xtest.NewIssuer(t, "https://other.example.com", "ES256").Token(t, claims), ErrNoVerificationKey},
		"payload changed":    {swapPayload(rs.Token(t, claims), rs.Token(t, map[string]any{"sub": "admin"})), ErrBadSignature},
		"signature stripped": {strings.TrimRight(rs.Token(t, claims), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"), ErrBadSignature},
	} {
		if err := keys.Verify(parse(t, c.token)); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	var none *WebIdentityKeys
	if err := none.Verify(parse(t, rs.Token(t, claims))); !errors.Is(err, ErrNoVerificationKey) {
		t.Errorf("no keys configured: %v", err)
	}
}

// swapPayload puts the payload of b under the header and signature of a.
func swapPayload(a, b string) string {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	return pa[0] + "." + pb[1] + "." + pa[2]
}

func TestTokenTimes(t *testing.T) {
	i := xtest.NewIssuer(t, "https://t.example.com", "ES256")
	now := time.Now()
	expired := parse(t, i.Token(t, map[string]any{"exp": now.Add(-time.Minute).Unix()}))
	if err := expired.CheckTimes(now); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("expired: %v", err)
	}
	early := parse(t, i.Token(t, map[string]any{"nbf": now.Add(time.Hour).Unix()}))
	if err := early.CheckTimes(now); !errors.Is(err, ErrTokenNotYetValid) {
		t.Errorf("not yet valid: %v", err)
	}
	skewed := parse(t, i.Token(t, map[string]any{"nbf": now.Add(time.Minute).Unix()}))
	if err := skewed.CheckTimes(now); err != nil {
		t.Errorf("nbf a minute ahead (issuer's clock): %v", err)
	}
	if err := parse(t, i.Token(t, nil)).CheckTimes(now); err != nil {
		t.Errorf("current token: %v", err)
	}
}

func TestParseWebTokenClaims(t *testing.T) {
	i := xtest.NewIssuer(t, "https://c.example.com", "ES256")
	tok := parse(t, i.Token(t, map[string]any{"sub": "repo:o/r:ref:refs/heads/main", "aud": []any{"a", "b"}, "azp": "client",
		"groups": []any{"x", "y"}, "email_verified": true}))
	c := tok.Claims
	if c.Issuer != i.URL || c.Subject != "repo:o/r:ref:refs/heads/main" || len(c.Audience) != 2 || c.AZP != "client" || c.Expiry == nil {
		t.Errorf("claims %+v", c)
	}
	if g, ok := tok.Claim("groups"); !ok || len(g) != 2 {
		t.Errorf("groups claim %v %v", g, ok)
	}
	if v, ok := tok.Claim("email_verified"); !ok || v[0] != "true" {
		t.Errorf("bool claim %v %v", v, ok)
	}
	for _, bad := range []string{"", "a.b", "a.b.c.d", "!!.!!.!!", xtest.UnsignedToken(map[string]any{"aud": 5}),
		xtest.UnsignedToken(map[string]any{"exp": "tomorrow"}), xtest.UnsignedToken(map[string]any{"iss": 1})} {
		if _, err := ParseWebToken(bad); !errors.Is(err, ErrMalformedToken) {
			t.Errorf("ParseWebToken(%q): %v", bad, err)
		}
	}
}

func TestLoadWebIdentityKeysRefusesWhatItCannotUse(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"not json":      `{`,
		"no issuer":     `{"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]}`,
		"http issuer":   `{"issuer": "http://x", "keys": []}`,
		"no keys":       `{"issuer": "https://x", "keys": []}`,
		"small RSA":     `{"issuer": "https://x", "keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}`,
		"not a point":   `{"issuer": "https://x", "keys": [{"kty": "EC", "crv": "P-256", "x": "` + strings.Repeat("A", 43) + `", "y": "` + strings.Repeat("A", 43) + `"}]}`,
		"symmetric":     `{"issuer": "https://x", "keys": [{"kty": "oct", "k": "c2VjcmV0"}]}`,
		"encryption":    `{"issuer": "https://x", "keys": [{"kty": "EC", "use": "enc"}]}`,
		"unknown curve": `{"issuer": "https://x", "keys": [{"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"}]}`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadWebIdentityKeys(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
	if _, err := LoadWebIdentityKeys(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing path was accepted")
	}
}
