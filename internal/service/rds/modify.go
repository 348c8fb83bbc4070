package rds

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
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

func (s *Service) ModifyDBInstance(ctx context.Context, in *rdsapi.ModifyDBInstanceMessage) (*rdsapi.ModifyDBInstanceResult, error) {
	c := s.Call(ctx)
	if err := checkModifyRequest(in); err != nil {
		return nil, err
	}
	if s.isClusterMember(ctx, in.DBInstanceIdentifier) {
		return s.modifyClusterMember(ctx, in) // clusters_members.go
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.ModifyDBInstanceResult, error) {
		v := c.In(tx)
		inst, err := instances.Get(v, strings.ToLower(deref(in.DBInstanceIdentifier)))
		if err != nil {
			return nil, err
		}
		if inst == nil {
			return nil, msgInstanceNotFound.New(deref(in.DBInstanceIdentifier))
		}
		// The stages of validate.go: the request alone (checkModifyRequest), the
		// instance found, the request against it, what it names, then the instance's
		// state and the storage quota.
		if err := checkManagedModify(inst, in); err != nil {
			return nil, err
		}
		if err := checkReplicaModify(inst, in); err != nil {
			return nil, err
		}
		draft, mods, err := planModify(v, inst, in)
		if err != nil {
			return nil, err
		}
		if err := s.checkModifiedGroups(tx, v, draft, in.VpcSecurityGroupIds != nil); err != nil {
			return nil, err
		}
		if in.Domain != nil || in.DisableDomain != nil {
			return nil, msgDomainNotFound.New(deref(in.Domain))
		}
		if inst.Status != statusAvailable {
			return nil, msgNotAvailable.New(inst.ID)
		}
		if err := checkStorageQuota(v, inst, mods.AllocatedStorage); err != nil {
			return nil, err
		}
		if err := s.modifyMasterSecret(tx, v, draft, in); err != nil {
			return nil, err
		}
		if in.MasterUserPassword != nil {
			if err := s.enginePassword(v, inst, *in.MasterUserPassword); err != nil {
				return nil, err
			}
		}
		out, err := s.writeModify(tx, v, inst, draft, mods, deref(in.ApplyImmediately), c.Now())
		if err != nil {
			return nil, err
		}
		return &rdsapi.ModifyDBInstanceResult{DBInstance: out}, nil
	})
}

// checkModifyRequest checks what a ModifyDBInstance request asks for before the instance
// is looked up.
func checkModifyRequest(in *rdsapi.ModifyDBInstanceMessage) error {
	if !validIdentifier(deref(in.DBInstanceIdentifier), maxInstanceID) {
		return msgInvalidIdentifier.New(paramInstanceID)
	}
	if in.NewDBInstanceIdentifier != nil && !validIdentifier(*in.NewDBInstanceIdentifier, maxInstanceID) {
		return msgInvalidIdentifier.New(paramNewInstanceID)
	}
	if len(in.DBSecurityGroups) > 0 {
		return msgDBSecurityGroupsVPC.New()
	}
	return checkSecurityGroups(in.VpcSecurityGroupIds)
}

// planModify checks a modification of inst and returns the instance with the changes RDS
// applies at once, whatever ApplyImmediately says, and the changes that wait for the
// maintenance window unless ApplyImmediately. It writes nothing.
func planModify(v kit.View, inst *instanceRec, in *rdsapi.ModifyDBInstanceMessage) (*instanceRec, *pendingMods, error) {
	draft, mods, err := checkModifyAgainst(inst, in)
	if err != nil {
		return nil, nil, err
	}
	if err := checkModifyNames(v, inst, in, draft, mods); err != nil {
		return nil, nil, err
	}
	// The password is applied as soon as possible whatever ApplyImmediately says (API
	// reference).
	mods.Password = in.MasterUserPassword != nil
	return draft, mods, nil
}

