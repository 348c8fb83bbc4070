package rds

import (
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// replication is the state of a read replica's replication at an instant: its status
// as DBInstanceStatusInfo shows it, how many seconds the replica is behind its source
// (CloudWatch's ReplicaLag, which this server has no CloudWatch to publish: StatusInfos
// carries it in the message of an error), and the message.
type replication struct {
	Status  string
	Lag     int64
	Message string
	Down    string // the unreachable Region that stopped it
}

// replicationAt is the replication of a replica in region from its source l at now.
// Replication runs while both Regions are reachable; while either is not, it stops, and
// the replica is behind by the time since the outage began (the earlier, when both are
// down). A replica whose source in another Region was deleted is terminated.
func (s *Service) replicationAt(region string, l *replicaLink, now time.Time) replication {
	if !l.Terminated.IsZero() {
		return replication{Status: replicationTerminated, Lag: -1, Message: textReplicationTerminated.with(l.ID)}
	}
	var since time.Time
	down := ""
	for _, r := range []string{l.Region, region} {
		if at, ok := s.Faults.Since(r); ok && (down == "" || at.Before(since)) {
			since, down = at, r
		}
	}
	if down == "" {
		return replication{Status: replicationReplicating}
	}
	lag := int64(now.Sub(since) / time.Second)
	if lag < 0 {
		lag = 0
	}
	return replication{Status: replicationError, Lag: lag, Message: textReplicationUnreachable.with(l.Region, down, lag), Down: down}
}

// replicaOut adds to out what the links of inst show: the replicas of a source, the
// source of a replica and, once the replica exists, its replication.
func (s *Service) replicaOut(v kit.View, inst *instanceRec, now time.Time, out *rdsapi.DBInstance) {
	for _, l := range inst.ReadReplicas {
		out.ReadReplicaDBInstanceIdentifiers = append(out.ReadReplicaDBInstanceIdentifiers, linkName(v, l))
	}
	l := inst.ReplicaOf
	if l == nil {
		return
	}
	out.ReadReplicaSourceDBInstanceIdentifier = new(linkName(v, *l))
	if inst.Created.IsZero() {
		return
	}
	r := s.replicationAt(v.Region(), l, now)
	s.engineLag(inst, l, &r)
	out.StatusInfos = []rdsapi.DBInstanceStatusInfo{{
		StatusType: new(statusInfoReplication), Normal: new(r.Status == replicationReplicating), Status: new(r.Status), Message: optStr(r.Message),
	}}
}
