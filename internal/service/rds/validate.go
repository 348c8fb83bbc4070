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

var caCertificates = []string{"rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1", "rds-ca-2019"}

var monitoringIntervals = []int64{0, 1, 5, 10, 15, 30, 60}

func lookupEngine(name string) (*engine, error) {
	e, ok := engines[strings.ToLower(name)]
	if !ok {
		return nil, invalidValue("Invalid DB engine: %s", name)
	}
	return e, nil
}

// checkInstance checks the settings of an instance as they would be after a create,
// restore or modification: the combination of class, engine, version, licence and
// storage, against the engine table.
func checkInstance(e *engine, inst *instanceRec) error {
	if !e.hasLicense(inst.LicenseModel) {
		return invalidCombination("Invalid license model '%s' for engine %s. Valid license models: %s",
			inst.LicenseModel, e.Name, strings.Join(e.Licenses, ", "))
	}
	if !e.hasClass(inst.Class) {
		return invalidCombination("RDS does not support creating a DB instance with the following combination: "+
			"DBInstanceClass=%s, Engine=%s, EngineVersion=%s, LicenseModel=%s. For supported combinations of "+
			"instance class and database engine version, see the documentation.", inst.Class, e.Name, inst.EngineVersion, inst.LicenseModel)
	}
	if !slices.Contains(storageTypes, inst.StorageType) {
		return invalidValue("Invalid storage type: %s", inst.StorageType)
	}
	limits, ok := e.Storage[inst.StorageType]
	if !ok {
		return rdsapi.ErrStorageTypeNotSupportedFault.New("Invalid storage type for DB engine %s: %s", e.Name, inst.StorageType)
	}
	if inst.AllocatedStorage < limits.Min || inst.AllocatedStorage > limits.Max {
		return invalidCombination("Invalid storage size for engine name %s and storage type %s: %d", e.Name, inst.StorageType, inst.AllocatedStorage)
	}
	if inst.MaxAllocatedStorage != 0 && inst.MaxAllocatedStorage <= inst.AllocatedStorage {
		return invalidValue("Max storage size must be greater than storage size")
	}
	if inst.MaxAllocatedStorage > limits.Max {
		return invalidValue("Invalid max storage size for engine name %s and storage type %s: %d", e.Name, inst.StorageType, inst.MaxAllocatedStorage)
	}
	switch inst.StorageType {
	case "io1", "io2":
		if inst.Iops == 0 {
			return invalidCombination("You must specify a value for Iops when StorageType is %s.", inst.StorageType)
		}
		if ratio := float64(inst.Iops) / float64(inst.AllocatedStorage); ratio < 0.5 || ratio > 50 {
			return invalidCombination("Invalid iops to storage (GB) ratio for engine name %s and storage type %s: %.4f", e.Name, inst.StorageType, ratio)
		}
		if inst.StorageThroughput != 0 {
			return invalidCombination("You can't specify storage throughput for storage type %s.", inst.StorageType)
		}
	case "gp3":
		baseline := int64(gp3BaselineStorage)
		if strings.HasPrefix(e.Name, "oracle") {
			baseline = 200
		}
		if (inst.Iops != 0 || inst.StorageThroughput != 0) && inst.AllocatedStorage < baseline && !strings.HasPrefix(e.Name, "sqlserver") {
			return invalidCombination("You can't specify IOPS or storage throughput for engine %s and a storage size less than %d.", e.Name, baseline)
		}
	default:
		if inst.Iops != 0 {
			return invalidCombination("You can't specify IOPS for storage type %s.", inst.StorageType)
		}
		if inst.StorageThroughput != 0 {
			return invalidCombination("You can't specify storage throughput for storage type %s.", inst.StorageType)
		}
	}
	if inst.MultiAZ && !e.MultiAZ {
		return invalidCombination("Multi-AZ is not available for engine %s.", e.Name)
	}
	if inst.Encrypted && !e.Encryption {
		return invalidCombination("Encryption at rest is not available for engine %s.", e.Name)
	}
	if inst.Port < minPort || inst.Port > maxPort {
		return invalidValue("Invalid port %d. Valid values are from %d to %d.", inst.Port, minPort, maxPort)
	}
	if !slices.Contains(monitoringIntervals, inst.MonitoringInterval) {
		return invalidValue("Invalid value %d for MonitoringInterval. Valid values: 0, 1, 5, 10, 15, 30, 60", inst.MonitoringInterval)
	}
	if inst.MonitoringInterval != 0 && inst.MonitoringRoleARN == "" {
		return invalidCombination("A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0.")
	}
	if !slices.Contains(caCertificates, inst.CACert) {
		return rdsapi.ErrCertificateNotFoundFault.New("Certificate not found: %s", inst.CACert)
	}
	for _, l := range inst.LogExports {
		if !slices.Contains(e.LogTypes, l) {
			return invalidCombination("You cannot use the log types '%s' with engine version %s %s. For supported log types, see the documentation.",
				l, e.Name, inst.EngineVersion)
		}
	}
	if inst.Retention < 0 || inst.Retention > maxRetention {
		return invalidValue("Invalid backup retention period: %d. Valid values are 0 to %d.", inst.Retention, maxRetention)
	}
	return checkWindows(inst.BackupWindow, inst.MaintWindow)
}

