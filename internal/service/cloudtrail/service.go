// Package cloudtrail is CloudTrail's event history and trails: the management events of
// every call the gateway hands a service, per account and Region, kept 90 days on the
// engine clock and served by LookupEvents, and delivered by trails as log files
// (trails.go). It provides port.Trail, through which the gateway (and any
// service) records events. Events carry no secret values: the recorder redacts them
// before they reach this package (see internal/gateway/audit.go), and the record is
// what CloudTrail's own JSON record format holds.
package cloudtrail

import (
	"context"

	"github.com/xregion/xregion/internal/awsmodel"
	ct "github.com/xregion/xregion/internal/gen/cloudtrailapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

const serviceName = "cloudtrail"

func init() {
	service.Register(service.Module{Name: serviceName, New: func(d service.Deps) (service.Service, error) { return New(d) }})
}

// Service is CloudTrail's event history.
type Service struct {
	*kit.Kit
	pages kit.Pager
	queue *queue
	// reports keeps trails' log files (port.Reports: files under the data directory);
	// nil when the server keeps none, and then deliveries fail with that reason.
	reports port.Reports
}

var (
	_ service.Service  = (*Service)(nil)
	_ service.Stopper  = (*Service)(nil)
	_ service.Resetter = (*Service)(nil)
	_ port.Trail       = (*Service)(nil)
)

// New builds the service and provides port.Trail.
func New(d service.Deps) (*Service, error) {
	k, err := kit.New(serviceName, d.Deps)
	if err != nil {
		return nil, err
	}
	s := &Service{Kit: k}
	s.pages = k.Pager(func(string) error { return msgInvalidNextToken.New() })
	s.queue = newQueue(s.write, k.Log, gatherFor)
	service.Provide[port.Trail](d.Ports, s)
	service.Want(d.Ports, &s.reports)
	s.registerDelivery()
	return s, nil
}

// Model is the CloudTrail API model.
func (s *Service) Model() *awsmodel.API { return ct.Model() }

// Handlers binds the event history and trails. Event selectors, event data stores,
// channels and Lake queries are not served: the gateway answers them with an error
// naming the operation.
func (s *Service) Handlers() []awsmodel.Handler {
	return ct.Bind(s)
}

// Record queues ev; it is written within moments, and before any lookup reads.
func (s *Service) Record(ev port.TrailEvent) { s.queue.add(ev) }

// Stop writes the events still queued.
func (s *Service) Stop(ctx context.Context) error { return s.queue.stop(ctx) }

// Reset drops the queued events of the state the admin API wiped.
func (s *Service) Reset() { s.queue.drop() }
