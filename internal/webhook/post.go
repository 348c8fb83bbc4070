package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/xregion/xregion/internal/service/port"
)

// maxConcurrentPosts bounds the POSTs in flight; more wait their turn.
const maxConcurrentPosts = 64

// maxAnswerBytes is as much of an endpoint's answer as is read (and discarded), so that
// the connection can be reused.
const maxAnswerBytes = 64 << 10

// Poster posts to endpoints in the background. It provides port.Webhooks.
type Poster struct {
	client   *http.Client
	endpoint atomic.Value // string
	ctx      context.Context
	cancel   context.CancelFunc
	slots    chan struct{}
	mu       sync.Mutex // guards stopped and the Add of wg
	stopped  bool
	wg       sync.WaitGroup
}

var _ port.Webhooks = (*Poster)(nil)

// NewPoster returns a Poster whose links point at endpoint until SetEndpoint says
// otherwise. It follows no redirect, as SNS follows none.
func NewPoster(endpoint string) *Poster {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	ctx, cancel := context.WithCancel(context.Background())
	p := &Poster{
		client: &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		ctx: ctx, cancel: cancel, slots: make(chan struct{}, maxConcurrentPosts),
	}
	p.endpoint.Store(endpoint)
	return p
}

// SetEndpoint changes the base URL of the links messages carry: the server knows it
// once it listens.
func (p *Poster) SetEndpoint(endpoint string) { p.endpoint.Store(endpoint) }

// Endpoint implements port.Webhooks.
func (p *Poster) Endpoint() string { return p.endpoint.Load().(string) }

// Post implements port.Webhooks.
func (p *Poster) Post(w port.WebhookPost, done func(port.WebhookResult)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		go done(port.WebhookResult{Err: errStopped})
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		done(p.send(w))
	}()
}

func (p *Poster) send(w port.WebhookPost) port.WebhookResult {
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	case <-p.ctx.Done():
		return port.WebhookResult{Err: p.ctx.Err()}
	}
	ctx, cancel := context.WithTimeout(p.ctx, w.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(w.Body))
	if err != nil {
		return port.WebhookResult{Err: err}
	}
	for k, v := range w.Header {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return port.WebhookResult{Err: err}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswerBytes))
	resp.Body.Close()
	return port.WebhookResult{Status: resp.StatusCode}
}

// Stop lets the posts in flight finish until ctx ends, then cancels the rest (they end
// as failures, which their services retry after a restart), and waits for every done
// callback to return. Call it once the job engine has stopped and before the store
// closes: the callbacks record outcomes in the store.
func (p *Poster) Stop(ctx context.Context) error {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	finished := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		p.cancel()
		return nil
	case <-ctx.Done():
		p.cancel()
		<-finished
		return ctx.Err()
	}
}

// ListenerURL is the base URL of a listening address, for links: an unspecified
// address (0.0.0.0, ::) becomes the loopback one, which a client on the same machine
// reaches.
func ListenerURL(addr string) string {
	host, portNum, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.To4() == nil {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, portNum)
}

// errStopped is a post's answer once the poster has stopped.
var errStopped = errors.New("webhook: stopped")
