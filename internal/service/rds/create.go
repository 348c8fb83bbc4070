package rds

import (
	"context"
	"strings"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
)

// settings are the parts of an instance that CreateDBInstance and the two restores
// take from the request in the same way.
type settings struct {
	Class              *string
	Port               *int64
	AZ                 *string
	MultiAZ            *bool
	Public             *bool
	AutoMinor          *bool
	LicenseModel       *string
	StorageType        *string
	AllocatedStorage   *int64
	Iops               *int64
	StorageThroughput  *int64
	OptionGroup        *string
	ParamGroup         *string
	SubnetGroup        *string
	VpcSGs             []string
	DBSecurityGroups   []string
	CopyTags           *bool
	DeletionProtection *bool
	IAMAuth            *bool
	LogExports         []string
	CACert             *string
	NetworkType        *string
	MaxStorage         *int64
	LifecycleSupport   *string
	DedicatedLogVolume *bool
	Domain             *string
	CustomerOwnedIP    *bool
	CustomProfile      *string
	Tags               []rdsapi.Tag
}

// apply sets what the request names on inst, after inst holds the defaults (or the
// source's values, for a restore).
func (p settings) apply(inst *instanceRec) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&inst.Class, p.Class)
	set(&inst.AZ, p.AZ)
	inst.azAsked = p.AZ != nil
	set(&inst.LicenseModel, p.LicenseModel)
	set(&inst.StorageType, p.StorageType)
	set(&inst.OptionGroup, p.OptionGroup)
	set(&inst.ParamGroup, p.ParamGroup)
	set(&inst.SubnetGroup, p.SubnetGroup)
	set(&inst.CACert, p.CACert)
	set(&inst.NetworkType, p.NetworkType)
	set(&inst.LifecycleSupport, p.LifecycleSupport)
	for dst, v := range map[*int64]*int64{&inst.Port: p.Port, &inst.AllocatedStorage: p.AllocatedStorage, &inst.Iops: p.Iops,
		&inst.StorageThroughput: p.StorageThroughput, &inst.MaxAllocatedStorage: p.MaxStorage} {
		if v != nil {
			*dst = *v
		}
	}
	for dst, v := range map[*bool]*bool{&inst.MultiAZ: p.MultiAZ, &inst.Public: p.Public, &inst.AutoMinor: p.AutoMinor,
		&inst.CopyTags: p.CopyTags, &inst.DeletionProtection: p.DeletionProtection, &inst.IAMAuth: p.IAMAuth,
		&inst.DedicatedLogVolume: p.DedicatedLogVolume} {
		if v != nil {
			*dst = *v
		}
	}
	if p.VpcSGs != nil {
		inst.VpcSGs = p.VpcSGs
	}
	if p.LogExports != nil {
		inst.LogExports = p.LogExports
	}
}

// check checks the request's own forms, and refuses what xregion's RDS has no model for
// with AWS's error for it (stage 1 of the order in validate.go).
func (p settings) check(region string) error {
	if len(p.DBSecurityGroups) > 0 {
		return msgDBSecurityGroupsVPC.New()
	}
	if deref(p.CustomerOwnedIP) {
		return msgCustomerOwnedIP.New()
	}
	if p.CustomProfile != nil {
		return msgCustomProfile.New()
	}
	if p.NetworkType != nil && *p.NetworkType != "IPV4" {
		if *p.NetworkType == "DUAL" {
			return msgDualStack.New()
		}
		return msgNetworkType.New(*p.NetworkType)
	}
	if p.LifecycleSupport != nil && *p.LifecycleSupport != "open-source-rds-extended-support" &&
		*p.LifecycleSupport != "open-source-rds-extended-support-disabled" {
		return msgLifecycleSupport.New(*p.LifecycleSupport)
	}
	if err := checkSecurityGroups(p.VpcSGs); err != nil {
		return err
	}
	return checkZone(region, deref(p.AZ), deref(p.MultiAZ))
}

