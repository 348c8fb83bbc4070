package awsmodel

import (
	"context"
	"reflect"
)

// Op names an operation together with the Go types of its input and output, so that a
// service binds a handler of exactly the right signature. The generated packages declare
// one Op per operation (OpCreateSecret, ...).
type Op[I, O any] struct{ Name string }

// Handler is an operation bound to the service function that answers it.
type Handler struct {
	Operation string
	input     reflect.Type
	call      func(ctx context.Context, in any) (any, error)
}

// Handle binds fn to the operation.
func (o Op[I, O]) Handle(fn func(ctx context.Context, in *I) (*O, error)) Handler {
	return Handler{
		Operation: o.Name,
		input:     reflect.TypeFor[I](),
		call: func(ctx context.Context, in any) (any, error) {
			out, err := fn(ctx, in.(*I))
			if err != nil {
				return nil, err
			}
			if out == nil {
				return new(O), nil
			}
			return out, nil
		},
	}
}

// InputType is the Go type the operation's input decodes into.
func (h Handler) InputType() reflect.Type { return h.input }

// Call runs the handler. in must be a pointer to the handler's input type.
func (h Handler) Call(ctx context.Context, in any) (any, error) { return h.call(ctx, in) }

// MapErrors returns hs with every error they answer passed through f first, so that a
// service whose errors all carry something more (EFS's ErrorCode member) adds it in one
// place, whatever binds its handlers.
func MapErrors(hs []Handler, f func(error) error) []Handler {
	out := make([]Handler, len(hs))
	for i, h := range hs {
		call := h.call
		h.call = func(ctx context.Context, in any) (any, error) {
			res, err := call(ctx, in)
			if err != nil {
				return nil, f(err)
			}
			return res, nil
		}
		out[i] = h
	}
	return out
}
