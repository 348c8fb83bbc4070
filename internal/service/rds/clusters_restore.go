package rds

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Restores make a new cluster, without instances (the user adds them, as on AWS), from a
// cluster snapshot or from a point of a cluster's restore window.

// restoredCluster is what both restores take from the request.
type restoredCluster struct {
	ID                 string
	Port               *int64
	VpcSGs             []string
	Tags               []rdsapi.Tag
	KmsKeyID           *string
	IAMAuth            *bool
	ParamGroup         *string
	SubnetGroup        *string
	DeletionProtection *bool
	CopyTags           *bool
	Retention          *int64
	BackupWindow       *string
	LogExports         []string
}

// restoreCluster makes the cluster r asks for from an image, and starts its life cycle.
func (s *Service) restoreCluster(tx kit.Tx, v kit.View, im clusterImage, r restoredCluster, from string) (*clusterRec, error) {
	if !validIdentifier(r.ID, maxClusterID) {
		return nil, msgInvalidIdentifier.New(paramClusterID)
	}
	tags, err := checkTags(r.Tags)
	if err != nil {
		return nil, err
	}
	if err := checkSecurityGroups(r.VpcSGs); err != nil {
		return nil, err
	}
	ver, _ := auroraEngines()[im.Engine].version(im.EngineVersion)
	cl := &clusterRec{
		ID: strings.ToLower(r.ID), ResourceID: newClusterResourceID(), Status: statusCreating,
		Engine: im.Engine, EngineVersion: im.EngineVersion, Port: im.Port, MasterUsername: im.MasterUsername,
		DatabaseName: im.DatabaseName, ParamGroup: defaultParameterGroup(ver.Family), SubnetGroup: "default",
		VpcSGs: r.VpcSGs, AZs: zones(v.Region()), Retention: im.Retention, BackupWindow: im.BackupWindow,
		MaintWindow: "", Encrypted: im.Encrypted, KmsKey: im.KmsKey, IAMAuth: deref(r.IAMAuth),
		DeletionProtection: deref(r.DeletionProtection), CopyTags: deref(r.CopyTags), LogExports: r.LogExports,
		NetworkType: "IPV4", Tags: tags, RestoredFrom: from,
	}
	if err := s.restoredSettings(tx, v, cl, r); err != nil {
		return nil, err
	}
	if err := s.insertCluster(tx, v, cl); err != nil {
		return nil, err
	}
	return cl, nil
}

// restoredSettings applies the request's settings to a restored cluster and checks them
// against the store.
func (s *Service) restoredSettings(tx kit.Tx, v kit.View, cl *clusterRec, r restoredCluster) error {
	if len(cl.VpcSGs) == 0 {
		cl.VpcSGs = []string{defaultSecurityGroup(v.Account(), v.Region())}
	}
	if r.Port != nil {
		if *r.Port < 1150 || *r.Port > 65535 {
			return msgClusterPort.New(*r.Port)
		}
		cl.Port = *r.Port
	}
	if r.Retention != nil {
		if *r.Retention < 1 || *r.Retention > maxClusterRetention {
			return msgClusterRetention.New(*r.Retention, maxClusterRetention)
		}
		cl.Retention = *r.Retention
	}
	windows := &instanceRec{}
	backup := r.BackupWindow
	if backup == nil && cl.BackupWindow != "" {
		backup = &cl.BackupWindow
	}
	if err := s.checkBackupWindows(v.Region(), windows, backup, nil); err != nil {
		return err
	}
	cl.BackupWindow, cl.MaintWindow = windows.BackupWindow, windows.MaintWindow
	if r.ParamGroup != nil {
		cl.ParamGroup = *r.ParamGroup
	}
	if err := checkClusterParamGroup(v, cl); err != nil {
		return err
	}
	if r.SubnetGroup != nil {
		cl.SubnetGroup = *r.SubnetGroup
	}
	if err := s.placeClusterNetwork(tx, v, cl); err != nil {
		return err
	}
	if r.KmsKeyID != nil {
		key, err := s.resolveKey(tx, v.Account(), v.Region(), *r.KmsKeyID)
		if err != nil {
			return err
		}
		cl.Encrypted, cl.KmsKey = true, key
	} else if cl.Encrypted {
		return s.requireKey(tx, v.Account(), v.Region(), cl.KmsKey, msgKeyNotAccessible)
	}
	return nil
}

func (s *Service) RestoreDBClusterFromSnapshot(ctx context.Context, in *rdsapi.RestoreDBClusterFromSnapshotMessage) (*rdsapi.RestoreDBClusterFromSnapshotResult, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.RestoreDBClusterFromSnapshotResult, error) {
		v := c.In(tx)
		sn, _, err := findClusterSnapshot(tx, v, deref(in.SnapshotIdentifier), false)
		if err != nil {
			return nil, err
		}
		if sn == nil {
			return nil, msgClusterSnapshotNotFound.New(deref(in.SnapshotIdentifier))
		}
		if sn.Status != snapshotAvailable {
			return nil, msgClusterSnapshotState.New(sn.ID, sn.Status)
		}
		if !strings.EqualFold(deref(in.Engine), sn.Engine) {
			return nil, msgRestoreEngine.New(deref(in.Engine), sn.Engine)
		}
		im := sn.clusterImage
		if in.EngineVersion != nil {
			ver, ok := auroraEngines()[sn.Engine].resolveVersion(*in.EngineVersion)
			if !ok || versionLess(ver.Version, im.EngineVersion) {
				return nil, msgNoVersion.New(*in.EngineVersion, sn.Engine)
			}
			im.EngineVersion = ver.Version
		}
		r := restoredCluster{
			ID: deref(in.DBClusterIdentifier), Port: in.Port, VpcSGs: in.VpcSecurityGroupIds, Tags: in.Tags, KmsKeyID: in.KmsKeyId,
			IAMAuth: in.EnableIAMDatabaseAuthentication, ParamGroup: in.DBClusterParameterGroupName, SubnetGroup: in.DBSubnetGroupName,
			DeletionProtection: in.DeletionProtection, CopyTags: in.CopyTagsToSnapshot, Retention: in.BackupRetentionPeriod,
			BackupWindow: in.PreferredBackupWindow, LogExports: in.EnableCloudwatchLogsExports,
		}
		cl, err := s.restoreCluster(tx, v, im, r, sn.ID)
		if err != nil {
			return nil, err
		}
		if err := s.clusterEngineRestore(tx, v, cl, im, clusterSnapshotStore(v, sn), port.DBRestore{Snapshot: true}); err != nil {
			return nil, err
		}
		return &rdsapi.RestoreDBClusterFromSnapshotResult{DBCluster: new(s.clusterOut(tx, v, cl, c.Now()))}, nil
	})
}

