package rds

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// mergeMods lays b over a.
func mergeMods(a, b *pendingMods) *pendingMods {
	if a.empty() {
		return b
	}
	if b.empty() {
		return a
	}
	out := *a
	pick := func(dst **string, v *string) {
		if v != nil {
			*dst = v
		}
	}
	pick(&out.Class, b.Class)
	pick(&out.StorageType, b.StorageType)
	pick(&out.EngineVersion, b.EngineVersion)
	pick(&out.NewID, b.NewID)
	pick(&out.CACert, b.CACert)
	pick(&out.LicenseModel, b.LicenseModel)
	pick(&out.ParamGroup, b.ParamGroup)
	pick(&out.OptionGroup, b.OptionGroup)
	for dst, v := range map[**int64]*int64{&out.AllocatedStorage: b.AllocatedStorage, &out.Iops: b.Iops,
		&out.StorageThroughput: b.StorageThroughput, &out.Retention: b.Retention, &out.Port: b.Port} {
		if v != nil {
			*dst = v
		}
	}
	if b.MultiAZ != nil {
		out.MultiAZ = b.MultiAZ
	}
	out.Password = out.Password || b.Password
	return &out
}

// changed is v unless it is the current value.
func changed[T comparable](v *T, current T) *T {
	if v == nil || *v == current {
		return nil
	}
	return v
}

// withMods is inst as it will be once mods are applied, for checking.
func withMods(inst *instanceRec, mods *pendingMods) *instanceRec {
	d := *inst
	if mods == nil {
		return &d
	}
	if mods.Class != nil {
		d.Class = *mods.Class
	}
	if mods.AllocatedStorage != nil {
		d.AllocatedStorage = *mods.AllocatedStorage
	}
	if mods.StorageType != nil {
		d.StorageType = *mods.StorageType
	}
	if mods.Iops != nil {
		d.Iops = *mods.Iops
	}
	if mods.StorageThroughput != nil {
		d.StorageThroughput = *mods.StorageThroughput
	}
	if mods.EngineVersion != nil {
		d.EngineVersion = *mods.EngineVersion
	}
	if mods.MultiAZ != nil {
		d.MultiAZ = *mods.MultiAZ
	}
	if mods.Retention != nil {
		d.Retention = *mods.Retention
	}
	if mods.Port != nil {
		d.Port = *mods.Port
	}
	if mods.CACert != nil {
		d.CACert = *mods.CACert
	}
	if mods.LicenseModel != nil {
		d.LicenseModel = *mods.LicenseModel
	}
	if mods.ParamGroup != nil {
		d.ParamGroup = *mods.ParamGroup
	}
	if mods.OptionGroup != nil {
		d.OptionGroup = *mods.OptionGroup
	}
	return &d
}

