package ec2_test

import (
	"errors"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"

	_ "github.com/xregion/xregion/internal/service/ec2"
)

const (
	east = "us-east-1"
	west = "us-west-2"
)

// presigner is a fake port.PresignedURLs: it accepts the URLs it is told to and
// remembers what each check asked for.
type presigner struct {
	accept bool
	asked  []port.Presigned
}

func (p *presigner) Verify(_ kit.Tx, url string, want port.Presigned) error {
	p.asked = append(p.asked, want)
	if !p.accept || url == "" {
		return port.ErrPresignRefused
	}
	return nil
}

// env is EC2 alone, with a fake key ring and presigned-URL checks.
type env struct {
	*kittest.Harness
	keys    *kittest.KeyRing
	presign *presigner
}

func start(t *testing.T, opts ...kittest.Option) *env {
	t.Helper()
	e := &env{keys: kittest.NewKeyRing(), presign: &presigner{accept: true}}
	opts = append(opts, kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.KeyRing](p, e.keys)
		service.Provide[port.PresignedURLs](p, e.presign)
	}))
	e.Harness = kittest.Start(t, []string{"ec2"}, opts...)
	return e
}

// call invokes an EC2 operation in region and fails the test on an error.
func call[I, O any](t *testing.T, e *env, region string, op awsmodel.Op[I, O], in *I) *O {
	t.Helper()
	out, err := kittest.Call(e.Harness, region, op, in)
	if err != nil {
		t.Fatalf("%s: %v", op.Name, err)
	}
	return out
}

// fails invokes an operation that must fail with code, and returns the error's message.
func fails[I, O any](t *testing.T, e *env, region string, op awsmodel.Op[I, O], in *I, code string) string {
	t.Helper()
	_, err := kittest.Call(e.Harness, region, op, in)
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("%s = %v, want %s", op.Name, err, code)
	}
	return ae.Message
}

func filter(name string, values ...string) ec2api.Filter {
	return ec2api.Filter{Name: new(name), Values: values}
}

func network(e *env) port.Network {
	return e.Service("ec2").(port.Network)
}

// view runs fn in a read-only transaction of the harness's store.
func view(t *testing.T, e *env, fn func(tx kit.Tx)) {
	t.Helper()
	k, err := kit.New("probe", kit.Deps{Store: e.Store, Jobs: e.Engine, Clock: e.Clock, Sealer: e.Sealer})
	if err != nil {
		t.Fatal(err)
	}
	if err := k.View(func(tx kit.Tx) error { fn(tx); return nil }); err != nil {
		t.Fatal(err)
	}
}

var hour = time.Hour
