package rds

import (
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/gen/rdsapi"
)

// Limits of RDS (RDS User Guide, "Quotas in Amazon RDS"; API reference of
// CreateDBInstance).
const (
	maxRetention       = 35
	maxTags            = 50
	maxSharedAccounts  = 20
	quotaInstances     = 40
	quotaStorageGiB    = 100000
	quotaManual        = 100
	quotaReplicated    = 20
	minPort            = 1150
	maxPort            = 65535
	gp3BaselineStorage = 400 // GiB from which gp3 takes IOPS and throughput (200 for Oracle)
)

// The order in which RDS's creates, modifications, restores and replicas report what is
// wrong with a request that has several faults: every such operation (CreateDBInstance,
// ModifyDBInstance, RestoreDBInstanceFromDBSnapshot, RestoreDBInstanceToPointInTime,
// CreateDBInstanceReadReplica, CreateDBCluster, ModifyDBCluster) checks in these stages,
// and answers the first fault of the first stage that has one:
//
//  1. the request alone: parameters missing (InvalidParameterValue "… must be
//     provided", MissingParameter), malformed (InvalidParameterValue: an identifier, an
//     ARN where an identifier belongs, a window's format) or contradictory
//     (InvalidParameterCombination);
//  2. its subject, the resource the operation acts on or derives from, exists: the
//     instance or cluster to modify (DBInstanceNotFound, DBClusterNotFoundFault), the
//     snapshot, automated backup or source instance to restore or replicate (and the
//     Region it is in), since what follows is judged against it;
//  3. the request against the subject and the engine catalogue: engine, version, class,
//     licence, then storage (its limits are those of the orderable class, so an unknown
//     class is reported before a bad size), Multi-AZ, port, windows
//     (InvalidParameterCombination, InvalidParameterValue);
//  4. what the request names exists or is free, in this order: the new identifier
//     (DBInstanceAlreadyExists, DBClusterAlreadyExistsFault), the parameter group, the
//     option group, the DB subnet group and, within it, the VPC security groups
//     (DBParameterGroupNotFound, OptionGroupNotFoundFault, DBSubnetGroupNotFoundFault,
//     then InvalidParameterCombination for groups of another VPC), the KMS key
//     (KMSKeyNotAccessibleFault), the directory domain (DomainNotFoundFault);
//  5. the state of the resources involved and the account's quotas
//     (InvalidDBInstanceState, InvalidDBSnapshotState, InstanceQuotaExceeded,
//     StorageQuotaExceeded).
//
// AWS documents no order. This is the one its answers show (users' threads: a retired
// class is refused with InvalidParameterCombination whatever groups the request names,
// a DBSubnetGroupNotFoundFault before any VPC security group complaint, and peers' test
// suites, moto and LocalStack, check the request before the store), and the one a
// careful user expects: a request that cannot be right is refused as such before what
// the account holds is consulted, and what the account holds before its transient state.
// Nothing is written before the last stage passes (a failed check rolls the transaction
// back).

var caCertificates = []string{"rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1", "rds-ca-2019"}

var monitoringIntervals = []int64{0, 1, 5, 10, 15, 30, 60}

func lookupEngine(name string) (*engine, error) {
	e, ok := engines()[strings.ToLower(name)]
	if !ok {
		return nil, msgInvalidEngine.New(name)
	}
	return e, nil
}