func (s *Service) RestoreDBClusterToPointInTime(ctx context.Context, in *rdsapi.RestoreDBClusterToPointInTimeMessage) (*rdsapi.RestoreDBClusterToPointInTimeResult, error) {
	c := s.Call(ctx)
	switch {
	case in.RestoreToTime != nil && deref(in.UseLatestRestorableTime):
		return nil, msgPITRBothTimes.New()
	case in.RestoreToTime == nil && !deref(in.UseLatestRestorableTime):
		return nil, msgPITRNoTime.New()
	case in.RestoreType != nil && *in.RestoreType != "full-copy" && *in.RestoreType != "copy-on-write":
		return nil, msgRestoreType.New(*in.RestoreType)
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.RestoreDBClusterToPointInTimeResult, error) {
		v := c.In(tx)
		im, name, earliest, latest, err := s.pointInTimeCluster(v, in, c.Now())
		if err != nil {
			return nil, err
		}
		if t := in.RestoreToTime; t != nil && (t.Before(earliest) || t.After(latest)) {
			return nil, msgPITROutsideWindow.New(t.UTC().Format(time.RFC3339), name, earliest.Format(time.RFC3339), latest.Format(time.RFC3339))
		}
		r := restoredCluster{
			ID: deref(in.DBClusterIdentifier), Port: in.Port, VpcSGs: in.VpcSecurityGroupIds, Tags: in.Tags, KmsKeyID: in.KmsKeyId,
			IAMAuth: in.EnableIAMDatabaseAuthentication, ParamGroup: in.DBClusterParameterGroupName, SubnetGroup: in.DBSubnetGroupName,
			DeletionProtection: in.DeletionProtection, CopyTags: in.CopyTagsToSnapshot, Retention: in.BackupRetentionPeriod,
			BackupWindow: in.PreferredBackupWindow, LogExports: in.EnableCloudwatchLogsExports,
		}
		cl, err := s.restoreCluster(tx, v, im, r, name)
		if err != nil {
			return nil, err
		}
		from, err := pointInTimeStore(v, in, im)
		if err != nil {
			return nil, err
		}
		at := port.DBRestore{Latest: deref(in.UseLatestRestorableTime)}
		if in.RestoreToTime != nil {
			at.Time = *in.RestoreToTime
		}
		if err := s.clusterEngineRestore(tx, v, cl, im, from, at); err != nil {
			return nil, err
		}
		return &rdsapi.RestoreDBClusterToPointInTimeResult{DBCluster: new(s.clusterOut(tx, v, cl, c.Now()))}, nil
	})
}

// pointInTimeCluster finds the source of a point-in-time restore, a cluster or a retained
// backup, and its window.
func (s *Service) pointInTimeCluster(v kit.View, in *rdsapi.RestoreDBClusterToPointInTimeMessage, now time.Time) (clusterImage, string, time.Time, time.Time, error) {
	var none clusterImage
	if in.SourceDbClusterResourceId != nil && in.SourceDBClusterIdentifier == nil {
		b, err := clusterBackups.Get(v, *in.SourceDbClusterResourceId)
		if err != nil {
			return none, "", time.Time{}, time.Time{}, err
		}
		if b == nil {
			cl, err := clusterByResourceID(v, *in.SourceDbClusterResourceId)
			if err != nil || cl == nil {
				return none, "", time.Time{}, time.Time{}, firstErr(err, msgClusterNotFound.New(*in.SourceDbClusterResourceId))
			}
			return s.clusterSource(cl, v, now)
		}
		e, l := s.retainedWindow(v, b, now)
		return b.clusterImage, b.ClusterID, e, l, nil
	}
	cl, err := findCluster(v, deref(in.SourceDBClusterIdentifier))
	if err != nil || cl == nil {
		return none, "", time.Time{}, time.Time{}, firstErr(err, msgClusterNotFound.New(deref(in.SourceDBClusterIdentifier)))
	}
	return s.clusterSource(cl, v, now)
}

func (s *Service) clusterSource(cl *clusterRec, v kit.View, now time.Time) (clusterImage, string, time.Time, time.Time, error) {
	e, l, ok := s.clusterWindow(cl, v, now)
	if !ok {
		return clusterImage{}, "", time.Time{}, time.Time{}, msgPITRNoBackupYet.New(cl.ID)
	}
	return clusterImageOf(cl), cl.ID, e, l, nil
}
