// Package gateway is xregion's HTTP front door. For every request it finds the service
// (from the SigV4 credential scope), the Region and the account (from the access key),
// verifies the signature in strict mode, lets the service's protocol codec decode the
// operation's input, validates it against the model, calls the service, and writes the
// answer or the error the way that protocol does. Panics become InternalFailure; nothing
// here is specific to one service.
package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/protocol"
	"github.com/xregion/xregion/internal/protocol/awsjson"
	ec2proto "github.com/xregion/xregion/internal/protocol/ec2"
	"github.com/xregion/xregion/internal/protocol/query"
	"github.com/xregion/xregion/internal/protocol/restjson"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/sigv4"
	"github.com/xregion/xregion/internal/store"
)

// Service is what the gateway needs of a service: its model, its handlers and how it
// reports invalid input.
type Service struct {
	API        *awsmodel.API
	Handlers   []awsmodel.Handler
	Validation awsmodel.Validation
	// Signing and Load stand for the three above when the service's model is to be
	// parsed on its first request rather than at start-up: parsing every model cost
	// most of the time to the first answer (bench/README.md), and grows with each
	// service added. Signing is the service's signing name; Load returns the service
	// with API, Handlers and Validation set, the same each time (memoised).
	Signing string
	Load    func() Service
}

// Resolved is s with its model: s itself, or what Load returns.
func (s Service) Resolved() Service {
	if s.API == nil && s.Load != nil {
		return s.Load()
	}
	return s
}

// SigningName is the name clients put in the SigV4 credential scope for s.
func (s Service) SigningName() string {
	if s.API != nil {
		return s.API.Metadata.Signing()
	}
	return s.Signing
}

// Config wires a Gateway.
type Config struct {
	Services []Service
	Resolver *auth.Resolver
	Now      func() time.Time // the engine clock, for token expiry; signatures are checked against real time
	Admin    http.Handler     // served under AdminPrefix
	// Console is the web console, served under ConsolePrefix and offered to a browser
	// that opens "/" (see wantsConsole).
	Console http.Handler
	// Links, when set, answers the unsigned links under LinkPrefix that services put in
	// what they send (SNS's SubscribeURL, UnsubscribeURL and SigningCertURL), after the
	// browser checks like everything else.
	Links      http.Handler
	LinkPrefix string
	Logger     *slog.Logger
	// AllowedHosts are Host names besides localhost and IP addresses that requests may
	// carry ("*.example.com" for every name under example.com); see browser.go.
	AllowedHosts []string
	// BodyIdleTimeout is how long a request body may make no progress before the
	// request is cut off; 0 means DefaultBodyIdleTimeout.
	BodyIdleTimeout time.Duration
	// Faults are the outage drills in force (drill.go); nil means none.
	Faults *faults.Registry
	// Trail records every call handed to a service as a CloudTrail event (audit.go);
	// nil means none.
	Trail port.Trail
	// Observer hears of every AWS API request served, for metrics; nil means none.
	Observer Observer
	// Random draws the throttled share of calls (a number in [0, 1)); nil means
	// math/rand. Tests fix it.
	Random func() float64
}

// Observer is told of each AWS API request once it is answered: its service, operation,
// Region, HTTP status (0 for a connection reset on purpose), error code ("" on success)
// and how long it took.
type Observer interface {
	Request(service, operation, region, code string, status int, took time.Duration)
}

// AdminPrefix is the path under which the admin API is served.
const AdminPrefix = "/_xregion/"

// ConsolePrefix is the path under which the web console is served.
const ConsolePrefix = AdminPrefix + "console/"

// Gateway is the http.Handler of the AWS endpoint.
type Gateway struct {
	cfg      Config
	hosts    hostPolicy
	bodies   *bodies
	services map[string]*entry // by signing name
	ordered  []*entry          // as configured

	// The routes of requests that name no service in a credential scope (guess), built
	// on the first such request: they need every service's model.
	routing  sync.Once
	byTarget map[string]*entry // JSON services by X-Amz-Target prefix
	byAction map[string][]*entry
	rest     []*entry
}

