package rds

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// A cluster's automated backups: Aurora backs up continuously, so the restore window runs
// from the cluster's creation (at most the retention period back) to the last five-minute
// log upload, and a daily automated snapshot is taken at the start of the backup window.
// A cluster deleted with DeleteAutomatedBackups false leaves a retained backup, which
// keeps its window and its automated snapshots for the retention period.

// clusterBackupRec is a retained cluster backup, by DbClusterResourceId.
type clusterBackupRec struct {
	ResourceID string    `json:"resourceId"`
	ClusterID  string    `json:"clusterId"`
	ClusterARN string    `json:"clusterArn"`
	Start      time.Time `json:"start"`
	Stopped    time.Time `json:"stopped"` // when its logs stopped: the cluster's deletion
	LogGaps    []logGap  `json:"logGaps,omitempty"`
	Tags       []tagRec  `json:"tags,omitempty"`
	clusterImage
}

var (
	clusterBackups       = kit.Table[clusterBackupRec]{Kind: "cab"} // cab/<DbClusterResourceId>
	jobClusterBackup     = kit.Kind[armedPayload]{Name: "rds.cluster-daily-backup"}
	jobClusterBackupDrop = kit.Kind[armedPayload]{Name: "rds.cluster-backup-expire"}
)

const backupStatusAvailable = "available"

// armClusterBackup arms the cluster's next daily snapshot at the start of its window.
func (s *Service) armClusterBackup(tx kit.Tx, v kit.View, cl *clusterRec, now time.Time) error {
	w, err := parseDailyWindow(cl.BackupWindow)
	if err != nil {
		return err
	}
	return arm(tx, jobClusterBackup, v, cl.ResourceID, nextDaily(now, w))
}

// runClusterBackup takes the day's automated snapshot of an available cluster, expires
// those past the retention period, and arms the next. A stopped cluster takes none, as on
// AWS, but keeps its schedule.
func (s *Service) runClusterBackup(tx kit.Tx, p armedPayload) error {
	v := tx.In(p.Account, p.Region)
	cl, err := clusterByResourceID(v, p.ID)
	if err != nil || cl == nil || cl.Status == statusDeleting {
		return err
	}
	if cl.Status != statusStopped && cl.Status != statusStopping {
		id := automatedSnapshotID(cl.ID, p.At)
		if !clusterSnapshots.Has(v, id) {
			if err := s.takeClusterSnapshot(tx, v, cl, id, snapshotAutomated); err != nil {
				return err
			}
		}
	}
	if err := s.expireClusterSnapshots(tx, v, cl.ResourceID, cl.Retention, p.At); err != nil {
		return err
	}
	return s.armClusterBackup(tx, v, cl, s.Clock.Now())
}

// expireClusterSnapshots deletes the automated snapshots older than the retention period.
func (s *Service) expireClusterSnapshots(tx kit.Tx, v kit.View, resourceID string, retention int64, now time.Time) error {
	snaps, err := indexedBy(v, clusterAutoSnaps, clusterSnapshots, resourceID)
	if err != nil {
		return err
	}
	for _, sn := range snaps {
		if !now.Before(sn.Created.Add(time.Duration(retention) * day)) {
			if err := s.removeClusterSnapshot(tx, v, sn); err != nil {
				return err
			}
		}
	}
	return nil
}

// clusterWindow is the cluster's restore window at now, as the wire shows it.
func (s *Service) clusterWindow(cl *clusterRec, v kit.View, now time.Time) (time.Time, time.Time, bool) {
	if cl.BackupStart.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	if cl.RealData && s.engines != nil {
		return s.clusterEngineWindow(v, cl, now)
	}
	at := now
	if cl.Secondary {
		at = s.replicatedAt(cl, v.Region(), now)
	}
	latest := logsUntil(at, cl.BackupStart, cl.LogGaps)
	e, l := windowOnWire(cl.BackupStart, latest, now, cl.Retention)
	return e, l, true
}

