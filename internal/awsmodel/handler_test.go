package awsmodel

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

type echoIn struct{ Fail bool }
type echoOut struct{ OK bool }

var opEcho = Op[echoIn, echoOut]{Name: "Echo"}

func echo(_ context.Context, in *echoIn) (*echoOut, error) {
	if in.Fail {
		return nil, errors.New("failed")
	}
	return &echoOut{OK: true}, nil
}

func TestMapErrorsMapsOnlyErrors(t *testing.T) {
	wrapped := errors.New("wrapped")
	hs := MapErrors([]Handler{opEcho.Handle(echo)}, func(err error) error { return errors.Join(wrapped, err) })
	if len(hs) != 1 || hs[0].Operation != "Echo" || hs[0].InputType() != reflect.TypeFor[echoIn]() {
		t.Fatalf("MapErrors changed the handler's operation or input: %+v", hs)
	}
	out, err := hs[0].Call(context.Background(), &echoIn{})
	if err != nil || !out.(*echoOut).OK {
		t.Errorf("a success: got %v, %v", out, err)
	}
	out, err = hs[0].Call(context.Background(), &echoIn{Fail: true})
	if !errors.Is(err, wrapped) || out != nil {
		t.Errorf("a failure: got %v, %v; want the mapped error and no output", out, err)
	}
}
