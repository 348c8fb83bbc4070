package backup

import (
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/backupapi"
)

// The catalogue of AWS Backup's texts: every text the service answers is here. AWS
// Backup's rule errors read "Error in <where> : <what>"; the texts marked (xregion) follow
// AWS's style where its exact wording could not be confirmed.

// Input AWS Backup refuses.
var (
	msgBadNextToken          = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid NextToken: %s"}
	msgBadARN                = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid ARN: %s"}
	msgBadResourceARN        = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid resource ARN: %s"}
	msgBadRole               = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid IAM role ARN: %s"}
	msgUnsupportedType       = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Resource type of %s is not supported: xregion's AWS Backup backs up %s"} // (xregion)
	msgElsewhere             = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Resource %s is not in account %s and Region %s"}                         // (xregion)
	msgStartWindow           = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "StartWindowMinutes must be at least %d minutes"}
	msgBadKeyARN             = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid EncryptionKeyArn: %s. It must be the ARN of a KMS key."}
	msgNoKey                 = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Unable to find the KMS key %s in %s"}
	msgUnusableKey           = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "The KMS key %s cannot be used to encrypt a backup vault: it must be an enabled symmetric encryption key"} // (xregion)
	msgBadVaultName          = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Backup vault name %s is not valid"}
	msgRetentionRange        = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "%s must be between 1 and %d days"}
	msgRetentionOrder        = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "MaxRetentionDays must be greater than or equal to MinRetentionDays"}
	msgChangeableFor         = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "ChangeableForDays must be at least %d days"}
	msgBadPolicy             = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "The access policy is not a valid JSON policy document"} // (xregion)
	msgBadDestination        = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid destination backup vault ARN %s"}
	msgBadTopic              = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid SNS topic ARN: %s"}
	msgRTName                = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid restore testing plan name %s: it must be 1 to 50 letters, digits or underscores"}
	msgRTSelName             = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid restore testing selection name %s: it must be 1 to 50 letters, digits or underscores"}
	msgRTSelectionIncomplete = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "RecoveryPointSelection must have an Algorithm, IncludeVaults and RecoveryPointTypes"}
	msgRTWindowDays          = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "SelectionWindowDays must be between 1 and %d"}
	msgRTStartWindow         = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "StartWindowHours must be between 1 and %d"}
	msgRTValidationWindow    = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "ValidationWindowHours must be between 0 and %d"}
	msgRTResources           = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "A restore testing selection must name protected resources by ARN or by conditions, not both"}
	msgRTResourceType        = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Resource type %s is not supported for restore testing"}
	msgBadVaultARN           = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid backup vault ARN %s"}
	msgReportPlanName        = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid report plan name %s: it must start with a letter and contain only letters, digits and underscores"}
	msgReportTemplate        = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Report template %s is not supported: xregion's reports are BACKUP_JOB_REPORT, COPY_JOB_REPORT and RESTORE_JOB_REPORT"} // (xregion)
	msgReportFormat          = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid report format %s: it must be CSV or JSON"}
	msgCopyRefused           = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "%s"}
	msgRuleCopyRefused       = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Error in %s : %s"}
	msgRestoreType           = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Resource type %s is not supported: xregion's AWS Backup restores %s"} // (xregion)
	msgRestoreNeedsName      = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Restore metadata must name the DB instance to create: %s is missing"} // (xregion)
	msgReservedTag           = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Tag keys starting with aws: are reserved: %s"}
	msgSelectionEmpty        = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "A backup selection must name resources by ARN or by tag"} // (xregion)
	msgBadConditionType      = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid ConditionType %s"}
	msgPlanWithoutRules      = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "A backup plan must contain at least one rule"}
	msgRuleNameTwice         = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Rule names must be unique within a backup plan: %s is used more than once"}
	msgRuleVaultName         = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Error in %s : Backup vault name %s is not valid"}
	msgRuleStartWindow       = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Error in %s : StartWindowMinutes must be at least %d minutes"}
	msgRuleCompletion        = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Error in %s : CompletionWindowMinutes must be at least %d minutes greater than StartWindowMinutes"}
	msgRuleNotCron           = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Error in %s : Invalid schedule expression %s: a backup rule's schedule must be a cron() expression"}
	msgRuleBadSchedule       = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Error in %s : %v"}
	msgRuleTooFrequent       = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Error in %s : The schedule %s runs more often than once an hour, the most frequent schedule AWS Backup allows"}
	msgRuleDestination       = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Error in %s : Invalid destination backup vault ARN %s"}
	msgLifecycleDelete       = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid lifecycle. DeleteAfterDays cannot be less than 1 or more than 36500 days"}
	msgRuleLifecycleDel      = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Error in %s : Invalid lifecycle. DeleteAfterDays cannot be less than 1 or more than 36500 days"}
	msgLifecycleColdSpace    = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from MoveToColdStorageAfterDays"}
	msgRuleLifecycleCold     = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Error in %s : Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from MoveToColdStorageAfterDays"}
	msgColdIsFinal           = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid lifecycle. MoveToColdStorageAfterDays cannot be changed after recovery point %s has transitioned to cold storage"} // (xregion)
	msgUnknownResourceType   = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Resource type %s is not supported"}                                                                                        // (xregion)
	msgNotManageable         = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Resource type %s does not support ResourceTypeManagementPreference"}                                                       // (xregion)
	msgUnknownSetting        = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Global setting %s is not supported"}                                                                                       // (xregion)
	msgBadSettingValue       = awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: "Invalid value %s for global setting %s: it must be true or false"}                                                         // (xregion)
)

