package gateway_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/gateway"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store/memory"
	"github.com/xregion/xregion/internal/xtest"
)

// newGateway is a permissive gateway with the fake services and an admin handler that
// answers 200, for tests that call ServeHTTP directly.
func newGateway(t *testing.T, allowed ...string) *gateway.Gateway {
	t.Helper()
	st := memory.New()
	resolver, err := auth.NewResolver(auth.Config{Mode: auth.Permissive, DefaultAccount: xtest.Account, Sealer: seal.Ephemeral(), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	admin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	return gateway.New(gateway.Config{
		Services: []gateway.Service{fakeSecretsManager(), fakeRDS(), fakeSTS(), fakeBackup()},
		Resolver: resolver, Admin: admin, AllowedHosts: allowed,
	})
}

// serve runs one admin request through g as if it had arrived on local.
func serve(g *gateway.Gateway, local net.IP, host string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "http://"+host+"/_xregion/health", nil)
	r.Host = host
	for k, v := range header {
		r.Header.Set(k, v)
	}
	if local != nil {
		r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, &net.TCPAddr{IP: local, Port: 4566}))
	}
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	return w
}

func TestHostNamesOnLoopback(t *testing.T) {
	g := newGateway(t, "xregion.internal", "*.dev.example")
	loopback := net.ParseIP("127.0.0.1")
	for host, want := range map[string]int{
		"127.0.0.1:4566":       200,
		"[::1]:4566":           200,
		"localhost:4566":       200,
		"LOCALHOST":            200,
		"api.localhost:4566":   200,
		"10.1.2.3:4566":        200, // an IP address cannot be a rebinding page's own name
		"xregion.internal":     200,
		"a.b.dev.example:4566": 200,
		"evil.example:4566":    403,
		"dev.example":          403, // "*.dev.example" names what is under it only
		"localhost.evil.com":   403,
		"":                     403,
	} {
		if got := serve(g, loopback, host, nil); got.Code != want {
			t.Errorf("Host %q on loopback: %d, want %d (%s)", host, got.Code, want, got.Body)
		}
	}
}

func TestHostNamesBeyondLoopback(t *testing.T) {
	lan := net.ParseIP("10.0.0.5")
	if got := serve(newGateway(t), lan, "xregion.corp:4566", nil); got.Code != 200 {
		t.Errorf("a shared deployment without --allowed-hosts refused its name: %d", got.Code)
	}
	g := newGateway(t, "xregion.corp")
	if got := serve(g, lan, "xregion.corp:4566", nil); got.Code != 200 {
		t.Errorf("allowed name: %d", got.Code)
	}
	if got := serve(g, lan, "evil.example:4566", nil); got.Code != 403 {
		t.Errorf("with --allowed-hosts every connection is checked: %d", got.Code)
	}
}

func TestOriginsAndFetchSites(t *testing.T) {
	g := newGateway(t)
	loopback := net.ParseIP("127.0.0.1")
	for _, c := range []struct {
		header map[string]string
		want   int
	}{
		{nil, 200},
		{map[string]string{"Origin": "http://localhost:4566"}, 200},
		{map[string]string{"Origin": "https://localhost:4566"}, 200},
		{map[string]string{"Origin": "http://LocalHost:4566", "Sec-Fetch-Site": "same-origin"}, 200},
		{map[string]string{"Sec-Fetch-Site": "none"}, 200},
		{map[string]string{"Origin": "http://localhost:3000"}, 403},
		{map[string]string{"Origin": "http://evil.example"}, 403},
		{map[string]string{"Origin": "null"}, 403},
		{map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
	} {
		if got := serve(g, loopback, "localhost:4566", c.header); got.Code != c.want {
			t.Errorf("%v: %d, want %d (%s)", c.header, got.Code, c.want, got.Body)
		}
	}
	if got := serve(g, loopback, "localhost", map[string]string{"Origin": "http://localhost"}); got.Code != 200 {
		t.Errorf("default port: %d", got.Code)
	}
}

// TestCrossSitePresignedGETRefused is the probe's reproduction: an image on another site
// pointing at a presigned URL with made-up parameters ran DeleteRole in permissive mode.
func TestCrossSitePresignedGETRefused(t *testing.T) {
	s := startServer(t, auth.Permissive)
	url := presignedURL(t, s.URL, time.Now())
	for name, c := range map[string]struct {
		url    string
		header map[string]string
		want   int
	}{
		"fresh, from no page":    {url, nil, 200},
		"fresh, from a web page": {url, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		"fresh, with an origin":  {url, map[string]string{"Origin": "http://evil.example"}, 403},
		"stale":                  {presignedURL(t, s.URL, time.Now().Add(-time.Hour)), nil, 400}, // RequestExpired
		"from the future":        {presignedURL(t, s.URL, time.Now().Add(time.Hour)), nil, 403},
	} {
		req, _ := http.NewRequest(http.MethodGet, c.url, nil)
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d: %s", name, resp.StatusCode, c.want, body)
		}
	}
}

// presignedURL presigns sts:GetCallerIdentity at signedAt for 60 seconds with any key, as
// permissive mode accepts.
func presignedURL(t *testing.T, endpoint string, signedAt time.Time) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, endpoint+"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60", nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIAANY", SecretAccessKey: "any"},
		req, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sts", "us-east-1", signedAt)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestEmptyAccessKeyRefused(t *testing.T) {
	s := startServer(t, auth.Permissive)
	req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=/"+time.Now().UTC().Format("20060102")+
		"/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>InvalidClientTokenId</Code>") {
		t.Errorf("empty access key id: %d %s", resp.StatusCode, body)
	}
}

func TestLinksAreServedAfterTheBrowserChecks(t *testing.T) {
	st := memory.New()
	resolver, err := auth.NewResolver(auth.Config{Mode: auth.Permissive, DefaultAccount: xtest.Account, Sealer: seal.Ephemeral(), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	links := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	g := gateway.New(gateway.Config{Services: []gateway.Service{fakeSecretsManager()}, Resolver: resolver,
		Links: links, LinkPrefix: "/_aws/"})
	get := func(path string, header map[string]string) int {
		r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566"+path, nil)
		for k, v := range header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		return w.Code
	}
	if code := get("/_aws/sns/us-east-1/?Action=Unsubscribe", nil); code != http.StatusTeapot {
		t.Errorf("a link without a signature: %d, want the links handler's answer", code)
	}
	if code := get("/_aws/sns/us-east-1/?Action=Unsubscribe", map[string]string{"Sec-Fetch-Site": "cross-site"}); code != http.StatusForbidden {
		t.Errorf("a link another site's page followed: %d, want 403", code)
	}
	if code := get("/other", nil); code == http.StatusTeapot {
		t.Error("a path outside the prefix reached the links handler")
	}
}
