package rds

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// restored is what a restore takes from its source (a snapshot or an automated
// backup): the engine, version, storage, encryption and the rest of the instance as it
// was.
type restored struct {
	image
	Tags []tagRec
	From string
}

// restoreInstance builds, checks and inserts the instance a restore creates, in the
// stages of validate.go; sourceState is the fault of the source's state (stage 5), if
// it has one.
func (s *Service) restoreInstance(tx kit.Tx, v kit.View, id string, src restored, p settings, dbName *string, sourceState error) (*instanceRec, error) {
	e := engines()[src.Engine]
	ver, ok := e.version(src.EngineVersion)
	if !ok {
		return nil, msgNoVersion.New(src.EngineVersion, src.Engine)
	}
	if dbName != nil {
		if e.Name == "mysql" || e.Name == "mariadb" || strings.HasPrefix(e.Name, "sqlserver") {
			return nil, msgRestoreDBName.New(e.Name)
		}
		if err := checkDBName(e, dbName); err != nil {
			return nil, err
		}
	}
	if p.AllocatedStorage != nil && *p.AllocatedStorage < src.AllocatedStorage {
		return nil, msgRestoreStorage.New(*p.AllocatedStorage, src.AllocatedStorage)
	}
	if err := p.check(v.Region()); err != nil {
		return nil, err
	}
	tags, err := checkTags(p.Tags)
	if err != nil {
		return nil, err
	}
	inst := newInstance(v.Region(), v.Account(), id, e, ver)
	inst.Class, inst.LicenseModel, inst.MasterUsername, inst.DBName = src.Class, src.LicenseModel, src.MasterUsername, src.DBName
	inst.AllocatedStorage, inst.StorageType, inst.Iops, inst.StorageThroughput = src.AllocatedStorage, src.StorageType, src.Iops, src.StorageThroughput
	inst.Port, inst.OptionGroup, inst.Timezone = src.Port, src.OptionGroup, src.Timezone
	inst.Encrypted, inst.KmsKey, inst.IAMAuth, inst.DedicatedLogVolume = src.Encrypted, src.KmsKey, src.IAMAuth, src.DedicatedLogVolume
	inst.RestoredFrom = src.From
	p.apply(inst)
	if dbName != nil {
		inst.DBName = *dbName
	}
	inst.Tags = src.Tags
	if len(tags) > 0 {
		inst.Tags = tags
	}
	if err := s.checkBackupWindows(v.Region(), inst, nil, nil); err != nil {
		return nil, err
	}
	if err := checkInstance(e, inst); err != nil {
		return nil, err
	}
	if err := s.checkNewNames(tx, v, inst); err != nil {
		return nil, err
	}
	if inst.Encrypted {
		if err := s.requireKey(tx, v.Account(), v.Region(), inst.KmsKey, msgKeyNotAccessible); err != nil {
			return nil, err
		}
	}
	if err := p.checkDomain(); err != nil {
		return nil, err
	}
	if sourceState != nil {
		return nil, sourceState
	}
	return inst, s.insertInstance(tx, v, inst)
}

