package rds

import (
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// The data of a real cluster's snapshots, copies and restores. A cluster snapshot is a
// base backup of the cluster's server with the WAL it needs, in a store of its own
// (port.ClusterSnapshotBackups) encrypted with the snapshot's key; a copy brings the
// source's store over, re-encrypted with the copy's key, possibly into another Region;
// a restore makes the new cluster's server from a snapshot's store or from the source
// cluster's automated backups, to the instant asked for in xregion's clock. The
// engines do each as they do for instances (realdata.go), under the cluster's
// resource id.

// clusterSnapshotEngineStep takes a creating cluster snapshot's data: a base backup of
// its cluster's server, or a copy of its source snapshot's store. It reports wait while
// that runs; the step looks again a moment later.
func (s *Service) clusterSnapshotEngineStep(tx kit.Tx, v kit.View, sn *clusterSnapshotRec, p resourceRef) (wait bool, err error) {
	if !sn.RealData || s.engines == nil {
		return false, nil
	}
	op := fmt.Sprintf("cluster-snapshot/%s/%s/%s/%d", v.Account(), v.Region(), sn.ID, sn.Created.UnixNano())
	var done bool
	if sn.Source != nil {
		srcV := tx.In(sn.Source.Account, sn.Source.Region)
		src, err := clusterSnapshots.Get(srcV, sn.Source.ID)
		if err != nil || src == nil {
			return false, err // gone: runClusterSnapshotStep ends the copy when it looks next
		}
		done, err = s.engines.CopyBackups(tx, op, clusterSnapshotStore(srcV, src), clusterSnapshotStore(v, sn))
		if err != nil {
			return false, s.clusterSnapshotFailed(sn, err)
		}
	} else if done, err = s.engines.Snapshot(tx, op, sn.ClusterResourceID, clusterSnapshotStore(v, sn)); err != nil {
		return false, s.clusterSnapshotFailed(sn, err)
	}
	if !done {
		_, err := jobClusterSnap.Enqueue(tx, s.Clock.Now().Add(enginePoll), p)
		return true, err
	}
	if sn.Type == snapshotAutomated {
		s.pruneClusterBackups(v, sn.ClusterResourceID)
	}
	return false, nil
}

func (s *Service) clusterSnapshotFailed(sn *clusterSnapshotRec, err error) error {
	s.Log.Warn("rds: the cluster snapshot's data could not be taken", "snapshot", sn.ID, "err", err)
	return err
}

// pruneClusterBackups removes from a cluster's automated backups what its retention
// period no longer keeps, after each daily snapshot.
func (s *Service) pruneClusterBackups(v kit.View, resourceID string) {
	cl, err := clusterByResourceID(v, resourceID)
	if err != nil || cl == nil || !cl.RealData {
		return
	}
	before := s.Clock.Now().Add(-time.Duration(cl.Retention) * day)
	if err := s.engines.Prune(clusterAutomatedStore(v, cl), before); err != nil {
		s.Log.Warn("rds: pruning a cluster's automated backups", "cluster", cl.ID, "err", err)
	}
}

// removeClusterSnapshot deletes a cluster snapshot's record and, once that commits, the
// data it holds: every way a cluster snapshot goes (deleted, expired, its copy ended)
// comes through here, so no store outlives its record.
func (s *Service) removeClusterSnapshot(tx kit.Tx, v kit.View, sn *clusterSnapshotRec) error {
	if sn.RealData && s.engines != nil {
		s.dropStore(tx, clusterSnapshotStore(v, sn))
	}
	return deleteClusterSnapshot(v, sn)
}

// engineDropClusterBackups removes a cluster's automated backups once the cluster and its
// retained backup no longer need them.
func (s *Service) engineDropClusterBackups(tx kit.Tx, v kit.View, resourceID string, im clusterImage) {
	if im.RealData && s.engines != nil {
		s.dropStore(tx, automatedStore(v, resourceID, im.KmsKey))
	}
}

// clusterEngineRestore makes a restored cluster a real server, made from the store from
// as r says (to r.Time, to the latest restorable time, or to a snapshot's moment). The
// master user and the database come with the data, as on Aurora; so does the password.
// A source without data (a metadata-only cluster of an earlier run without engines)
// restores a metadata-only cluster.
func (s *Service) clusterEngineRestore(tx kit.Tx, v kit.View, cl *clusterRec, im clusterImage, from port.BackupStore, r port.DBRestore) error {
	if !im.RealData || !s.realCluster(cl.Engine) {
		return nil
	}
	r.ID, r.MasterUsername, r.DBName, r.From = cl.ResourceID, im.MasterUsername, im.DatabaseName, from
	r.Backups = clusterAutomatedStore(v, cl)
	cl.RealData = true
	if err := putCluster(v, cl); err != nil {
		return err
	}
	return putEngineRec(v, cl.ResourceID, &engineRec{Restore: &r})
}

// pointInTimeStore is the store of automated backups a point-in-time restore reads:
// those of the source cluster, live or retained, encrypted with its key (im's).
func pointInTimeStore(v kit.View, in *rdsapi.RestoreDBClusterToPointInTimeMessage, im clusterImage) (port.BackupStore, error) {
	if in.SourceDbClusterResourceId != nil && in.SourceDBClusterIdentifier == nil {
		return automatedStore(v, *in.SourceDbClusterResourceId, im.KmsKey), nil
	}
	cl, err := findCluster(v, deref(in.SourceDBClusterIdentifier))
	if err != nil || cl == nil {
		return port.BackupStore{}, firstErr(err, msgClusterNotFound.New(deref(in.SourceDBClusterIdentifier)))
	}
	return clusterAutomatedStore(v, cl), nil
}

// retainedWindow is the restore window of a deleted cluster's retained backup: for a
// real cluster what its store holds (its last WAL may end seconds before the deletion,
// and a restore past it could not be replayed), else from its start to the deletion.
func (s *Service) retainedWindow(v kit.View, b *clusterBackupRec, now time.Time) (earliest, latest time.Time) {
	if b.RealData && s.engines != nil {
		if w, ok := s.engines.Window(automatedStore(v, b.ResourceID, b.KmsKey)); ok {
			return windowOnWire(w.Earliest, w.Latest, now, b.Retention)
		}
	}
	return windowOnWire(b.Start, b.Stopped, now, b.Retention)
}
