package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The credentials of the AWS documentation's SigV4 examples.
const (
	testAccessKey = "AKIDEXAMPLE"
	testSecret    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testToken     = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)

var (
	testCreds        = aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	testSessionCreds = aws.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: testSecret, SessionToken: testToken}
	signTime         = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
)

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// received is a request as the server saw it, with its body read.
type received struct {
	r    *http.Request
	body []byte
}

// newServer starts a server that hands every request it receives to the test. Verifying
// what a real net/http server received (rather than the client's *http.Request) is the
// point: it is what the gateway will see, with Host out of the header map, keys
// canonicalised, and the path as it was on the wire.
func newServer(t testing.TB) (*httptest.Server, <-chan received) {
	t.Helper()
	ch := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		ch <- received{r.Clone(context.Background()), body}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

// send sends req to the server and returns what the server received.
func send(t testing.TB, srv *httptest.Server, ch <-chan received, req *http.Request) received {
	t.Helper()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	resp.Body.Close()
	return <-ch
}

// newRequest builds a client request; body may be nil.
func newRequest(t testing.TB, method, url string, body []byte) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// signHeader signs req with the SDK's signer over payloadHash (the body's hash when
// empty).
func signHeader(t testing.TB, req *http.Request, body []byte, payloadHash string, creds aws.Credentials, service, region string, at time.Time) {
	t.Helper()
	if payloadHash == "" {
		payloadHash = sha256Hex(body)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, service, region, at); err != nil {
		t.Fatal(err)
	}
	// SignHTTP reads the body length but not the body; give the client a fresh reader.
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
}

// presign returns a request for the URL the SDK presigns from req, carrying the headers
// the SDK says must be sent with it.
func presign(t testing.TB, req *http.Request, body []byte, payloadHash string, creds aws.Credentials, service, region string, at time.Time) *http.Request {
	t.Helper()
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payloadHash, service, region, at)
	if err != nil {
		t.Fatal(err)
	}
	out := newRequest(t, req.Method, u, body)
	for k, v := range hdr {
		if k == "Host" {
			continue
		}
		out.Header[k] = v
	}
	return out
}

// verify parses and verifies a received request.
func verify(got received, secret string, now time.Time) (*Auth, error) {
	a, err := Parse(got.r)
	if err != nil {
		return nil, err
	}
	return a, Verify(got.r, got.body, a, secret, now)
}

// wantKind fails unless err is an *Error of kind k (k == 0: err must be nil).
func wantKind(t testing.TB, err error, k Kind) {
	t.Helper()
	if k == 0 {
		if err != nil {
			var e *Error
			if errors.As(err, &e) && e.CanonicalRequest != "" {
				t.Fatalf("unexpected error: %v\ncanonical request:\n%s\nstring to sign:\n%s", err, e.CanonicalRequest, e.StringToSign)
			}
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *Error of kind %v", err, k)
	}
	if e.Kind != k {
		t.Fatalf("error kind = %v (%v), want %v", e.Kind, e, k)
	}
	if e.Message == "" {
		t.Fatalf("error of kind %v has no message", k)
	}
}
