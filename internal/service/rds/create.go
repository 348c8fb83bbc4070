package rds

import (
	"context"
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
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
	set(&inst.LicenseModel, p.LicenseModel)
	set(&inst.StorageType, p.StorageType)
	set(&inst.OptionGroup, p.OptionGroup)
	set(&inst.ParamGroup, p.ParamGroup)
	set(&inst.SubnetGroup, p.SubnetGroup)
	set(&inst.CACert, p.CACert)
	set(&inst.NetworkType, p.NetworkType)
	set(&inst.LifecycleSupport, p.LifecycleSupport)
	if p.Port != nil {
		inst.Port = *p.Port
	}
	if p.AllocatedStorage != nil {
		inst.AllocatedStorage = *p.AllocatedStorage
	}
	if p.Iops != nil {
		inst.Iops = *p.Iops
	}
	if p.StorageThroughput != nil {
		inst.StorageThroughput = *p.StorageThroughput
	}
	if p.MaxStorage != nil {
		inst.MaxAllocatedStorage = *p.MaxStorage
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

// check refuses what xregion's RDS has no model for, with the error AWS gives when the
// thing named does not exist, and checks the request's own forms.
func (p settings) check(region string) error {
	if p.Domain != nil && *p.Domain != "" {
		return rdsapi.ErrDomainNotFoundFault.New("Domain %s not found.", *p.Domain)
	}
	if len(p.DBSecurityGroups) > 0 {
		return invalidCombination("DB Security Groups can only be associated with VPC DB Instances using API versions 2012-01-15 through 2012-09-17.")
	}
	if deref(p.CustomerOwnedIP) {
		return invalidCombination("Customer-owned IP addresses are only available for DB instances on AWS Outposts.")
	}
	if p.CustomProfile != nil {
		return invalidCombination("CustomIamInstanceProfile is only valid for RDS Custom engines.")
	}
	if p.NetworkType != nil && *p.NetworkType != "IPV4" {
		if *p.NetworkType == "DUAL" {
			return rdsapi.ErrNetworkTypeNotSupported.New("The network type DUAL isn't supported by the DB subnet group default.")
		}
		return invalidValue("Invalid network type: %s. Valid values: IPV4, DUAL", *p.NetworkType)
	}
	if p.LifecycleSupport != nil && *p.LifecycleSupport != "open-source-rds-extended-support" &&
		*p.LifecycleSupport != "open-source-rds-extended-support-disabled" {
		return invalidValue("Invalid value %s for EngineLifecycleSupport.", *p.LifecycleSupport)
	}
	if err := checkSecurityGroups(p.VpcSGs); err != nil {
		return err
	}
	return checkZone(region, deref(p.AZ), deref(p.MultiAZ))
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

func (s *Service) createDBInstance(ctx context.Context, in *rdsapi.CreateDBInstanceMessage) (*rdsapi.CreateDBInstanceResult, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	id := deref(in.DBInstanceIdentifier)
	if !validIdentifier(id, maxInstanceID) {
		return nil, invalidIdentifier("DBInstanceIdentifier")
	}
	id = strings.ToLower(id)
	if in.DBClusterIdentifier != nil {
		return nil, rdsapi.ErrDBClusterNotFoundFault.New("DBCluster %s not found.", *in.DBClusterIdentifier)
	}
	e, err := lookupEngine(deref(in.Engine))
	if err != nil {
		return nil, err
	}
	v, ok := e.resolveVersion(deref(in.EngineVersion))
	if !ok {
		return nil, invalidCombination("Cannot find version %s for %s", deref(in.EngineVersion), e.Name)
	}
	if deref(in.ManageMasterUserPassword) || in.MasterUserSecretKmsKeyId != nil {
		return nil, awserr.UnsupportedOperation.New("xregion's RDS does not manage master user passwords in Secrets Manager: set MasterUserPassword instead")
	}
	if err := checkMasterUsername(e, deref(in.MasterUsername)); err != nil {
		return nil, err
	}
	if in.MasterUserPassword == nil {
		return nil, blank("MasterUserPassword")
	}
	if err := checkPassword(e, *in.MasterUserPassword); err != nil {
		return nil, err
	}
	if err := checkDBName(e, in.DBName); err != nil {
		return nil, err
	}
	if in.AllocatedStorage == nil {
		return nil, blank("AllocatedStorage")
	}
	if in.Timezone != nil && !strings.HasPrefix(e.Name, "sqlserver") {
		return nil, invalidCombination("The Timezone parameter is only supported for Microsoft SQL Server.")
	}
	if in.CharacterSetName != nil && !strings.HasPrefix(e.Name, "oracle") && !strings.HasPrefix(e.Name, "sqlserver") {
		return nil, invalidCombination("CharacterSetName is not supported for engine %s.", e.Name)
	}
	if len(in.ProcessorFeatures) > 0 {
		return nil, invalidCombination("ProcessorFeatures are not supported for engine %s and DB instance class %s.", e.Name, deref(in.DBInstanceClass))
	}
	p := settings{
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
	if err := p.check(req.Region); err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	inst := newInstance(req.Region, req.Account, id, e, v)
	inst.StorageType = e.defaultStorageType(*in.AllocatedStorage, in.Iops != nil)
	p.apply(inst)
	inst.MasterUsername = deref(in.MasterUsername)
	inst.DBName = deref(in.DBName)
	inst.Timezone = deref(in.Timezone)
	inst.CharSet = deref(in.CharacterSetName)
	inst.NcharCharSet = deref(in.NcharCharacterSetName)
	inst.Tags = tags
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
	if in.KmsKeyId != nil && !inst.Encrypted {
		return nil, invalidCombination("KmsKeyId can only be specified for an encrypted DB instance: set StorageEncrypted to true.")
	}
	if err := s.checkBackupWindows(req.Region, inst, in.PreferredBackupWindow, in.PreferredMaintenanceWindow); err != nil {
		return nil, err
	}
	if err := checkInstance(e, inst); err != nil {
		return nil, err
	}
	if err := checkGroups(e, v, inst); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	err = s.st.Update(func(tx store.Tx) error {
		if inst.Encrypted {
			key, err := s.resolveKey(tx, req.Account, req.Region, deref(in.KmsKeyId))
			if err != nil {
				return err
			}
			inst.KmsKey = key
		}
		if err := s.engineCreate(tx, sc, inst, *in.MasterUserPassword); err != nil {
			return err
		}
		return s.insertInstance(tx, sc, inst)
	})
	if err != nil {
		return nil, err
	}
	out := s.instanceOut(sc, inst, now)
	return &rdsapi.CreateDBInstanceResult{DBInstance: &out}, nil
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

// insertInstance stores a new instance (creating, restoring) after the checks that need
// the store: its identifier is free and the quotas allow it. It starts the life cycle.
func (s *Service) insertInstance(tx store.Tx, sc store.Scope, inst *instanceRec) error {
	existing, err := getInstance(tx, sc, inst.ID)
	if err != nil {
		return err
	}
	if existing != nil {
		return rdsapi.ErrDBInstanceAlreadyExistsFault.New("DB instance already exists")
	}
	n, err := getCount(tx, sc, countInstance)
	if err != nil {
		return err
	}
	if n >= quotaInstances {
		return rdsapi.ErrInstanceQuotaExceededFault.New("DB Instance quota exceeded: the account may have at most %d DB instances in %s.", quotaInstances, sc.Region)
	}
	used, err := getCount(tx, sc, countStorage)
	if err != nil {
		return err
	}
	if used+inst.AllocatedStorage > quotaStorageGiB {
		return rdsapi.ErrStorageQuotaExceededFault.New("The request cannot be processed because it would exceed the maximum allowed storage quota of %d GiB.", quotaStorageGiB)
	}
	if err := addCount(tx, sc, countInstance, 1); err != nil {
		return err
	}
	if err := addCount(tx, sc, countStorage, inst.AllocatedStorage); err != nil {
		return err
	}
	if inst.Retention > 0 {
		inst.BackupID = newBackupID()
		if err := putBackup(tx, sc, s.ownBackup(sc, inst, backupCreating)); err != nil {
			return err
		}
	}
	return s.step(tx, sc, inst)
}
