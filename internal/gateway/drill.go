package gateway

import (
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/sigv4"
)

// Outage drills: the faults an operator injected (internal/faults) that touch a call's
// API. They apply once the operation is known, so that a fault can name it; a call the
// codec cannot decode fails as it would anyway. Their order is the one a client meets in
// a real incident: the delay first (a slow network), then the outage, then throttling.

// statusReset is what the log and the metrics record for a call whose connection was
// reset on purpose: there is no HTTP status to record.
const statusReset = 0

// codeReset names a reset connection in the log and the metrics, in place of an error code.
const codeReset = "ConnectionReset"

// drillEffect is what the faults that match one call add up to.
type drillEffect struct {
	delay    time.Duration
	outage   *faults.Fault
	throttle float64
}

func effectOf(fs []faults.Fault) drillEffect {
	var e drillEffect
	for i, f := range fs {
		e.delay += time.Duration(f.Latency) // a slow Region and a slow service add up
		if f.Outage != "" && e.outage == nil {
			e.outage = &fs[i]
		}
		e.throttle = max(e.throttle, f.ThrottleRate)
	}
	return e
}

// drill applies the faults that match c, and reports whether it answered the call.
func (g *Gateway) drill(w http.ResponseWriter, r *http.Request, c *call) bool {
	if g.cfg.Faults == nil {
		return false
	}
	fs := g.cfg.Faults.Match(c.info.Service, c.info.Region, c.info.Operation)
	if len(fs) == 0 {
		return false
	}
	e := effectOf(fs)
	if e.delay > 0 && !wait(r, e.delay) {
		c.status = 499 // the client gave up while it waited, as a drill of timeouts means it to
		return true
	}
	switch {
	case e.outage != nil && e.outage.Mode == faults.ModeReset:
		g.reset(w, c)
		return true
	case e.outage != nil:
		g.fail(w, c, awserr.ServiceUnavailable.New("Service unavailable in %s: an outage drill is in force (xregion fault).", c.info.Region))
		return true
	case e.throttle > 0 && g.random() < e.throttle:
		g.fail(w, c, throttled(c.entry.proto))
		return true
	}
	return false
}

// wait waits d unless the client goes away first, and reports whether it waited.
func wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (g *Gateway) random() float64 {
	if g.cfg.Random != nil {
		return g.cfg.Random()
	}
	return rand.Float64()
}

// throttled is the error each protocol's services answer when they throttle a caller,
// with the code the SDKs' retry policies know: Throttling for the query services (RDS,
// IAM, STS), RequestLimitExceeded 503 for EC2 (its API reference's "Request throttling"),
// ThrottlingException for the JSON ones (KMS, Secrets Manager, AWS Backup).
func throttled(p sigv4.Protocol) *awserr.Error {
	switch p {
	case sigv4.ProtocolQuery:
		return awserr.Kind{Code: "Throttling", Status: awserr.StatusBadRequest, Sender: true}.New("Rate exceeded")
	case sigv4.ProtocolEC2:
		return awserr.Kind{Code: "RequestLimitExceeded", Status: awserr.StatusServiceUnavailable, Sender: true}.New("Request limit exceeded.")
	}
	return awserr.ThrottlingException.New("Rate exceeded")
}

// reset cuts the call's connection off without an answer: with SO_LINGER at zero, closing
// the socket sends a TCP reset, so the client reads "connection reset by peer".
func (g *Gateway) reset(w http.ResponseWriter, c *call) {
	c.status, c.errCode = statusReset, codeReset
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 and test recorders cannot give their connection up: abort the stream,
		// which net/http turns into a reset of it.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
