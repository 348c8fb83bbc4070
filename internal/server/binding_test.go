package server

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/stsapi"
	"github.com/xregion/xregion/internal/service"
)

// Handlers are bound by name (<svc>api.Bind): a service's method named after one of its
// model's operations is that operation's handler. A method of that name with another
// signature would be left unbound, and the operation would answer "not implemented"
// without a word at build time, so every such method must have the operation's
// signature and be bound; and no operation may be bound twice.
func TestHandlersAreBoundByName(t *testing.T) {
	s := newInMemory(t)
	for _, name := range s.services.Names() {
		svc, _ := s.services.Get(name)
		for _, problem := range bindingProblems(svc) {
			t.Errorf("%s: %s", name, problem)
		}
	}
}

// newInMemory is a server in memory, not started, shut down when the test ends.
func newInMemory(t *testing.T) *Server {
	t.Helper()
	s, err := New(Config{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return s
}

// The check itself finds a misspelt signature, an operation bound twice and a method
// of the right signature left unbound.
func TestBindingProblemsAreFound(t *testing.T) {
	got := bindingProblems(miswired{})
	want := []string{
		"AssumeRole is bound 2 times",
		"method GetCallerIdentity is named after an operation but is func(context.Context, *stsapi.GetCallerIdentityRequest) (stsapi.GetCallerIdentityResponse, error), " +
			"not func(context.Context, *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error): it is not bound",
		"method GetSessionToken has its operation's signature but Handlers() does not bind it",
	}
	if !slices.Equal(got, want) {
		t.Errorf("bindingProblems found\n%q\nwant\n%q", got, want)
	}
	if got := bindingProblems(wellWired{}); len(got) != 0 {
		t.Errorf("a service bound by name has problems: %q", got)
	}
}

// bindingProblems lists what is wrong with svc's binding, in a stable order.
func bindingProblems(svc service.Service) []string {
	api := svc.Model()
	bound := map[string]int{}
	for _, h := range svc.Handlers() {
		bound[h.Operation]++
	}
	var problems []string
	for _, op := range slices.Sorted(maps.Keys(bound)) {
		if n := bound[op]; n > 1 {
			problems = append(problems, fmt.Sprintf("%s is bound %d times", op, n))
		}
	}
	v := reflect.ValueOf(svc)
	for i := range v.NumMethod() {
		name := v.Type().Method(i).Name
		op, ok := api.Operations[name]
		if !ok {
			continue
		}
		got, want := v.Method(i).Type(), handlerType(op)
		switch {
		case got != want:
			problems = append(problems, fmt.Sprintf("method %s is named after an operation but is %v, not %v: it is not bound", name, got, want))
		case bound[name] == 0:
			problems = append(problems, fmt.Sprintf("method %s has its operation's signature but Handlers() does not bind it", name))
		}
	}
	return problems
}

// handlerType is the signature of op's handler: func(context.Context, *In) (*Out, error).
func handlerType(op *awsmodel.Operation) reflect.Type {
	in, out := reflect.TypeFor[awsmodel.Empty](), reflect.TypeFor[awsmodel.Empty]()
	if op.Input != nil {
		in = op.Input.GoType
	}
	if op.Output != nil {
		out = op.Output.GoType
	}
	return reflect.FuncOf(
		[]reflect.Type{reflect.TypeFor[context.Context](), reflect.PointerTo(in)},
		[]reflect.Type{reflect.PointerTo(out), reflect.TypeFor[error]()}, false)
}

// miswired is an STS whose GetCallerIdentity answers a value instead of a pointer, whose
// GetSessionToken is bound by nobody, and which binds AssumeRole twice.
type miswired struct{}

func (miswired) Model() *awsmodel.API { return stsapi.Model() }

func (m miswired) Handlers() []awsmodel.Handler {
	assume := stsapi.OpAssumeRole.Handle(func(context.Context, *stsapi.AssumeRoleRequest) (*stsapi.AssumeRoleResponse, error) {
		return nil, nil
	})
	return append(stsapi.Bind(struct{}{}), assume, assume)
}

func (miswired) GetCallerIdentity(context.Context, *stsapi.GetCallerIdentityRequest) (stsapi.GetCallerIdentityResponse, error) {
	return stsapi.GetCallerIdentityResponse{}, nil
}

func (miswired) GetSessionToken(context.Context, *stsapi.GetSessionTokenRequest) (*stsapi.GetSessionTokenResponse, error) {
	return nil, nil
}

// wellWired binds its one operation by name.
type wellWired struct{}

func (wellWired) Model() *awsmodel.API { return stsapi.Model() }

func (w wellWired) Handlers() []awsmodel.Handler { return stsapi.Bind(w) }

func (wellWired) GetSessionToken(context.Context, *stsapi.GetSessionTokenRequest) (*stsapi.GetSessionTokenResponse, error) {
	return nil, nil
}