// entry is one service as the gateway serves it. Its model, codec and handlers are set
// up by ready, on first use.
type entry struct {
	configured Service
	once       sync.Once
	Service    // configured, resolved
	codec      protocol.Codec
	proto      sigv4.Protocol
	handlers   map[string]awsmodel.Handler
}

// New builds a gateway. It panics if a handler does not fit its operation, a programming
// error: at once for a service given with its model, on its first request (or Preload)
// for one given with Load.
func New(cfg Config) *Gateway {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BodyIdleTimeout <= 0 {
		cfg.BodyIdleTimeout = DefaultBodyIdleTimeout
	}
	g := &Gateway{cfg: cfg, hosts: newHostPolicy(cfg.AllowedHosts),
		bodies:   &bodies{idle: cfg.BodyIdleTimeout, active: map[*idleBody]struct{}{}},
		services: map[string]*entry{}}
	for _, svc := range cfg.Services {
		e := &entry{configured: svc}
		if svc.API != nil {
			e.ready() // a model given up front is checked up front
		}
		g.services[svc.SigningName()] = e
		g.ordered = append(g.ordered, e)
	}
	return g
}

// ready loads the entry's model and builds its codec and handler table, once. It panics
// if a handler does not fit its operation.
func (e *entry) ready() *entry {
	e.once.Do(e.build)
	return e
}

func (e *entry) build() {
	svc := e.configured.Resolved()
	e.Service, e.handlers, e.proto = svc, map[string]awsmodel.Handler{}, sigv4.Protocol(svc.API.Metadata.Protocol)
	switch svc.API.Metadata.Protocol {
	case awsmodel.ProtocolJSON:
		e.codec = awsjson.New(svc.API)
	case awsmodel.ProtocolQuery:
		e.codec = query.New(svc.API)
	case awsmodel.ProtocolEC2:
		e.codec = ec2proto.New(svc.API)
	case awsmodel.ProtocolRESTJSON:
		e.codec = restjson.New(svc.API)
	default:
		panic(fmt.Sprintf("gateway: %s uses unsupported protocol %q", svc.API.Metadata.ServiceID, svc.API.Metadata.Protocol))
	}
	for _, h := range svc.Handlers {
		op, ok := svc.API.Operations[h.Operation]
		if !ok {
			panic(fmt.Sprintf("gateway: %s has no operation %s", svc.API.Metadata.ServiceID, h.Operation))
		}
		want := reflect.TypeFor[awsmodel.Empty]()
		if op.Input != nil {
			want = op.Input.GoType
		}
		if h.InputType() != want {
			panic(fmt.Sprintf("gateway: handler for %s takes %v, want %v", h.Operation, h.InputType(), want))
		}
		e.handlers[h.Operation] = h
	}
}

// Preload sets up every service now, loading the models New left for their first
// request: a test calls it to find a handler that does not fit its operation.
func (g *Gateway) Preload() {
	for _, e := range g.ordered {
		e.ready()
	}
}

// buildRoutes indexes every service by what an unsigned request names: a JSON target
// prefix, a query Action, or a REST path.
func (g *Gateway) buildRoutes() {
	g.byTarget, g.byAction = map[string]*entry{}, map[string][]*entry{}
	for _, e := range g.ordered {
		api := e.ready().API
		switch api.Metadata.Protocol {
		case awsmodel.ProtocolJSON:
			g.byTarget[api.Metadata.TargetPrefix] = e
		case awsmodel.ProtocolQuery, awsmodel.ProtocolEC2:
			for name := range api.Operations {
				g.byAction[name] = append(g.byAction[name], e)
			}
		case awsmodel.ProtocolRESTJSON:
			g.rest = append(g.rest, e)
		}
	}
}

// call is one request on its way through the gateway.
type call struct {
	info    request.Info
	entry   *entry
	op      *awsmodel.Operation
	status  int
	errCode string
	start   time.Time
}

// accessDenied is the answer to a request a browser sent on another page's behalf.
var accessDenied = awserr.Kind{Code: "AccessDenied", Status: http.StatusForbidden, Sender: true}

