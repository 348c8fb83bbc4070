package gateway

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Request bodies are read under an idle deadline: a client whose body stops arriving
// would otherwise hold its connection and a goroutine forever (net/http's ReadTimeout
// bounds the whole request instead, which would cut off a large body that is still
// arriving over a slow link). Each read may wait up to the idle time; every byte that
// arrives starts the wait again.
const (
	// DefaultBodyIdleTimeout is how long a request body may make no progress.
	DefaultBodyIdleTimeout = 20 * time.Second
	// drainIdleTimeout replaces it once the server shuts down, so that a stalled body
	// does not hold the shutdown up while one that is still arriving can finish.
	drainIdleTimeout = time.Second
)

// bodies tracks the request bodies being read, so that Drain can shorten their waits.
type bodies struct {
	idle     time.Duration
	draining atomic.Bool
	mu       sync.Mutex
	active   map[*idleBody]struct{}
}

// idleBody is a request body whose every read extends the connection's read deadline
// by the idle time.
type idleBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	owner *bodies
}

// wrap puts r's body under the idle deadline; release it (a nil body too) when the
// request is answered. (A method rather than a returned closure: one allocation less on
// every request.)
func (b *bodies) wrap(w http.ResponseWriter, r *http.Request) *idleBody {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	body := &idleBody{ReadCloser: r.Body, rc: http.NewResponseController(w), owner: b}
	r.Body = body
	b.mu.Lock()
	b.active[body] = struct{}{}
	b.mu.Unlock()
	return body
}

// release forgets body once its request is answered.
func (body *idleBody) release() {
	if body == nil {
		return
	}
	b := body.owner
	b.mu.Lock()
	delete(b.active, body)
	b.mu.Unlock()
}

func (b *bodies) idleTime() time.Duration {
	if b.draining.Load() {
		return min(b.idle, drainIdleTimeout)
	}
	return b.idle
}

// drain shortens the wait of every body being read, and of those to come.
func (b *bodies) drain() {
	b.draining.Store(true)
	deadline := time.Now().Add(b.idleTime())
	b.mu.Lock()
	defer b.mu.Unlock()
	for body := range b.active {
		// A connection that does not support deadlines (a test recorder) keeps none.
		_ = body.rc.SetReadDeadline(deadline)
	}
}

func (body *idleBody) Read(p []byte) (int, error) {
	_ = body.rc.SetReadDeadline(time.Now().Add(body.owner.idleTime()))
	return body.ReadCloser.Read(p)
}

// Drain makes request bodies that stall give up within a second instead of the idle
// timeout, from now on. The server calls it when it starts to shut down, so that a client
// that stopped sending cannot hold the shutdown up.
func (g *Gateway) Drain() { g.bodies.drain() }
