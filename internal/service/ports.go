package service

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Ports wires the ports services provide to the services that need them, typed by the
// port's interface: no name is written twice, and a service never names another.
type Ports struct {
	building  string // the module whose New is running, for messages
	providers map[reflect.Type][]provider
	needs     []need
}

type provider struct {
	by    string
	value any
}

type need struct {
	by       string
	port     reflect.Type
	all      bool
	optional bool // served without a provider: the service works, and does less
	fill     func(values []any)
}

// NewPorts returns an empty set of ports, for the core to provide to before Build.
func NewPorts() *Ports { return &Ports{providers: map[reflect.Type][]provider{}} }

// Provide offers v as a provider of the port T, which must be an interface type (write it
// out: service.Provide[port.KeyRing](d.Ports, s)). It panics otherwise: that is a wiring
// mistake any test that builds the service finds.
func Provide[T any](p *Ports, v T) {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Interface {
		panic(fmt.Sprintf("service: %s provides %s, which is not a port interface", p.by(), t))
	}
	p.providers[t] = append(p.providers[t], provider{by: p.by(), value: v})
}

// Need asks for the one provider of the port T, which the registry stores in *dst once
// every service is built: a service uses it when it answers requests and runs jobs,
// never in its New.
func Need[T any](p *Ports, dst *T) {
	p.needs = append(p.needs, need{by: p.by(), port: reflect.TypeFor[T](), fill: func(values []any) {
		*dst = values[0].(T)
	}})
}

// Want asks for the provider of the port T if there is one, and leaves *dst nil when the
// server runs without it: for what a service only reports to (the audit trail), or what
// makes it do more when present (RDS with real database engines), never for what it
// needs to do its work.
func Want[T any](p *Ports, dst *T) {
	p.needs = append(p.needs, need{by: p.by(), port: reflect.TypeFor[T](), optional: true, fill: func(values []any) {
		*dst = values[0].(T)
	}})
}

// NeedAll asks for every provider of the port T (at least one), in the order of the
// services that provide them: AWS Backup needs the providers of each resource type.
func NeedAll[T any](p *Ports, dst *[]T) {
	p.needs = append(p.needs, need{by: p.by(), port: reflect.TypeFor[T](), all: true, fill: func(values []any) {
		out := make([]T, len(values))
		for i, v := range values {
			out[i] = v.(T)
		}
		*dst = out
	}})
}

func (p *Ports) by() string {
	if p.building == "" {
		return "the server"
	}
	return "service " + p.building
}

// wire fills every need, or says which port a service lacks.
func (p *Ports) wire() error {
	var problems []string
	for _, n := range p.needs {
		provs := p.providers[n.port]
		switch {
		case len(provs) == 0 && n.optional:
			continue
		case len(provs) == 0:
			problems = append(problems, fmt.Sprintf("%s needs %s, which no service provides", n.by, n.port))
			continue
		case len(provs) > 1 && !n.all:
			var names []string
			for _, pr := range provs {
				names = append(names, pr.by)
			}
			problems = append(problems, fmt.Sprintf("%s needs one %s, and %s all provide it", n.by, n.port, strings.Join(names, ", ")))
			continue
		}
		values := make([]any, len(provs))
		for i, pr := range provs {
			values[i] = pr.value
		}
		n.fill(values)
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("service: ports not wired: %s", strings.Join(problems, "; "))
	}
	return nil
}