// Resources that are not there, or already are.
var (
	msgVaultNotFound      = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Backup vault %s cannot be found"}
	msgPlanNotFound       = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Failed reading Backup plan with provided version"}
	msgSelectionNotFound  = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Backup selection %s cannot be found"}
	msgJobNotFound        = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Cannot find job ID %s"}
	msgCopyJobNotFound    = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Cannot find copy job ID %s"}
	msgRestoreNotFound    = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Cannot find restore job ID %s"}
	msgPointNotInVault    = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Recovery point %s was not found in backup vault %s"}
	msgPointNotFound      = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Recovery point %s was not found"}
	msgNotProtected       = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Resource %s is not protected by AWS Backup"}
	msgNoAccessPolicy     = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Backup vault %s has no access policy"}
	msgNoNotifications    = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Backup vault %s has no notifications"} // (xregion)
	msgResourceNotFound   = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Resource %s cannot be found"}
	msgRTPlanNotFound     = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Restore testing plan %s not found"}
	msgRTSelNotFound      = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Restore testing selection %s not found in restore testing plan %s"}
	msgRTPlanExists       = awserr.Message{Kind: backupapi.ErrAlreadyExists, Text: "Restore testing plan %s already exists"}
	msgRTSelExists        = awserr.Message{Kind: backupapi.ErrAlreadyExists, Text: "Restore testing selection %s already exists"}
	msgReportPlanNotFound = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Report plan %s not found"}
	msgReportJobNotFound  = awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: "Report job %s not found"}
	msgReportPlanExists   = awserr.Message{Kind: backupapi.ErrAlreadyExists, Text: "Report plan %s already exists"}
	msgVaultExists        = awserr.Message{Kind: backupapi.ErrAlreadyExists, Text: "Backup vault with the same name already exists"}
	msgPlanExists         = awserr.Message{Kind: backupapi.ErrAlreadyExists, Text: "Backup plan with the same name %s already exists"}
)

// Requests the state of a resource refuses.
var (
	msgVaultNotEmpty       = awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: "Backup vault cannot be deleted because it contains recovery points"}
	msgVaultCompliance     = awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: "Backup vault %s is locked in compliance mode and cannot be deleted"}
	msgLockImmutable       = awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: "Backup vault %s is locked in compliance mode: its Vault Lock configuration can no longer change"}
	msgLockUndeletable     = awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: "Backup vault %s is locked in compliance mode: its Vault Lock configuration cannot be deleted"}
	msgPlanHasSelections   = awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: "Related backup plan selections must be deleted prior to backup plan deletion."}
	msgJobNotStoppable     = awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: "Backup job %s cannot be stopped: it is %s"}
	msgRetainedPoint       = awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: "Backup vault %s is locked: recovery point %s cannot be deleted before its minimum retention of %d days has passed"}
	msgVaultLocked         = awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: "Backup vault %s is locked: %s"}
	msgRTPlanHasSelections = awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: "Restore testing plan %s has selections: delete them first"}
	msgNotATest            = awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: "Restore job %s was not started by a restore testing plan"}
	msgTestNotRestored     = awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: "Restore job %s is %s: only a completed restore job can be validated"}
	msgColdCopy            = awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: "Recovery point %s is in cold storage: recovery points in cold storage cannot be copied"} // (xregion)
)

// Texts that are not errors: a job's StatusMessage, the reasons inside a message.
const (
	statusVaultGone          = "Backup vault %s does not exist"
	statusVaultLocked        = "Backup vault %s is locked: %s"
	statusDestinationGone    = "Destination backup vault %s does not exist"
	statusDestinationLocked  = "Destination backup vault %s is locked: %s"
	statusBadDestination     = "Invalid destination backup vault ARN %s"
	statusSourceGone         = "Source recovery point %s does not exist"
	statusUnreachable        = "Copy job failed: the Region %s could not be reached"
	statusPointGone          = "Recovery point %s no longer exists"
	statusStopped            = "Backup job was stopped by the user"
	statusRoleUnusable       = "The provided role %s cannot be assumed by AWS Backup."
	statusRegionDown         = "The Region %s cannot be reached"
	statusNoProvider         = "Resource type %s cannot be backed up here"
	statusExpiredStart       = "Backup job could not start within its start window"
	statusExpiredRunning     = "Backup job expired before completion."
	statusColdCopy           = "Recovery point %s is in cold storage: recovery points in cold storage cannot be copied"
	statusNotOrganization    = "Copy job failed. Both source and destination account must be a member of the same organization"
	statusCopyDenied         = "Access Denied trying to call AWS Backup service"
	statusKeyGone            = "The KMS key %s of the destination backup vault does not exist"
	statusKeyDisabled        = "%s is disabled."
	statusKeyPendingDeletion = "%s is pending deletion."
	reasonOtherPartition     = "Recovery points cannot be copied from %s to %s"
	reasonNoCrossRegion      = "Copy job from %s to %s cannot be initiated. Cross-Region copy is not supported in %s (%s)"
	reasonTypeCannotCopy     = "Copy job from %s to %s cannot be initiated for %s resources. Feature is not supported for provided resource type."
	reasonAboveMax           = "the retention period must be at most the vault lock's maximum of %d days"
	reasonBelowMin           = "the retention period of %d days is shorter than the vault lock's minimum of %d days"
)