// checkDomain refuses a directory domain, which xregion does not model, as AWS refuses
// one that does not exist (stage 4 of the order in validate.go).
func (p settings) checkDomain() error {
	if p.Domain != nil && *p.Domain != "" {
		return msgDomainNotFound.New(*p.Domain)
	}
	return nil
}

// newInstance is an instance of engine version v with RDS's defaults.
func newInstance(region, account, id string, e *engine, v engineVersion) *instanceRec {
	inst := &instanceRec{
		ID: id, ResourceID: newResourceID(), Status: statusCreating, Seq: 1,
		Engine: e.Name, EngineVersion: v.Version, LicenseModel: e.Licenses[0], Port: e.Port,
		AZ:         zones(region)[ids.From("012", 1)[0]-'0'],
		AutoMinor:  true,
		Retention:  1,
		ParamGroup: defaultParameterGroup(v.Family), ParamGroupStatus: parameterGroupSync,
		OptionGroup: defaultOptionGroup(e.Name, v.Major), SubnetGroup: "default",
		VpcSGs: []string{defaultSecurityGroup(account, region)},
		CACert: certificateAuthority, NetworkType: "IPV4",
	}
	if e.Name == "postgres" || e.Name == "mysql" {
		inst.LifecycleSupport = "open-source-rds-extended-support"
	}
	return inst
}

func (s *Service) CreateDBInstance(ctx context.Context, in *rdsapi.CreateDBInstanceMessage) (*rdsapi.CreateDBInstanceResult, error) {
	if in.DBClusterIdentifier != nil {
		return s.createClusterInstance(ctx, in) // an Aurora cluster's member (clusters_members.go)
	}
	c := s.Call(ctx)
	inst, err := s.checkCreate(c, in)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CreateDBInstanceResult, error) {
		v := c.In(tx)
		if err := s.checkNewNames(tx, v, inst); err != nil {
			return nil, err
		}
		if inst.Encrypted {
			key, err := s.resolveKey(tx, c.Account, c.Region, deref(in.KmsKeyId))
			if err != nil {
				return nil, err
			}
			inst.KmsKey = key
		}
		if err := createSettings(in).checkDomain(); err != nil {
			return nil, err
		}
		if err := s.engineCreate(v, inst, deref(in.MasterUserPassword)); err != nil {
			return nil, err
		}
		if err := s.insertInstance(tx, v, inst); err != nil {
			return nil, err
		}
		if deref(in.ManageMasterUserPassword) {
			if err := s.createMasterSecret(tx, v, inst, deref(in.MasterUserSecretKmsKeyId)); err != nil {
				return nil, err
			}
			if err := putInstance(v, inst); err != nil {
				return nil, err
			}
		}
		return &rdsapi.CreateDBInstanceResult{DBInstance: new(s.instanceOut(v, inst, c.Now()))}, nil
	})
}

// checkCreate checks a CreateDBInstance request that needs nothing of the store (stages
// 1 and 3 of the order in validate.go), and returns the instance it asks for.
func (s *Service) checkCreate(c kit.Call, in *rdsapi.CreateDBInstanceMessage) (*instanceRec, error) {
	id := deref(in.DBInstanceIdentifier)
	if !validIdentifier(id, maxInstanceID) {
		return nil, msgInvalidIdentifier.New(paramInstanceID)
	}
	e, err := lookupEngine(deref(in.Engine))
	if err != nil {
		return nil, err
	}
	v, ok := e.resolveVersion(deref(in.EngineVersion))
	if !ok {
		return nil, msgNoVersion.New(deref(in.EngineVersion), e.Name)
	}
	if err := checkCredentials(e, in); err != nil {
		return nil, err
	}
	if err := checkEngineOptions(e, in); err != nil {
		return nil, err
	}
	p := createSettings(in)
	if err := p.check(c.Region); err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	inst := newInstance(c.Region, c.Account, strings.ToLower(id), e, v)
	inst.StorageType = e.defaultStorageType(*in.AllocatedStorage, in.Iops != nil)
	p.apply(inst)
	createOnly(inst, in)
	inst.Tags = tags
	if in.KmsKeyId != nil && !inst.Encrypted {
		return nil, msgKeyNeedsEncryption.New()
	}
	if err := s.checkBackupWindows(c.Region, inst, in.PreferredBackupWindow, in.PreferredMaintenanceWindow); err != nil {
		return nil, err
	}
	if err := checkInstance(e, inst); err != nil {
		return nil, err
	}
	return inst, nil
}

