package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Verify checks a's signature of r, whose body has been read into body, with the caller's
// secret key, at the server time now. It checks, in AWS's order: that host is signed; the
// request time (within MaxSkew of now; a presigned URL also until X-Amz-Date +
// X-Amz-Expires, at most MaxPresignExpiry); the credential scope's terminator and date;
// the form of X-Amz-Content-Sha256; the signature, compared in constant time; and last,
// that a payload hash the client declared is the body's.
//
// Region and service are not checked here: the gateway knows which it serves and answers
// WrongRegion or WrongService.
func Verify(r *http.Request, body []byte, a *Auth, secretKey string, now time.Time) error {
	if a == nil {
		return newError(KindMissingAuthentication, msgMissingAuthQuery)
	}
	if !signsHost(a.SignedHeaders) {
		return newError(KindHostNotSigned, msgHostNotSigned)
	}
	if err := checkTime(a, now); err != nil {
		return err
	}
	if err := checkScope(a); err != nil {
		return err
	}
	payloads, declared, err := payloadHashes(r, body, a)
	if err != nil {
		return err
	}

	key := signingKey(secretKey, a.Date, a.Region, a.Service)
	want, _ := hex.DecodeString(a.Signature) // a malformed signature simply never matches

	query := canonicalQuery(r.URL.RawQuery, a.Presigned)
	var headers strings.Builder
	writeCanonicalHeaders(&headers, r, a.SignedHeaders)
	signedHeaders := strings.Join(a.SignedHeaders, ";")
	path := requestPath(r)

	// The candidates are the forms real SDKs sign. Paths: the normalised one (the SigV4
	// specification; botocore, the SDK for JavaScript) and the path as sent (the SDK for
	// Go v1 and v2 do not normalise). They differ only for paths with empty, "." or ".."
	// segments. Payloads: see payloadHashes. The first candidate is the specification's,
	// and is the one quoted when nothing matches.
	uris := []string{canonicalURI(path, true)}
	if raw := canonicalURI(path, false); raw != uris[0] {
		uris = append(uris, raw)
	}
	var first *Error
	for _, uri := range uris {
		for _, payload := range payloads {
			creq := r.Method + "\n" + uri + "\n" + query + "\n" + headers.String() + "\n" + signedHeaders + "\n" + payload
			sts := stringToSign(a, creq)
			mac := hmac.New(sha256.New, key[:])
			mac.Write([]byte(sts))
			if hmac.Equal(mac.Sum(nil), want) {
				if declared != "" {
					return checkDeclaredHash(declared, body)
				}
				return nil
			}
			if first == nil {
				first = &Error{Kind: KindSignatureMismatch, Message: msgMismatch, CanonicalRequest: creq, StringToSign: sts}
			}
		}
	}
	return first
}

func signsHost(signed []string) bool {
	for _, h := range signed {
		if strings.EqualFold(h, "host") || h == ":authority" {
			return true
		}
	}
	return false
}

// CheckAge checks what a presigned URL's age tells without its secret key: that
// X-Amz-Date is current (within MaxSkew of now) or, with X-Amz-Expires, that the URL has
// not expired, and that the credential scope's date is X-Amz-Date's. The gateway asks
// this of presigned requests even when it verifies no signatures, so that a link with
// made-up or stale parameters (in a web page, a chat, a log) is not a request xregion
// runs; a page that builds a fresh one during a visit is stopped by the gateway's
// browser checks.
func CheckAge(a *Auth, now time.Time) error {
	if err := checkTime(a, now); err != nil {
		return err
	}
	return checkScope(a)
}

// checkTime applies the clock rules. The messages are AWS's ("Signature expired: ... is
// now earlier than ... (... - 15 min.)", recorded by dynalite and seen in many client
// issues; "Signature not yet current" by scratchstack and versitygw).
func checkTime(a *Auth, now time.Time) error {
	now = now.UTC()
	t := a.Time.UTC()
	if a.Presigned && a.Expires > MaxPresignExpiry {
		return incomplete("X-Amz-Expires must be less than a week (in seconds) that is %d", int64(MaxPresignExpiry/time.Second))
	}
	if late := now.Add(MaxSkew); t.After(late) {
		return newError(KindRequestTimeTooSkewed, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %d min.)",
			t.Format(TimeFormat), late.Format(TimeFormat), now.Format(TimeFormat), int(MaxSkew/time.Minute)))
	}
	if a.Presigned && a.hasExpires {
		if now.After(t.Add(a.Expires)) {
			return newError(KindPresignedURLExpired, msgPresignExpired)
		}
		return nil
	}
	if early := now.Add(-MaxSkew); t.Before(early) {
		return newError(KindRequestTimeTooSkewed, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d min.)",
			t.Format(TimeFormat), early.Format(TimeFormat), now.Format(TimeFormat), int(MaxSkew/time.Minute)))
	}
	return nil
}

