package rds

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

// Read replicas (RDS User Guide, "Working with read replicas" and "Creating a read
// replica in a different AWS Region"). A replica is a DB instance whose record names its
// source (ReplicaOf); the source's record lists its replicas (ReadReplicas). Both may be
// in different Regions of one account. A replica is made from its source as it is when
// the request is made, with backups off; it replicates from the moment it is available.
// Replication stops while the source's or the replica's Region is unreachable (the
// admin fault API), and the replica falls behind by the time since the outage began:
// its lag is computed when it is read, from the job engine's clock, as the automated
// backups' replicated window is (replicatedUntil), so that a clock moved months ahead
// costs no job per minute.

const (
	// maxReplicas is how many read replicas one source may have: the quota "Read replicas
	// per primary" (Service Quotas L-5BC124EF, "Quotas in Amazon RDS"), 15 since 2023 for
	// MySQL, MariaDB, PostgreSQL and SQL Server; Oracle documents five.
	maxReplicas       = 15
	maxOracleReplicas = 5

	statusInfoReplication  = "read replication" // DBInstanceStatusInfo.StatusType, as AWS spells it
	replicationReplicating = "replicating"
	replicationError       = "error"
	replicationTerminated  = "terminated"
)

// Read replica events (RDS User Guide, "Amazon RDS event categories and event messages":
// RDS-EVENT-0045, -0046, -0057; the stop and resume by an unreachable Region are
// recorded by replication_watch.go). The promotion's message is ours: AWS's is not on record.
var (
	evReplicationResumed    = eventDef{eventDBInstance, []string{"read replica"}, "Replication for the Read Replica resumed."}
	evReplicationStopped    = eventDef{eventDBInstance, []string{"read replica"}, "Replication has stopped."}
	evReplicationTerminated = eventDef{eventDBInstance, []string{"read replica"}, "Replication streaming has been terminated."}
	evReplicaPromoted       = eventDef{eventDBInstance, []string{"read replica"}, "Read replica promoted to a standalone DB instance."}
)

// replicaLink joins a read replica and its source. ResourceID never changes; ID follows
// renames (relinkRenamed).
type replicaLink struct {
	Region     string    `json:"region"`
	ResourceID string    `json:"resourceId"`
	ID         string    `json:"id"`
	Terminated time.Time `json:"terminated,omitzero"` // on a replica: its source in another Region was deleted
}

// replicaLimit is how many replicas a source of engine e may have.
func replicaLimit(e *engine) int {
	if strings.HasPrefix(e.Name, "oracle") {
		return maxOracleReplicas
	}
	return maxReplicas
}

// parseReplicaSource reads SourceDBInstanceIdentifier: an identifier in the caller's
// Region, or the ARN of a DB instance of the caller's account in a Region of its
// partition (the form a cross-Region replica needs, and which a same-Region replica may
// use too).
func parseReplicaSource(source, account, region string) (srcRegion, id string, byARN bool, err error) {
	if !arn.IsARN(source) {
		if !validIdentifier(source, maxInstanceID) {
			return "", "", false, msgBadReplicaSource.New(source)
		}
		return region, strings.ToLower(source), false, nil
	}
	a, perr := arn.Parse(source)
	if perr != nil || a.Service != serviceName || !strings.HasPrefix(a.Resource, "db:") || !regions.Valid(a.Region) ||
		!validIdentifier(strings.TrimPrefix(a.Resource, "db:"), maxInstanceID) {
		return "", "", false, msgBadReplicaSource.New(source)
	}
	if !regions.SamePartition(a.Region, region) {
		return "", "", false, msgReplicaPartition.New(a.Region, region)
	}
	if a.Account != account {
		// A read replica can't be created in another account (RDS User Guide).
		return "", "", false, msgInstanceNotFound.New(source)
	}
	return a.Region, strings.ToLower(strings.TrimPrefix(a.Resource, "db:")), true, nil
}

