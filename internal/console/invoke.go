package console

import (
	"context"
	"fmt"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gateway"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/request"
)

// services finds the operations the console calls. The console answers a person's click
// with the very handler the API serves, after the same model validation the gateway
// applies, so a form shows AWS's own error for bad input and no rule lives here twice.
type services struct {
	bySigning map[string]gateway.Service
}

func newServices(list []gateway.Service) services {
	s := services{bySigning: map[string]gateway.Service{}}
	for _, svc := range list {
		s.bySigning[svc.API.Metadata.Signing()] = svc
	}
	return s
}

// serves reports whether the binary serves operation of service (by its signing name):
// pages that gather resources of several services leave out those it does not.
func (s services) serves(service, operation string) bool {
	svc, ok := s.bySigning[service]
	if !ok {
		return false
	}
	for i := range svc.Handlers {
		if svc.Handlers[i].Operation == operation {
			return true
		}
	}
	return false
}

// actor is who a console request acts as, and where.
type actor struct {
	Account   string
	AccessKey string
	Caller    request.Caller
	Region    string
}

// call runs one operation of a service as a.
func call[I, O any](ctx context.Context, s services, a actor, service string, op awsmodel.Op[I, O], in *I) (*O, error) {
	svc, ok := s.bySigning[service]
	if !ok {
		return nil, awserr.UnknownService.New("xregion does not serve the service %q", service)
	}
	model, ok := svc.API.Operations[op.Name]
	if !ok {
		return nil, awserr.Internal(fmt.Errorf("console: %s has no operation %s", service, op.Name))
	}
	var handler *awsmodel.Handler
	for i := range svc.Handlers {
		if svc.Handlers[i].Operation == op.Name {
			handler = &svc.Handlers[i]
		}
	}
	if handler == nil {
		return nil, awserr.Internal(fmt.Errorf("console: %s does not implement %s", service, op.Name))
	}
	if verr := svc.Validation.Validate(model, in); verr != nil {
		return nil, verr
	}
	partition, ok := regions.Partition(a.Region)
	if !ok {
		return nil, awserr.InvalidRegion.New("The Region %q does not exist", a.Region)
	}
	info := &request.Info{
		ID: ids.UUID(), Service: service, Operation: op.Name, Region: a.Region, Partition: partition,
		Account: a.Account, AccessKey: a.AccessKey, Caller: a.Caller,
	}
	out, err := handler.Call(request.With(ctx, info), in)
	if err != nil {
		return nil, awserr.As(err)
	}
	return out.(*O), nil
}