func (s *Service) RestoreDBInstanceFromDBSnapshot(ctx context.Context, in *rdsapi.RestoreDBInstanceFromDBSnapshotMessage) (*rdsapi.RestoreDBInstanceFromDBSnapshotResult, error) {
	c := s.Call(ctx)
	id := deref(in.DBInstanceIdentifier)
	if !validIdentifier(id, maxInstanceID) {
		return nil, msgInvalidIdentifier.New(paramInstanceID)
	}
	if in.DBSnapshotIdentifier == nil && in.DBClusterSnapshotIdentifier == nil {
		return nil, msgBlank.New(paramSnapshotID)
	}
	if len(in.ProcessorFeatures) > 0 {
		return nil, msgProcessorRestore.New()
	}
	if in.DBClusterSnapshotIdentifier != nil {
		// xregion's Multi-AZ DB clusters are not modelled: no such cluster snapshot.
		return nil, msgClusterSnapshotNotFound.New(*in.DBClusterSnapshotIdentifier)
	}
	p := settings{
		Class: in.DBInstanceClass, Port: in.Port, AZ: in.AvailabilityZone, MultiAZ: in.MultiAZ, Public: in.PubliclyAccessible,
		AutoMinor: in.AutoMinorVersionUpgrade, LicenseModel: in.LicenseModel, StorageType: in.StorageType,
		AllocatedStorage: in.AllocatedStorage, Iops: in.Iops, StorageThroughput: in.StorageThroughput,
		OptionGroup: in.OptionGroupName, ParamGroup: in.DBParameterGroupName, SubnetGroup: in.DBSubnetGroupName,
		VpcSGs: in.VpcSecurityGroupIds, CopyTags: in.CopyTagsToSnapshot, DeletionProtection: in.DeletionProtection,
		IAMAuth: in.EnableIAMDatabaseAuthentication, LogExports: in.EnableCloudwatchLogsExports, CACert: in.CACertificateIdentifier,
		NetworkType: in.NetworkType, LifecycleSupport: in.EngineLifecycleSupport, DedicatedLogVolume: in.DedicatedLogVolume,
		Domain: in.Domain, CustomerOwnedIP: in.EnableCustomerOwnedIp, CustomProfile: in.CustomIamInstanceProfile, Tags: in.Tags,
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.RestoreDBInstanceFromDBSnapshotResult, error) {
		v := c.In(tx)
		snap, snapV, err := findSnapshot(tx, v, *in.DBSnapshotIdentifier, false)
		if err != nil {
			return nil, err
		}
		if snap == nil {
			return nil, msgSnapshotNotFound.New(*in.DBSnapshotIdentifier)
		}
		if in.Engine != nil && !strings.EqualFold(*in.Engine, snap.Engine) {
			return nil, msgRestoreEngine.New(*in.Engine, snap.Engine)
		}
		var state error
		if snap.Status != snapshotAvailable {
			state = msgSnapshotNotAvailable.New(snap.ID)
		}
		src := restored{image: snap.image, Tags: snap.Tags, From: snap.ID}
		inst, err := s.restoreInstance(tx, v, strings.ToLower(id), src, p, in.DBName, state)
		if err != nil {
			return nil, err
		}
		if snap.RealData {
			r := port.DBRestore{Snapshot: true, DBName: snap.DBName}
			if err := s.engineRestore(tx, v, inst, snapshotStore(snapV, snap), r); err != nil {
				return nil, err
			}
		}
		return &rdsapi.RestoreDBInstanceFromDBSnapshotResult{DBInstance: new(s.instanceOut(v, inst, c.Now()))}, nil
	})
}

// pointInTimeSource finds the automated backup a point-in-time restore names, in the
// caller's Region: that of a live instance, or one by DbiResourceId or ARN, which may
// be retained or replicated from another Region.
func pointInTimeSource(v kit.View, in *rdsapi.RestoreDBInstanceToPointInTimeMessage) (*backupRec, error) {
	switch {
	case in.SourceDBInstanceIdentifier != nil:
		inst, err := instances.Get(v, strings.ToLower(*in.SourceDBInstanceIdentifier))
		if err != nil {
			return nil, err
		}
		if inst == nil {
			return nil, msgInstanceNotFound.New(*in.SourceDBInstanceIdentifier)
		}
		if inst.Retention == 0 {
			return nil, msgPITRNotEnabled.New()
		}
		b, err := backups.Get(v, inst.ResourceID)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return nil, msgPITRNoBackupYet.New(inst.ID)
		}
		return b, nil
	case in.SourceDbiResourceId != nil:
		b, err := backups.Get(v, *in.SourceDbiResourceId)
		if err == nil && b == nil {
			err = msgAutoBackupNotFound.New(*in.SourceDbiResourceId)
		}
		return b, err
	default:
		b, err := backupByARN(v, *in.SourceDBInstanceAutomatedBackupsArn)
		if err == nil && b == nil {
			err = msgAutoBackupNotFound.New(*in.SourceDBInstanceAutomatedBackupsArn)
		}
		return b, err
	}
}

