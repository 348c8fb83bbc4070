package sns

import (
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

func init() {
	service.Register(service.Module{Name: serviceName, New: func(d service.Deps) (service.Service, error) { return New(d) }})
}

// Service is Amazon SNS.
type Service struct {
	*kit.Kit
	hooks port.Webhooks
	pages kit.Pager
	keys  keyCache
}

var (
	_ service.Service  = (*Service)(nil)
	_ service.Resetter = (*Service)(nil)
)

// New builds the service, registers its jobs, provides the port.Notifier and asks for
// the port.Webhooks it delivers through.
func New(d service.Deps) (*Service, error) {
	k, err := kit.New(serviceName, d.Deps)
	if err != nil {
		return nil, err
	}
	s := &Service{Kit: k}
	s.pages = k.Pager(func(string) error { return msgBadNextToken.New() })
	s.registerJobs()
	service.Provide[port.Notifier](d.Ports, notifier{s})
	service.Need(d.Ports, &s.hooks)
	return s, nil
}

// Reset drops the unsealed signing keys when the admin API wipes the store.
func (s *Service) Reset() { s.keys.reset() }

// Model is the SNS API model.
func (s *Service) Model() *awsmodel.API { return snsapi.Model() }

// Handlers binds the operations of topics, subscriptions, publishing and tags; the
// mobile push, SMS and data protection operations answer that they are not implemented.
func (s *Service) Handlers() []awsmodel.Handler {
	return snsapi.Bind(s)
}