// requestTimeout is the answer to a request whose body stopped arriving.
var requestTimeout = awserr.Kind{Code: "RequestTimeout", Status: http.StatusBadRequest, Sender: true}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if reason := g.browserCheck(r); reason != "" {
		g.refuseBrowser(w, r, reason)
		return
	}
	defer g.bodies.wrap(w, r).release()
	if g.cfg.Console != nil && wantsConsole(r) {
		g.cfg.Console.ServeHTTP(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, AdminPrefix) && g.cfg.Admin != nil {
		g.cfg.Admin.ServeHTTP(w, r)
		return
	}
	if g.cfg.Links != nil && g.cfg.LinkPrefix != "" && strings.HasPrefix(r.URL.Path, g.cfg.LinkPrefix) {
		g.cfg.Links.ServeHTTP(w, r)
		return
	}
	c := &call{start: time.Now(), info: request.Info{ID: ids.UUID()}}
	defer g.log(c)
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			e := awserr.Internal(fmt.Errorf("panic: %v", p))
			g.cfg.Logger.Error("panic while serving a request", "requestId", c.info.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			g.fail(w, c, e)
		}
	}()

	a, authErr := sigv4.Parse(r)
	if authErr != nil {
		g.unsigned(w, r, c, authErr)
		return
	}
	e, ok := g.services[a.Service]
	if !ok {
		c.entry = g.guess(r, nil)
		g.fail(w, c, awserr.UnknownService.New("xregion does not serve the service %q named in the credential scope", a.Service))
		return
	}
	c.entry = e.ready()
	c.info.Service = a.Service
	partition, ok := regions.Partition(a.Region)
	if !ok {
		g.fail(w, c, awserr.InvalidRegion.New("The Region %q named in the credential scope does not exist", a.Region))
		return
	}
	c.info.Region, c.info.Partition = a.Region, partition

	body, aerr := readBody(w, r)
	if aerr != nil {
		g.fail(w, c, aerr)
		return
	}
	if aerr := g.authenticate(r, body, a, c); aerr != nil {
		g.fail(w, c, aerr)
		return
	}
	g.dispatch(w, r, body, c)
}

// wantsConsole reports whether a request is for the web console: its paths, and "/" as a
// browser opens it (a GET that asks for HTML and carries no AWS signature), which the
// console answers with a link to itself. SDKs never send such a request.
func wantsConsole(r *http.Request) bool {
	p := r.URL.Path
	if p == strings.TrimSuffix(ConsolePrefix, "/") || strings.HasPrefix(p, ConsolePrefix) {
		return true
	}
	return p == "/" && r.Method == http.MethodGet && r.URL.RawQuery == "" && r.Header.Get("Authorization") == "" &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// refuseBrowser answers a request browserCheck refused, in the admin API's JSON or as an
// AWS error, and logs it: an operator whose own page is refused needs to see why.
func (g *Gateway) refuseBrowser(w http.ResponseWriter, r *http.Request, reason string) {
	g.cfg.Logger.Warn("refused a browser request", "method", r.Method, "path", r.URL.Path, "host", r.Host,
		"origin", r.Header.Get("Origin"), "reason", reason)
	if strings.HasPrefix(r.URL.Path, AdminPrefix) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		b, _ := json.Marshal(map[string]string{"error": reason})
		_, _ = w.Write(append(b, '\n'))
		return
	}
	c := &call{start: time.Now(), info: request.Info{ID: ids.UUID()}}
	defer g.log(c)
	g.fail(w, c, accessDenied.New("%s", reason))
}

