package rds

import (
	"time"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Real read replicas (--real-engines): the read replica of a real PostgreSQL instance is
// a streaming standby of its server (port.DatabaseEngines.CreateReplica), in its Region
// or in another. It answers with the source's rows, and PostgreSQL itself refuses writes
// on it. While the source's Region or its own is unreachable its stream is cut (the
// engines follow the faults), and the lag StatusInfos shows is the server's own: how
// long the replica has been behind a transaction the source finished (zero when the
// source wrote nothing since). PromoteReadReplica, and a source deleted in the same
// Region, promote its server during the modifying step; deleting the replica deletes
// its server, and the source forgets the WAL it kept for it.

// engineReplica makes replica, in v, a real server when its source, in src, is one. A
// source that holds no data (made before --real-engines) has metadata-only replicas.
func (s *Service) engineReplica(v, src kit.View, primary, replica *instanceRec) error {
	if !primary.RealData || !s.realData(replica.Engine) {
		return nil
	}
	replica.RealData = true
	return putEngineRec(v, replica.ResourceID, &engineRec{Replica: &port.DBReplica{
		ID: replica.ResourceID, Source: primary.ResourceID, Region: v.Region(), SourceRegion: src.Region(),
		Backups: automatedStore(v, replica.ResourceID, replica.KmsKey),
	}})
}

// enginePromote asks the modifying step that follows a promotion to promote the
// replica's server.
func (s *Service) enginePromote(v kit.View, inst *instanceRec) error {
	if !inst.RealData || s.engines == nil {
		return nil
	}
	rec, err := getEngineRec(v, inst.ResourceID)
	if err != nil {
		return err
	}
	rec.Promote = true
	return putEngineRec(v, inst.ResourceID, rec)
}

// enginePromoteStep promotes the server when the modifying step asks for it. Its op is
// its own: the step's op may also set a password.
func (s *Service) enginePromoteStep(rec *engineRec, op, id string) (bool, error) {
	if !rec.Promote {
		return true, nil
	}
	return s.engines.PromoteReplica(op+"/promote", id)
}

// engineLag puts a real replica's lag into its stopped replication: the seconds its
// server is behind, rather than the time since the outage began.
func (s *Service) engineLag(inst *instanceRec, l *replicaLink, r *replication) {
	if !inst.RealData || s.engines == nil || r.Status != replicationError {
		return
	}
	lag, ok := s.engines.ReplicaLag(inst.ResourceID)
	if !ok {
		return
	}
	r.Lag = int64(lag / time.Second)
	r.Message = textReplicationUnreachable.with(l.Region, r.Down, r.Lag)
}