func (s *Service) RestoreDBInstanceToPointInTime(ctx context.Context, in *rdsapi.RestoreDBInstanceToPointInTimeMessage) (*rdsapi.RestoreDBInstanceToPointInTimeResult, error) {
	c := s.Call(ctx)
	if err := checkPointInTimeRequest(in); err != nil {
		return nil, err
	}
	p := settings{
		Class: in.DBInstanceClass, Port: in.Port, AZ: in.AvailabilityZone, MultiAZ: in.MultiAZ, Public: in.PubliclyAccessible,
		AutoMinor: in.AutoMinorVersionUpgrade, LicenseModel: in.LicenseModel, StorageType: in.StorageType,
		AllocatedStorage: in.AllocatedStorage, Iops: in.Iops, StorageThroughput: in.StorageThroughput,
		OptionGroup: in.OptionGroupName, ParamGroup: in.DBParameterGroupName, SubnetGroup: in.DBSubnetGroupName,
		VpcSGs: in.VpcSecurityGroupIds, CopyTags: in.CopyTagsToSnapshot, DeletionProtection: in.DeletionProtection,
		IAMAuth: in.EnableIAMDatabaseAuthentication, LogExports: in.EnableCloudwatchLogsExports, CACert: in.CACertificateIdentifier,
		NetworkType: in.NetworkType, LifecycleSupport: in.EngineLifecycleSupport, DedicatedLogVolume: in.DedicatedLogVolume,
		MaxStorage: in.MaxAllocatedStorage, Domain: in.Domain, CustomerOwnedIP: in.EnableCustomerOwnedIp,
		CustomProfile: in.CustomIamInstanceProfile, Tags: in.Tags,
	}
	now := c.Now()
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.RestoreDBInstanceToPointInTimeResult, error) {
		v := c.In(tx)
		b, err := pointInTimeSource(v, in)
		if err != nil {
			return nil, err
		}
		at, err := s.restoreTime(v, b, in, now)
		if err != nil {
			return nil, err
		}
		if in.Engine != nil && !strings.EqualFold(*in.Engine, b.Engine) {
			return nil, msgPITREngine.New(*in.Engine, b.Engine)
		}
		src := restored{image: b.image, From: b.SourceARN + "@" + at.Format(time.RFC3339)}
		if b.Replica && src.Engine != "" {
			// A replica's option group is its source Region's; the restore takes the
			// destination's default (RDS User Guide: option groups are not copied across
			// Regions).
			e := engines()[src.Engine]
			if ver, ok := e.version(src.EngineVersion); ok {
				src.OptionGroup = defaultOptionGroup(e.Name, ver.Major)
			}
		}
		inst, err := s.restoreInstance(tx, v, strings.ToLower(deref(in.TargetDBInstanceIdentifier)), src, p, in.DBName, nil)
		if err != nil {
			return nil, err
		}
		if b.RealData {
			r := port.DBRestore{Time: at, Latest: deref(in.UseLatestRestorableTime), DBName: b.DBName}
			if err := s.engineRestore(tx, v, inst, automatedStore(v, b.ResourceID, b.KmsKey), r); err != nil {
				return nil, err
			}
		}
		return &rdsapi.RestoreDBInstanceToPointInTimeResult{DBInstance: new(s.instanceOut(v, inst, now))}, nil
	})
}

// checkPointInTimeRequest checks the target and the choice of source and time of a
// point-in-time restore.
func checkPointInTimeRequest(in *rdsapi.RestoreDBInstanceToPointInTimeMessage) error {
	if !validIdentifier(deref(in.TargetDBInstanceIdentifier), maxInstanceID) {
		return msgInvalidIdentifier.New(paramTargetInstanceID)
	}
	sources := 0
	for _, v := range []*string{in.SourceDBInstanceIdentifier, in.SourceDbiResourceId, in.SourceDBInstanceAutomatedBackupsArn} {
		if v != nil {
			sources++
		}
	}
	if sources != 1 {
		return msgPITROneSource.New()
	}
	latest := deref(in.UseLatestRestorableTime)
	if latest && in.RestoreTime != nil {
		return msgPITRBothTimes.New()
	}
	if !latest && in.RestoreTime == nil {
		return msgPITRNoTime.New()
	}
	if len(in.ProcessorFeatures) > 0 {
		return msgProcessorRestore.New()
	}
	return nil
}

// restoreTime is the instant a point-in-time restore from b restores to: the latest
// restorable time, or the time asked, which must be inside the window.
func (s *Service) restoreTime(v kit.View, b *backupRec, in *rdsapi.RestoreDBInstanceToPointInTimeMessage, now time.Time) (time.Time, error) {
	earliest, latest, ok := s.restoreWindow(v, b, now)
	if !ok {
		return time.Time{}, msgPITRNothingYet.New(b.InstanceID, b.Status)
	}
	if deref(in.UseLatestRestorableTime) {
		return latest, nil
	}
	at := in.RestoreTime.UTC()
	if at.Before(earliest) || at.After(latest) {
		return time.Time{}, msgPITROutsideWindow.New(at.Format(time.RFC3339), b.InstanceID, earliest.Format(time.RFC3339), latest.Format(time.RFC3339))
	}
	return at, nil
}