// unsigned handles a request without SigV4 authentication: only operations the model
// marks as unsigned (sts:AssumeRoleWithWebIdentity, ...) are served, in the default
// Region and account.
func (g *Gateway) unsigned(w http.ResponseWriter, r *http.Request, c *call, authErr error) {
	body, aerr := readBody(w, r)
	c.entry = g.guess(r, body)
	if aerr != nil {
		g.fail(w, c, aerr)
		return
	}
	var se *sigv4.Error
	if !errors.As(authErr, &se) || se.Kind != sigv4.KindMissingAuthentication || c.entry == nil {
		g.failAuth(w, c, authErr)
		return
	}
	op, _, err := c.entry.codec.Decode(r, body)
	if err != nil || op.AuthType != "none" {
		g.failAuth(w, c, authErr)
		return
	}
	c.info.Service = c.entry.API.Metadata.Signing()
	c.info.Region = regions.Default
	c.info.Partition, _ = regions.Partition(regions.Default)
	c.info.Account = g.cfg.Resolver.DefaultAccount()
	c.info.Caller = request.Caller{ARN: arn.New(c.info.Partition, "iam", "", c.info.Account, "root"), UserID: c.info.Account}
	g.dispatch(w, r, body, c)
}

// guess finds the service an unsigned request is meant for, so that its error can be
// written in the right protocol.
func (g *Gateway) guess(r *http.Request, body []byte) *entry {
	g.routing.Do(g.buildRoutes)
	if prefix, _, ok := awsjson.Target(r); ok {
		return g.byTarget[prefix]
	}
	if params, err := query.Params(r, body); err == nil && params.Get("Action") != "" {
		if es := g.byAction[params.Get("Action")]; len(es) == 1 {
			return es[0]
		}
		return nil
	}
	for _, e := range g.rest {
		if op, _, err := e.codec.Decode(r, nil); err == nil && op != nil {
			return e
		}
	}
	return nil
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *awserr.Error) {
	if r.Body == nil {
		return nil, nil
	}
	var body []byte
	var err error
	if n := r.ContentLength; n >= 0 && n <= protocol.MaxBodyBytes {
		// The length is declared and allowed (what every SDK sends): one buffer of that
		// size, filled by one read, where io.ReadAll grows a buffer from 512 bytes and
		// reads once more to see the end. net/http ends the body at the declared length
		// and reports a shorter one as io.ErrUnexpectedEOF, as it did to io.ReadAll.
		body = make([]byte, n)
		_, err = io.ReadFull(r.Body, body)
	} else {
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, protocol.MaxBodyBytes))
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, awserr.RequestEntityTooLarge.New("Request body exceeds the maximum of %d bytes", protocol.MaxBodyBytes)
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// S3's code and text for the same fault; the SDKs retry RequestTimeout.
			return nil, requestTimeout.New("Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
		}
		return nil, awserr.SerializationException.New("Could not read the request body: %v", err)
	}
	return body, nil
}

// authenticate resolves the access key to an identity and, in strict mode, verifies the
// signature.
func (g *Gateway) authenticate(r *http.Request, body []byte, a *sigv4.Auth, c *call) *awserr.Error {
	id, err := g.cfg.Resolver.Resolve(a.AccessKeyID, a.SecurityToken, g.cfg.Now())
	switch {
	case errors.Is(err, auth.ErrUnknownKey):
		return g.authError(c, sigv4.UnknownAccessKey())
	case errors.Is(err, auth.ErrExpiredToken):
		return g.authError(c, sigv4.ExpiredSecurityToken())
	case errors.Is(err, auth.ErrBadToken):
		return g.authError(c, sigv4.InvalidSecurityToken())
	case err != nil:
		return awserr.Internal(err)
	}
	if g.cfg.Resolver.Strict() {
		if err := sigv4.Verify(r, body, a, id.SecretKey, time.Now()); err != nil {
			return g.authError(c, err)
		}
	} else if a.Presigned {
		// Permissive mode verifies no signature, but a presigned URL must still be
		// current: see sigv4.CheckAge.
		if err := sigv4.CheckAge(a, time.Now()); err != nil {
			return g.authError(c, err)
		}
	}
	c.info.Account = id.Account
	c.info.AccessKey = id.AccessKeyID
	c.info.Temporary = id.Temporary()
	c.info.Caller = request.Caller{ARN: arn.InPartition(id.ARN, c.info.Partition), UserID: id.UserID,
		Session: request.Session{Policy: id.SessionPolicy, PolicyARNs: id.SessionPolicyARNs, FederatedBy: id.FederatedBy}}
	return nil
}

