package rds

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/store"
)

// restored is what a restore takes from its source (a snapshot or an automated
// backup): the engine, version, storage, encryption and the rest of the instance as it
// was.
type restored struct {
	image
	Tags []tagRec
	From string
}

// restoreInstance builds, checks and inserts the instance a restore creates.
func (s *Service) restoreInstance(tx store.Tx, sc store.Scope, id string, src restored, p settings, dbName *string) (*instanceRec, error) {
	e := engines[src.Engine]
	v, ok := e.version(src.EngineVersion)
	if !ok {
		return nil, invalidCombination("Cannot find version %s for %s", src.EngineVersion, src.Engine)
	}
	if dbName != nil {
		if e.Name == "mysql" || e.Name == "mariadb" || strings.HasPrefix(e.Name, "sqlserver") {
			return nil, invalidCombination("The parameter DBName can't be specified when restoring a %s DB instance.", e.Name)
		}
		if err := checkDBName(e, dbName); err != nil {
			return nil, err
		}
	}
	if p.AllocatedStorage != nil && *p.AllocatedStorage < src.AllocatedStorage {
		return nil, invalidValue("The allocated storage of the restored DB instance (%d GiB) can't be less than that of its source (%d GiB).", *p.AllocatedStorage, src.AllocatedStorage)
	}
	if err := p.check(sc.Region); err != nil {
		return nil, err
	}
	tags, err := checkTags(p.Tags)
	if err != nil {
		return nil, err
	}
	inst := newInstance(sc.Region, sc.Account, id, e, v)
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
	if err := s.checkBackupWindows(sc.Region, inst, nil, nil); err != nil {
		return nil, err
	}
	if err := checkInstance(e, inst); err != nil {
		return nil, err
	}
	if err := checkGroups(e, v, inst); err != nil {
		return nil, err
	}
	if inst.Encrypted {
		ok, err := s.keyUsable(tx, sc.Account, sc.Region, inst.KmsKey)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, keyNotAccessible(inst.KmsKey)
		}
	}
	return inst, s.insertInstance(tx, sc, inst)
}

func (s *Service) restoreFromDBSnapshot(ctx context.Context, in *rdsapi.RestoreDBInstanceFromDBSnapshotMessage) (*rdsapi.RestoreDBInstanceFromDBSnapshotResult, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	id := deref(in.DBInstanceIdentifier)
	if !validIdentifier(id, maxInstanceID) {
		return nil, invalidIdentifier("DBInstanceIdentifier")
	}
	if in.DBClusterSnapshotIdentifier != nil {
		return nil, rdsapi.ErrDBClusterSnapshotNotFoundFault.New("DBClusterSnapshot %s not found.", *in.DBClusterSnapshotIdentifier)
	}
	if in.DBSnapshotIdentifier == nil {
		return nil, blank("DBSnapshotIdentifier")
	}
	if len(in.ProcessorFeatures) > 0 {
		return nil, invalidCombination("ProcessorFeatures are not supported for this DB instance class.")
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
	var inst *instanceRec
	err := s.st.Update(func(tx store.Tx) error {
		snap, snapSc, err := findSnapshot(tx, req.Account, req.Region, *in.DBSnapshotIdentifier, false)
		if err != nil {
			return err
		}
		if snap == nil {
			return snapshotNotFound(*in.DBSnapshotIdentifier)
		}
		if snap.Status != snapshotAvailable {
			return snapshotState("Snapshot %s is not in available state.", snap.ID)
		}
		if in.Engine != nil && !strings.EqualFold(*in.Engine, snap.Engine) {
			return invalidCombination("The engine %s of the restored DB instance must be the snapshot's engine %s.", *in.Engine, snap.Engine)
		}
		src := restored{image: snap.image, Tags: snap.Tags, From: snap.ID}
		inst, err = s.restoreInstance(tx, sc, strings.ToLower(id), src, p, in.DBName)
		if err != nil || !snap.RealData {
			return err
		}
		return s.engineRestore(tx, sc, inst, snapshotStore(snapSc, snap), port.DBRestore{Snapshot: true, DBName: snap.DBName})
	})
	if err != nil {
		return nil, err
	}
	out := s.instanceOut(sc, inst, s.clock.Now())
	return &rdsapi.RestoreDBInstanceFromDBSnapshotResult{DBInstance: &out}, nil
}

// pointInTimeSource finds the automated backup a point-in-time restore names, in the
// caller's Region: that of a live instance, or one by DbiResourceId or ARN, which may
// be retained or replicated from another Region.
func pointInTimeSource(tx store.Tx, sc store.Scope, in *rdsapi.RestoreDBInstanceToPointInTimeMessage) (*backupRec, error) {
	switch {
	case in.SourceDBInstanceIdentifier != nil:
		inst, err := getInstance(tx, sc, strings.ToLower(*in.SourceDBInstanceIdentifier))
		if err != nil {
			return nil, err
		}
		if inst == nil {
			return nil, instanceNotFound(*in.SourceDBInstanceIdentifier)
		}
		if inst.Retention == 0 {
			return nil, rdsapi.ErrPointInTimeRestoreNotEnabledFault.New("SourceDBInstanceIdentifier refers to a DB instance with BackupRetentionPeriod equal to 0.")
		}
		b, err := getBackup(tx, sc, inst.ResourceID)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return nil, instanceState("DB instance %s has no automated backup to restore from yet.", inst.ID)
		}
		return b, nil
	case in.SourceDbiResourceId != nil:
		b, err := getBackup(tx, sc, *in.SourceDbiResourceId)
		if err == nil && b == nil {
			err = autoBackupNotFound(*in.SourceDbiResourceId)
		}
		return b, err
	default:
		b, err := backupByARN(tx, sc, *in.SourceDBInstanceAutomatedBackupsArn)
		if err == nil && b == nil {
			err = autoBackupNotFound(*in.SourceDBInstanceAutomatedBackupsArn)
		}
		return b, err
	}
}

