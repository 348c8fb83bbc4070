package gateway_test

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/gateway"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store/memory"
	"github.com/xregion/xregion/internal/xtest"
)

// stallingRequest sends the headers of a request announcing a 100-byte body and 10 bytes
// of it, and returns the connection, which sends nothing more.
func stallingRequest(t *testing.T, url, path string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_, err = conn.Write([]byte("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\n" +
		"X-Amz-Target: secretsmanager.GetSecretValue\r\nContent-Length: 100\r\n\r\n{\"SecretI"))
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// answer reads the response to a stalled request, failing the test if none comes within
// limit (a safety net, not a pause: the read returns as soon as the server answers).
func answer(t *testing.T, conn net.Conn, limit time.Duration) (*http.Response, time.Duration) {
	t.Helper()
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(limit))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body within %v: %v", limit, err)
	}
	resp.Body.Close()
	return resp, time.Since(start)
}

func newStallGateway(t *testing.T, idle time.Duration) (*gateway.Gateway, string) {
	t.Helper()
	st := memory.New()
	resolver, err := auth.NewResolver(auth.Config{Mode: auth.Permissive, DefaultAccount: xtest.Account, Sealer: seal.Ephemeral(), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	g := gateway.New(gateway.Config{Services: []gateway.Service{fakeSecretsManager()}, Resolver: resolver, BodyIdleTimeout: idle})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return g, srv.URL
}

func TestStalledBodyIsCutOff(t *testing.T) {
	_, url := newStallGateway(t, 300*time.Millisecond)
	conn := stallingRequest(t, url, "/")
	resp, waited := answer(t, conn, 10*time.Second)
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Errortype") != "RequestTimeout" {
		t.Errorf("stalled body: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}
	if waited < 200*time.Millisecond {
		t.Errorf("cut off after %v, before the idle timeout", waited)
	}
}

// TestBodyMakingProgressIsNotCutOff sends a body slowly, each piece within the idle time
// of the last, for longer than the idle time in total.
func TestBodyMakingProgressIsNotCutOff(t *testing.T) {
	_, url := newStallGateway(t, 400*time.Millisecond)
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"SecretId":"slow-but-steady"}`
	_, err = conn.Write([]byte("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\n" +
		"X-Amz-Target: secretsmanager.GetSecretValue\r\nX-Amz-Date: 20240101T000000Z\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIDX/20240101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	// The client's pace is what is tested: six pieces, 150 ms apart, about a second in
	// all, each well within the idle time of the one before.
	tick := time.NewTicker(150 * time.Millisecond)
	defer tick.Stop()
	for piece := range slices.Chunk([]byte(body), 6) {
		<-tick.C
		if _, err := conn.Write(piece); err != nil {
			t.Fatal(err)
		}
	}
	resp, _ := answer(t, conn, 10*time.Second)
	if resp.StatusCode != 200 {
		t.Errorf("a body that kept arriving: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}
}

func TestDrainCutsStalledBodiesAtOnce(t *testing.T) {
	g, url := newStallGateway(t, time.Hour)
	conn := stallingRequest(t, url, "/")
	// Whether the gateway already reads the body or gets to it later, a drained
	// gateway waits a second at most.
	g.Drain()
	resp, waited := answer(t, conn, 10*time.Second)
	if resp.StatusCode != 400 || waited > 5*time.Second {
		t.Errorf("after Drain: %d after %v", resp.StatusCode, waited)
	}
}

// A body that ends before its declared length is a request that cannot be read: the
// client hears SerializationException (400), as from a malformed body.
func TestBodyShorterThanDeclaredIsRefused(t *testing.T) {
	_, url := newStallGateway(t, 10*time.Second)
	conn := stallingRequest(t, url, "/")
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	resp, _ := answer(t, conn, 10*time.Second)
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Errortype") != "SerializationException" {
		t.Errorf("short body: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}
}
