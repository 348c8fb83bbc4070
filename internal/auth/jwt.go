package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// WebToken is a JSON Web Token (RFC 7519) as AssumeRoleWithWebIdentity receives it:
// read, not yet verified.
type WebToken struct {
	Header  TokenHeader
	Claims  TokenClaims
	signed  string // header.payload, what the signature covers
	sig     []byte
	rawJSON map[string]any // every claim, for condition keys beyond the standard ones
}

// TokenHeader is the JOSE header of a token.
type TokenHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// TokenClaims are the registered claims xregion checks.
type TokenClaims struct {
	Issuer    string
	Subject   string
	Audience  []string // "aud" is a string or a list of strings
	AZP       string   // authorized party, which some providers set to the client id
	Expiry    *time.Time
	NotBefore *time.Time
}

// ErrMalformedToken means a token is not a JWT xregion can read: not three base64url
// parts, or a header or payload that is not a JSON object.
var ErrMalformedToken = errors.New("auth: not a valid JWT")

// ParseWebToken reads a compact-serialised JWT without verifying it.
func ParseWebToken(raw string) (*WebToken, error) {
	parts := strings.Split(strings.TrimSpace(raw), ".")
	if len(parts) != 3 {
		return nil, ErrMalformedToken
	}
	t := &WebToken{signed: parts[0] + "." + parts[1]}
	if err := decodeSegment(parts[0], &t.Header); err != nil {
		return nil, err
	}
	if err := decodeSegment(parts[1], &t.rawJSON); err != nil {
		return nil, err
	}
	var err error
	if t.sig, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[2], "=")); err != nil {
		return nil, ErrMalformedToken
	}
	if t.Claims, err = readClaims(t.rawJSON); err != nil {
		return nil, err
	}
	return t, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return ErrMalformedToken
	}
	if err := json.Unmarshal(b, v); err != nil {
		return ErrMalformedToken
	}
	return nil
}

func readClaims(m map[string]any) (TokenClaims, error) {
	var c TokenClaims
	var ok bool
	if c.Issuer, ok = optionalString(m, "iss"); !ok {
		return c, ErrMalformedToken
	}
	if c.Subject, ok = optionalString(m, "sub"); !ok {
		return c, ErrMalformedToken
	}
	if c.AZP, ok = optionalString(m, "azp"); !ok {
		return c, ErrMalformedToken
	}
	switch aud := m["aud"].(type) {
	case nil:
	case string:
		c.Audience = []string{aud}
	case []any:
		for _, a := range aud {
			s, ok := a.(string)
			if !ok {
				return c, ErrMalformedToken
			}
			c.Audience = append(c.Audience, s)
		}
	default:
		return c, ErrMalformedToken
	}
	var err error
	if c.Expiry, err = numericDate(m, "exp"); err != nil {
		return c, err
	}
	if c.NotBefore, err = numericDate(m, "nbf"); err != nil {
		return c, err
	}
	return c, nil
}

func optionalString(m map[string]any, name string) (string, bool) {
	switch v := m[name].(type) {
	case nil:
		return "", true
	case string:
		return v, true
	}
	return "", false
}

// numericDate reads a NumericDate claim: seconds since 1970, possibly fractional.
func numericDate(m map[string]any, name string) (*time.Time, error) {
	v, present := m[name]
	if !present {
		return nil, nil
	}
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
		return nil, ErrMalformedToken
	}
	sec, frac := math.Modf(f)
	t := time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return &t, nil
}

// Claim returns a claim as the strings a policy condition compares: a string, the
// strings of a list, or the JSON text of anything else. ok is false when the token does
// not carry it.
func (t *WebToken) Claim(name string) ([]string, bool) {
	v, ok := t.rawJSON[name]
	if !ok || v == nil {
		return nil, false
	}
	switch v := v.(type) {
	case string:
		return []string{v}, true
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, claimString(e))
		}
		return out, true
	}
	return []string{claimString(v)}, true
}

func claimString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// CheckTimes holds the token to its validity window at now: ErrTokenExpired past "exp",
// ErrTokenNotYetValid before "nbf" (with leeway for clocks a little apart). A token
// without "exp" never expires here; AWS requires one, but a careful user testing
// against xregion gets the same answer from the other checks.
func (t *WebToken) CheckTimes(now time.Time) error {
	if t.Claims.Expiry != nil && !now.Before(*t.Claims.Expiry) {
		return &TokenTimeError{Err: ErrTokenExpired, Now: now, At: *t.Claims.Expiry}
	}
	if t.Claims.NotBefore != nil && now.Add(notBeforeLeeway).Before(*t.Claims.NotBefore) {
		return &TokenTimeError{Err: ErrTokenNotYetValid, Now: now, At: *t.Claims.NotBefore}
	}
	return nil
}

// notBeforeLeeway tolerates an issuer whose clock runs a little ahead.
const notBeforeLeeway = 5 * time.Minute

// Errors of CheckTimes.
var (
	ErrTokenExpired     = errors.New("auth: the token has expired")
	ErrTokenNotYetValid = errors.New("auth: the token is not valid yet")
)

// TokenTimeError says which time made a token unacceptable.
type TokenTimeError struct {
	Err error
	Now time.Time // the server's time
	At  time.Time // the token's "exp" or "nbf"
}

func (e *TokenTimeError) Error() string {
	return fmt.Sprintf("%v: now %s, token %s", e.Err, e.Now.Format(time.RFC3339), e.At.Format(time.RFC3339))
}

func (e *TokenTimeError) Unwrap() error { return e.Err }
