package backup

import (
	"maps"
	"slices"

	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// StartBackupJob's BackupOptions, Index and LogicallyAirGappedBackupVaultArn.
//
// BackupOptions has one option in AWS's reference: "WindowsVSS" set to "enabled" (a
// Windows VSS backup) or "disabled" (a regular backup), only for EC2 instances; "if you
// specify an invalid option, you get an InvalidParameterValueException". xregion serves
// no EC2 instances, so "enabled" is refused for every type it backs up, and "disabled",
// which asks for the regular backup every job makes, is taken and kept. The job answers
// its options (DescribeBackupJob, ListBackupJobs).
//
// Index ENABLED asks for a backup index of the recovery point, for the types the model
// names (EBS and S3; xregion backs up EBS); another type is refused. xregion serves no
// backup search, so the index is made with the recovery point and has nothing to search
// through: the recovery point answers IndexStatus ACTIVE as soon as it exists. A plan
// rule's IndexActions ask the same for the jobs of their resource type.
//
// LogicallyAirGappedBackupVaultArn names a logically air-gapped vault of the job's
// account and Region. xregion does not make such vaults (CreateLogicallyAirGappedBackupVault
// is not served), so no ARN names one: a vault of another form, account or Region is
// InvalidParameterValueException, a standard vault of that name is refused as not
// air-gapped, and no vault at all is ResourceNotFoundException.

const (
	optionWindowsVSS = "WindowsVSS"
	vssEnabled       = "enabled"
	vssDisabled      = "disabled"
	indexStatusReady = "ACTIVE"
)

// checkBackupOptions checks a job's BackupOptions for a resource of resourceType, in
// the order of their names, so that the same request always meets the same error.
func checkBackupOptions(resourceType string, options map[string]string) error {
	for _, key := range slices.Sorted(maps.Keys(options)) {
		value := options[key]
		if key != optionWindowsVSS || value != vssEnabled && value != vssDisabled {
			return msgBackupOption.New(key, value)
		}
		if value == vssEnabled {
			return msgVSSType.New(resourceType)
		}
	}
	return nil
}

// checkIndex checks a job's Index for a resource of resourceType.
func checkIndex(resourceType string, index *string) error {
	if index != nil && *index == backupapi.IndexEnabled && !slices.Contains(indexableTypes, resourceType) {
		return msgIndexType.New(resourceType)
	}
	return nil
}

// checkAirGapped checks a job's logically air-gapped vault, in the job's account and
// Region (see above: no vault is one).
func checkAirGapped(v kit.View, vaultARN *string) error {
	if vaultARN == nil {
		return nil
	}
	ref, ok := parseVaultARN(*vaultARN)
	if !ok || ref.Account != v.Account() || ref.Region != v.Region() {
		return msgBadAirGapped.New(*vaultARN)
	}
	if _, err := getVault(v, ref.Name); err != nil {
		return err
	}
	return msgNotAirGapped.New(ref.Name)
}

// ruleIndex is the Index of a plan rule's job for a resource of resourceType: ENABLED
// when one of the rule's IndexActions names the type.
func ruleIndex(r backupapi.BackupRule, resourceType string) string {
	for _, a := range r.IndexActions {
		if slices.Contains(a.ResourceTypes, resourceType) {
			return backupapi.IndexEnabled
		}
	}
	return ""
}

// indexStatus is a recovery point's IndexStatus: ACTIVE when its job asked for an index.
func indexStatus(index string) *string {
	if index != backupapi.IndexEnabled {
		return nil
	}
	return new(indexStatusReady)
}