// finishClusterDelete removes a cluster whose deletion has run its course: its automated
// snapshots go with it, or stay with a retained backup as DeleteDBCluster asked.
func (s *Service) finishClusterDelete(tx kit.Tx, v kit.View, cl *clusterRec, now time.Time) error {
	if err := recordEvent(v, now, evClusterDeleted, cl.ID); err != nil {
		return err
	}
	if cl.DeleteBackups || cl.BackupStart.IsZero() {
		if err := s.expireClusterSnapshots(tx, v, cl.ResourceID, 0, now.Add(time.Nanosecond)); err != nil {
			return err
		}
		s.engineDropClusterBackups(tx, v, cl.ResourceID, clusterImageOf(cl))
	} else {
		b := &clusterBackupRec{
			ResourceID: cl.ResourceID, ClusterID: cl.ID, ClusterARN: cl.arnIn(v), Start: cl.BackupStart,
			Stopped: logsUntil(now, cl.BackupStart, cl.LogGaps), LogGaps: cl.LogGaps, Tags: cl.Tags, clusterImage: clusterImageOf(cl),
		}
		if err := clusterBackups.Put(v, b, b.ResourceID); err != nil {
			return err
		}
		if err := arm(tx, jobClusterBackupDrop, v, b.ResourceID, b.Stopped.Add(time.Duration(b.Retention)*day)); err != nil {
			return err
		}
	}
	if err := addCount(v, countClusters, -1); err != nil {
		return err
	}
	return deleteCluster(v, cl)
}

// runClusterBackupExpire drops a retained backup and its snapshots when its retention
// period has passed since its cluster was deleted.
func (s *Service) runClusterBackupExpire(tx kit.Tx, p armedPayload) error {
	v := tx.In(p.Account, p.Region)
	b, err := clusterBackups.Get(v, p.ID)
	if err != nil || b == nil {
		return err
	}
	return s.dropClusterBackup(tx, v, b)
}

func (s *Service) dropClusterBackup(tx kit.Tx, v kit.View, b *clusterBackupRec) error {
	s.engineDropClusterBackups(tx, v, b.ResourceID, b.clusterImage)
	if err := s.expireClusterSnapshots(tx, v, b.ResourceID, 0, b.Stopped.Add(time.Duration(b.Retention)*day+time.Nanosecond)); err != nil {
		return err
	}
	return clusterBackups.Delete(v, b.ResourceID)
}

