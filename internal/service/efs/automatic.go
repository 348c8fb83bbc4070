package efs

import (
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Automatic backups (CreateFileSystem's Backup, PutBackupPolicy ENABLED) are AWS Backup's
// work: the first file system that turns them on in a Region makes EFS create AWS
// Backup's plan aws/efs/automatic-backup-plan, which backs up daily, keeping each backup
// 35 days, into the vault aws/efs/automatic-backup-vault, every file system that carries
// the system tag aws:elasticfilesystem:default-backup=enabled. A file system carries it
// while its backup policy is ENABLED; DISABLED takes it off, which is what stops its
// backups — the plan and the vault stay, as AWS keeps them.
//
// The plan's and the vault's names, the tag and the 35 days are the EFS User Guide's
// ("Managing automatic backups"); the rest of the rule is AWS Backup's defaults for a
// daily rule (05:00 UTC, a start window of 8 hours, a completion window of 7 days),
// chosen where the guide says no more than "daily". The rule's and the selection's names
// are ours, in the form AWS Backup's model allows them (no slash), so that a user may
// edit the plan with UpdateBackupPlan as the guide says. The tag is AWS's, so it shows only to the selection: the tag
// APIs answer the user's tags, and Terraform's plans stay clean.
const (
	automaticVault     = "aws/efs/automatic-backup-vault"
	automaticPlan      = "aws/efs/automatic-backup-plan"
	automaticRule      = "aws-efs-automatic-backup-rule"
	automaticSelection = "aws-efs-automatic-backup-selection"
	automaticTagKey    = "aws:elasticfilesystem:default-backup"
	automaticTagValue  = "enabled"
)

// backupRole is the role the automatic plan's selection names: AWS Backup's
// service-linked role. AWS attaches AWSBackupServiceLinkedRolePolicyForBackup to it; IAM's
// catalogue of AWS managed policies here does not hold that one, so the role carries
// AWSBackupServiceRolePolicyForBackup, which grants the same backups.
func backupRole(account, partition string) port.ServiceRole {
	return port.ServiceRole{
		Account: account, Partition: partition, Path: "/aws-service-role/backup.amazonaws.com/", Name: "AWSServiceRoleForBackup",
		Description:       "Provides AWS Backup permission to create backups and perform restores on your behalf across AWS services",
		TrustPolicy:       `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		ManagedPolicyARNs: []string{"arn:" + partition + ":iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"},
	}
}

// ensureAutomaticPlan creates AWS Backup's automatic plan of the Region, unless it
// exists. A server built without AWS Backup keeps the policy and backs nothing up.
func (s *Service) ensureAutomaticPlan(tx kit.Tx, v kit.View) error {
	if s.plans == nil {
		return nil
	}
	partition, _ := regions.Partition(v.Region())
	return s.plans.EnsurePlan(tx, v.Account(), v.Region(), port.ManagedPlan{
		Vault: automaticVault, Plan: automaticPlan, Rule: automaticRule, Selection: automaticSelection,
		Schedule: "cron(0 5 ? * * *)", StartWindowMinutes: 8 * 60, CompletionWindowMinutes: 7 * 24 * 60, DeleteAfterDays: 35,
		TagKey: automaticTagKey, TagValue: automaticTagValue, Role: backupRole(v.Account(), partition),
	})
}

// resourceTags are a file system's tags as AWS Backup's selections see them: the user's,
// and the system tag of automatic backups while they are on.
func resourceTags(fs *fileSystemRecord) map[string]string {
	tags := map[string]string{}
	for _, t := range fs.Tags {
		tags[t.Key] = t.Value
	}
	if fs.Backup == efsapi.StatusEnabled {
		tags[automaticTagKey] = automaticTagValue
	}
	return tags
}
