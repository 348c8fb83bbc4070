// Package service is the contract between xregion's core and the AWS services it serves.
// Each service is a package that registers a Module in its init function; the binary
// contains the services that internal/server/modules.go imports, and nothing else needs to
// change to add one.
package service

import (
	"context"
	"fmt"
	"log/slog"
	"sort"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/protocol"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
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
	Validation() protocol.Validation
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

// Deps is what a service is built from. Services keep no other global state.
type Deps struct {
	Store    store.Store
	Jobs     *jobs.Engine
	Clock    *jobs.Clock
	Faults   *faults.Registry
	Auth     *auth.Resolver
	Sealer   *seal.Sealer
	Logger   *slog.Logger
	Services *Registry // the services built before this one, for Lookup
}

// Module describes a service to the core.
type Module struct {
	// Name is the service's signing name ("secretsmanager", "kms", ...).
	Name string
	// Needs names modules that must be built first because New looks them up.
	Needs []string
	// New builds the service.
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

// Build constructs every registered module, dependencies first.
func Build(deps Deps) (*Registry, error) {
	reg := &Registry{by: map[string]Service{}}
	deps.Services = reg
	names := make([]string, 0, len(modules))
	for n := range modules {
		names = append(names, n)
	}
	sort.Strings(names)
	building := map[string]bool{}
	var build func(name string) error
	build = func(name string) error {
		if _, done := reg.by[name]; done {
			return nil
		}
		m, ok := modules[name]
		if !ok {
			return fmt.Errorf("service: unknown module %q", name)
		}
		if building[name] {
			return fmt.Errorf("service: modules depend on each other in a cycle through %q", name)
		}
		building[name] = true
		for _, need := range m.Needs {
			if err := build(need); err != nil {
				return err
			}
		}
		svc, err := m.New(deps)
		if err != nil {
			return fmt.Errorf("service %s: %w", name, err)
		}
		reg.by[name] = svc
		reg.order = append(reg.order, name)
		return nil
	}
	for _, n := range names {
		if err := build(n); err != nil {
			return nil, err
		}
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

// Lookup returns the service named name as a T, the interface through which another
// service uses it (KMS's keyring, for instance).
func Lookup[T any](r *Registry, name string) (T, error) {
	var zero T
	s, ok := r.by[name]
	if !ok {
		return zero, fmt.Errorf("service: %s is not built yet (declare it in Needs)", name)
	}
	t, ok := s.(T)
	if !ok {
		return zero, fmt.Errorf("service: %s does not implement %T", name, zero)
	}
	return t, nil
}

// DefaultValidation is how services of each protocol answer input that breaks their
// model's constraints, unless they say otherwise through Validator.
func DefaultValidation(api *awsmodel.API) protocol.Validation {
	switch api.Metadata.Protocol {
	case awsmodel.ProtocolQuery:
		return protocol.CoralValidation(awserr.ValidationError)
	}
	return protocol.CoralValidation(awserr.ValidationException)
}

// ValidationOf returns the validation style of svc.
func ValidationOf(svc Service) protocol.Validation {
	if v, ok := svc.(Validator); ok {
		return v.Validation()
	}
	return DefaultValidation(svc.Model())
}