// checkModifyAgainst checks a modification against the instance and the catalogue
// (stage 3 of validate.go), and splits it into the changes made at once and the
// deferrable ones.
func checkModifyAgainst(inst *instanceRec, in *rdsapi.ModifyDBInstanceMessage) (*instanceRec, *pendingMods, error) {
	e := engines()[inst.Engine]
	if in.Engine != nil && !strings.EqualFold(*in.Engine, inst.Engine) {
		return nil, nil, msgEngineChange.New(inst.ID, inst.Engine, *in.Engine)
	}
	if in.MasterUserPassword != nil {
		if err := checkPassword(e, *in.MasterUserPassword); err != nil {
			return nil, nil, err
		}
	}
	draft := immediateChanges(inst, in)
	mods := deferrableChanges(inst, in)
	if err := upgradeTo(e, inst, in, mods); err != nil {
		return nil, nil, err
	}
	if r := in.BackupRetentionPeriod; r != nil && *r != inst.Retention {
		// Turning backups on or off waits like the other changes; a new period does not.
		if (*r == 0) != (inst.Retention == 0) {
			mods.Retention = r
		} else {
			draft.Retention = *r
		}
	}
	if err := checkNewStorage(inst, mods.AllocatedStorage); err != nil {
		return nil, nil, err
	}
	return draft, mods, checkInstance(e, withMods(draft, mods))
}

// checkModifyNames checks what a modification names in the store (stage 4 of
// validate.go, up to the VPC security groups, which checkModifiedGroups checks): the new
// identifier is free, the parameter and option groups and the DB subnet group exist.
func checkModifyNames(v kit.View, inst *instanceRec, in *rdsapi.ModifyDBInstanceMessage, draft *instanceRec, mods *pendingMods) error {
	if err := renameTo(v, inst, in.NewDBInstanceIdentifier, mods); err != nil {
		return err
	}
	e := engines()[inst.Engine]
	target := withMods(draft, mods)
	ver, _ := e.version(target.EngineVersion)
	if mods.ParamGroup != nil {
		name, err := checkParamGroup(v, ver.Family, *mods.ParamGroup)
		if err != nil {
			return err
		}
		mods.ParamGroup = &name
		if name == inst.ParamGroup {
			mods.ParamGroup = nil
		}
	}
	if mods.OptionGroup != nil {
		name, err := checkOptionGroup(v, e, ver, *mods.OptionGroup)
		if err != nil {
			return err
		}
		mods.OptionGroup = &name
		if name == inst.OptionGroup {
			mods.OptionGroup = nil
		}
	}
	if draft.OptionGroup != inst.OptionGroup {
		// An option group named with no new major version is applied with the draft.
		name, err := checkOptionGroup(v, e, ver, draft.OptionGroup)
		if err != nil {
			return err
		}
		draft.OptionGroup = name
	}
	if err := checkSubnetGroupName(target); err != nil {
		return err
	}
	return checkNewSubnetGroup(v, inst, draft)
}