func (s *Service) CreateDBInstanceReadReplica(ctx context.Context, in *rdsapi.CreateDBInstanceReadReplicaMessage) (*rdsapi.CreateDBInstanceReadReplicaResult, error) {
	c := s.Call(ctx)
	id := deref(in.DBInstanceIdentifier)
	if !validIdentifier(id, maxInstanceID) {
		return nil, msgInvalidIdentifier.New(paramInstanceID)
	}
	source := deref(in.SourceDBInstanceIdentifier)
	srcRegion, srcID, byARN, err := parseReplicaSource(source, c.Account, c.Region)
	if err != nil {
		return nil, err
	}
	if in.SourceDBClusterIdentifier != nil {
		return nil, msgClusterNotFound.New(*in.SourceDBClusterIdentifier)
	}
	// A same-Region replica lives in its source's subnet group unless the source is named
	// by its ARN (terraform-provider-aws #40426 relies on that).
	if in.DBSubnetGroupName != nil && srcRegion == c.Region && !byARN {
		return nil, msgReplicaSubnetGroup.New()
	}
	p := replicaSettings(in)
	if err := p.check(c.Region); err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CreateDBInstanceReadReplicaResult, error) {
		v, src := c.In(tx), tx.In(c.Account, srcRegion)
		if srcRegion != c.Region && in.PreSignedUrl != nil {
			if err := s.checkPresignedURL(tx, *in.PreSignedUrl, "CreateDBInstanceReadReplica", srcRegion, c.Region,
				map[string]string{"SourceDBInstanceIdentifier": source}); err != nil {
				return nil, err
			}
		}
		primary, err := instances.Get(src, srcID)
		if err != nil {
			return nil, err
		}
		if primary == nil {
			return nil, msgInstanceNotFound.New(source)
		}
		// The stages of validate.go: the source found, the replica checked against it,
		// then what it names, then the source's state and its replica limit.
		if err := checkReplicaSource(primary, srcRegion != c.Region); err != nil {
			return nil, err
		}
		replica, err := s.newReplica(tx, v, src, primary, strings.ToLower(id), in, p)
		if err != nil {
			return nil, err
		}
		replica.Tags = tags
		if err := s.checkNewNames(tx, v, replica); err != nil {
			return nil, err
		}
		if err := s.replicaKey(tx, v, src, primary, replica, in.KmsKeyId); err != nil {
			return nil, err
		}
		if err := p.checkDomain(); err != nil {
			return nil, err
		}
		if err := checkReplicaSourceState(primary); err != nil {
			return nil, err
		}
		if err := s.engineReplica(v, src, primary, replica); err != nil {
			return nil, err
		}
		if err := s.insertInstance(tx, v, replica); err != nil {
			return nil, err
		}
		if err := linkReplica(src, primary, v, replica); err != nil {
			return nil, err
		}
		if src.Region() != v.Region() {
			if err := armWatch(tx, v, c.Now()); err != nil {
				return nil, err
			}
		}
		return &rdsapi.CreateDBInstanceReadReplicaResult{DBInstance: new(s.instanceOut(v, replica, c.Now()))}, nil
	})
}

// checkReplicaSource checks that primary can have one more read replica, in its own
// Region or in another.
func checkReplicaSource(primary *instanceRec, crossRegion bool) error {
	e := engines()[primary.Engine]
	// SQL Server has read replicas in Enterprise Edition only, and none across Regions.
	sqlServer := strings.HasPrefix(e.Name, "sqlserver")
	if sqlServer && e.Name != "sqlserver-ee" {
		return msgReplicaEngine.New(e.Name)
	}
	if crossRegion && sqlServer {
		return msgCrossRegionEngine.New(e.Name)
	}
	// Only MySQL and MariaDB replicate from a replica, and only within its Region.
	if primary.ReplicaOf != nil {
		if crossRegion {
			return msgCrossRegionOfReplica.New(primary.ID)
		}
		if e.Name != "mysql" && e.Name != "mariadb" {
			return msgReplicaOfReplica.New(primary.ID, e.Name)
		}
	}
	// Read replicas need the source's automated backups (RDS User Guide, "Creating a read
	// replica").
	if primary.Retention == 0 {
		return msgSourceNoBackups.New()
	}
	return nil
}