// checkCredentials checks the master user, password and database name of a create.
func checkCredentials(e *engine, in *rdsapi.CreateDBInstanceMessage) error {
	if err := checkManagedCreate(in); err != nil {
		return err
	}
	if err := checkMasterUsername(e, deref(in.MasterUsername)); err != nil {
		return err
	}
	if in.MasterUserPassword == nil && !deref(in.ManageMasterUserPassword) {
		return msgBlank.New(paramPassword)
	}
	if in.MasterUserPassword != nil {
		if err := checkPassword(e, *in.MasterUserPassword); err != nil {
			return err
		}
	}
	if err := checkDBName(e, in.DBName); err != nil {
		return err
	}
	if in.AllocatedStorage == nil {
		return msgBlank.New(paramAllocatedStorage)
	}
	return nil
}

// checkEngineOptions refuses the options of a create that the engine does not have.
func checkEngineOptions(e *engine, in *rdsapi.CreateDBInstanceMessage) error {
	if in.Timezone != nil && !strings.HasPrefix(e.Name, "sqlserver") {
		return msgTimezone.New()
	}
	if in.CharacterSetName != nil && !strings.HasPrefix(e.Name, "oracle") && !strings.HasPrefix(e.Name, "sqlserver") {
		return msgCharacterSet.New(e.Name)
	}
	if len(in.ProcessorFeatures) > 0 {
		return msgProcessorFeatures.New(e.Name, deref(in.DBInstanceClass))
	}
	return nil
}

func createSettings(in *rdsapi.CreateDBInstanceMessage) settings {
	return settings{
		Class: in.DBInstanceClass, Port: in.Port, AZ: in.AvailabilityZone, MultiAZ: in.MultiAZ, Public: in.PubliclyAccessible,
		AutoMinor: in.AutoMinorVersionUpgrade, LicenseModel: in.LicenseModel, StorageType: in.StorageType,
		AllocatedStorage: in.AllocatedStorage, Iops: in.Iops, StorageThroughput: in.StorageThroughput,
		OptionGroup: in.OptionGroupName, ParamGroup: in.DBParameterGroupName, SubnetGroup: in.DBSubnetGroupName,
		VpcSGs: in.VpcSecurityGroupIds, DBSecurityGroups: in.DBSecurityGroups, CopyTags: in.CopyTagsToSnapshot,
		DeletionProtection: in.DeletionProtection, IAMAuth: in.EnableIAMDatabaseAuthentication, LogExports: in.EnableCloudwatchLogsExports,
		CACert: in.CACertificateIdentifier, NetworkType: in.NetworkType, MaxStorage: in.MaxAllocatedStorage,
		LifecycleSupport: in.EngineLifecycleSupport, DedicatedLogVolume: in.DedicatedLogVolume, Domain: in.Domain,
		CustomerOwnedIP: in.EnableCustomerOwnedIp, CustomProfile: in.CustomIamInstanceProfile, Tags: in.Tags,
	}
}

