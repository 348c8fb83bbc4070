package secretsmanager

import (
	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// recordReplication tells CloudTrail, in the replica's Region, that a replication ended:
// ReplicationSucceeded or ReplicationFailed, an event of the service itself
// (AwsServiceEvent), as Secrets Manager logs its replication. It is recorded once the
// sync commits, and once per outcome: a sync that finds its work done records nothing.
func (s *Service) recordReplication(tx kit.Tx, p syncPayload, prim *secretRecord, entry *replicaState) {
	if s.trail == nil {
		return
	}
	name := "ReplicationSucceeded"
	if entry.Status == sm.StatusTypeFailed {
		name = "ReplicationFailed"
	}
	arn := prim.arn(tx.In(p.Account, p.Replica))
	ev := port.TrailEvent{
		ID: ids.UUID(), Time: s.Clock.Now(), Account: p.Account, Region: p.Replica, Source: serviceName + ".amazonaws.com",
		Name: name, EventType: "AwsServiceEvent",
		RequestParameters: map[string]any{"primaryRegion": p.Primary, "secretId": arn},
		Resources:         []port.TrailResource{{Type: "AWS::SecretsManager::Secret", Name: arn}},
	}
	if entry.Message != "" && entry.Status == sm.StatusTypeFailed {
		ev.ErrorMessage = entry.Message
	}
	tx.OnCommit(func() { s.trail.Record(ev) })
}