// checkReplicaSourceState checks that the source can take one more replica now: it is
// available and below its engine's replica limit (stage 5 of validate.go).
func checkReplicaSourceState(primary *instanceRec) error {
	if primary.Status != statusAvailable {
		return msgInstanceNotAvailable.New(primary.ID)
	}
	e := engines()[primary.Engine]
	if limit := replicaLimit(e); len(primary.ReadReplicas) >= limit {
		return msgReplicaLimit.New(primary.ID, limit, e.Name)
	}
	return nil
}

func replicaSettings(in *rdsapi.CreateDBInstanceReadReplicaMessage) settings {
	return settings{
		Class: in.DBInstanceClass, Port: in.Port, AZ: in.AvailabilityZone, MultiAZ: in.MultiAZ, Public: in.PubliclyAccessible,
		AutoMinor: in.AutoMinorVersionUpgrade, StorageType: in.StorageType, AllocatedStorage: in.AllocatedStorage, Iops: in.Iops,
		StorageThroughput: in.StorageThroughput, OptionGroup: in.OptionGroupName, ParamGroup: in.DBParameterGroupName,
		SubnetGroup: in.DBSubnetGroupName, VpcSGs: in.VpcSecurityGroupIds, CopyTags: in.CopyTagsToSnapshot,
		DeletionProtection: in.DeletionProtection, IAMAuth: in.EnableIAMDatabaseAuthentication, LogExports: in.EnableCloudwatchLogsExports,
		CACert: in.CACertificateIdentifier, NetworkType: in.NetworkType, MaxStorage: in.MaxAllocatedStorage,
		DedicatedLogVolume: in.DedicatedLogVolume, Domain: in.Domain, CustomerOwnedIP: in.EnableCustomerOwnedIp,
		CustomProfile: in.CustomIamInstanceProfile,
	}
}

// newReplica is the read replica id of primary, in v: what the data needs comes from the
// source; backups are off (API reference, CreateDBInstanceReadReplica); a same-Region
// replica keeps the source's groups and network, a cross-Region one gets its Region's
// defaults (RDS User Guide, "Cross-Region replication considerations"); the request's
// settings come last.
func (s *Service) newReplica(tx kit.Tx, v, src kit.View, primary *instanceRec, id string, in *rdsapi.CreateDBInstanceReadReplicaMessage, p settings) (*instanceRec, error) {
	e := engines()[primary.Engine]
	ver, _ := e.version(primary.EngineVersion)
	crossRegion := src.Region() != v.Region()
	r := newInstance(v.Region(), v.Account(), id, e, ver)
	r.Class, r.LicenseModel, r.MasterUsername, r.DBName = primary.Class, primary.LicenseModel, primary.MasterUsername, primary.DBName
	r.AllocatedStorage, r.StorageType, r.Iops, r.StorageThroughput = primary.AllocatedStorage, primary.StorageType, primary.Iops, primary.StorageThroughput
	r.Port, r.Timezone, r.CharSet, r.NcharCharSet = primary.Port, primary.Timezone, primary.CharSet, primary.NcharCharSet
	r.AutoMinor, r.Encrypted, r.Retention = primary.AutoMinor, primary.Encrypted, 0
	if !crossRegion {
		r.ParamGroup, r.OptionGroup, r.SubnetGroup, r.VpcSGs = primary.ParamGroup, primary.OptionGroup, primary.SubnetGroup, slices.Clone(primary.VpcSGs)
		r.AZ = primary.AZ
	}
	p.apply(r)
	r.MonitoringInterval, r.MonitoringRoleARN = deref(in.MonitoringInterval), deref(in.MonitoringRoleArn)
	if r.PerfInsights = deref(in.EnablePerformanceInsights); r.PerfInsights {
		r.PerfInsightsRetention = 7
		if in.PerformanceInsightsRetentionPeriod != nil {
			r.PerfInsightsRetention = *in.PerformanceInsightsRetentionPeriod
		}
	}
	if r.AllocatedStorage < primary.AllocatedStorage {
		return nil, msgRestoreStorage.New(r.AllocatedStorage, primary.AllocatedStorage)
	}
	if err := checkReplicaKeyRequest(primary, crossRegion, in.KmsKeyId); err != nil {
		return nil, err
	}
	if err := s.checkBackupWindows(v.Region(), r, nil, nil); err != nil {
		return nil, err
	}
	return r, checkInstance(e, r)
}