func (s *Service) DescribeDBClusterAutomatedBackups(ctx context.Context, in *rdsapi.DescribeDBClusterAutomatedBackupsMessage) (*rdsapi.DBClusterAutomatedBackupMessage, error) {
	c := s.Call(ctx)
	f, err := parseFilters(in.Filters, "status", "db-cluster-id", "db-cluster-resource-id")
	if err != nil {
		return nil, err
	}
	pg, err := s.describePage(c, c.Operation, in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.DBClusterAutomatedBackupMessage, error) {
		v := c.In(tx)
		var all []rdsapi.DBClusterAutomatedBackup
		err := clusters.Scan(v, func(cl *clusterRec) bool {
			if !cl.BackupStart.IsZero() {
				all = append(all, s.liveBackupOut(v, cl, c.Now()))
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		err = clusterBackups.Scan(v, func(b *clusterBackupRec) bool {
			all = append(all, s.retainedBackupOut(v, b, c.Now()))
			return true
		})
		if err != nil {
			return nil, err
		}
		var keep []rdsapi.DBClusterAutomatedBackup
		for _, b := range all {
			if (in.DbClusterResourceId == nil || *in.DbClusterResourceId == *b.DbClusterResourceId) &&
				(in.DBClusterIdentifier == nil || *in.DBClusterIdentifier == *b.DBClusterIdentifier) &&
				f.match("status", *b.Status) && f.match("db-cluster-id", *b.DBClusterIdentifier) && f.match("db-cluster-resource-id", *b.DbClusterResourceId) {
				keep = append(keep, b)
			}
		}
		page, next := sortedCut(pg, keep, func(b rdsapi.DBClusterAutomatedBackup) string { return *b.DbClusterResourceId })
		return &rdsapi.DBClusterAutomatedBackupMessage{DBClusterAutomatedBackups: append([]rdsapi.DBClusterAutomatedBackup{}, page...), Marker: next}, nil
	})
}

func (s *Service) liveBackupOut(v kit.View, cl *clusterRec, now time.Time) rdsapi.DBClusterAutomatedBackup {
	out := clusterBackupOut(v, cl.ResourceID, cl.ID, cl.arnIn(v), backupStatusAvailable, clusterImageOf(cl), cl.Tags)
	if e, l, ok := s.clusterWindow(cl, v, now); ok {
		out.RestoreWindow = &rdsapi.RestoreWindow{EarliestTime: &e, LatestTime: &l}
	}
	return out
}

func (s *Service) retainedBackupOut(v kit.View, b *clusterBackupRec, now time.Time) rdsapi.DBClusterAutomatedBackup {
	out := clusterBackupOut(v, b.ResourceID, b.ClusterID, b.ClusterARN, backupRetained, b.clusterImage, b.Tags)
	e, l := s.retainedWindow(v, b, now)
	out.RestoreWindow = &rdsapi.RestoreWindow{EarliestTime: &e, LatestTime: &l}
	return out
}

func clusterBackupOut(v kit.View, resourceID, id, clARN, status string, im clusterImage, tags []tagRec) rdsapi.DBClusterAutomatedBackup {
	return rdsapi.DBClusterAutomatedBackup{
		Engine: new(im.Engine), VpcId: new(defaultVPC(v.Account(), v.Region())), DBClusterIdentifier: new(id),
		DBClusterAutomatedBackupsArn: new(arn.New(partitionOf(v.Region()), serviceName, v.Region(), v.Account(), "cluster-auto-backup:"+resourceID)),
		RestoreWindow:                &rdsapi.RestoreWindow{}, MasterUsername: new(im.MasterUsername), DbClusterResourceId: new(resourceID),
		Region: new(v.Region()), LicenseModel: new(auroraEngines()[im.Engine].Licenses[0]), Status: new(status),
		IAMDatabaseAuthenticationEnabled: new(im.IAMAuth), ClusterCreateTime: optTime(im.ClusterCreated), StorageEncrypted: new(im.Encrypted),
		AllocatedStorage: new(int64(0)), EngineVersion: new(im.EngineVersion), DBClusterArn: new(clARN), BackupRetentionPeriod: new(im.Retention),
		PreferredBackupWindow: new(im.BackupWindow), EngineMode: new("provisioned"), AvailabilityZones: im.AZs, Port: new(im.Port),
		KmsKeyId: optStr(im.KmsKey), StorageType: new(storageAurora), TagList: tagsOut(tags),
	}
}

func (s *Service) DeleteDBClusterAutomatedBackup(ctx context.Context, in *rdsapi.DeleteDBClusterAutomatedBackupMessage) (*rdsapi.DeleteDBClusterAutomatedBackupResult, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.DeleteDBClusterAutomatedBackupResult, error) {
		v := c.In(tx)
		b, err := clusterBackups.Get(v, deref(in.DbClusterResourceId))
		if err != nil {
			return nil, err
		}
		if b == nil {
			if cl, err := clusterByResourceID(v, deref(in.DbClusterResourceId)); err != nil || cl != nil {
				return nil, firstErr(err, msgClusterBackupNotRetained.New(deref(in.DbClusterResourceId)))
			}
			return nil, msgClusterBackupNotFound.New(deref(in.DbClusterResourceId))
		}
		out := s.retainedBackupOut(v, b, c.Now())
		out.Status = new("deleting")
		if err := s.dropClusterBackup(tx, v, b); err != nil {
			return nil, err
		}
		return &rdsapi.DeleteDBClusterAutomatedBackupResult{DBClusterAutomatedBackup: &out}, nil
	})
}