func (s *Service) modifyDBInstance(ctx context.Context, in *rdsapi.ModifyDBInstanceMessage) (*rdsapi.ModifyDBInstanceResult, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	id := strings.ToLower(deref(in.DBInstanceIdentifier))
	now := s.clock.Now()
	immediately := deref(in.ApplyImmediately)
	if in.NewDBInstanceIdentifier != nil && !validIdentifier(*in.NewDBInstanceIdentifier, maxInstanceID) {
		return nil, invalidIdentifier("NewDBInstanceIdentifier")
	}
	if deref(in.ManageMasterUserPassword) || deref(in.RotateMasterUserPassword) || in.MasterUserSecretKmsKeyId != nil {
		return nil, awserr.UnsupportedOperation.New("xregion's RDS does not manage master user passwords in Secrets Manager: set MasterUserPassword instead")
	}
	if len(in.DBSecurityGroups) > 0 {
		return nil, invalidCombination("DB Security Groups can only be associated with VPC DB Instances using API versions 2012-01-15 through 2012-09-17.")
	}
	if in.Domain != nil || in.DisableDomain != nil {
		return nil, rdsapi.ErrDomainNotFoundFault.New("Domain %s not found.", deref(in.Domain))
	}
	if err := checkSecurityGroups(in.VpcSecurityGroupIds); err != nil {
		return nil, err
	}
	var out rdsapi.DBInstance
	err := s.st.Update(func(tx store.Tx) error {
		inst, err := getInstance(tx, sc, id)
		if err != nil {
			return err
		}
		if inst == nil {
			return instanceNotFound(deref(in.DBInstanceIdentifier))
		}
		if inst.Status != statusAvailable {
			return instanceState("Database instance %s is not in available state.", inst.ID)
		}
		e := engines[inst.Engine]
		if in.Engine != nil && !strings.EqualFold(*in.Engine, inst.Engine) {
			return invalidCombination("Cannot change the engine of DB instance %s from %s to %s.", inst.ID, inst.Engine, *in.Engine)
		}
		if in.MasterUserPassword != nil {
			if err := checkPassword(e, *in.MasterUserPassword); err != nil {
				return err
			}
		}
		draft := *inst
		draft.VpcSGs = slices.Clone(inst.VpcSGs)
		draft.LogExports = slices.Clone(inst.LogExports)
		// Changes RDS applies at once whatever ApplyImmediately says.
		if in.PreferredBackupWindow != nil {
			draft.BackupWindow = *in.PreferredBackupWindow
		}
		if in.PreferredMaintenanceWindow != nil {
			draft.MaintWindow = strings.ToLower(*in.PreferredMaintenanceWindow)
		}
		for dst, v := range map[*bool]*bool{&draft.DeletionProtection: in.DeletionProtection, &draft.CopyTags: in.CopyTagsToSnapshot,
			&draft.AutoMinor: in.AutoMinorVersionUpgrade, &draft.Public: in.PubliclyAccessible, &draft.IAMAuth: in.EnableIAMDatabaseAuthentication,
			&draft.PerfInsights: in.EnablePerformanceInsights} {
			if v != nil {
				*dst = *v
			}
		}
		if in.MonitoringInterval != nil {
			draft.MonitoringInterval = *in.MonitoringInterval
		}
		if in.MonitoringRoleArn != nil {
			draft.MonitoringRoleARN = *in.MonitoringRoleArn
		}
		if in.MaxAllocatedStorage != nil {
			draft.MaxAllocatedStorage = *in.MaxAllocatedStorage
		}
		if in.VpcSecurityGroupIds != nil {
			draft.VpcSGs = in.VpcSecurityGroupIds
		}
		if in.DBSubnetGroupName != nil {
			draft.SubnetGroup = *in.DBSubnetGroupName
		}
		if in.OptionGroupName != nil {
			draft.OptionGroup = *in.OptionGroupName
		}
		if c := in.CloudwatchLogsExportConfiguration; c != nil {
			draft.LogExports = slices.DeleteFunc(draft.LogExports, func(l string) bool { return slices.Contains(c.DisableLogTypes, l) })
			for _, l := range c.EnableLogTypes {
				if !slices.Contains(draft.LogExports, l) {
					draft.LogExports = append(draft.LogExports, l)
				}
			}
		}
		if draft.PerfInsights && draft.PerfInsightsRetention == 0 {
			draft.PerfInsightsRetention = 7
		}
		if in.PerformanceInsightsRetentionPeriod != nil {
			draft.PerfInsightsRetention = *in.PerformanceInsightsRetentionPeriod
		}
		// Changes that wait for the maintenance window unless ApplyImmediately.
		// A value the instance already has is no change (clients such as Terraform send
		// every argument).
		mods := &pendingMods{
			Class: changed(in.DBInstanceClass, inst.Class), StorageType: changed(in.StorageType, inst.StorageType),
			CACert: changed(in.CACertificateIdentifier, inst.CACert), LicenseModel: changed(in.LicenseModel, inst.LicenseModel),
			AllocatedStorage: changed(in.AllocatedStorage, inst.AllocatedStorage), Iops: changed(in.Iops, inst.Iops),
			StorageThroughput: changed(in.StorageThroughput, inst.StorageThroughput), MultiAZ: changed(in.MultiAZ, inst.MultiAZ),
			ParamGroup: changed(in.DBParameterGroupName, inst.ParamGroup), Port: changed(in.DBPortNumber, inst.Port),
		}
		if in.NewDBInstanceIdentifier != nil {
			newID := strings.ToLower(*in.NewDBInstanceIdentifier)
			if newID != inst.ID {
				other, err := getInstance(tx, sc, newID)
				if err != nil {
					return err
				}
				if other != nil {
					return rdsapi.ErrDBInstanceAlreadyExistsFault.New("DB instance already exists")
				}
				mods.NewID = &newID
			}
		}
		if v := in.EngineVersion; v != nil && *v != inst.EngineVersion {
			target, ok := e.resolveVersion(*v)
			if !ok {
				return invalidCombination("Cannot find version %s for %s", *v, e.Name)
			}
			cur, _ := e.version(inst.EngineVersion)
			if versionLess(target.Version, cur.Version) {
				return invalidCombination("Cannot upgrade %s from %s to %s", e.Name, cur.Version, target.Version)
			}
			if target.Major != cur.Major {
				if !deref(in.AllowMajorVersionUpgrade) {
					return invalidCombination("The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version.")
				}
				if in.DBParameterGroupName == nil {
					g := defaultParameterGroup(target.Family)
					mods.ParamGroup = &g
				}
				if in.OptionGroupName == nil {
					g := defaultOptionGroup(e.Name, target.Major)
					mods.OptionGroup = &g
				}
			}
			mods.EngineVersion = &target.Version
		}
		if r := in.BackupRetentionPeriod; r != nil && *r != inst.Retention {
			if (*r == 0) != (inst.Retention == 0) {
				mods.Retention = r
			} else {
				draft.Retention = *r
			}
		}
		if a := mods.AllocatedStorage; a != nil {
			if *a < inst.AllocatedStorage {
				return invalidValue("Invalid storage size: the allocated storage of DB instance %s can't be decreased from %d GiB.", inst.ID, inst.AllocatedStorage)
			}
			if *a*10 < inst.AllocatedStorage*11 {
				return invalidCombination("The allocated storage must be increased by at least 10%%: from %d GiB to at least %d GiB.", inst.AllocatedStorage, (inst.AllocatedStorage*11+9)/10)
			}
		}
		target := withMods(&draft, mods)
		v, _ := e.version(target.EngineVersion)
		if err := checkGroups(e, v, target); err != nil {
			return err
		}
		if err := checkInstance(e, target); err != nil {
			return err
		}
		if mods.AllocatedStorage != nil {
			used, err := getCount(tx, sc, countStorage)
			if err != nil {
				return err
			}
			if used-inst.AllocatedStorage+*mods.AllocatedStorage > quotaStorageGiB {
				return rdsapi.ErrStorageQuotaExceededFault.New("The request cannot be processed because it would exceed the maximum allowed storage quota of %d GiB.", quotaStorageGiB)
			}
		}
		windowsChanged := draft.BackupWindow != inst.BackupWindow
		maintChanged := draft.MaintWindow != inst.MaintWindow
		retentionChanged := draft.Retention != inst.Retention
		*inst = draft
		if retentionChanged && !inst.BackupStart.IsZero() {
			if err := s.expireSnapshots(tx, sc, inst.ResourceID, inst.Retention, now); err != nil {
				return err
			}
		}
		if windowsChanged && !inst.NextBackup.IsZero() {
			if err := s.scheduleDailyBackup(tx, sc, inst, now); err != nil {
				return err
			}
		}
		if maintChanged && !inst.NextMaint.IsZero() {
			if err := s.scheduleMaintenance(tx, sc, inst, now); err != nil {
				return err
			}
		}
		if in.MasterUserPassword != nil {
			// Applied as soon as possible whatever ApplyImmediately says (API reference).
			mods.Password = true
			if err := s.enginePassword(tx, sc, inst, *in.MasterUserPassword); err != nil {
				return err
			}
		}
		if mods.empty() {
			if err := putInstance(tx, sc, inst); err != nil {
				return err
			}
			out = s.instanceOut(sc, inst, now)
			return s.syncOwnBackup(tx, sc, inst)
		}
		applying, deferred := mods, &pendingMods{}
		if !immediately {
			// Only the password goes ahead; the rest waits for the maintenance window.
			applying = &pendingMods{Password: mods.Password}
			deferred = mods
			deferred.Password = false
		}
		if !deferred.empty() {
			inst.Pending = mergeMods(inst.Pending, deferred)
			if inst.NextMaint.IsZero() {
				if err := s.scheduleMaintenance(tx, sc, inst, s.clock.Now()); err != nil {
					return err
				}
			}
		}
		if applying.empty() {
			if err := putInstance(tx, sc, inst); err != nil {
				return err
			}
		} else {
			inst.Applying = applying
			switch {
			case *applying == pendingMods{Password: true}:
				inst.Status = statusResetting
			case *applying == pendingMods{NewID: applying.NewID}:
				inst.Status = statusRenaming
			default:
				inst.Status = statusModifying
			}
			if err := s.step(tx, sc, inst); err != nil {
				return err
			}
		}
		out = s.instanceOut(sc, inst, s.clock.Now())
		out.PendingModifiedValues = pendingOut(mergeMods(inst.Pending, inst.Applying))
		return s.syncOwnBackup(tx, sc, inst)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.ModifyDBInstanceResult{DBInstance: &out}, nil
}

// versionLess compares dotted versions numerically where the parts are numbers.
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		na, ea := atoi(pa[i])
		nb, eb := atoi(pb[i])
		if ea && eb {
			return na < nb
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}

func atoi(s string) (int, bool) {
	n := 0
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// finishModify applies the changes an instance was modifying with.
func (s *Service) finishModify(tx store.Tx, sc store.Scope, inst *instanceRec, now time.Time) error {
	a := inst.Applying
	inst.Applying = nil
	startBackups := false
	if a != nil {
		var err error
		if startBackups, err = s.applyMods(tx, sc, inst, a, now); err != nil {
			return err
		}
	}
	if startBackups {
		inst.Status = statusBackingUp
		return s.step(tx, sc, inst)
	}
	return s.becomeAvailable(tx, sc, inst, now)
}

// applyMods applies modifications to inst; it reports whether automated backups were
// turned on and need their first backup.
func (s *Service) applyMods(tx store.Tx, sc store.Scope, inst *instanceRec, a *pendingMods, now time.Time) (bool, error) {
	if a.AllocatedStorage != nil {
		if err := addCount(tx, sc, countStorage, *a.AllocatedStorage-inst.AllocatedStorage); err != nil {
			return false, err
		}
	}
	if a.EngineVersion != nil && a.ParamGroup == nil {
		e := engines[inst.Engine]
		if v, ok := e.version(*a.EngineVersion); ok {
			inst.ParamGroup = defaultParameterGroup(v.Family)
		}
	}
	if a.ParamGroup != nil && *a.ParamGroup != inst.ParamGroup {
		inst.ParamGroupStatus = "pending-reboot"
	}
	oldRetention := inst.Retention
	applied := withMods(inst, a)
	*inst = *applied
	startBackups := false
	switch {
	case oldRetention == 0 && inst.Retention > 0:
		inst.BackupID = newBackupID()
		if err := putBackup(tx, sc, s.ownBackup(sc, inst, backupCreating)); err != nil {
			return false, err
		}
		startBackups = true
	case oldRetention > 0 && inst.Retention == 0:
		if err := s.stopBackups(tx, sc, inst, now); err != nil {
			return false, err
		}
	}
	if a.NewID != nil && *a.NewID != inst.ID {
		other, err := getInstance(tx, sc, *a.NewID)
		if err != nil {
			return false, err
		}
		if other == nil {
			if err := tx.Delete(sc.Key(kindInstance, inst.ID)); err != nil {
				return false, err
			}
			inst.ID = *a.NewID
		}
		// An identifier taken since the request leaves the instance as it was named.
	}
	return startBackups, nil
}
