package secretsmanager_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

type trail struct {
	mu     sync.Mutex
	events []port.TrailEvent
}

func (t *trail) Record(ev port.TrailEvent) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.events = append(t.events, ev)
}

func (t *trail) names() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, ev := range t.events {
		out = append(out, ev.Region+":"+ev.Name)
	}
	return out
}

// TestReplicationIsAServiceEvent: a replication that ends tells the audit trail, once, in
// the replica's Region, as an event of the service itself; a failed one says why.
func TestReplicationIsAServiceEvent(t *testing.T) {
	keys := kittest.NewKeyRing()
	tr := &trail{}
	h := kittest.Start(t, []string{"secretsmanager"}, kittest.WithTransitionDelay(time.Second), kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.KeyRing](p, keys)
		service.Provide[port.Trail](p, tr)
	}))
	keys.AddKey(kittest.Account, "us-east-1")
	keys.AddKey(kittest.Account, "us-west-2")
	kittest.Must[*sm.CreateSecretResponse](t)(kittest.Call(h, "us-east-1", sm.OpCreateSecret, &sm.CreateSecretRequest{
		Name: new("db"), SecretString: new("s3cret"), ClientRequestToken: new(token("v1")),
		AddReplicaRegions: []sm.ReplicaRegionType{{Region: new("us-west-2")}, {Region: new("eu-west-3"), KmsKeyId: new("alias/missing")}},
	}))
	if got := tr.names(); len(got) != 0 {
		t.Fatalf("events before the replication ran: %v", got)
	}
	h.Advance(time.Hour)
	got := tr.names()
	if len(got) != 2 || !slices.Contains(got, "us-west-2:ReplicationSucceeded") || !slices.Contains(got, "eu-west-3:ReplicationFailed") {
		t.Fatalf("events = %v, want one success in us-west-2 and one failure in eu-west-3", got)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, ev := range tr.events {
		if ev.EventType != "AwsServiceEvent" || ev.Caller.ARN != "" || ev.Source != "secretsmanager.amazonaws.com" || len(ev.Resources) != 1 {
			t.Errorf("event = %+v", ev)
		}
		if ev.Name == "ReplicationFailed" && ev.ErrorMessage == "" {
			t.Errorf("a failed replication does not say why: %+v", ev)
		}
	}
}