// checkGroups checks the parameter, option and subnet groups an instance names: only
// the default ones exist, and a group must belong to the instance's engine version.
func checkGroups(e *engine, v engineVersion, inst *instanceRec) error {
	if g := inst.ParamGroup; g != defaultParameterGroup(v.Family) {
		fam, ok := familyOfParameterGroup(g)
		if !ok {
			return rdsapi.ErrDBParameterGroupNotFoundFault.New("DBParameterGroup not found: %s", g)
		}
		return invalidCombination("The parameter group %s with DBParameterGroupFamily %s can't be used for this instance. "+
			"Use a parameter group with DBParameterGroupFamily %s.", g, fam, v.Family)
	}
	if g := inst.OptionGroup; g != defaultOptionGroup(e.Name, v.Major) {
		if !optionGroupExists(g) {
			return rdsapi.ErrOptionGroupNotFoundFault.New("Specified OptionGroupName: %s not found.", g)
		}
		return invalidCombination("The option group %s can't be used for engine %s %s.", g, e.Name, v.Version)
	}
	if inst.SubnetGroup != "default" {
		return rdsapi.ErrDBSubnetGroupNotFoundFault.New("DBSubnetGroup '%s' not found.", inst.SubnetGroup)
	}
	return nil
}

func checkMasterUsername(e *engine, name string) error {
	if name == "" {
		return blank("MasterUsername")
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
		return invalidValue("The parameter MasterUsername is not a valid identifier. It must begin with a letter, "+
			"contain only ASCII letters, digits and underscores, and be at most %d characters long.", max)
	}
	reserved := []string{"rdsadmin"}
	switch {
	case e.Name == "postgres":
		reserved = append(reserved, "postgres")
	case strings.HasPrefix(e.Name, "oracle"):
		reserved = append(reserved, "sys", "system")
	}
	if slices.Contains(reserved, strings.ToLower(name)) {
		return invalidValue("MasterUsername %s cannot be used as it is a reserved word used by the engine", name)
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
		return invalidValue("The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.")
	}
	if len(p) > max {
		return invalidValue("The parameter MasterUserPassword is not a valid password because it is longer than %d characters.", max)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x21 || c > 0x7e || c == '/' || c == '@' || c == '"' {
			return invalidValue("The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides '/', '@', '\"', ' ' may be used.")
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
		return invalidCombination("The parameter DBName must be null for engine: %s", e.Name)
	}
	n := *name
	valid := n != "" && len(n) <= e.DBNameMax && isLetter(n[0])
	for i := 0; i < len(n) && valid; i++ {
		valid = isLetter(n[i]) || isDigit(n[i]) || (n[i] == '_' && !strings.HasPrefix(e.Name, "oracle"))
	}
	if !valid {
		return invalidValue("The parameter DBName is not a valid identifier. It must begin with a letter, contain only "+
			"alphanumeric characters and be at most %d characters long for engine %s.", e.DBNameMax, e.Name)
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
			return nil, blank("Tag.Key")
		}
		if len(k) > 128 || len(deref(t.Value)) > 256 {
			return nil, invalidValue("Tag keys must be at most 128 characters and values at most 256 characters.")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, invalidValue("Tag keys cannot start with 'aws:'.")
		}
		out = mergeTags(out, []tagRec{{Key: k, Value: deref(t.Value)}})
	}
	if len(out) > maxTags {
		return nil, invalidValue("Cannot add more than %d tags to a resource.", maxTags)
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
		return invalidCombination("Requesting a specific availability zone is not valid for Multi-AZ instances.")
	}
	if !slices.Contains(zones(region), az) {
		return invalidValue("Invalid availability zone: %s", az)
	}
	return nil
}

func checkSecurityGroups(ids []string) error {
	for _, id := range ids {
		if !strings.HasPrefix(id, "sg-") || len(id) < 4 {
			return invalidValue("Invalid security group ID: %s", id)
		}
	}
	return nil
}