// checkScope checks the parts of the credential scope that do not depend on routing. The
// messages are AWS's, joined as AWS joins them (dynalite, scratchstack).
func checkScope(a *Auth) error {
	var msgs []string
	if a.terminator != scopeTerminator {
		msgs = append(msgs, fmt.Sprintf("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", a.terminator))
	}
	if want := a.Time.UTC().Format(DateFormat); a.Date != want {
		msgs = append(msgs, fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			a.Date, want, a.Time.UTC().Format(TimeFormat)))
	}
	if len(msgs) > 0 {
		return newError(KindInvalidCredentialScope, strings.Join(msgs, " "))
	}
	return nil
}

// payloadHashes returns the payload hashes the client may have signed and, if the client
// declared a SHA-256 in X-Amz-Content-Sha256, that declaration (to be checked against
// the body once the signature holds).
//
// Outside S3, AWS computes the payload hash itself: a client cannot opt out of signing
// the body. A declared UNSIGNED-PAYLOAD is therefore taken only for an empty body, where
// it is as good as the empty body's hash (presigned GETs: botocore presigns every URL
// over UNSIGNED-PAYLOAD, RDS's PreSignedUrl included); with a body, the only hash
// accepted is the body's, so a captured request cannot be replayed with another body.
// A presigned URL says nothing about which of the two it signed, so with an empty body
// both are tried.
func payloadHashes(r *http.Request, body []byte, a *Auth) (hashes []string, declared string, err error) {
	declared = r.Header.Get("X-Amz-Content-Sha256")
	if declared == "" && a.Presigned {
		for _, p := range splitQuery(r.URL.RawQuery) {
			if p.key == "X-Amz-Content-Sha256" {
				declared = p.value
				break
			}
		}
	}
	sum := sha256.Sum256(body)
	h := hex.EncodeToString(sum[:])
	switch {
	case declared == UnsignedPayload:
		if len(body) > 0 {
			return []string{h}, "", nil
		}
		return []string{UnsignedPayload, h}, "", nil
	case declared != "":
		if len(declared) != sha256.Size*2 || !isHexString(declared) {
			// S3's wording for the same fault (InvalidArgument there).
			return nil, "", newError(KindPayloadHashMismatch,
				"x-amz-content-sha256 must be UNSIGNED-PAYLOAD, or a valid sha256 value.")
		}
		return []string{declared}, declared, nil
	}
	if a.Presigned && len(body) == 0 {
		return []string{h, UnsignedPayload}, "", nil
	}
	return []string{h}, "", nil
}

// checkDeclaredHash holds the body to the hash the client signed. Without it a signature
// over a declared hash would authenticate any body.
func checkDeclaredHash(declared string, body []byte) error {
	want, _ := hex.DecodeString(declared)
	sum := sha256.Sum256(body)
	if !hmac.Equal(sum[:], want) {
		// S3's XAmzContentSHA256Mismatch text.
		return newError(KindPayloadHashMismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	return nil
}

func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func stringToSign(a *Auth, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + a.Time.UTC().Format(TimeFormat) + "\n" + a.scope() + "\n" + hex.EncodeToString(sum[:])
}

// Signing keys. Deriving one takes four HMACs, more than the rest of a small request's
// verification; it depends only on the secret, the date, the Region and the service, so
// the derived keys are cached. The cache is bounded and simply emptied when full: keys
// change with the date, so old entries would otherwise accumulate forever.

type keyScope struct{ secret, date, region, service string }

const maxCachedKeys = 4096

var keyCache = struct {
	sync.RWMutex
	m map[keyScope][sha256.Size]byte
}{m: make(map[keyScope][sha256.Size]byte)}

func signingKey(secret, date, region, service string) [sha256.Size]byte {
	ks := keyScope{secret, date, region, service}
	keyCache.RLock()
	k, ok := keyCache.m[ks]
	keyCache.RUnlock()
	if ok {
		return k
	}
	k = deriveKey(secret, date, region, service)
	keyCache.Lock()
	if len(keyCache.m) >= maxCachedKeys {
		clear(keyCache.m)
	}
	keyCache.m[ks] = k
	keyCache.Unlock()
	return k
}

// deriveKey is kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service),
// "aws4_request").
func deriveKey(secret, date, region, service string) [sha256.Size]byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, scopeTerminator)
	return [sha256.Size]byte(k)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