// checkReplicaKeyRequest checks the KmsKeyId of a replica against its source: only an
// encrypted source takes one, and a cross-Region replica of one needs one.
func checkReplicaKeyRequest(primary *instanceRec, crossRegion bool, keyID *string) error {
	switch {
	case keyID != nil && !primary.Encrypted:
		return msgReplicaKeyUnencrypted.New(primary.ID)
	case keyID == nil && primary.Encrypted && crossRegion:
		return msgReplicaKeyRequired.New(primary.ID)
	}
	return nil
}

// replicaKey encrypts a replica of an encrypted source: with the key the request names,
// of the replica's Region; in the source's Region, with the source's key by default;
// across Regions a key must be named.
//
// checkReplicaKeyRequest has checked the request's key against the source.
func (s *Service) replicaKey(tx kit.Tx, v, src kit.View, primary, r *instanceRec, keyID *string) error {
	switch {
	case keyID != nil:
		key, err := s.resolveKey(tx, v.Account(), v.Region(), *keyID)
		if err != nil {
			return err
		}
		r.KmsKey = key
	case primary.Encrypted:
		r.KmsKey = primary.KmsKey
	}
	if primary.Encrypted {
		return s.requireKey(tx, src.Account(), src.Region(), primary.KmsKey, msgKeyNotAccessible)
	}
	return nil
}

// linkReplica joins a new replica, in v, to its source, in src, and records that
// replication starts.
func linkReplica(src kit.View, primary *instanceRec, v kit.View, replica *instanceRec) error {
	replica.ReplicaOf = &replicaLink{Region: src.Region(), ResourceID: primary.ResourceID, ID: primary.ID}
	if err := putInstance(v, replica); err != nil {
		return err
	}
	primary.ReadReplicas = append(primary.ReadReplicas, replicaLink{Region: v.Region(), ResourceID: replica.ResourceID, ID: replica.ID})
	return putInstance(src, primary)
}

// unlinkReplica parts a replica from its source, whose Region may be another: the
// source no longer lists it.
func unlinkReplica(tx kit.Tx, v kit.View, replica *instanceRec) error {
	link := replica.ReplicaOf
	replica.ReplicaOf = nil
	if link == nil {
		return nil
	}
	src := tx.In(v.Account(), link.Region)
	primary, err := instanceByResourceID(src, link.ResourceID)
	if err != nil || primary == nil {
		return err
	}
	primary.ReadReplicas = slices.DeleteFunc(primary.ReadReplicas, func(l replicaLink) bool { return l.ResourceID == replica.ResourceID })
	return putInstance(src, primary)
}

// relinkRenamed keeps the links to inst right after it was renamed.
func relinkRenamed(tx kit.Tx, v kit.View, inst *instanceRec) error {
	if l := inst.ReplicaOf; l != nil {
		src := tx.In(v.Account(), l.Region)
		primary, err := instanceByResourceID(src, l.ResourceID)
		if err != nil {
			return err
		}
		if primary != nil {
			for i := range primary.ReadReplicas {
				if primary.ReadReplicas[i].ResourceID == inst.ResourceID {
					primary.ReadReplicas[i].ID = inst.ID
				}
			}
			if err := putInstance(src, primary); err != nil {
				return err
			}
		}
	}
	for _, l := range inst.ReadReplicas {
		dest := tx.In(v.Account(), l.Region)
		replica, err := instanceByResourceID(dest, l.ResourceID)
		if err != nil {
			return err
		}
		if replica != nil && replica.ReplicaOf != nil {
			replica.ReplicaOf.ID = inst.ID
			if err := putInstance(dest, replica); err != nil {
				return err
			}
		}
	}
	return nil
}

// linkName is how an instance names the other end of a link: by identifier in its own
// Region, by ARN in another.
func linkName(v kit.View, l replicaLink) string {
	if l.Region == v.Region() {
		return l.ID
	}
	return instanceARN(partitionOf(l.Region), l.Region, v.Account(), l.ID)
}