func (s *Service) restoreToPointInTime(ctx context.Context, in *rdsapi.RestoreDBInstanceToPointInTimeMessage) (*rdsapi.RestoreDBInstanceToPointInTimeResult, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	id := deref(in.TargetDBInstanceIdentifier)
	if !validIdentifier(id, maxInstanceID) {
		return nil, invalidIdentifier("TargetDBInstanceIdentifier")
	}
	sources := 0
	for _, v := range []*string{in.SourceDBInstanceIdentifier, in.SourceDbiResourceId, in.SourceDBInstanceAutomatedBackupsArn} {
		if v != nil {
			sources++
		}
	}
	if sources != 1 {
		return nil, invalidCombination("Specify exactly one of SourceDBInstanceIdentifier, SourceDbiResourceId and SourceDBInstanceAutomatedBackupsArn.")
	}
	latest := deref(in.UseLatestRestorableTime)
	if latest && in.RestoreTime != nil {
		return nil, invalidCombination("Cannot specify both RestoreTime and UseLatestRestorableTime.")
	}
	if !latest && in.RestoreTime == nil {
		return nil, invalidCombination("Either RestoreTime or UseLatestRestorableTime must be specified.")
	}
	if len(in.ProcessorFeatures) > 0 {
		return nil, invalidCombination("ProcessorFeatures are not supported for this DB instance class.")
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
	now := s.clock.Now()
	var inst *instanceRec
	err := s.st.Update(func(tx store.Tx) error {
		b, err := pointInTimeSource(tx, sc, in)
		if err != nil {
			return err
		}
		earliest, latestTime, ok := s.restoreWindow(sc, b, now)
		if !ok {
			return rdsapi.ErrInvalidDBInstanceAutomatedBackupStateFault.New("The automated backup of DB instance %s is %s and has nothing to restore yet.", b.InstanceID, b.Status)
		}
		at := latestTime
		if !latest {
			at = in.RestoreTime.UTC()
			if at.Before(earliest) || at.After(latestTime) {
				return rdsapi.ErrInvalidRestoreFault.New("The restore time %s is outside the restorable window of DB instance %s: %s to %s.",
					at.Format(time.RFC3339), b.InstanceID, earliest.Format(time.RFC3339), latestTime.Format(time.RFC3339))
			}
		}
		if in.Engine != nil && !strings.EqualFold(*in.Engine, b.Engine) {
			return invalidCombination("The engine %s of the restored DB instance must be the source's engine %s.", *in.Engine, b.Engine)
		}
		src := restored{image: b.image, From: b.SourceARN + "@" + at.Format(time.RFC3339)}
		if b.Replica && src.Engine != "" {
			// A replica's option group is its source Region's; the restore takes the
			// destination's default (RDS User Guide: option groups are not copied across
			// Regions).
			e := engines[src.Engine]
			if v, ok := e.version(src.EngineVersion); ok {
				src.OptionGroup = defaultOptionGroup(e.Name, v.Major)
			}
		}
		inst, err = s.restoreInstance(tx, sc, strings.ToLower(id), src, p, in.DBName)
		if err != nil || !b.RealData {
			return err
		}
		return s.engineRestore(tx, sc, inst, automatedStore(sc, b.ResourceID, b.KmsKey), port.DBRestore{Time: at, Latest: latest, DBName: b.DBName})
	})
	if err != nil {
		return nil, err
	}
	out := s.instanceOut(sc, inst, now)
	return &rdsapi.RestoreDBInstanceToPointInTimeResult{DBInstance: &out}, nil
}
