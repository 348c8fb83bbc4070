// Package kittest runs services in the test process without the gateway, HTTP or a
// server: a test builds the services it needs (each package registers itself), puts fakes
// where a port's real provider is not wanted, and calls operations as the gateway would
// after decoding a request — validated against the model, with the request's account,
// Region and caller in the context.
//
//	h := kittest.Start(t, []string{"secretsmanager"}, kittest.WithPorts(func(p *service.Ports) {
//		service.Provide[port.KeyRing](p, kittest.NewKeyRing())
//	}))
//	out, err := kittest.Call(h, "us-east-1", secretsmanagerapi.OpCreateSecret, &in)
//
// The clock is frozen: nothing happens by itself, and Advance runs what falls due, in
// order.
package kittest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
)

// Account is the account calls act in unless a test says otherwise.
const Account = "123456789012"

// Epoch is where the frozen clock starts.
var Epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Harness is a set of services built in the test process.
type Harness struct {
	Store  store.Store
	Engine *jobs.Engine
	Clock  *jobs.Clock
	Faults *faults.Registry
	Sealer *seal.Sealer
	// Account is the account of the calls (Account by default).
	Account string
	t       testing.TB
	reg     *service.Registry
}

type config struct {
	delay   time.Duration
	provide []func(*service.Ports)
	store   store.Store
}

// Option changes how a harness is built.
type Option func(*config)

// WithTransitionDelay makes every asynchronous transition take d (0 by default).
func WithTransitionDelay(d time.Duration) Option { return func(c *config) { c.delay = d } }

// WithStore builds the services on st (a durable store, for a benchmark of what a
// service costs on disk) instead of a fresh in-memory one.
func WithStore(st store.Store) Option { return func(c *config) { c.store = st } }

// WithPorts provides ports before the services are built: fakes, for the ports the
// services under test need and that no service built with them provides.
func WithPorts(provide func(p *service.Ports)) Option {
	return func(c *config) { c.provide = append(c.provide, provide) }
}

// Start builds the named services on a fresh in-memory store and a frozen clock, wires
// their ports and starts the job engine, which stops when the test ends.
func Start(t testing.TB, services []string, opts ...Option) *Harness {
	t.Helper()
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	st := cfg.store
	if st == nil {
		st = memory.New()
	}
	reachable, err := faults.Load(st)
	if err != nil {
		t.Fatalf("kittest: %v", err)
	}
	h := &Harness{Store: st, Clock: jobs.NewFrozenClock(Epoch), Faults: reachable, Sealer: seal.Ephemeral(), Account: Account, t: t}
	h.Engine = jobs.New(jobs.Config{Store: st, Clock: h.Clock, TransitionDelay: cfg.delay})
	ports := service.NewPorts()
	for _, p := range cfg.provide {
		p(ports)
	}
	reg, err := service.Build(service.Deps{
		Deps:  kit.Deps{Store: st, Jobs: h.Engine, Clock: h.Clock, Faults: h.Faults, Sealer: h.Sealer},
		Ports: ports,
	}, services...)
	if err != nil {
		t.Fatalf("kittest: %v", err)
	}
	h.reg = reg
	if err := h.Engine.Start(); err != nil {
		t.Fatalf("kittest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := h.Engine.Stop(ctx); err != nil {
			t.Errorf("kittest: stopping the job engine: %v", err)
		}
	})
	return h
}

// Service returns a built service.
func (h *Harness) Service(name string) service.Service {
	svc, ok := h.reg.Get(name)
	if !ok {
		h.t.Fatalf("kittest: %s was not built", name)
	}
	return svc
}

// Context returns the context a handler gets for a request of op signed for region, in
// the harness's account, by the account's root user.
func (h *Harness) Context(region, service, op string) context.Context {
	partition, ok := regions.Partition(region)
	if !ok {
		partition = "aws"
	}
	return request.With(context.Background(), &request.Info{
		ID: ids.UUID(), Service: service, Operation: op, Region: region, Partition: partition, Account: h.Account,
		Caller: request.Caller{ARN: "arn:" + partition + ":iam::" + h.Account + ":root", UserID: h.Account},
	})
}

// Call invokes op in region on the service that implements it, as the gateway does once
// it has decoded a request: the input must satisfy the model (or the call answers the
// service's validation error), then the handler runs. An operation no built service
// implements fails the test.
func Call[I, O any](h *Harness, region string, op awsmodel.Op[I, O], in *I) (*O, error) {
	h.t.Helper()
	svc, handler, ok := h.find(op.Name, reflect.TypeFor[I]())
	if !ok {
		h.t.Fatalf("kittest: no service built here implements %s", op.Name)
	}
	api := svc.Model()
	if verr := service.ValidationOf(svc).Validate(api.Operations[op.Name], in); verr != nil {
		return nil, verr
	}
	out, err := handler.Call(h.Context(region, api.Metadata.Signing(), op.Name), in)
	if err != nil {
		return nil, err
	}
	return out.(*O), nil
}

func (h *Harness) find(op string, input reflect.Type) (service.Service, awsmodel.Handler, bool) {
	for _, name := range h.reg.Names() {
		svc, _ := h.reg.Get(name)
		for _, hd := range svc.Handlers() {
			if hd.Operation == op && hd.InputType() == input {
				return svc, hd, true
			}
		}
	}
	return nil, awsmodel.Handler{}, false
}

// Advance moves the clock forward by d, running every job that falls due on the way.
func (h *Harness) Advance(d time.Duration) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.Engine.Advance(ctx, d); err != nil {
		h.t.Fatalf("kittest: advancing the clock by %v: %v", d, err)
	}
}

// SetUnreachable takes a Region down for cross-Region work, or brings it back.
func (h *Harness) SetUnreachable(region string, down bool) {
	h.t.Helper()
	var err error
	if down {
		err = h.Faults.Set(faults.Fault{Region: region, Unreachable: true, Since: h.Clock.Now()})
	} else {
		err = h.Faults.Clear(region)
	}
	if err != nil {
		h.t.Fatalf("kittest: %v", err)
	}
}

// Must fails the test on err and returns v: kittest.Must(kittest.Call(...)).
func Must[T any](t testing.TB) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(fmt.Errorf("kittest: %w", err))
		}
		return v
	}
}
