package rds

import (
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optI64(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func partitionOf(region string) string {
	p, _ := regions.Partition(region)
	return p
}

func tagsOut(tags []tagRec) []rdsapi.Tag {
	out := make([]rdsapi.Tag, len(tags))
	for i, t := range tags {
		out[i] = rdsapi.Tag{Key: new(t.Key), Value: new(t.Value)}
	}
	return out
}

func replicationsOut(refs []replicationRef) []rdsapi.DBInstanceAutomatedBackupsReplication {
	if len(refs) == 0 {
		return nil
	}
	out := make([]rdsapi.DBInstanceAutomatedBackupsReplication, len(refs))
	for i, r := range refs {
		out[i] = rdsapi.DBInstanceAutomatedBackupsReplication{DBInstanceAutomatedBackupsArn: new(r.ARN)}
	}
	return out
}

// certificateAuthority is the CA RDS gives new instances, and how long the server
// certificates it signs are valid.
const (
	certificateAuthority = "rds-ca-rsa2048-g1"
	serverCertLifetime   = 365 * day
)

func subnetGroupOut(account, region string) *rdsapi.DBSubnetGroup {
	subnets := make([]rdsapi.Subnet, 0, 3)
	for _, z := range zones(region) {
		subnets = append(subnets, rdsapi.Subnet{
			SubnetIdentifier:       new(defaultSubnet(account, region, z)),
			SubnetAvailabilityZone: &rdsapi.AvailabilityZone{Name: new(z)},
			SubnetOutpost:          &rdsapi.Outpost{},
			SubnetStatus:           new("Active"),
		})
	}
	return &rdsapi.DBSubnetGroup{
		DBSubnetGroupName:        new("default"),
		DBSubnetGroupDescription: new("default"),
		VpcId:                    new(defaultVPC(account, region)),
		SubnetGroupStatus:        new("Complete"),
		Subnets:                  subnets,
		DBSubnetGroupArn:         groupARN(account, region, "subgrp", "default"),
		SupportedNetworkTypes:    []string{"IPV4"},
	}
}

func pendingOut(p *pendingMods) *rdsapi.PendingModifiedValues {
	out := &rdsapi.PendingModifiedValues{}
	if p == nil {
		return out
	}
	out.DBInstanceClass = p.Class
	out.AllocatedStorage = p.AllocatedStorage
	out.StorageType = p.StorageType
	out.Iops = p.Iops
	out.StorageThroughput = p.StorageThroughput
	out.EngineVersion = p.EngineVersion
	out.MultiAZ = p.MultiAZ
	out.BackupRetentionPeriod = p.Retention
	out.Port = p.Port
	out.DBInstanceIdentifier = p.NewID
	out.CACertificateIdentifier = p.CACert
	out.LicenseModel = p.LicenseModel
	if p.Password {
		out.MasterUserPassword = new("****")
	}
	return out
}

// latestRestorable is an instance's LatestRestorableTime, or zero when it has no
// automated backups yet.
func latestRestorable(inst *instanceRec, now time.Time) time.Time {
	if inst.Retention == 0 || inst.BackupStart.IsZero() {
		return time.Time{}
	}
	return logsUntil(now, inst.BackupStart, inst.LogGaps)
}

func (s *Service) instanceOut(v kit.View, inst *instanceRec, now time.Time) rdsapi.DBInstance {
	part := partitionOf(v.Region())
	out := rdsapi.DBInstance{
		DBInstanceIdentifier:             new(inst.ID),
		DBInstanceClass:                  new(inst.Class),
		Engine:                           new(inst.Engine),
		DBInstanceStatus:                 new(inst.Status),
		MasterUsername:                   new(inst.MasterUsername),
		MasterUserSecret:                 masterSecretOut(inst),
		DBName:                           optStr(inst.DBName),
		AllocatedStorage:                 new(inst.AllocatedStorage),
		InstanceCreateTime:               optTime(inst.Created),
		PreferredBackupWindow:            new(inst.BackupWindow),
		BackupRetentionPeriod:            new(inst.Retention),
		DBSecurityGroups:                 []rdsapi.DBSecurityGroupMembership{},
		AvailabilityZone:                 new(inst.AZ),
		DBSubnetGroup:                    instanceSubnetGroup(v, inst),
		PreferredMaintenanceWindow:       new(inst.MaintWindow),
		PendingModifiedValues:            pendingOut(inst.Pending),
		LatestRestorableTime:             optTime(latestRestorable(inst, now)),
		MultiAZ:                          new(inst.MultiAZ),
		EngineVersion:                    new(inst.EngineVersion),
		AutoMinorVersionUpgrade:          new(inst.AutoMinor),
		ReadReplicaDBInstanceIdentifiers: []string{},
		LicenseModel:                     new(inst.LicenseModel),
		Iops:                             optI64(inst.Iops),
		OptionGroupMemberships: []rdsapi.OptionGroupMembership{
			{OptionGroupName: new(inst.OptionGroup), Status: new(optionGroupInSync)},
		},
		CharacterSetName:                       optStr(inst.CharSet),
		NcharCharacterSetName:                  optStr(inst.NcharCharSet),
		PubliclyAccessible:                     new(inst.Public),
		StorageType:                            new(inst.StorageType),
		DbInstancePort:                         new(int64(0)),
		StorageEncrypted:                       new(inst.Encrypted),
		KmsKeyId:                               optStr(inst.KmsKey),
		DbiResourceId:                          new(inst.ResourceID),
		CACertificateIdentifier:                new(inst.CACert),
		DomainMemberships:                      []rdsapi.DomainMembership{},
		CopyTagsToSnapshot:                     new(inst.CopyTags),
		MonitoringInterval:                     new(inst.MonitoringInterval),
		MonitoringRoleArn:                      optStr(inst.MonitoringRoleARN),
		DBInstanceArn:                          new(instanceARN(part, v.Region(), v.Account(), inst.ID)),
		Timezone:                               optStr(inst.Timezone),
		IAMDatabaseAuthenticationEnabled:       new(inst.IAMAuth),
		PerformanceInsightsEnabled:             new(inst.PerfInsights),
		EnabledCloudwatchLogsExports:           inst.LogExports,
		DeletionProtection:                     new(inst.DeletionProtection),
		AssociatedRoles:                        []rdsapi.DBInstanceRole{},
		MaxAllocatedStorage:                    optI64(inst.MaxAllocatedStorage),
		TagList:                                tagsOut(inst.Tags),
		DBInstanceAutomatedBackupsReplications: replicationsOut(inst.Replications),
		CustomerOwnedIpEnabled:                 new(false),
		BackupTarget:                           new("region"),
		NetworkType:                            new(inst.NetworkType),
		StorageThroughput:                      optI64(inst.StorageThroughput),
		DedicatedLogVolume:                     new(inst.DedicatedLogVolume),
		IsStorageConfigUpgradeAvailable:        new(false),
		MultiTenant:                            new(false),
		EngineLifecycleSupport:                 optStr(inst.LifecycleSupport),
	}
	if inst.PerfInsights {
		out.PerformanceInsightsRetentionPeriod = new(inst.PerfInsightsRetention)
		out.PerformanceInsightsKMSKeyId = optStr(inst.KmsKey)
	}
	for _, sg := range inst.VpcSGs {
		out.VpcSecurityGroups = append(out.VpcSecurityGroups, rdsapi.VpcSecurityGroupMembership{VpcSecurityGroupId: new(sg), Status: new("active")})
	}
	out.DBParameterGroups = []rdsapi.DBParameterGroupStatus{{DBParameterGroupName: new(inst.ParamGroup), ParameterApplyStatus: new(inst.ParamGroupStatus)}}
	// RDS gives an instance its endpoint once it has been created.
	if inst.Status != statusCreating || !inst.Created.IsZero() {
		out.Endpoint = &rdsapi.Endpoint{Address: new(endpointAddress(v.Account(), v.Region(), inst.ID)), Port: new(inst.Port)}
	}
	if !inst.Created.IsZero() {
		out.CertificateDetails = &rdsapi.CertificateDetails{CAIdentifier: new(inst.CACert), ValidTill: optTime(inst.Created.Add(serverCertLifetime))}
	}
	s.replicaOut(v, inst, now, &out)
	s.engineOut(v, inst, &out)
	return out
}

// replicatedUntil is how far a replicated backup in Region dest has got at now: the
// source's last log upload, or, while the source's or the destination's Region is
// unreachable, the last upload before that outage began, or, while the source is or was
// stopped, the last upload before it stopped — and never less than what the sync job last
// recorded. Computing it here rather than in a job every five minutes keeps a clock moved
// months ahead from running thousands of jobs.
func (s *Service) replicatedUntil(dest string, b *backupRec, now time.Time) time.Time {
	at := now
	for _, region := range []string{b.SourceRegion, dest} {
		if since, down := s.Faults.Since(region); down && since.Before(at) {
			at = since
		}
	}
	until := logsUntil(at, b.Start, b.LogGaps)
	if until.Before(b.Until) {
		until = b.Until
	}
	return until
}

// restoreWindow is the span a backup in the Region of v can be restored to at now; ok is false
// while it has nothing to restore yet.
func (s *Service) restoreWindow(v kit.View, b *backupRec, now time.Time) (earliest, latest time.Time, ok bool) {
	if b.RealData && s.engines != nil {
		return s.engineWindow(v, b, now)
	}
	switch b.Status {
	case backupActive:
		latest = logsUntil(now, b.Start, b.LogGaps)
	case backupReplicating:
		latest = s.replicatedUntil(v.Region(), b, now)
	case backupRetained:
		latest = b.Stopped
	default:
		return time.Time{}, time.Time{}, false
	}
	if b.Start.IsZero() || latest.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	earliest, latest = windowOnWire(b.Start, latest, now, b.Retention)
	return earliest, latest, true
}

// windowOnWire is the window from start to latest as RDS shows it at now: within the
// retention period, and in whole milliseconds inside the window, which the wire carries:
// a client restoring to the instants it was shown must land inside it.
func windowOnWire(start, latest, now time.Time, retention int64) (time.Time, time.Time) {
	earliest := start
	if floor := now.Add(-time.Duration(retention) * day); floor.After(earliest) {
		earliest = floor
	}
	latest = latest.Truncate(time.Millisecond)
	if t := earliest.Truncate(time.Millisecond); t.Before(earliest) {
		earliest = t.Add(time.Millisecond)
	}
	if earliest.After(latest) {
		earliest = latest
	}
	return earliest.UTC(), latest.UTC()
}

func (s *Service) backupOut(v kit.View, b *backupRec, now time.Time) rdsapi.DBInstanceAutomatedBackup {
	out := rdsapi.DBInstanceAutomatedBackup{
		DBInstanceArn:                          new(b.SourceARN),
		DbiResourceId:                          new(b.ResourceID),
		Region:                                 new(b.SourceRegion),
		DBInstanceIdentifier:                   new(b.InstanceID),
		RestoreWindow:                          &rdsapi.RestoreWindow{},
		AllocatedStorage:                       new(b.AllocatedStorage),
		Status:                                 new(b.Status),
		Port:                                   new(b.Port),
		AvailabilityZone:                       optStr(b.AZ),
		VpcId:                                  new(defaultVPC(v.Account(), b.SourceRegion)),
		InstanceCreateTime:                     optTime(b.InstanceCreated),
		MasterUsername:                         new(b.MasterUsername),
		Engine:                                 new(b.Engine),
		EngineVersion:                          new(b.EngineVersion),
		LicenseModel:                           new(b.LicenseModel),
		Iops:                                   optI64(b.Iops),
		OptionGroupName:                        new(b.OptionGroup),
		Encrypted:                              new(b.Encrypted),
		StorageType:                            new(b.StorageType),
		KmsKeyId:                               optStr(b.KmsKey),
		Timezone:                               optStr(b.Timezone),
		IAMDatabaseAuthenticationEnabled:       new(b.IAMAuth),
		BackupRetentionPeriod:                  new(b.Retention),
		DBInstanceAutomatedBackupsArn:          new(backupARN(partitionOf(v.Region()), v.Region(), v.Account(), b.ID)),
		DBInstanceAutomatedBackupsReplications: replicationsOut(b.Replications),
		BackupTarget:                           new("region"),
		StorageThroughput:                      optI64(b.StorageThroughput),
		DedicatedLogVolume:                     new(b.DedicatedLogVolume),
		MultiTenant:                            new(false),
	}
	if e, l, ok := s.restoreWindow(v, b, now); ok {
		out.RestoreWindow = &rdsapi.RestoreWindow{EarliestTime: &e, LatestTime: &l}
	}
	return out
}

func snapshotOut(v kit.View, s *snapshotRec) rdsapi.DBSnapshot {
	return rdsapi.DBSnapshot{
		DBSnapshotIdentifier:             new(s.ID),
		DBInstanceIdentifier:             new(s.InstanceID),
		SnapshotCreateTime:               optTime(s.Created),
		Engine:                           new(s.Engine),
		AllocatedStorage:                 new(s.AllocatedStorage),
		Status:                           new(s.Status),
		Port:                             new(s.Port),
		AvailabilityZone:                 optStr(s.AZ),
		VpcId:                            new(defaultVPC(v.Account(), v.Region())),
		InstanceCreateTime:               optTime(s.InstanceCreated),
		MasterUsername:                   new(s.MasterUsername),
		EngineVersion:                    new(s.EngineVersion),
		LicenseModel:                     new(s.LicenseModel),
		SnapshotType:                     new(s.Type),
		Iops:                             optI64(s.Iops),
		OptionGroupName:                  new(s.OptionGroup),
		PercentProgress:                  new(s.Progress),
		SourceRegion:                     optStr(s.SourceRegion),
		SourceDBSnapshotIdentifier:       optStr(s.SourceSnapshot),
		StorageType:                      new(s.StorageType),
		Encrypted:                        new(s.Encrypted),
		KmsKeyId:                         optStr(s.KmsKey),
		DBSnapshotArn:                    new(snapshotARN(partitionOf(v.Region()), v.Region(), v.Account(), s.ID)),
		Timezone:                         optStr(s.Timezone),
		IAMDatabaseAuthenticationEnabled: new(s.IAMAuth),
		ProcessorFeatures:                []rdsapi.ProcessorFeature{},
		DbiResourceId:                    new(s.ResourceID),
		TagList:                          tagsOut(s.Tags),
		OriginalSnapshotCreateTime:       optTime(s.Original),
		SnapshotDatabaseTime:             optTime(s.Original),
		SnapshotTarget:                   new("region"),
		StorageThroughput:                optI64(s.StorageThroughput),
		DedicatedLogVolume:               new(s.DedicatedLogVolume),
		MultiTenant:                      new(false),
	}
}
