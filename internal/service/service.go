// Package service is the contract between xregion's core and the AWS services it serves,
// and the registry that builds them. Each service is a package that registers a Module
// in its init function; the binary contains the services that internal/server/modules.go
// imports, and nothing else needs to change to add one. Services meet one another only
// through ports (package port), which the registry wires at start-up.
package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/service/kit"
)

// Service is one AWS service: its model and the handlers of the operations it implements.
// Operations of the model without a handler answer an error that names them.
type Service interface {
	Model() *awsmodel.API
	Handlers() []awsmodel.Handler
}

// Validator is implemented by services whose invalid-input errors differ from their
// protocol's default (see DefaultValidation).
type Validator interface {
	Validation() awsmodel.Validation
}

// Resetter is implemented by services that keep state outside the store (caches), which
// they drop when the admin API wipes everything.
type Resetter interface {
	Reset()
}

// Stopper is implemented by services that hold work in memory (batched writes) which
// must reach the store before the server stops. Stop runs after the last request and
// before the job engine stops.
type Stopper interface {
	Stop(ctx context.Context) error
}

// Deps is what a service is built from. Services keep no other global state. A service
// on the kit cuts its Kit from the embedded kit.Deps (kit.New(name, d.Deps)).
type Deps struct {
	kit.Deps
	// Auth is the credential resolver, for RDS's presigned URLs until they are checked
	// through port.PresignedURLs. STS meets it through port.Credentials.
	Auth *auth.Resolver
	// Ports is where the service provides and needs ports; see Provide and Need.
	Ports *Ports
}

// Module describes a service to the core.
type Module struct {
	// Name is the service's signing name ("secretsmanager", "kms", ...).
	Name string
	// New builds the service. It registers the service's jobs, provides its ports and
	// declares what it needs; needs are filled after every service is built.
	New func(Deps) (Service, error)
}

var modules = map[string]Module{}

// Register adds a module to the binary. It is called from the init function of the
// service's package and panics on a duplicate name.
func Register(m Module) {
	if _, dup := modules[m.Name]; dup {
		panic("service: duplicate module " + m.Name)
	}
	modules[m.Name] = m
}

// Registry holds built services by name.
type Registry struct {
	order []string
	by    map[string]Service
}

// Build constructs the registered modules named (all of them when none is named), in
// name order, then wires their ports: it fails, naming the service and the port, when a
// port a service needs has no provider. deps.Ports may hold ports provided by the core
// (nil means none).
func Build(deps Deps, names ...string) (*Registry, error) {
	if deps.Ports == nil {
		deps.Ports = NewPorts()
	}
	if len(names) == 0 {
		for n := range modules {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	reg := &Registry{by: map[string]Service{}}
	for _, name := range names {
		m, ok := modules[name]
		if !ok {
			return nil, fmt.Errorf("service: unknown module %q", name)
		}
		deps.Ports.building = name
		svc, err := m.New(deps)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", name, err)
		}
		reg.by[name] = svc
		reg.order = append(reg.order, name)
	}
	deps.Ports.building = ""
	if err := deps.Ports.wire(); err != nil {
		return nil, err
	}
	return reg, nil
}

// Names lists the built services in build order.
func (r *Registry) Names() []string { return append([]string(nil), r.order...) }

// Get returns a built service.
func (r *Registry) Get(name string) (Service, bool) {
	s, ok := r.by[name]
	return s, ok
}

// DefaultValidation is how services of each protocol answer input that breaks their
// model's constraints, unless they say otherwise through Validator.
func DefaultValidation(api *awsmodel.API) awsmodel.Validation {
	switch api.Metadata.Protocol {
	case awsmodel.ProtocolQuery:
		return awsmodel.CoralValidation(awserr.ValidationError)
	}
	return awsmodel.CoralValidation(awserr.ValidationException)
}

// ValidationOf returns the validation style of svc.
func ValidationOf(svc Service) awsmodel.Validation {
	if v, ok := svc.(Validator); ok {
		return v.Validation()
	}
	return DefaultValidation(svc.Model())
}