// checkInstance checks the settings of an instance as they would be after a create,
// restore or modification: the combination of class, engine, version, licence and
// storage, against the engine table.
func checkInstance(e *engine, inst *instanceRec) error {
	if !e.hasLicense(inst.LicenseModel) {
		return msgLicenseModel.New(inst.LicenseModel, e.Name, strings.Join(e.Licenses, ", "))
	}
	if v, _ := e.version(inst.EngineVersion); !e.offers(inst.Class, v) {
		return msgCombination.New(inst.Class, e.Name, inst.EngineVersion, inst.LicenseModel)
	}
	if err := checkStorage(e, inst); err != nil {
		return err
	}
	if inst.MultiAZ && !e.MultiAZ {
		return msgNoMultiAZ.New(e.Name)
	}
	if inst.Encrypted && !e.Encryption {
		return msgNoEncryption.New(e.Name)
	}
	if inst.Port < minPort || inst.Port > maxPort {
		return msgPort.New(inst.Port, minPort, maxPort)
	}
	if !slices.Contains(monitoringIntervals, inst.MonitoringInterval) {
		return msgMonitoringInterval.New(inst.MonitoringInterval)
	}
	if inst.MonitoringInterval != 0 && inst.MonitoringRoleARN == "" {
		return msgMonitoringRole.New()
	}
	if !slices.Contains(caCertificates, inst.CACert) {
		return msgCertificate.New(inst.CACert)
	}
	for _, l := range inst.LogExports {
		if !slices.Contains(e.LogTypes, l) {
			return msgLogType.New(l, e.Name, inst.EngineVersion)
		}
	}
	if inst.Retention < 0 || inst.Retention > maxRetention {
		return msgRetention.New(inst.Retention, maxRetention)
	}
	return checkWindows(inst.BackupWindow, inst.MaintWindow)
}

// checkStorage checks an instance's storage type, size and performance against the
// engine's limits.
func checkStorage(e *engine, inst *instanceRec) error {
	if !slices.Contains(storageTypes, inst.StorageType) {
		return msgStorageType.New(inst.StorageType)
	}
	limits, ok := e.Storage[inst.StorageType]
	if !ok {
		return msgStorageTypeEngine.New(e.Name, inst.StorageType)
	}
	if inst.AllocatedStorage < limits.Min || inst.AllocatedStorage > limits.Max {
		return msgStorageSize.New(e.Name, inst.StorageType, inst.AllocatedStorage)
	}
	if inst.MaxAllocatedStorage != 0 && inst.MaxAllocatedStorage <= inst.AllocatedStorage {
		return msgMaxStorageBelow.New()
	}
	if inst.MaxAllocatedStorage > limits.Max {
		return msgMaxStorageSize.New(e.Name, inst.StorageType, inst.MaxAllocatedStorage)
	}
	switch inst.StorageType {
	case "io1", "io2":
		if inst.Iops == 0 {
			return msgIopsRequired.New(inst.StorageType)
		}
		if ratio := float64(inst.Iops) / float64(inst.AllocatedStorage); ratio < 0.5 || ratio > 50 {
			return msgIopsRatio.New(e.Name, inst.StorageType, ratio)
		}
		if inst.StorageThroughput != 0 {
			return msgNoThroughput.New(inst.StorageType)
		}
	case "gp3":
		baseline := int64(gp3BaselineStorage)
		if strings.HasPrefix(e.Name, "oracle") {
			baseline = 200
		}
		if (inst.Iops != 0 || inst.StorageThroughput != 0) && inst.AllocatedStorage < baseline && !strings.HasPrefix(e.Name, "sqlserver") {
			return msgGP3Baseline.New(e.Name, baseline)
		}
	default:
		if inst.Iops != 0 {
			return msgNoIops.New(inst.StorageType)
		}
		if inst.StorageThroughput != 0 {
			return msgNoThroughput.New(inst.StorageType)
		}
	}
	return nil
}

// checkSubnetGroupName refuses a DB subnet group name no group can have, as RDS does,
// with the not-found fault: it is checked where stage 4 (validate.go) checks the
// subnet group, after the parameter and option groups.
func checkSubnetGroupName(inst *instanceRec) error {
	if inst.SubnetGroup != defaultSubnetGroup && !validSubnetGroupName(inst.SubnetGroup) {
		return msgSubnetGroupNotFound.New(inst.SubnetGroup)
	}
	return nil
}

