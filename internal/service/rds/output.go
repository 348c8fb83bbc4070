package rds

import (
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/store"
)

func str(s string) *string { return &s }
func i64(n int64) *int64   { return &n }
func boolp(b bool) *bool   { return &b }

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
		out[i] = rdsapi.Tag{Key: str(t.Key), Value: str(t.Value)}
	}
	return out
}

func replicationsOut(refs []replicationRef) []rdsapi.DBInstanceAutomatedBackupsReplication {
	if len(refs) == 0 {
		return nil
	}
	out := make([]rdsapi.DBInstanceAutomatedBackupsReplication, len(refs))
	for i, r := range refs {
		out[i] = rdsapi.DBInstanceAutomatedBackupsReplication{DBInstanceAutomatedBackupsArn: str(r.ARN)}
	}
	return out
}

// certificateAuthority is the CA RDS gives new instances, and how long the server
// certificates it signs are valid.
const (
	certificateAuthority = "rds-ca-rsa2048-g1"
	serverCertLifetime   = 365 * day
)

func subnetGroupOut(sc store.Scope) *rdsapi.DBSubnetGroup {
	subnets := make([]rdsapi.Subnet, 0, 3)
	for _, z := range zones(sc.Region) {
		subnets = append(subnets, rdsapi.Subnet{
			SubnetIdentifier:       str(defaultSubnet(sc.Account, sc.Region, z)),
			SubnetAvailabilityZone: &rdsapi.AvailabilityZone{Name: str(z)},
			SubnetOutpost:          &rdsapi.Outpost{},
			SubnetStatus:           str("Active"),
		})
	}
	return &rdsapi.DBSubnetGroup{
		DBSubnetGroupName:        str("default"),
		DBSubnetGroupDescription: str("default"),
		VpcId:                    str(defaultVPC(sc.Account, sc.Region)),
		SubnetGroupStatus:        str("Complete"),
		Subnets:                  subnets,
		DBSubnetGroupArn:         str("arn:" + partitionOf(sc.Region) + ":rds:" + sc.Region + ":" + sc.Account + ":subgrp:default"),
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
		out.MasterUserPassword = str("****")
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

func (s *Service) instanceOut(sc store.Scope, inst *instanceRec, now time.Time) rdsapi.DBInstance {
	part := partitionOf(sc.Region)
	out := rdsapi.DBInstance{
		DBInstanceIdentifier:             str(inst.ID),
		DBInstanceClass:                  str(inst.Class),
		Engine:                           str(inst.Engine),
		DBInstanceStatus:                 str(inst.Status),
		MasterUsername:                   str(inst.MasterUsername),
		DBName:                           optStr(inst.DBName),
		AllocatedStorage:                 i64(inst.AllocatedStorage),
		InstanceCreateTime:               optTime(inst.Created),
		PreferredBackupWindow:            str(inst.BackupWindow),
		BackupRetentionPeriod:            i64(inst.Retention),
		DBSecurityGroups:                 []rdsapi.DBSecurityGroupMembership{},
		AvailabilityZone:                 str(inst.AZ),
		DBSubnetGroup:                    subnetGroupOut(sc),
		PreferredMaintenanceWindow:       str(inst.MaintWindow),
		PendingModifiedValues:            pendingOut(inst.Pending),
		LatestRestorableTime:             optTime(latestRestorable(inst, now)),
		MultiAZ:                          boolp(inst.MultiAZ),
		EngineVersion:                    str(inst.EngineVersion),
		AutoMinorVersionUpgrade:          boolp(inst.AutoMinor),
		ReadReplicaDBInstanceIdentifiers: []string{},
		LicenseModel:                     str(inst.LicenseModel),
		Iops:                             optI64(inst.Iops),
		OptionGroupMemberships: []rdsapi.OptionGroupMembership{
			{OptionGroupName: str(inst.OptionGroup), Status: str(optionGroupInSync)},
		},
		CharacterSetName:                       optStr(inst.CharSet),
		NcharCharacterSetName:                  optStr(inst.NcharCharSet),
		PubliclyAccessible:                     boolp(inst.Public),
		StorageType:                            str(inst.StorageType),
		DbInstancePort:                         i64(0),
		StorageEncrypted:                       boolp(inst.Encrypted),
		KmsKeyId:                               optStr(inst.KmsKey),
		DbiResourceId:                          str(inst.ResourceID),
		CACertificateIdentifier:                str(inst.CACert),
		DomainMemberships:                      []rdsapi.DomainMembership{},
		CopyTagsToSnapshot:                     boolp(inst.CopyTags),
		MonitoringInterval:                     i64(inst.MonitoringInterval),
		MonitoringRoleArn:                      optStr(inst.MonitoringRoleARN),
		DBInstanceArn:                          str(instanceARN(part, sc.Region, sc.Account, inst.ID)),
		Timezone:                               optStr(inst.Timezone),
		IAMDatabaseAuthenticationEnabled:       boolp(inst.IAMAuth),
		PerformanceInsightsEnabled:             boolp(inst.PerfInsights),
		EnabledCloudwatchLogsExports:           inst.LogExports,
		DeletionProtection:                     boolp(inst.DeletionProtection),
		AssociatedRoles:                        []rdsapi.DBInstanceRole{},
		MaxAllocatedStorage:                    optI64(inst.MaxAllocatedStorage),
		TagList:                                tagsOut(inst.Tags),
		DBInstanceAutomatedBackupsReplications: replicationsOut(inst.Replications),
		CustomerOwnedIpEnabled:                 boolp(false),
		BackupTarget:                           str("region"),
		NetworkType:                            str(inst.NetworkType),
		StorageThroughput:                      optI64(inst.StorageThroughput),
		DedicatedLogVolume:                     boolp(inst.DedicatedLogVolume),
		IsStorageConfigUpgradeAvailable:        boolp(false),
		MultiTenant:                            boolp(false),
		EngineLifecycleSupport:                 optStr(inst.LifecycleSupport),
	}
	if inst.PerfInsights {
		out.PerformanceInsightsRetentionPeriod = i64(inst.PerfInsightsRetention)
		out.PerformanceInsightsKMSKeyId = optStr(inst.KmsKey)
	}
	for _, sg := range inst.VpcSGs {
		out.VpcSecurityGroups = append(out.VpcSecurityGroups, rdsapi.VpcSecurityGroupMembership{VpcSecurityGroupId: str(sg), Status: str("active")})
	}
	out.DBParameterGroups = []rdsapi.DBParameterGroupStatus{{DBParameterGroupName: str(inst.ParamGroup), ParameterApplyStatus: str(inst.ParamGroupStatus)}}
	// RDS gives an instance its endpoint once it has been created.
	if inst.Status != statusCreating || !inst.Created.IsZero() {
		out.Endpoint = &rdsapi.Endpoint{Address: str(endpointAddress(sc.Account, sc.Region, inst.ID)), Port: i64(inst.Port)}
	}
	if !inst.Created.IsZero() {
		out.CertificateDetails = &rdsapi.CertificateDetails{CAIdentifier: str(inst.CACert), ValidTill: optTime(inst.Created.Add(serverCertLifetime))}
	}
	s.engineOut(sc, inst, &out)
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
	if s.faults != nil {
		for _, region := range []string{b.SourceRegion, dest} {
			if since, down := s.faults.Since(region); down && since.Before(at) {
				at = since
			}
		}
	}
	until := logsUntil(at, b.Start, b.LogGaps)
	if until.Before(b.Until) {
		until = b.Until
	}
	return until
}

// restoreWindow is the span a backup in scope sc can be restored to at now; ok is false
// while it has nothing to restore yet.
func (s *Service) restoreWindow(sc store.Scope, b *backupRec, now time.Time) (earliest, latest time.Time, ok bool) {
	if b.RealData && s.engines != nil {
		return s.engineWindow(sc, b, now)
	}
	switch b.Status {
	case backupActive:
		latest = logsUntil(now, b.Start, b.LogGaps)
	case backupReplicating:
		latest = s.replicatedUntil(sc.Region, b, now)
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

func (s *Service) backupOut(sc store.Scope, b *backupRec, now time.Time) rdsapi.DBInstanceAutomatedBackup {
	out := rdsapi.DBInstanceAutomatedBackup{
		DBInstanceArn:                          str(b.SourceARN),
		DbiResourceId:                          str(b.ResourceID),
		Region:                                 str(b.SourceRegion),
		DBInstanceIdentifier:                   str(b.InstanceID),
		RestoreWindow:                          &rdsapi.RestoreWindow{},
		AllocatedStorage:                       i64(b.AllocatedStorage),
		Status:                                 str(b.Status),
		Port:                                   i64(b.Port),
		AvailabilityZone:                       optStr(b.AZ),
		VpcId:                                  str(defaultVPC(sc.Account, b.SourceRegion)),
		InstanceCreateTime:                     optTime(b.InstanceCreated),
		MasterUsername:                         str(b.MasterUsername),
		Engine:                                 str(b.Engine),
		EngineVersion:                          str(b.EngineVersion),
		LicenseModel:                           str(b.LicenseModel),
		Iops:                                   optI64(b.Iops),
		OptionGroupName:                        str(b.OptionGroup),
		Encrypted:                              boolp(b.Encrypted),
		StorageType:                            str(b.StorageType),
		KmsKeyId:                               optStr(b.KmsKey),
		Timezone:                               optStr(b.Timezone),
		IAMDatabaseAuthenticationEnabled:       boolp(b.IAMAuth),
		BackupRetentionPeriod:                  i64(b.Retention),
		DBInstanceAutomatedBackupsArn:          str(backupARN(partitionOf(sc.Region), sc.Region, sc.Account, b.ID)),
		DBInstanceAutomatedBackupsReplications: replicationsOut(b.Replications),
		BackupTarget:                           str("region"),
		StorageThroughput:                      optI64(b.StorageThroughput),
		DedicatedLogVolume:                     boolp(b.DedicatedLogVolume),
		MultiTenant:                            boolp(false),
	}
	if e, l, ok := s.restoreWindow(sc, b, now); ok {
		out.RestoreWindow = &rdsapi.RestoreWindow{EarliestTime: &e, LatestTime: &l}
	}
	return out
}

func snapshotOut(sc store.Scope, s *snapshotRec) rdsapi.DBSnapshot {
	return rdsapi.DBSnapshot{
		DBSnapshotIdentifier:             str(s.ID),
		DBInstanceIdentifier:             str(s.InstanceID),
		SnapshotCreateTime:               optTime(s.Created),
		Engine:                           str(s.Engine),
		AllocatedStorage:                 i64(s.AllocatedStorage),
		Status:                           str(s.Status),
		Port:                             i64(s.Port),
		AvailabilityZone:                 optStr(s.AZ),
		VpcId:                            str(defaultVPC(sc.Account, sc.Region)),
		InstanceCreateTime:               optTime(s.InstanceCreated),
		MasterUsername:                   str(s.MasterUsername),
		EngineVersion:                    str(s.EngineVersion),
		LicenseModel:                     str(s.LicenseModel),
		SnapshotType:                     str(s.Type),
		Iops:                             optI64(s.Iops),
		OptionGroupName:                  str(s.OptionGroup),
		PercentProgress:                  i64(s.Progress),
		SourceRegion:                     optStr(s.SourceRegion),
		SourceDBSnapshotIdentifier:       optStr(s.SourceSnapshot),
		StorageType:                      str(s.StorageType),
		Encrypted:                        boolp(s.Encrypted),
		KmsKeyId:                         optStr(s.KmsKey),
		DBSnapshotArn:                    str(snapshotARN(partitionOf(sc.Region), sc.Region, sc.Account, s.ID)),
		Timezone:                         optStr(s.Timezone),
		IAMDatabaseAuthenticationEnabled: boolp(s.IAMAuth),
		ProcessorFeatures:                []rdsapi.ProcessorFeature{},
		DbiResourceId:                    str(s.ResourceID),
		TagList:                          tagsOut(s.Tags),
		OriginalSnapshotCreateTime:       optTime(s.Original),
		SnapshotDatabaseTime:             optTime(s.Original),
		SnapshotTarget:                   str("region"),
		StorageThroughput:                optI64(s.StorageThroughput),
		DedicatedLogVolume:               boolp(s.DedicatedLogVolume),
		MultiTenant:                      boolp(false),
	}
}