// immediateChanges is inst with the changes RDS applies at once whatever ApplyImmediately
// says.
func immediateChanges(inst *instanceRec, in *rdsapi.ModifyDBInstanceMessage) *instanceRec {
	draft := *inst
	draft.VpcSGs = slices.Clone(inst.VpcSGs)
	draft.LogExports = slices.Clone(inst.LogExports)
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
	for dst, v := range map[*int64]*int64{&draft.MonitoringInterval: in.MonitoringInterval, &draft.MaxAllocatedStorage: in.MaxAllocatedStorage} {
		if v != nil {
			*dst = *v
		}
	}
	for dst, v := range map[*string]*string{&draft.MonitoringRoleARN: in.MonitoringRoleArn, &draft.SubnetGroup: in.DBSubnetGroupName,
		&draft.OptionGroup: in.OptionGroupName} {
		if v != nil {
			*dst = *v
		}
	}
	if in.VpcSecurityGroupIds != nil {
		draft.VpcSGs = in.VpcSecurityGroupIds
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
	return &draft
}

// deferrableChanges are the changes that wait for the maintenance window unless
// ApplyImmediately. A value the instance already has is no change (clients such as
// Terraform send every argument).
func deferrableChanges(inst *instanceRec, in *rdsapi.ModifyDBInstanceMessage) *pendingMods {
	return &pendingMods{
		Class: changed(in.DBInstanceClass, inst.Class), StorageType: changed(in.StorageType, inst.StorageType),
		CACert: changed(in.CACertificateIdentifier, inst.CACert), LicenseModel: changed(in.LicenseModel, inst.LicenseModel),
		AllocatedStorage: changed(in.AllocatedStorage, inst.AllocatedStorage), Iops: changed(in.Iops, inst.Iops),
		StorageThroughput: changed(in.StorageThroughput, inst.StorageThroughput), MultiAZ: changed(in.MultiAZ, inst.MultiAZ),
		ParamGroup: changed(in.DBParameterGroupName, inst.ParamGroup), Port: changed(in.DBPortNumber, inst.Port),
	}
}

// renameTo checks a NewDBInstanceIdentifier and records it in mods.
func renameTo(v kit.View, inst *instanceRec, newID *string, mods *pendingMods) error {
	if newID == nil {
		return nil
	}
	id := strings.ToLower(*newID)
	if id == inst.ID {
		return nil
	}
	if instances.Has(v, id) {
		return msgInstanceExists.New()
	}
	mods.NewID = &id
	return nil
}

// upgradeTo checks an EngineVersion and records it in mods, with the default groups of a
// new major version unless the request names others.
func upgradeTo(e *engine, inst *instanceRec, in *rdsapi.ModifyDBInstanceMessage, mods *pendingMods) error {
	v := in.EngineVersion
	if v == nil || *v == inst.EngineVersion {
		return nil
	}
	target, ok := e.resolveVersion(*v)
	if !ok {
		return msgNoVersion.New(*v, e.Name)
	}
	cur, _ := e.version(inst.EngineVersion)
	if versionLess(target.Version, cur.Version) {
		return msgDowngrade.New(e.Name, cur.Version, target.Version)
	}
	if target.Major != cur.Major {
		if !deref(in.AllowMajorVersionUpgrade) {
			return msgMajorUpgrade.New()
		}
		if in.DBParameterGroupName == nil {
			mods.ParamGroup = new(defaultParameterGroup(target.Family))
		}
		if in.OptionGroupName == nil {
			mods.OptionGroup = new(defaultOptionGroup(e.Name, target.Major))
		}
	}
	mods.EngineVersion = &target.Version
	return nil
}

// checkNewStorage checks a change of allocated storage: up only, by at least 10 %.
func checkNewStorage(inst *instanceRec, a *int64) error {
	if a == nil {
		return nil
	}
	if *a < inst.AllocatedStorage {
		return msgStorageDecrease.New(inst.ID, inst.AllocatedStorage)
	}
	if *a*10 < inst.AllocatedStorage*11 {
		return msgStorageIncrease.New(inst.AllocatedStorage, (inst.AllocatedStorage*11+9)/10)
	}
	return nil
}

// checkStorageQuota checks a change of allocated storage against the Region's quota.
func checkStorageQuota(v kit.View, inst *instanceRec, a *int64) error {
	if a == nil {
		return nil
	}
	used, err := getCount(v, countStorage)
	if err != nil {
		return err
	}
	if used-inst.AllocatedStorage+*a > quotaStorageGiB {
		return msgStorageQuota.New(quotaStorageGiB)
	}
	return nil
}

// writeModify makes inst the draft, reschedules what its new windows and retention move,
// and applies or defers mods. It answers the instance as the modification leaves it.
func (s *Service) writeModify(tx kit.Tx, v kit.View, inst, draft *instanceRec, mods *pendingMods, immediately bool, now time.Time) (*rdsapi.DBInstance, error) {
	windowsChanged := draft.BackupWindow != inst.BackupWindow
	maintChanged := draft.MaintWindow != inst.MaintWindow
	retentionChanged := draft.Retention != inst.Retention
	*inst = *draft
	if retentionChanged && !inst.BackupStart.IsZero() {
		if err := s.expireSnapshots(tx, v, inst.ResourceID, inst.Retention, now); err != nil {
			return nil, err
		}
	}
	if windowsChanged && !inst.NextBackup.IsZero() {
		if err := scheduleDailyBackup(tx, v, inst, now); err != nil {
			return nil, err
		}
	}
	if maintChanged && !inst.NextMaint.IsZero() {
		if err := scheduleMaintenance(tx, v, inst, now); err != nil {
			return nil, err
		}
	}
	if mods.empty() {
		if err := putInstance(v, inst); err != nil {
			return nil, err
		}
		return new(s.instanceOut(v, inst, now)), syncOwnBackup(v, inst)
	}
	if err := s.applyOrDefer(tx, v, inst, mods, immediately, now); err != nil {
		return nil, err
	}
	out := s.instanceOut(v, inst, now)
	out.PendingModifiedValues = pendingOut(mergeMods(inst.Pending, inst.Applying))
	return &out, syncOwnBackup(v, inst)
}

// applyOrDefer starts applying mods now (the password always; the rest with
// ApplyImmediately), and keeps the rest pending for the maintenance window.
func (s *Service) applyOrDefer(tx kit.Tx, v kit.View, inst *instanceRec, mods *pendingMods, immediately bool, now time.Time) error {
	applying, deferred := mods, &pendingMods{}
	if !immediately {
		applying = &pendingMods{Password: mods.Password}
		deferred = mods
		deferred.Password = false
	}
	if !deferred.empty() {
		inst.Pending = mergeMods(inst.Pending, deferred)
		if inst.NextMaint.IsZero() {
			if err := scheduleMaintenance(tx, v, inst, now); err != nil {
				return err
			}
		}
	}
	if applying.empty() {
		return putInstance(v, inst)
	}
	inst.Applying = applying
	switch {
	case *applying == pendingMods{Password: true}:
		inst.Status = statusResetting
	case *applying == pendingMods{NewID: applying.NewID}:
		inst.Status = statusRenaming
	default:
		inst.Status = statusModifying
	}
	return s.step(tx, v, inst)
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
func (s *Service) finishModify(tx kit.Tx, v kit.View, inst *instanceRec, now time.Time) error {
	a := inst.Applying
	inst.Applying = nil
	startBackups := false
	if a != nil {
		var err error
		if startBackups, err = s.applyMods(tx, v, inst, a, now); err != nil {
			return err
		}
	}
	if startBackups {
		inst.Status = statusBackingUp
		return s.step(tx, v, inst)
	}
	return s.becomeAvailable(tx, v, inst, now)
}

// applyMods applies modifications to inst; it reports whether automated backups were
// turned on and need their first backup.
func (s *Service) applyMods(tx kit.Tx, v kit.View, inst *instanceRec, a *pendingMods, now time.Time) (bool, error) {
	if a.AllocatedStorage != nil {
		if err := addCount(v, countStorage, *a.AllocatedStorage-inst.AllocatedStorage); err != nil {
			return false, err
		}
	}
	if a.EngineVersion != nil && a.ParamGroup == nil {
		e := engines()[inst.Engine]
		if ver, ok := e.version(*a.EngineVersion); ok {
			inst.ParamGroup = defaultParameterGroup(ver.Family)
		}
	}
	if a.ParamGroup != nil && *a.ParamGroup != inst.ParamGroup {
		inst.ParamGroupStatus, inst.ParamRebootPending = paramPendingBoot, true
	}
	oldRetention := inst.Retention
	applied := withMods(inst, a)
	*inst = *applied
	startBackups := false
	switch {
	case oldRetention == 0 && inst.Retention > 0:
		inst.BackupID = newBackupID()
		if err := putBackup(v, ownBackup(v, inst, backupCreating)); err != nil {
			return false, err
		}
		startBackups = true
	case oldRetention > 0 && inst.Retention == 0:
		if err := s.stopBackups(tx, v, inst, now); err != nil {
			return false, err
		}
	}
	// An identifier taken since the request leaves the instance as it was named.
	if a.NewID != nil && *a.NewID != inst.ID && !instances.Has(v, *a.NewID) {
		if err := instances.Delete(v, inst.ID); err != nil {
			return false, err
		}
		inst.ID = *a.NewID
		if err := relinkRenamed(tx, v, inst); err != nil {
			return false, err
		}
	}
	return startBackups, nil
}
