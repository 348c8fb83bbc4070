// Package xtest holds the small helpers xregion's tests share: AWS SDK configuration for a
// local endpoint and a bounded poll for asynchronous states.
package xtest

import (
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
)

// Account is the account of the default test credentials, the one AWS documentation uses.
const Account = "123456789012"

// Config returns an SDK configuration for endpoint in region, signed with the given key.
// Retries are off so that a test sees the first answer.
func Config(endpoint, region, accessKey, secretKey string) aws.Config {
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
		HTTPClient:       clientFor(endpoint),
	}
}

var (
	clientsMu sync.Mutex
	clients   = map[string]*http.Client{}
)

// clientFor returns one HTTP client per endpoint. Tests run in parallel against servers of
// their own; sharing http.DefaultClient would let one test's connection housekeeping
// (httptest.Server.Close closes the default transport's idle connections, for one) reach
// into another's requests.
func clientFor(endpoint string) *http.Client {
	clientsMu.Lock()
	defer clientsMu.Unlock()
	c, ok := clients[endpoint]
	if !ok {
		c = &http.Client{Transport: hideWriterTo{http.DefaultTransport.(*http.Transport).Clone()}}
		clients[endpoint] = c
	}
	return c
}

// hideWriterTo works around a client-side race of the Go SDK (aws/aws-sdk-go-v2#1825,
// #2737): smithy-go closes a request's body as soon as the response arrives, the body's
// WriteTo then answers the transport's final read with an error, and the transport closes
// the connection under the response being read ("use of closed network connection"). Only
// a server that answers within microseconds — loopback — loses that race. The SDK retries
// the error by default (aws/aws-sdk-go-v2#2949); these clients do not retry, so that a test
// sees the first answer, and hiding WriteTo makes the final read an ordinary end of body.
type hideWriterTo struct{ next http.RoundTripper }

type plainBody struct{ io.ReadCloser }

func (h hideWriterTo) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r = r.Clone(r.Context())
		r.Body = plainBody{r.Body}
	}
	return h.next.RoundTrip(r)
}

// DefaultConfig is Config with test credentials in the default account.
func DefaultConfig(endpoint, region string) aws.Config {
	return Config(endpoint, region, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
}

// CheckFor polls fn until it returns nil or timeout passes, then fails the test with fn's
// last error. It yields between attempts instead of sleeping for a fixed time, so a state
// that is reached at once costs nothing.
func CheckFor(t testing.TB, timeout time.Duration, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	wait := 50 * time.Microsecond
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met after %v: %v", timeout, err)
		}
		runtime.Gosched()
		timer := time.NewTimer(wait)
		<-timer.C
		wait = min(wait*2, 20*time.Millisecond)
	}
}

// Must returns v, failing the test if err is not nil; it reads well around SDK calls:
//
//	out := xtest.Must[*kms.CreateKeyOutput](t)(client.CreateKey(ctx, in))
func Must[T any](t testing.TB) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// WantError fails the test unless err is the AWS error code, answered with the HTTP
// status, and — when message is not empty — with exactly that message.
func WantError(t testing.TB, err error, code string, status int, message string) {
	t.Helper()
	ae := wantCode(t, err, code, status)
	if message != "" && ae.ErrorMessage() != message {
		t.Fatalf("%s message:\n got %q\nwant %q", code, ae.ErrorMessage(), message)
	}
}

// WantErrorContaining is WantError for messages that embed generated ids: the message
// must contain part.
func WantErrorContaining(t testing.TB, err error, code string, status int, part string) {
	t.Helper()
	ae := wantCode(t, err, code, status)
	if !strings.Contains(ae.ErrorMessage(), part) {
		t.Fatalf("%s message %q does not contain %q", code, ae.ErrorMessage(), part)
	}
}

func wantCode(t testing.TB, err error, code string, status int) smithy.APIError {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) {
		t.Fatalf("%s: no HTTP response in %v", code, err)
	}
	if re.HTTPStatusCode() != status {
		t.Fatalf("%s: HTTP status %d, want %d", code, re.HTTPStatusCode(), status)
	}
	return ae
}

// WantClientError is WantError for the status almost every AWS client error has, 400.
func WantClientError(t testing.TB, err error, code, message string) {
	t.Helper()
	WantError(t, err, code, 400, message)
}

// WantClientErrorContaining is WantErrorContaining with status 400.
func WantClientErrorContaining(t testing.TB, err error, code, part string) {
	t.Helper()
	WantErrorContaining(t, err, code, 400, part)
}