func (g *Gateway) authError(c *call, err error) *awserr.Error {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return awserr.Internal(err)
	}
	proto := sigv4.ProtocolJSON
	if c.entry != nil {
		proto = c.entry.proto
	}
	code, status, msg := se.Wire(proto)
	return &awserr.Error{Code: code, Status: status, Message: msg, Sender: true, MessageField: "Message"}
}

func (g *Gateway) failAuth(w http.ResponseWriter, c *call, err error) {
	g.fail(w, c, g.authError(c, err))
}

// dispatch decodes, validates and calls the operation, and writes its answer.
func (g *Gateway) dispatch(w http.ResponseWriter, r *http.Request, body []byte, c *call) {
	e := c.entry
	op, in, err := e.codec.Decode(r, body)
	c.op = op
	if op != nil {
		c.info.Operation = op.Name
	}
	if err != nil {
		g.fail(w, c, awserr.As(err))
		return
	}
	if g.drill(w, r, c) {
		return
	}
	h, ok := e.handlers[op.Name]
	if !ok {
		g.fail(w, c, e.codec.NotImplemented(op.Name))
		return
	}
	if verr := e.Validation.Validate(op, in); verr != nil {
		g.audit(r, c, in, nil, verr)
		g.fail(w, c, verr)
		return
	}
	ctx := request.With(r.Context(), &c.info)
	out, err := h.Call(ctx, in)
	if err != nil {
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			c.status = 499 // the client went away; nothing to write
			return
		}
		aerr := asAWSError(err)
		g.audit(r, c, in, nil, aerr)
		g.fail(w, c, aerr)
		return
	}
	g.audit(r, c, in, out, nil)
	c.status = http.StatusOK
	e.codec.Encode(w, op, out, c.info.ID)
}

// asAWSError is the answer for an error a service returned. A store that cannot write
// for want of space is a temporary condition the client should retry (every SDK retries
// ServiceUnavailable), not an internal failure; the store's watcher logs it once.
func asAWSError(err error) *awserr.Error {
	if errors.Is(err, store.ErrNoSpace) {
		return awserr.ServiceUnavailable.New("xregion cannot write right now: its disk is full. Retry once there is room.")
	}
	return awserr.As(err)
}

// fail writes an error in the protocol of the request's service (JSON when it is not
// known).
func (g *Gateway) fail(w http.ResponseWriter, c *call, e *awserr.Error) {
	c.status, c.errCode = e.Status, e.Code
	if e.Cause != nil {
		g.cfg.Logger.Error("internal error", "requestId", c.info.ID, "service", c.info.Service,
			"operation", c.info.Operation, "error", e.Cause)
	}
	if c.entry != nil {
		c.entry.codec.EncodeError(w, c.op, e, c.info.ID)
		return
	}
	body := awsjson.ErrorBody(e)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", c.info.ID)
	w.Header().Set("X-Amzn-Errortype", e.Code)
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

func (g *Gateway) log(c *call) {
	if g.cfg.Observer != nil {
		g.cfg.Observer.Request(c.info.Service, c.info.Operation, c.info.Region, c.errCode, c.status, time.Since(c.start))
	}
	level := slog.LevelInfo
	if c.status >= 500 && c.status != http.StatusServiceUnavailable {
		// A 503 is a condition logged once where it arises (a full disk), not a fault
		// of this request.
		level = slog.LevelError
	}
	if !g.cfg.Logger.Enabled(context.Background(), level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("service", c.info.Service), slog.String("operation", c.info.Operation),
		slog.String("region", c.info.Region), slog.String("account", c.info.Account),
		slog.Int("status", c.status), slog.Duration("latency", time.Since(c.start)),
		slog.String("requestId", c.info.ID),
	}
	if c.errCode != "" {
		attrs = append(attrs, slog.String("error", c.errCode))
	}
	g.cfg.Logger.LogAttrs(context.Background(), level, "request", attrs...)
}
