package rds

import (
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Real data for Aurora PostgreSQL clusters (--real-engines). An Aurora cluster's storage
// is the cluster's, not its instances': here it is one PostgreSQL server named by the
// cluster's DbClusterResourceId, made when the cluster is created and kept until it is
// deleted, with the cluster's automated backups (base backups and WAL) in the cluster's
// store. The cluster endpoint, the reader endpoint and every member instance's endpoint
// answer on that server.
//
// Choices where Aurora has no local equivalent:
//   - The server runs from the cluster's creation, before any instance exists: Aurora's
//     storage (and its continuous backup, which the restore window shows) exists from
//     then too. A client that connects before adding a writer reaches the data rather
//     than a refusal.
//   - Readers connect to the same server as the writer. Aurora readers share the
//     cluster volume; a hot standby per reader belongs to the standby engine layer
//     (read replicas), which is not on main yet, and can be wired here when it is.
//   - A secondary cluster of a global database stays metadata: it needs a streaming
//     standby of its primary's server, the same missing layer.
//
// The life cycle is the cluster's: each status step first asks the engines for the
// matching work (clusterEngineStep) and waits, on the clock, until it is done, as
// instances do (realdata.go). The engine record (engineRec) is shared with instances,
// keyed by the cluster's resource id.

// realCluster reports whether a cluster of engine runs as a real server.
func (s *Service) realCluster(engine string) bool {
	return s.engines != nil && s.engines.RunsCluster(engine)
}

// clusterEngineCreate marks a new cluster as a real server and keeps its master
// password, sealed, until the server is made. A managed password arrives through
// clusterEnginePassword when its secret is made.
func (s *Service) clusterEngineCreate(v kit.View, cl *clusterRec, password string) error {
	if !s.realCluster(cl.Engine) || cl.Secondary {
		return nil
	}
	cl.RealData = true
	if password == "" {
		return nil
	}
	return s.keepPassword(v, cl.ResourceID, password)
}

// clusterEnginePassword keeps a new master password of a real cluster until its
// creating or modifying step sets it.
func (s *Service) clusterEnginePassword(v kit.View, cl *clusterRec, password string) error {
	if !cl.RealData || s.engines == nil {
		return nil
	}
	return s.keepPassword(v, cl.ResourceID, password)
}

// clusterAutomatedStore is the store of a cluster's automated backups.
func clusterAutomatedStore(v kit.View, cl *clusterRec) port.BackupStore {
	return automatedStore(v, cl.ResourceID, cl.KmsKey)
}

func clusterSnapshotStore(v kit.View, sn *clusterSnapshotRec) port.BackupStore {
	return port.BackupStore{Account: v.Account(), Region: v.Region(), Kind: port.ClusterSnapshotBackups, Name: sn.ID, KeyARN: sn.KmsKey}
}

// clusterEngineStep does the engines' part of a cluster's status step. It reports wait
// when the engines are not done yet: the step is armed again and the status stays.
func (s *Service) clusterEngineStep(tx kit.Tx, v kit.View, cl *clusterRec, p stepPayload) (wait bool, err error) {
	if !cl.RealData || s.engines == nil {
		return false, nil
	}
	rec, err := getEngineRec(v, cl.ResourceID)
	if err != nil {
		return false, err
	}
	op := fmt.Sprintf("%s/%s/%s/%d", v.Region(), cl.ResourceID, cl.Status, cl.Seq)
	done, err := s.clusterEngineWork(tx, v, cl, rec, op)
	if err != nil {
		s.Log.Warn("rds: the cluster's database server did not follow", "cluster", cl.ID, "status", cl.Status, "err", err)
		return false, err
	}
	if !done {
		_, err := jobClusterStep.Enqueue(tx, s.Clock.Now().Add(enginePoll), p)
		return true, err
	}
	if err := s.engineRearm(tx, v, cl.ResourceID, cl.Status, rec); err != nil {
		return false, err
	}
	switch cl.Status {
	case statusCreating, statusModifying:
		rec.Password, rec.Restore = nil, nil
		return false, putEngineRec(v, cl.ResourceID, rec)
	case statusDeleting:
		return false, engineRecs.Delete(v, cl.ResourceID)
	}
	return false, nil
}

// clusterEngineWork starts or checks the work the cluster's status calls for.
func (s *Service) clusterEngineWork(tx kit.Tx, v kit.View, cl *clusterRec, rec *engineRec, op string) (bool, error) {
	e, id := s.engines, cl.ResourceID
	switch cl.Status {
	case statusCreating:
		done, err := s.makeServer(tx, op, rec, port.DBServer{ID: id, EngineVersion: cl.EngineVersion,
			MasterUsername: cl.MasterUsername, DBName: cl.DatabaseName, Backups: clusterAutomatedStore(v, cl)})
		if !done || err != nil {
			return done, err
		}
		// Aurora backs up continuously from the cluster's creation: the first base
		// backup is where the restore window begins.
		return e.Backup(op+"/first-backup", id)
	case statusModifying:
		return s.setKeptPassword(op, id, rec)
	case statusStopping:
		return e.Stop(op, id)
	case statusStarting:
		return e.Start(op, id)
	case statusDeleting:
		if busy, err := clusterSnapshotsInProgress(v, cl); err != nil || busy {
			return false, err // the final snapshot is taken from the running server
		}
		return e.Delete(op, id)
	}
	return true, nil
}

// clusterSnapshotsInProgress reports whether a snapshot of cl is still being taken.
func clusterSnapshotsInProgress(v kit.View, cl *clusterRec) (bool, error) {
	busy := false
	err := clusterSnapshots.Scan(v, func(sn *clusterSnapshotRec) bool {
		busy = sn.ClusterResourceID == cl.ResourceID && sn.Status == snapshotCreating && sn.Source == nil
		return !busy
	})
	return busy, err
}

// clusterEngineOut shows where a real cluster's server listens: the cluster (writer)
// endpoint and the reader endpoint are both that server, on its port.
func (s *Service) clusterEngineOut(cl *clusterRec, out *rdsapi.DBCluster) {
	if !cl.RealData || s.engines == nil {
		return
	}
	if ep, ok := s.engines.Endpoint(cl.ResourceID); ok {
		out.Endpoint, out.ReaderEndpoint, out.Port = new(ep.Address), new(ep.Address), new(int64(ep.Port))
	}
}

// memberEngineOut shows a member of a real cluster at its cluster's server.
func (s *Service) memberEngineOut(cl *clusterRec, out *rdsapi.DBInstance) {
	if !cl.RealData || s.engines == nil {
		return
	}
	if ep, ok := s.engines.Endpoint(cl.ResourceID); ok {
		out.Endpoint = &rdsapi.Endpoint{Address: new(ep.Address), Port: new(int64(ep.Port))}
	}
}

// clusterEngineWindow is a real cluster's restore window: what its automated backups can
// restore to, within the retention period; none until its first base backup is in.
func (s *Service) clusterEngineWindow(v kit.View, cl *clusterRec, now time.Time) (earliest, latest time.Time, ok bool) {
	w, ok := s.engines.Window(clusterAutomatedStore(v, cl))
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	earliest, latest = windowOnWire(w.Earliest, w.Latest, now, cl.Retention)
	return earliest, latest, true
}

// memberEngineStep does the engines' part of a cluster member's status step: rebooting
// the writer reboots its cluster's server. Readers share that server (see above), so
// rebooting one leaves the writer's server running, as rebooting an Aurora reader
// leaves the writer's.
func (s *Service) memberEngineStep(tx kit.Tx, v kit.View, inst *instanceRec, p stepPayload) (wait bool, err error) {
	if inst.Status != statusRebooting {
		return false, nil
	}
	cl, err := clusters.Get(v, inst.Cluster)
	if err != nil || cl == nil || !cl.RealData || cl.Writer != inst.ID {
		return false, err
	}
	op := fmt.Sprintf("%s/%s/%s/%s/%d", v.Region(), cl.ResourceID, inst.ResourceID, inst.Status, inst.Seq)
	done, err := s.engines.Reboot(op, cl.ResourceID)
	if err != nil {
		s.Log.Warn("rds: the cluster's database server did not reboot", "instance", inst.ID, "err", err)
		return false, err
	}
	if !done {
		_, err := jobInstanceStep.Enqueue(tx, s.Clock.Now().Add(enginePoll), p)
		return true, err
	}
	return false, nil
}