// createOnly sets what only CreateDBInstance takes from its request.
func createOnly(inst *instanceRec, in *rdsapi.CreateDBInstanceMessage) {
	inst.MasterUsername = deref(in.MasterUsername)
	inst.DBName = deref(in.DBName)
	inst.Timezone = deref(in.Timezone)
	inst.CharSet = deref(in.CharacterSetName)
	inst.NcharCharSet = deref(in.NcharCharacterSetName)
	inst.MonitoringInterval = deref(in.MonitoringInterval)
	inst.MonitoringRoleARN = deref(in.MonitoringRoleArn)
	inst.PerfInsights = deref(in.EnablePerformanceInsights)
	if inst.PerfInsights {
		inst.PerfInsightsRetention = 7
		if in.PerformanceInsightsRetentionPeriod != nil {
			inst.PerfInsightsRetention = *in.PerformanceInsightsRetentionPeriod
		}
	}
	if in.BackupRetentionPeriod != nil {
		inst.Retention = *in.BackupRetentionPeriod
	}
	inst.Encrypted = deref(in.StorageEncrypted)
}

// checkBackupWindows sets the windows a request names, or RDS's random defaults, and
// checks them.
func (s *Service) checkBackupWindows(region string, inst *instanceRec, backup, maint *string) error {
	if backup != nil {
		if _, err := parseDailyWindow(*backup); err != nil {
			return err
		}
	}
	if maint != nil {
		if _, err := parseWeeklyWindow(*maint); err != nil {
			return err
		}
	}
	b, m := defaultWindows(region, deref(backup), strings.ToLower(deref(maint)))
	inst.BackupWindow, inst.MaintWindow = b, m
	return checkWindows(b, m)
}

// checkNewNames checks what a new instance (creating, restoring, replicating) names in
// the store, in stage 4's order (validate.go): its identifier is free, its parameter
// and option groups exist, and its DB subnet group exists with the VPC security groups
// in its VPC. The caller checks the KMS key and the domain next.
func (s *Service) checkNewNames(tx kit.Tx, v kit.View, inst *instanceRec) error {
	if instances.Has(v, inst.ID) {
		return msgInstanceExists.New()
	}
	if err := checkInstanceGroups(v, inst); err != nil {
		return err
	}
	if err := checkSubnetGroupName(inst); err != nil {
		return err
	}
	return s.placeInSubnetGroup(tx, v, inst)
}

// insertInstance stores a new instance once checkNewNames passed, after the quotas allow
// it (stage 5). It starts the life cycle.
func (s *Service) insertInstance(tx kit.Tx, v kit.View, inst *instanceRec) error {
	n, err := getCount(v, countInstance)
	if err != nil {
		return err
	}
	if n >= quotaInstances {
		return msgInstanceQuota.New(quotaInstances, v.Region())
	}
	used, err := getCount(v, countStorage)
	if err != nil {
		return err
	}
	if used+inst.AllocatedStorage > quotaStorageGiB {
		return msgStorageQuota.New(quotaStorageGiB)
	}
	if err := addCount(v, countInstance, 1); err != nil {
		return err
	}
	if err := addCount(v, countStorage, inst.AllocatedStorage); err != nil {
		return err
	}
	if inst.Retention > 0 {
		inst.BackupID = newBackupID()
		if err := putBackup(v, ownBackup(v, inst, backupCreating)); err != nil {
			return err
		}
	}
	if err := s.grantInstanceKey(tx, v, inst); err != nil {
		return err
	}
	return s.step(tx, v, inst)
}

// checkInstanceGroups checks the parameter and option groups a new instance names
// against the store, and keeps their names as RDS does.
func checkInstanceGroups(v kit.View, inst *instanceRec) error {
	e, ok := engines()[inst.Engine]
	if !ok {
		return nil // an Aurora cluster's member: memberOf checked its group
	}
	ver, ok := e.version(inst.EngineVersion)
	if !ok {
		return nil
	}
	pg, err := checkParamGroup(v, ver.Family, inst.ParamGroup)
	if err != nil {
		return err
	}
	og, err := checkOptionGroup(v, e, ver, inst.OptionGroup)
	if err != nil {
		return err
	}
	inst.ParamGroup, inst.OptionGroup = pg, og
	return nil
}
