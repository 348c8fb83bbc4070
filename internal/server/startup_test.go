package server

import (
	"context"
	"testing"

	"github.com/xregion/xregion/internal/awsmodel"
)

// Start-up parses no service model: each is loaded on its service's first request, so
// the time to the first answer stays flat as services are added (bench/README.md). Nor
// does it build the metrics' registry and collectors, which wait for the first request,
// job, commit or scrape. Not parallel, so that no other test loads a model meanwhile.
func TestStartLoadsNoModel(t *testing.T) {
	before := awsmodel.LoadedModels()
	s, err := New(Config{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if loaded := awsmodel.LoadedModels() - before; loaded != 0 {
		t.Errorf("start-up loaded %d models", loaded)
	}
	if s.meters.Built() {
		t.Error("start-up built the metrics' collectors")
	}
}

// The gateway finds a service by its module's name before loading its model, so the two
// must agree; and every handler must fit its operation, which the gateway checks only
// when it loads the model.
func TestModulesAreNamedBySigningName(t *testing.T) {
	s, err := New(Config{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	for _, name := range s.services.Names() {
		svc, _ := s.services.Get(name)
		if signing := svc.Model().Metadata.Signing(); signing != name {
			t.Errorf("module %q serves the model signed as %q", name, signing)
		}
	}
	s.gateway.Preload()
}
