package backup

import (
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/backupapi"
)

// The catalogue of AWS Backup's texts: every text the service answers is here. AWS
// Backup's rule errors read "Error in <where> : <what>"; the texts marked (xregion) follow
// AWS's style where its exact wording could not be confirmed.

// The kinds of AWS Backup's errors, each a constructor of its messages.
func invalid(text string) awserr.Message {
	return awserr.Message{Kind: backupapi.ErrInvalidParameterValue, Text: text}
}

func notFound(text string) awserr.Message {
	return awserr.Message{Kind: backupapi.ErrResourceNotFound, Text: text}
}

func exists(text string) awserr.Message {
	return awserr.Message{Kind: backupapi.ErrAlreadyExists, Text: text}
}

func refused(text string) awserr.Message {
	return awserr.Message{Kind: backupapi.ErrInvalidRequest, Text: text}
}

// Input AWS Backup refuses.
var (
	msgBadNextToken          = invalid("Invalid NextToken: %s")
	msgBadARN                = invalid("Invalid ARN: %s")
	msgBadResourceARN        = invalid("Invalid resource ARN: %s")
	msgBadRole               = invalid("Invalid IAM role ARN: %s")
	msgUnsupportedType       = invalid("Resource type of %s is not supported: xregion's AWS Backup backs up %s") // (xregion)
	msgElsewhere             = invalid("Resource %s is not in account %s and Region %s")                         // (xregion)
	msgStartWindow           = invalid("StartWindowMinutes must be at least %d minutes")
	msgBadKeyARN             = invalid("Invalid EncryptionKeyArn: %s. It must be the ARN of a KMS key.")
	msgNoKey                 = invalid("Unable to find the KMS key %s in %s")
	msgUnusableKey           = invalid("The KMS key %s cannot be used to encrypt a backup vault: it must be an enabled symmetric encryption key") // (xregion)
	msgBadVaultName          = invalid("Backup vault name %s is not valid")
	msgRetentionRange        = invalid("%s must be between 1 and %d days")
	msgRetentionOrder        = invalid("MaxRetentionDays must be greater than or equal to MinRetentionDays")
	msgChangeableFor         = invalid("ChangeableForDays must be at least %d days")
	msgBadPolicy             = invalid("The access policy is not a valid JSON policy document") // (xregion)
	msgBadDestination        = invalid("Invalid destination backup vault ARN %s")
	msgBadTopic              = invalid("Invalid SNS topic ARN: %s")
	msgRTName                = invalid("Invalid restore testing plan name %s: it must be 1 to 50 letters, digits or underscores")
	msgRTSelName             = invalid("Invalid restore testing selection name %s: it must be 1 to 50 letters, digits or underscores")
	msgRTSelectionIncomplete = invalid("RecoveryPointSelection must have an Algorithm, IncludeVaults and RecoveryPointTypes")
	msgRTWindowDays          = invalid("SelectionWindowDays must be between 1 and %d")
	msgRTStartWindow         = invalid("StartWindowHours must be between 1 and %d")
	msgRTValidationWindow    = invalid("ValidationWindowHours must be between 0 and %d")
	msgRTResources           = invalid("A restore testing selection must name protected resources by ARN or by conditions, not both")
	msgRTResourceType        = invalid("Resource type %s is not supported for restore testing")
	msgBadVaultARN           = invalid("Invalid backup vault ARN %s")
	msgReportPlanName        = invalid("Invalid report plan name %s: it must start with a letter and contain only letters, digits and underscores")
	msgReportTemplate        = invalid("Report template %s is not supported: xregion's reports are BACKUP_JOB_REPORT, COPY_JOB_REPORT and RESTORE_JOB_REPORT") // (xregion)
	msgReportFormat          = invalid("Invalid report format %s: it must be CSV or JSON")
	msgCopyRefused           = invalid("%s")
	msgRuleCopyRefused       = invalid("Error in %s : %s")
	msgRestoreType           = invalid("Resource type %s is not supported: xregion's AWS Backup restores %s") // (xregion)
	msgRestoreNeedsName      = invalid("Restore metadata must name the DB instance to create: %s is missing") // (xregion)
	msgReservedTag           = invalid("Tag keys starting with aws: are reserved: %s")
	msgSelectionEmpty        = invalid("A backup selection must name resources by ARN or by tag") // (xregion)
	msgBadConditionType      = invalid("Invalid ConditionType %s")
	msgPlanWithoutRules      = invalid("A backup plan must contain at least one rule")
	msgRuleNameTwice         = invalid("Rule names must be unique within a backup plan: %s is used more than once")
	msgRuleVaultName         = invalid("Error in %s : Backup vault name %s is not valid")
	msgRuleStartWindow       = invalid("Error in %s : StartWindowMinutes must be at least %d minutes")
	msgRuleCompletion        = invalid("Error in %s : CompletionWindowMinutes must be at least %d minutes greater than StartWindowMinutes")
	msgRuleNotCron           = invalid("Error in %s : Invalid schedule expression %s: a backup rule's schedule must be a cron() expression")
	msgRuleBadSchedule       = invalid("Error in %s : %v")
	msgRuleTooFrequent       = invalid("Error in %s : The schedule %s runs more often than once an hour, the most frequent schedule AWS Backup allows")
	msgRuleIndexActions      = invalid("Error in %s : A backup rule can have at most one IndexAction")                                                // (xregion)
	msgRuleIndexTypes        = invalid("Error in %s : An IndexAction must name exactly one resource type: EBS or S3")                                 // (xregion)
	msgRuleAirGapped         = invalid("Error in %s : Invalid logically air-gapped backup vault ARN %s: it must be in the plan's account and Region") // (xregion)
	msgDeleteAfterEvent      = invalid("Invalid lifecycle. DeleteAfterEvent is not valid as an input")                                                // (xregion)
	msgRuleDeleteAfterEvent  = invalid("Error in %s : Invalid lifecycle. DeleteAfterEvent is not valid as an input")                                  // (xregion)
	msgRuleDestination       = invalid("Error in %s : Invalid destination backup vault ARN %s")
	msgLifecycleDelete       = invalid("Invalid lifecycle. DeleteAfterDays cannot be less than 1 or more than 36500 days")
	msgRuleLifecycleDel      = invalid("Error in %s : Invalid lifecycle. DeleteAfterDays cannot be less than 1 or more than 36500 days")
	msgLifecycleColdSpace    = invalid("Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from MoveToColdStorageAfterDays")
	msgRuleLifecycleCold     = invalid("Error in %s : Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from MoveToColdStorageAfterDays")
	msgColdIsFinal           = invalid("Invalid lifecycle. MoveToColdStorageAfterDays cannot be changed after recovery point %s has transitioned to cold storage") // (xregion)
	msgUnknownResourceType   = invalid("Resource type %s is not supported")                                                                                        // (xregion)
	msgNotManageable         = invalid("Resource type %s does not support ResourceTypeManagementPreference")                                                       // (xregion)
	msgUnknownSetting        = invalid("Global setting %s is not supported")                                                                                       // (xregion)
	msgBackupOption          = invalid("Invalid BackupOptions %s: %s. The only backup option is WindowsVSS, set to enabled or disabled")                           // (xregion)
	msgVSSType               = invalid("The WindowsVSS backup option is available only for Windows EC2 instances, not for %s resources")                           // (xregion)
	msgIndexType             = invalid("Backup indexes are supported only for EBS and S3 resources, not for %s resources")                                         // (xregion)
	msgBadAirGapped          = invalid("Invalid logically air-gapped backup vault ARN %s: it must be in the backup job's account and Region")                      // (xregion)
	msgNotAirGapped          = invalid("Backup vault %s is not a logically air-gapped backup vault")                                                               // (xregion)
	msgBadSettingValue       = invalid("Invalid value %s for global setting %s: it must be true or false")                                                         // (xregion)
)