func checkMasterUsername(e *engine, name string) error {
	if name == "" {
		return msgBlank.New(paramMasterUsername)
	}
	max := 16
	switch {
	case e.Name == "postgres":
		max = 63
	case e.Name == "mysql" || e.Name == "mariadb":
		max = 32
	case strings.HasPrefix(e.Name, "oracle"):
		max = 30
	case strings.HasPrefix(e.Name, "sqlserver"):
		max = 128
	}
	valid := len(name) <= max && isLetter(name[0])
	for i := 0; i < len(name) && valid; i++ {
		valid = isLetter(name[i]) || isDigit(name[i]) || name[i] == '_'
	}
	if !valid {
		return msgMasterUsername.New(max)
	}
	reserved := []string{"rdsadmin"}
	switch {
	case e.Name == "postgres":
		reserved = append(reserved, "postgres")
	case strings.HasPrefix(e.Name, "oracle"):
		reserved = append(reserved, "sys", "system")
	}
	if slices.Contains(reserved, strings.ToLower(name)) {
		return msgReservedUsername.New(name)
	}
	return nil
}

func checkPassword(e *engine, p string) error {
	max := 128
	switch {
	case e.Name == "mysql" || e.Name == "mariadb":
		max = 41
	case strings.HasPrefix(e.Name, "oracle"):
		max = 30
	}
	if len(p) < 8 {
		return msgPasswordShort.New()
	}
	if len(p) > max {
		return msgPasswordLong.New(max)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x21 || c > 0x7e || c == '/' || c == '@' || c == '"' {
			return msgPasswordChars.New()
		}
	}
	return nil
}

func checkDBName(e *engine, name *string) error {
	// An empty DBName is no database, as when it is absent (Terraform sends it so).
	if name == nil || *name == "" {
		return nil
	}
	if e.DBNameMax == 0 {
		return msgDBNameNull.New(e.Name)
	}
	n := *name
	valid := n != "" && len(n) <= e.DBNameMax && isLetter(n[0])
	for i := 0; i < len(n) && valid; i++ {
		valid = isLetter(n[i]) || isDigit(n[i]) || (n[i] == '_' && !strings.HasPrefix(e.Name, "oracle"))
	}
	if !valid {
		return msgDBName.New(e.DBNameMax, e.Name)
	}
	return nil
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

func checkTags(tags []rdsapi.Tag) ([]tagRec, error) {
	out := make([]tagRec, 0, len(tags))
	for _, t := range tags {
		k := deref(t.Key)
		if k == "" {
			return nil, msgBlank.New(paramTagKey)
		}
		if len(k) > 128 || len(deref(t.Value)) > 256 {
			return nil, msgTagLength.New()
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, msgReservedTag.New()
		}
		out = mergeTags(out, []tagRec{{Key: k, Value: deref(t.Value)}})
	}
	if len(out) > maxTags {
		return nil, msgTooManyTags.New(maxTags)
	}
	return out, nil
}

// mergeTags adds or replaces tags by key, keeping the order in which keys first came.
func mergeTags(have, add []tagRec) []tagRec {
	for _, t := range add {
		i := slices.IndexFunc(have, func(h tagRec) bool { return h.Key == t.Key })
		if i >= 0 {
			have[i].Value = t.Value
		} else {
			have = append(have, t)
		}
	}
	return have
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// checkZone checks a requested Availability Zone.
func checkZone(region, az string, multiAZ bool) error {
	if az == "" {
		return nil
	}
	if multiAZ {
		return msgZoneMultiAZ.New()
	}
	if !slices.Contains(zones(region), az) {
		return msgZone.New(az)
	}
	return nil
}

func checkSecurityGroups(ids []string) error {
	for _, id := range ids {
		if !strings.HasPrefix(id, "sg-") || len(id) < 4 {
			return msgSecurityGroupID.New(id)
		}
	}
	return nil
}
