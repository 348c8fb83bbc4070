package backup

import (
	"slices"

	"github.com/xregion/xregion/internal/gen/backupapi"
)

// A rule's index and scan actions, its logically air-gapped target, and a plan's scan
// settings are checked as the model describes them and kept as sent: GetBackupPlan,
// ListBackupPlanVersions' versions and UpdateBackupPlan answer them. xregion serves no
// backup search index, no GuardDuty Malware Protection and no logically air-gapped
// vaults, so no index or scan runs and the rule's backups stay in its target vault; a
// plan that names them is still a valid plan, as a Terraform configuration written for
// AWS expects.

// indexableTypes are the resource types a rule's IndexAction may name (the model: "EBS
// for Amazon Elastic Block Store, S3 for Amazon Simple Storage Service").
var indexableTypes = []string{"EBS", "S3"}

// checkRuleOptions checks a rule's IndexActions ("0 or 1 IndexAction… Only 1 resource
// type will be accepted for each BackupRule") and its logically air-gapped target ("ARN
// must be in the same account and Region"). where names the rule in errors.
func checkRuleOptions(where, account, region string, r backupapi.BackupRuleInput) error {
	if len(r.IndexActions) > 1 {
		return msgRuleIndexActions.New(where)
	}
	for _, a := range r.IndexActions {
		if len(a.ResourceTypes) != 1 || !slices.Contains(indexableTypes, a.ResourceTypes[0]) {
			return msgRuleIndexTypes.New(where)
		}
	}
	if r.TargetLogicallyAirGappedBackupVaultArn == nil {
		return nil
	}
	lag := *r.TargetLogicallyAirGappedBackupVaultArn
	if v, ok := parseVaultARN(lag); !ok || v.Account != account || v.Region != region {
		return msgRuleAirGapped.New(where, lag)
	}
	return nil
}

// checkScanSettings checks a plan's ScanSettings: the scanner's role is an IAM role.
// The scanner and the scan modes are the model's enums, which the request's validation
// has checked.
func checkScanSettings(settings []backupapi.ScanSetting) error {
	for _, set := range settings {
		if set.ScannerRoleArn != nil {
			if err := checkRole(*set.ScannerRoleArn); err != nil {
				return err
			}
		}
	}
	return nil
}