// Resources that are not there, or already are.
var (
	msgVaultNotFound      = notFound("Backup vault %s cannot be found")
	msgPlanNotFound       = notFound("Failed reading Backup plan with provided version")
	msgSelectionNotFound  = notFound("Backup selection %s cannot be found")
	msgJobNotFound        = notFound("Cannot find job ID %s")
	msgCopyJobNotFound    = notFound("Cannot find copy job ID %s")
	msgRestoreNotFound    = notFound("Cannot find restore job ID %s")
	msgPointNotInVault    = notFound("Recovery point %s was not found in backup vault %s")
	msgPointNotFound      = notFound("Recovery point %s was not found")
	msgNotProtected       = notFound("Resource %s is not protected by AWS Backup")
	msgNoAccessPolicy     = notFound("Backup vault %s has no access policy")
	msgNoNotifications    = notFound("Backup vault %s has no notifications") // (xregion)
	msgResourceNotFound   = notFound("Resource %s cannot be found")
	msgRTPlanNotFound     = notFound("Restore testing plan %s not found")
	msgRTSelNotFound      = notFound("Restore testing selection %s not found in restore testing plan %s")
	msgRTPlanExists       = exists("Restore testing plan %s already exists")
	msgRTSelExists        = exists("Restore testing selection %s already exists")
	msgReportPlanNotFound = notFound("Report plan %s not found")
	msgReportJobNotFound  = notFound("Report job %s not found")
	msgReportPlanExists   = exists("Report plan %s already exists")
	msgVaultExists        = exists("Backup vault with the same name already exists")
	msgPlanExists         = exists("Backup plan with the same name %s already exists")
)

// Requests the state of a resource refuses.
var (
	msgVaultNotEmpty       = refused("Backup vault cannot be deleted because it contains recovery points")
	msgVaultCompliance     = refused("Backup vault %s is locked in compliance mode and cannot be deleted")
	msgLockImmutable       = refused("Backup vault %s is locked in compliance mode: its Vault Lock configuration can no longer change")
	msgLockUndeletable     = refused("Backup vault %s is locked in compliance mode: its Vault Lock configuration cannot be deleted")
	msgPlanHasSelections   = refused("Related backup plan selections must be deleted prior to backup plan deletion.")
	msgJobNotStoppable     = refused("Backup job %s cannot be stopped: it is %s")
	msgRetainedPoint       = refused("Backup vault %s is locked: recovery point %s cannot be deleted before its minimum retention of %d days has passed")
	msgVaultLocked         = refused("Backup vault %s is locked: %s")
	msgRTPlanHasSelections = refused("Restore testing plan %s has selections: delete them first")
	msgNotATest            = refused("Restore job %s was not started by a restore testing plan")
	msgTestNotRestored     = refused("Restore job %s is %s: only a completed restore job can be validated")
	msgColdCopy            = refused("Recovery point %s is in cold storage: recovery points in cold storage cannot be copied") // (xregion)
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

// What a vault's access policy, or a plan a service manages, refuses (vaultdeny.go).
var (
	errAccessDenied = awserr.Kind{Code: "AccessDeniedException", Status: awserr.StatusForbidden, Sender: true}
	msgExplicitDeny = awserr.Message{Kind: errAccessDenied, Text: "User: %s is not authorized to perform: %s on resource: %s with an explicit deny in a resource-based policy"}
	// A plan another service manages keeps its selection: AWS answers 403 (the text is
	// xregion's, as AWS's could not be confirmed).
	msgManagedPlan = awserr.Message{Kind: errAccessDenied, Text: "User: %s is not authorized to perform: %s on resource: %s: the backup plan is managed by an AWS service"}
)
