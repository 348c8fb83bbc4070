// Package servertest starts a complete xregion in the test process, for tests that drive
// it with real AWS SDK clients.
package servertest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xregion/xregion/internal/server"
	"github.com/xregion/xregion/internal/xtest"
)

// Instance is a running server.
type Instance struct {
	URL    string
	Server *server.Server
	t      testing.TB
}

// Option changes the configuration of a test server.
type Option func(*server.Config)

// WithTransitionDelay sets the delay of asynchronous transitions (the default here is 0).
func WithTransitionDelay(d time.Duration) Option {
	return func(c *server.Config) { c.TransitionDelay = d }
}

// WithDataDir makes the server durable in dir instead of in memory.
func WithDataDir(dir string) Option {
	return func(c *server.Config) { c.InMemory, c.DataDir = false, dir }
}

// WithStrictAuth verifies signatures against the given keys ("AKID:SECRET[:ACCOUNT],...").
func WithStrictAuth(keys string) Option {
	return func(c *server.Config) { c.Auth, c.Credentials = "strict", keys }
}

// WithOIDCKeys gives the server identity providers' signing keys (a JWKS file or
// directory), as --oidc-jwks does.
func WithOIDCKeys(path string) Option {
	return func(c *server.Config) { c.OIDCKeys = path }
}

// WithRealEngines runs RDS PostgreSQL instances as real PostgreSQL servers
// (--real-engines); in memory, their files live in a temporary directory.
func WithRealEngines() Option {
	return func(c *server.Config) { c.RealEngines = true }
}

// Start runs a server on a loopback port until the test ends. By default it keeps state
// in memory and makes every asynchronous transition as fast as possible.
func Start(t testing.TB, opts ...Option) *Instance {
	t.Helper()
	cfg := server.Config{InMemory: true, TransitionDelay: 0}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatalf("servertest: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("servertest: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("servertest: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	inst := &Instance{URL: "http://" + ln.Addr().String(), Server: srv, t: t}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("servertest: shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("servertest: serve: %v", err)
		}
	})
	return inst
}

// Config returns an SDK configuration for the server in region, in the default account.
func (i *Instance) Config(region string) aws.Config { return xtest.DefaultConfig(i.URL, region) }

// ConfigAs returns an SDK configuration signed with the given key.
func (i *Instance) ConfigAs(region, accessKey, secretKey string) aws.Config {
	return xtest.Config(i.URL, region, accessKey, secretKey)
}

// Advance moves the server's clock forward, running the jobs that fall due on the way.
func (i *Instance) Advance(d time.Duration) {
	i.t.Helper()
	if err := i.Server.Engine().Advance(context.Background(), d); err != nil {
		i.t.Fatalf("advancing the clock by %v: %v", d, err)
	}
}

// WaitIdle waits until no due job is left to run.
func (i *Instance) WaitIdle() {
	i.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := i.Server.Engine().WaitIdle(ctx); err != nil {
		i.t.Fatalf("waiting for the job engine: %v", err)
	}
}

// SetUnreachable takes a Region down for cross-Region work (or brings it back) through the
// admin API, as an operator rehearsing a failover would.
func (i *Instance) SetUnreachable(region string, unreachable bool) {
	i.t.Helper()
	body := fmt.Sprintf(`{"region":%q,"unreachable":%t}`, region, unreachable)
	resp, err := http.Post(i.URL+"/_xregion/faults", "application/json", strings.NewReader(body))
	if err != nil {
		i.t.Fatalf("setting the fault of %s: %v", region, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		i.t.Fatalf("setting the fault of %s: HTTP %d", region, resp.StatusCode)
	}
}

// Env is a running server with one service's SDK clients in the two Regions most tests
// use, us-east-1 and us-west-2, and the means to make more: what every service's tests
// start with.
type Env[C any] struct {
	*Instance
	East C // us-east-1
	West C // us-west-2
	make func(aws.Config) C
}

// StartEnv starts a server, as Start does, with clients of the service whose SDK
// constructor is newClient (secretsmanager.NewFromConfig, say).
func StartEnv[C, O any](t testing.TB, newClient func(aws.Config, ...func(*O)) C, opts ...Option) *Env[C] {
	t.Helper()
	inst := Start(t, opts...)
	e := &Env[C]{Instance: inst, make: func(cfg aws.Config) C { return newClient(cfg) }}
	e.East, e.West = e.In("us-east-1"), e.In("us-west-2")
	return e
}

// In returns a client of the service for region, in the default account.
func (e *Env[C]) In(region string) C { return e.make(e.Config(region)) }
