package sigv4

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The seed corpora live in testdata/fuzz/<target>, so plain `go test` runs them.

// FuzzParse feeds arbitrary Authorization headers, X-Amz-Date values and query strings
// to Parse (and what parses to Verify). Nothing may panic, every failure must be an
// *Error that maps to the wire, and what parses must be well-formed.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, authorization, amzDate, rawQuery string) {
		r := &http.Request{Method: "POST", Host: "localhost:4566", URL: &url.URL{Path: "/", RawQuery: rawQuery}, Header: http.Header{}}
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		if amzDate != "" {
			r.Header.Set("X-Amz-Date", amzDate)
		}
		a, err := Parse(r)
		if err != nil {
			checkError(t, err)
			return
		}
		for _, s := range []string{a.AccessKeyID, a.Date, a.Region, a.Service, a.terminator} {
			if strings.Contains(s, "/") {
				t.Fatalf("scope element %q holds a slash", s)
			}
		}
		if a.Signature != strings.ToLower(a.Signature) {
			t.Fatalf("signature %q not lower-cased", a.Signature)
		}
		if a.Time.IsZero() {
			t.Fatalf("no time")
		}
		if a.Expires < 0 || a.Expires > MaxPresignExpiry+1e9 || (a.Expires != 0 && !a.Presigned) {
			t.Fatalf("expires %v (presigned %v)", a.Expires, a.Presigned)
		}
		if err := Verify(r, []byte(authorization), a, testSecret, a.Time); err != nil {
			checkError(t, err)
		}
	})
}

func checkError(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not an *Error", err, err)
	}
	if e.Kind < KindMissingAuthentication || e.Kind > KindExpiredSecurityToken || e.Message == "" {
		t.Fatalf("bad error %+v", e)
	}
	for _, p := range []Protocol{ProtocolQuery, ProtocolJSON, ProtocolRESTJSON} {
		if code, status, msg := e.Wire(p); code == "" || status < 400 || status > 403 || msg == "" {
			t.Fatalf("Wire(%s) = %q %d %q", p, code, status, msg)
		}
	}
}

// FuzzCanonicalURI checks the canonical URI of any path: only unreserved characters,
// '/' and upper-case escapes; the encoding undoes to the (normalised) path; and the
// normalised form has no empty, "." or ".." segments.
func FuzzCanonicalURI(f *testing.F) {
	f.Fuzz(func(t *testing.T, path string) {
		for _, normalize := range []bool{true, false} {
			got := canonicalURI(path, normalize)
			checkEncoded(t, got, "/")
			want := path
			if normalize {
				want = removeDotSegments(path)
			}
			if want == "" {
				want = "/"
			}
			if dec := unescape(got); dec != want {
				t.Fatalf("canonicalURI(%q, %v) = %q decodes to %q, want %q", path, normalize, got, dec, want)
			}
			if !normalize {
				continue
			}
			inner := strings.TrimSuffix(strings.TrimPrefix(got, "/"), "/")
			for _, seg := range strings.Split(inner, "/") {
				if seg == "." || seg == ".." || (seg == "" && inner != "") {
					t.Fatalf("canonicalURI(%q) = %q keeps segment %q", path, got, seg)
				}
			}
		}
	})
}

// FuzzCanonicalQuery checks the canonical query string of any raw query: well-encoded,
// sorted, and a fixed point (canonicalising it again changes nothing).
func FuzzCanonicalQuery(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string, presigned bool) {
		got := canonicalQuery(raw, presigned)
		checkEncoded(t, got, "&=")
		if again := canonicalQuery(got, false); again != got {
			t.Fatalf("canonicalQuery(%q) = %q, then %q", raw, got, again)
		}
		if got == "" {
			return
		}
		pairs := strings.Split(got, "&")
		for i, p := range pairs {
			if strings.Count(p, "=") != 1 {
				t.Fatalf("pair %q of %q", p, got)
			}
			if presigned && strings.HasPrefix(p, "X-Amz-Signature=") {
				t.Fatalf("signature kept in %q", got)
			}
			if i > 0 {
				pk, pv, _ := strings.Cut(pairs[i-1], "=")
				k, v, _ := strings.Cut(p, "=")
				if pk > k || pk == k && pv > v {
					t.Fatalf("%q not sorted", got)
				}
			}
		}
	})
}

// checkEncoded fails unless s holds only unreserved characters, the extra characters,
// and %XX escapes with upper-case hex.
func checkEncoded(t *testing.T, s, extra string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isUnreserved(c) || strings.IndexByte(extra, c) >= 0:
		case c == '%' && i+2 < len(s) && strings.IndexByte(upperHex, s[i+1]) >= 0 && strings.IndexByte(upperHex, s[i+2]) >= 0:
			i += 2
		default:
			t.Fatalf("%q: byte %q at %d", s, c, i)
		}
	}
}

// FuzzVerifySDK signs arbitrary paths, query parameters and bodies with the SDK for Go's
// signer, by header and by presigned URL, and requires Verify to accept every one.
func FuzzVerifySDK(f *testing.F) {
	f.Fuzz(func(t *testing.T, path, key, value string, body []byte, presigned bool) {
		u := &url.URL{Scheme: "http", Host: "localhost:4566", Path: "/" + path}
		q := url.Values{key: {value}}
		if presigned {
			q.Set("X-Amz-Expires", "60")
		}
		u.RawQuery = q.Encode()
		req, err := http.NewRequest("POST", "http://localhost:4566/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.URL = u
		signer := v4.NewSigner()
		if presigned {
			// UNSIGNED-PAYLOAD stands for an empty body only (see payloadHashes).
			hash := sha256Hex(body)
			if len(body) == 0 {
				hash = UnsignedPayload
			}
			signed, hdr, err := signer.PresignHTTP(context.Background(), testCreds, req, hash, "backup", "eu-west-1", signTime)
			if err != nil {
				t.Fatal(err)
			}
			if req, err = http.NewRequest("POST", signed, bytes.NewReader(body)); err != nil {
				t.Fatalf("presigned URL %q: %v", signed, err)
			}
			for k, v := range hdr {
				if k != "Host" && k != "Content-Length" {
					req.Header[k] = v
				}
			}
		} else if err := signer.SignHTTP(context.Background(), testCreds, req, sha256Hex(body), "backup", "eu-west-1", signTime); err != nil {
			t.Fatal(err)
		}
		a, err := Parse(req)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if err := Verify(req, body, a, testSecret, signTime); err != nil {
			var e *Error
			errors.As(err, &e)
			t.Fatalf("Verify(%s %q): %v\n%s", req.Method, req.URL.String(), err, e.CanonicalRequest)
		}
	})
}
