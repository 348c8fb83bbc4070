package rds

import (
	"fmt"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/rdsapi"
)

// The catalogue of RDS's texts: every text the service answers is here. The texts are
// RDS's own where they are known from AWS answers quoted in issue threads and SDK test
// fixtures; where AWS's wording is not on record they follow the same style, and say what
// is wrong with which value.

// The parameters texts name.
const (
	paramInstanceID       = "DBInstanceIdentifier"
	paramNewInstanceID    = "NewDBInstanceIdentifier"
	paramTargetInstanceID = "TargetDBInstanceIdentifier"
	paramSnapshotID       = "DBSnapshotIdentifier"
	paramSourceSnapshot   = "SourceDBSnapshotIdentifier"
	paramTargetSnapshotID = "TargetDBSnapshotIdentifier"
	paramFinalSnapshotID  = "FinalDBSnapshotIdentifier"
	paramMasterUsername   = "MasterUsername"
	paramPassword         = "MasterUserPassword"
	paramAllocatedStorage = "AllocatedStorage"
	paramTagKey           = "Tag.Key"
	paramParameters       = "Parameters"
	paramParameterName    = "ParameterName"
	paramParameterValue   = "ParameterValue"
	paramApplyMethod      = "ApplyMethod"
)

var (
	invalid = awserr.InvalidParameterValue
	combo   = awserr.InvalidParameterCombo
)

// Requests, paging and filters.
var (
	msgBlank             = awserr.Message{Kind: invalid, Text: "The parameter %s must be provided and must not be blank."}
	msgBadMarker         = awserr.Message{Kind: invalid, Text: "The parameter Marker is not valid: %s"}
	msgMaxRecords        = awserr.Message{Kind: invalid, Text: "Invalid value %d for MaxRecords. Must be between %d and %d"}
	msgUnknownFilter     = awserr.Message{Kind: invalid, Text: "Unrecognized filter name: %s"}
	msgFilterNoValue     = awserr.Message{Kind: invalid, Text: "The filter %s requires at least one value."}
	msgNoFilters         = awserr.Message{Kind: invalid, Text: "%s does not support filters."}
	msgInvalidIdentifier = awserr.Message{Kind: invalid, Text: "The parameter %s is not a valid identifier. Identifiers must begin with a letter; " +
		"must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens."}
	msgTagLength    = awserr.Message{Kind: invalid, Text: "Tag keys must be at most 128 characters and values at most 256 characters."}
	msgReservedTag  = awserr.Message{Kind: invalid, Text: "Tag keys cannot start with 'aws:'."}
	msgTooManyTags  = awserr.Message{Kind: invalid, Text: "Cannot add more than %d tags to a resource."}
	msgNotAResource = awserr.Message{Kind: invalid, Text: "The specified resource name does not match an RDS resource in this region."}
)

// Engines, versions, classes and storage.
var (
	msgInvalidEngine      = awserr.Message{Kind: invalid, Text: "Invalid DB engine: %s"}
	msgNoVersion          = awserr.Message{Kind: combo, Text: "Cannot find version %s for %s"}
	msgLicenseModel       = awserr.Message{Kind: combo, Text: "Invalid license model '%s' for engine %s. Valid license models: %s"}
	msgCombination        = awserr.Message{Kind: combo, Text: "RDS does not support creating a DB instance with the following combination: DBInstanceClass=%s, Engine=%s, EngineVersion=%s, LicenseModel=%s. For supported combinations of instance class and database engine version, see the documentation."}
	msgStorageType        = awserr.Message{Kind: invalid, Text: "Invalid storage type: %s"}
	msgStorageTypeEngine  = awserr.Message{Kind: rdsapi.ErrStorageTypeNotSupportedFault, Text: "Invalid storage type for DB engine %s: %s"}
	msgStorageSize        = awserr.Message{Kind: combo, Text: "Invalid storage size for engine name %s and storage type %s: %d"}
	msgMaxStorageBelow    = awserr.Message{Kind: invalid, Text: "Max storage size must be greater than storage size"}
	msgMaxStorageSize     = awserr.Message{Kind: invalid, Text: "Invalid max storage size for engine name %s and storage type %s: %d"}
	msgIopsRequired       = awserr.Message{Kind: combo, Text: "You must specify a value for Iops when StorageType is %s."}
	msgIopsRatio          = awserr.Message{Kind: combo, Text: "Invalid iops to storage (GB) ratio for engine name %s and storage type %s: %.4f"}
	msgNoThroughput       = awserr.Message{Kind: combo, Text: "You can't specify storage throughput for storage type %s."}
	msgGP3Baseline        = awserr.Message{Kind: combo, Text: "You can't specify IOPS or storage throughput for engine %s and a storage size less than %d."}
	msgNoIops             = awserr.Message{Kind: combo, Text: "You can't specify IOPS for storage type %s."}
	msgNoMultiAZ          = awserr.Message{Kind: combo, Text: "Multi-AZ is not available for engine %s."}
	msgNoEncryption       = awserr.Message{Kind: combo, Text: "Encryption at rest is not available for engine %s."}
	msgPort               = awserr.Message{Kind: invalid, Text: "Invalid port %d. Valid values are from %d to %d."}
	msgMonitoringInterval = awserr.Message{Kind: invalid, Text: "Invalid value %d for MonitoringInterval. Valid values: 0, 1, 5, 10, 15, 30, 60"}
	msgMonitoringRole     = awserr.Message{Kind: combo, Text: "A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0."}
	msgCertificate        = awserr.Message{Kind: rdsapi.ErrCertificateNotFoundFault, Text: "Certificate not found: %s"}
	msgLogType            = awserr.Message{Kind: combo, Text: "You cannot use the log types '%s' with engine version %s %s. For supported log types, see the documentation."}
	msgRetention          = awserr.Message{Kind: invalid, Text: "Invalid backup retention period: %d. Valid values are 0 to %d."}
	msgTimezone           = awserr.Message{Kind: combo, Text: "The Timezone parameter is only supported for Microsoft SQL Server."}
	msgCharacterSet       = awserr.Message{Kind: combo, Text: "CharacterSetName is not supported for engine %s."}
	msgProcessorFeatures  = awserr.Message{Kind: combo, Text: "ProcessorFeatures are not supported for engine %s and DB instance class %s."}
	msgProcessorRestore   = awserr.Message{Kind: combo, Text: "ProcessorFeatures are not supported for this DB instance class."}
)

// Credentials and names.
var (
	msgMasterUsername        = awserr.Message{Kind: invalid, Text: "The parameter MasterUsername is not a valid identifier. It must begin with a letter, contain only ASCII letters, digits and underscores, and be at most %d characters long."}
	msgReservedUsername      = awserr.Message{Kind: invalid, Text: "MasterUsername %s cannot be used as it is a reserved word used by the engine"}
	msgPasswordShort         = awserr.Message{Kind: invalid, Text: "The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters."}
	msgPasswordLong          = awserr.Message{Kind: invalid, Text: "The parameter MasterUserPassword is not a valid password because it is longer than %d characters."}
	msgPasswordChars         = awserr.Message{Kind: invalid, Text: "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides '/', '@', '\"', ' ' may be used."}
	msgDBNameNull            = awserr.Message{Kind: combo, Text: "The parameter DBName must be null for engine: %s"}
	msgDBName                = awserr.Message{Kind: invalid, Text: "The parameter DBName is not a valid identifier. It must begin with a letter, contain only alphanumeric characters and be at most %d characters long for engine %s."}
	msgManagedAndPassword    = awserr.Message{Kind: combo, Text: "You can't specify MasterUserPassword when ManageMasterUserPassword is turned on."}
	msgSecretKeyNeedsManaged = awserr.Message{Kind: combo, Text: "You can specify MasterUserSecretKmsKeyId only when ManageMasterUserPassword is turned on."}
	msgUnmanageNeedsPassword = awserr.Message{Kind: combo, Text: "You must specify MasterUserPassword when you turn off ManageMasterUserPassword."}
	msgPasswordWhileManaged  = awserr.Message{Kind: combo, Text: "You can't specify MasterUserPassword for a DB instance whose master user password is managed in Secrets Manager."}
	msgRotateNeedsManaged    = awserr.Message{Kind: combo, Text: "You can specify RotateMasterUserPassword only when the master user password is managed in Secrets Manager."}
	msgRotateNeedsImmediate  = awserr.Message{Kind: combo, Text: "You must specify ApplyImmediately when you specify RotateMasterUserPassword."}
)

// Networking, groups and what xregion's RDS has no model of.
var (
	msgDomainNotFound          = awserr.Message{Kind: rdsapi.ErrDomainNotFoundFault, Text: "Domain %s not found."}
	msgDBSecurityGroupsVPC     = awserr.Message{Kind: combo, Text: "DB Security Groups can only be associated with VPC DB Instances using API versions 2012-01-15 through 2012-09-17."}
	msgCustomerOwnedIP         = awserr.Message{Kind: combo, Text: "Customer-owned IP addresses are only available for DB instances on AWS Outposts."}
	msgCustomProfile           = awserr.Message{Kind: combo, Text: "CustomIamInstanceProfile is only valid for RDS Custom engines."}
	msgDualStack               = awserr.Message{Kind: rdsapi.ErrNetworkTypeNotSupported, Text: "The network type DUAL isn't supported by the DB subnet group default."}
	msgNetworkType             = awserr.Message{Kind: invalid, Text: "Invalid network type: %s. Valid values: IPV4, DUAL"}
	msgLifecycleSupport        = awserr.Message{Kind: invalid, Text: "Invalid value %s for EngineLifecycleSupport."}
	msgZoneMultiAZ             = awserr.Message{Kind: combo, Text: "Requesting a specific availability zone is not valid for Multi-AZ instances."}
	msgZone                    = awserr.Message{Kind: invalid, Text: "Invalid availability zone: %s"}
	msgSecurityGroupID         = awserr.Message{Kind: invalid, Text: "Invalid security group ID: %s"}
	msgMemberSubnetGroup       = awserr.Message{Kind: combo, Text: "The DB subnet group %s of the DB instance must be the DB subnet group %s of its DB cluster."} // (xregion)
	msgSecurityGroupNotFound   = awserr.Message{Kind: invalid, Text: "Invalid security group , groupId= %s, groupName=."}                                         // as AWS answers it
	msgSecurityGroupVPC        = awserr.Message{Kind: combo, Text: "Database is in %s, but Ec2 Security Group %s is in %s"}                                       // as AWS answers it (terraform#13739)
	msgParamGroupNotFound      = awserr.Message{Kind: rdsapi.ErrDBParameterGroupNotFoundFault, Text: "DBParameterGroup not found: %s"}
	msgParamGroupFamily        = awserr.Message{Kind: combo, Text: "The parameter group %s with DBParameterGroupFamily %s can't be used for this instance. Use a parameter group with DBParameterGroupFamily %s."}
	msgOptionGroupNotFound     = awserr.Message{Kind: rdsapi.ErrOptionGroupNotFoundFault, Text: "Specified OptionGroupName: %s not found."}
	msgOptionGroupEngine       = awserr.Message{Kind: combo, Text: "The option group %s can't be used for engine %s %s."}
	msgSubnetGroupNotFound     = awserr.Message{Kind: rdsapi.ErrDBSubnetGroupNotFoundFault, Text: "DBSubnetGroup '%s' not found."}
	msgMajorNeedsEngineName    = awserr.Message{Kind: combo, Text: "If MajorEngineVersion is supplied, EngineName must also be supplied."}
	msgClusterNotFound         = awserr.Message{Kind: rdsapi.ErrDBClusterNotFoundFault, Text: "DBCluster %s not found."}
	msgClusterSnapshotNotFound = awserr.Message{Kind: rdsapi.ErrDBClusterSnapshotNotFoundFault, Text: "DBClusterSnapshot %s not found."}
	msgCustomAZNotFound        = awserr.Message{Kind: rdsapi.ErrCustomAvailabilityZoneNotFoundFault, Text: "Custom availability zone %s not found."}
)

// Parameter groups. "Could not find parameter with name", "Cannot modify a default
// parameter group.", the range and allowed-values texts and the in-use text are AWS's as
// quoted in users' reports; the others follow their style.
var (
	msgClusterParamGroupNotFound = awserr.Message{Kind: rdsapi.ErrDBClusterParameterGroupNotFoundFault, Text: "DBClusterParameterGroup not found: %s"}
	msgParamGroupExists          = awserr.Message{Kind: rdsapi.ErrDBParameterGroupAlreadyExistsFault, Text: "Parameter group %s already exists"}
	msgParamGroupQuota           = awserr.Message{Kind: rdsapi.ErrDBParameterGroupQuotaExceededFault, Text: "The request cannot be processed because it would exceed the maximum of %d parameter groups."}
	msgParamGroupBadFamily       = awserr.Message{Kind: invalid, Text: "ParameterGroupFamily %s is not a valid parameter group family"}
	msgDeleteDefaultParamGroup   = awserr.Message{Kind: rdsapi.ErrInvalidDBParameterGroupStateFault, Text: "Default parameter group %s cannot be deleted."}
	msgParamGroupInUse           = awserr.Message{Kind: rdsapi.ErrInvalidDBParameterGroupStateFault, Text: "One or more database instances are still members of this parameter group %s, so the group cannot be deleted"}
	msgModifyDefaultParamGroup   = awserr.Message{Kind: invalid, Text: "Cannot modify a default parameter group."}
	msgTooManyParams             = awserr.Message{Kind: invalid, Text: "A request can modify at most %d parameters."}
	msgResetWhich                = awserr.Message{Kind: combo, Text: "Specify either ResetAllParameters or the parameters to reset, but not both."}
	msgParamUnknown              = awserr.Message{Kind: invalid, Text: "Could not find parameter with name: %s"}
	msgParamNotModifiable        = awserr.Message{Kind: invalid, Text: "The parameter %s cannot be modified."}
	msgStaticImmediate           = awserr.Message{Kind: combo, Text: "cannot use immediate apply method for static parameter"}
	msgParamOutOfRange           = awserr.Message{Kind: invalid, Text: "Value: %s is outside of range: %s for parameter: %s"}
	msgParamNotAllowed           = awserr.Message{Kind: invalid, Text: "Invalid parameter value: %s for: %s allowed values are: %s"}
	msgParamSource               = awserr.Message{Kind: invalid, Text: "Invalid value for Source: %s. Valid values are user, system and engine-default."}
)

// Option groups.
var (
	msgOptionGroupExists        = awserr.Message{Kind: rdsapi.ErrOptionGroupAlreadyExistsFault, Text: "Option Group %s already exists."}
	msgOptionGroupQuota         = awserr.Message{Kind: rdsapi.ErrOptionGroupQuotaExceededFault, Text: "The request cannot be processed because it would exceed the maximum of %d option groups."}
	msgOptionGroupMajor         = awserr.Message{Kind: invalid, Text: "Invalid major engine version %s for engine %s."}
	msgModifyDefaultOptionGroup = awserr.Message{Kind: invalid, Text: "Default option group %s cannot be modified."}
	msgDeleteDefaultOptionGroup = awserr.Message{Kind: rdsapi.ErrInvalidOptionGroupStateFault, Text: "Cannot delete default option group."}
	msgOptionGroupInUse         = awserr.Message{Kind: rdsapi.ErrInvalidOptionGroupStateFault, Text: "The option group %s cannot be deleted because it is in use by a DB instance."}
	msgOptionGroupInSnapshot    = awserr.Message{Kind: rdsapi.ErrInvalidOptionGroupStateFault, Text: "The option group %s cannot be deleted because it is in use by a DB snapshot."}
	msgOptionUnknown            = awserr.Message{Kind: invalid, Text: "Option %s is not available for engine %s %s."}
	msgOptionVersion            = awserr.Message{Kind: invalid, Text: "Invalid option version %s for option %s."}
	msgOptionSettingUnknown     = awserr.Message{Kind: invalid, Text: "Invalid option setting %s for option %s."}
	msgOptionSettingValue       = awserr.Message{Kind: invalid, Text: "Invalid value %s for option setting %s. Allowed values: %s"}
	msgOptionSettingRequired    = awserr.Message{Kind: combo, Text: "Option %s requires the option setting %s."}
	msgOptionNotInGroup         = awserr.Message{Kind: invalid, Text: "Option %s is not in option group %s."}
	msgOptionPermanent          = awserr.Message{Kind: combo, Text: "Option %s is permanent and cannot be removed from an option group."}
)

// DB security groups (EC2-Classic). The ingress text is AWS's, as quoted in users'
// reports.
var (
	msgDBSecurityGroupNotFound = awserr.Message{Kind: rdsapi.ErrDBSecurityGroupNotFoundFault, Text: "DBSecurityGroup %s not found."}
	msgDBSecurityGroupExists   = awserr.Message{Kind: rdsapi.ErrDBSecurityGroupAlreadyExistsFault, Text: "DB security group %s already exists"}
	msgDBSecurityGroupQuota    = awserr.Message{Kind: rdsapi.ErrDBSecurityGroupQuotaExceededFault, Text: "The request cannot be processed because it would exceed the maximum of %d DB security groups."}
	msgVPCDBSecurityGroup      = awserr.Message{Kind: invalid, Text: "VPC DB Security Groups cannot be modified with this API version.  Please use an API version between 2012-01-15 and 2012-10-31 to modify this group."}
)

// Events.
var (
	msgEventSourceType      = awserr.Message{Kind: invalid, Text: "Invalid source type: %s"}
	msgEventSourceNeedsType = awserr.Message{Kind: combo, Text: "If SourceIdentifier is supplied, SourceType must also be provided."}
)

// DB instances.
var (
	msgInstanceNotFound     = awserr.Message{Kind: rdsapi.ErrDBInstanceNotFoundFault, Text: "DBInstance %s not found."}
	msgInstanceExists       = awserr.Message{Kind: rdsapi.ErrDBInstanceAlreadyExistsFault, Text: "DB instance already exists"}
	msgInstanceQuota        = awserr.Message{Kind: rdsapi.ErrInstanceQuotaExceededFault, Text: "DB Instance quota exceeded: the account may have at most %d DB instances in %s."}
	msgStorageQuota         = awserr.Message{Kind: rdsapi.ErrStorageQuotaExceededFault, Text: "The request cannot be processed because it would exceed the maximum allowed storage quota of %d GiB."}
	msgKeyNeedsEncryption   = awserr.Message{Kind: combo, Text: "KmsKeyId can only be specified for an encrypted DB instance: set StorageEncrypted to true."}
	msgKeyNotAccessible     = awserr.Message{Kind: rdsapi.ErrKMSKeyNotAccessibleFault, Text: "The specified KMS key [%s] does not exist, is not enabled or you do not have permissions to access it."}
	msgNotAvailable         = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "Database instance %s is not in available state."}
	msgInstanceNotAvailable = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "Instance %s is not in available state."}
	msgAlreadyDeleting      = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "Instance %s is already being deleted."}
	msgDeletionProtected    = awserr.Message{Kind: combo, Text: "Cannot delete protected DB Instance, please disable deletion protection and try again."}
	msgFinalWhileCreating   = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "Instance is currently creating - a final snapshot cannot be taken."}
	msgSkipAndFinal         = awserr.Message{Kind: combo, Text: "Cannot specify both SkipFinalSnapshot and FinalDBSnapshotIdentifier."}
	msgFinalRequired        = awserr.Message{Kind: combo, Text: "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified."}
	msgFailoverNeedsMultiAZ = awserr.Message{Kind: combo, Text: "Cannot reboot with forced failover. Forced failover requires a Multi-AZ DB instance."}
	msgNotStopped           = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "Instance %s is not stopped, it cannot be started."}
	msgEngineChange         = awserr.Message{Kind: combo, Text: "Cannot change the engine of DB instance %s from %s to %s."}
	msgDowngrade            = awserr.Message{Kind: combo, Text: "Cannot upgrade %s from %s to %s"}
	msgMajorUpgrade         = awserr.Message{Kind: combo, Text: "The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version."}
	msgStorageDecrease      = awserr.Message{Kind: invalid, Text: "Invalid storage size: the allocated storage of DB instance %s can't be decreased from %d GiB."}
	msgStorageIncrease      = awserr.Message{Kind: combo, Text: "The allocated storage must be increased by at least 10%%: from %d GiB to at least %d GiB."}
)

// Windows.
var (
	msgBackupWindowFormat = awserr.Message{Kind: invalid, Text: "The parameter PreferredBackupWindow must be in the format hh24:mi-hh24:mi: %s"}
	msgBackupWindowShort  = awserr.Message{Kind: invalid, Text: "The backup window must be at least 30 minutes."}
	msgMaintWindowFormat  = awserr.Message{Kind: invalid, Text: "The parameter PreferredMaintenanceWindow must be in the format ddd:hh24:mi-ddd:hh24:mi: %s"}
	msgMaintWindowShort   = awserr.Message{Kind: invalid, Text: "The maintenance window must be at least 30 minutes."}
	msgWindowsOverlap     = awserr.Message{Kind: combo, Text: "The backup window and maintenance window must not overlap."}
)

// Snapshots.
var (
	msgSnapshotNotFound      = awserr.Message{Kind: rdsapi.ErrDBSnapshotNotFoundFault, Text: "DBSnapshot %s not found."}
	msgSnapshotExists        = awserr.Message{Kind: rdsapi.ErrDBSnapshotAlreadyExistsFault, Text: "Cannot create the snapshot because a snapshot with the identifier %s already exists."}
	msgSnapshotQuota         = awserr.Message{Kind: rdsapi.ErrSnapshotQuotaExceededFault, Text: "The request cannot be processed because it would exceed the maximum number of snapshots."}
	msgSnapshotOfUnavailable = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "Cannot create a snapshot because the database instance %s is not currently in the available state."}
	msgSnapshotNotAvailable  = awserr.Message{Kind: rdsapi.ErrInvalidDBSnapshotStateFault, Text: "Snapshot %s is not in available state."}
	msgDeleteAutomated       = awserr.Message{Kind: rdsapi.ErrInvalidDBSnapshotStateFault, Text: "Only manual snapshots may be deleted: %s is an automated snapshot."}
	msgDeleteUnavailable     = awserr.Message{Kind: rdsapi.ErrInvalidDBSnapshotStateFault, Text: "Cannot delete the snapshot %s because it is not in available state: it is %s."}
	msgShareAutomated        = awserr.Message{Kind: rdsapi.ErrInvalidDBSnapshotStateFault, Text: "Only manual snapshots may be shared: %s is an automated snapshot."}
	msgBadSnapshotIdent      = awserr.Message{Kind: invalid, Text: "The parameter DBSnapshotIdentifier is not a valid identifier: %s"}
	msgBadSourceSnapshot     = awserr.Message{Kind: invalid, Text: "The parameter SourceDBSnapshotIdentifier is not a valid identifier: %s"}
	msgCopyPartition         = awserr.Message{Kind: invalid, Text: "DB snapshots can't be copied from %s to %s."}
	msgCopyNeedsKey          = awserr.Message{Kind: rdsapi.ErrKMSKeyNotAccessibleFault, Text: "KmsKeyId is required to copy the encrypted DB snapshot %s to another AWS Region or account."}
	msgSourceKey             = awserr.Message{Kind: rdsapi.ErrKMSKeyNotAccessibleFault, Text: "The source snapshot KMS key [%s] does not exist, is not enabled or you do not have permissions to access it."}
	msgSnapshotType          = awserr.Message{Kind: invalid, Text: "Invalid snapshot type: %s. Valid values: %s"}
	msgAttributeName         = awserr.Message{Kind: invalid, Text: "Invalid snapshot attribute name: %s. The only attribute that can be modified is restore."}
	msgAttributeAccount      = awserr.Message{Kind: invalid, Text: "Invalid account identifier: %s. Values must be AWS account IDs or all."}
	msgSharePublicEncrypted  = awserr.Message{Kind: invalid, Text: "Encrypted snapshots can't be shared publicly: %s is encrypted."}
	msgShareQuota            = awserr.Message{Kind: rdsapi.ErrSharedSnapshotQuotaExceededFault, Text: "A snapshot can be shared with at most %d AWS accounts."}
	msgPresignedURL          = awserr.Message{Kind: invalid, Text: "PreSignedUrl could not be authenticated."}
)

// Restores.
var (
	msgRestoreDBName     = awserr.Message{Kind: combo, Text: "The parameter DBName can't be specified when restoring a %s DB instance."}
	msgRestoreStorage    = awserr.Message{Kind: invalid, Text: "The allocated storage of the restored DB instance (%d GiB) can't be less than that of its source (%d GiB)."}
	msgRestoreEngine     = awserr.Message{Kind: combo, Text: "The engine %s of the restored DB instance must be the snapshot's engine %s."}
	msgPITREngine        = awserr.Message{Kind: combo, Text: "The engine %s of the restored DB instance must be the source's engine %s."}
	msgPITRNotEnabled    = awserr.Message{Kind: rdsapi.ErrPointInTimeRestoreNotEnabledFault, Text: "SourceDBInstanceIdentifier refers to a DB instance with BackupRetentionPeriod equal to 0."}
	msgPITRNoBackupYet   = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "DB instance %s has no automated backup to restore from yet."}
	msgPITROneSource     = awserr.Message{Kind: combo, Text: "Specify exactly one of SourceDBInstanceIdentifier, SourceDbiResourceId and SourceDBInstanceAutomatedBackupsArn."}
	msgPITRBothTimes     = awserr.Message{Kind: combo, Text: "Cannot specify both RestoreTime and UseLatestRestorableTime."}
	msgPITRNoTime        = awserr.Message{Kind: combo, Text: "Either RestoreTime or UseLatestRestorableTime must be specified."}
	msgPITRNothingYet    = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceAutomatedBackupStateFault, Text: "The automated backup of DB instance %s is %s and has nothing to restore yet."}
	msgPITROutsideWindow = awserr.Message{Kind: rdsapi.ErrInvalidRestoreFault, Text: "The restore time %s is outside the restorable window of DB instance %s: %s to %s."}
)

// Automated backups and their replication.
var (
	msgAutoBackupNotFound    = awserr.Message{Kind: rdsapi.ErrDBInstanceAutomatedBackupNotFoundFault, Text: "DBInstanceAutomatedBackup %s not found."}
	msgBadAutoBackupARN      = awserr.Message{Kind: invalid, Text: "The parameter DBInstanceAutomatedBackupsArn is not a valid ARN: %s"}
	msgAutoBackupWhich       = awserr.Message{Kind: combo, Text: "Either DbiResourceId or DBInstanceAutomatedBackupsArn must be specified."}
	msgAutoBackupNotRetained = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceAutomatedBackupStateFault, Text: "The automated backup %s can't be deleted while it is %s: only retained automated backups can be deleted."}
	msgBadSourceInstanceARN  = awserr.Message{Kind: invalid, Text: "The parameter SourceDBInstanceArn is not a valid DB instance ARN: %s"}
	msgReplicateSameRegion   = awserr.Message{Kind: invalid, Text: "The source DB instance %s is in the current Region %s: automated backups can only be replicated to another Region."}
	msgReplicatePartition    = awserr.Message{Kind: invalid, Text: "Automated backups can't be replicated from %s to %s."}
	msgReplicaRetention      = awserr.Message{Kind: invalid, Text: "Invalid backup retention period: %d. Valid values are 1 to %d."}
	msgReplicateState        = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "DB instance %s is not in a valid state to replicate its automated backups: %s."}
	msgBackupsNotEnabled     = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "Automated backups are not enabled for DB instance %s."}
	msgReplicateEngine       = awserr.Message{Kind: combo, Text: "Automated backups replication is not supported for engine %s."}
	msgAlreadyReplicating    = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "DB instance %s is already replicating its automated backups to the current region."}
	msgReplicaNeedsKey       = awserr.Message{Kind: rdsapi.ErrKMSKeyNotAccessibleFault, Text: "Encrypted instances require a valid KMS key ID"}
	msgReplicaOtherKey       = awserr.Message{Kind: combo, Text: "Replicated automated backups of DB instance %s retained in this Region are encrypted with KMS key %s: use the same key."}
	msgReplicaQuota          = awserr.Message{Kind: rdsapi.ErrDBInstanceAutomatedBackupQuotaExceededFault, Text: "Cannot replicate the automated backups of DB instance %s: the quota of %d replicated automated backups in %s has been reached."}
	msgNotReplicating        = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "DB instance %s is not replicating to the current region."}
)

// Read replicas (replicas.go). The texts quoted in users' reports are AWS's own: the
// subnet group of a same-Region replica, backups of a PostgreSQL replica, backups disabled
// on the source; the others follow their style.
var (
	msgBadReplicaSource      = awserr.Message{Kind: invalid, Text: "The parameter SourceDBInstanceIdentifier is not a valid identifier or DB instance ARN: %s"}
	msgReplicaPartition      = awserr.Message{Kind: invalid, Text: "Read replicas can't be created from %s in %s."}
	msgReplicaSubnetGroup    = awserr.Message{Kind: rdsapi.ErrDBSubnetGroupNotAllowedFault, Text: "DbSubnetGroupName should not be specified for read replicas that are created in the same region as the master"}
	msgSourceNoBackups       = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "Automated backups are not enabled for this database instance. To enable automated backups, use ModifyDBInstance to set the backup retention period to a non-zero value."}
	msgReplicaOfReplica      = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "DB instance %s is a read replica: a read replica of a %s read replica is not supported."}
	msgCrossRegionOfReplica  = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "DB instance %s is a read replica: a cross-Region read replica can only be created from a DB instance that is not a read replica."}
	msgReplicaEngine         = awserr.Message{Kind: combo, Text: "Read replicas are not supported for engine %s."}
	msgCrossRegionEngine     = awserr.Message{Kind: combo, Text: "Cross-Region read replicas are not supported for engine %s."}
	msgReplicaLimit          = awserr.Message{Kind: rdsapi.ErrInstanceQuotaExceededFault, Text: "DB instance %s already has %d read replicas, the most a %s source can have."}
	msgReplicaKeyUnencrypted = awserr.Message{Kind: combo, Text: "KmsKeyId can only be specified for a read replica of an encrypted source: DB instance %s is not encrypted."}
	msgReplicaKeyRequired    = awserr.Message{Kind: combo, Text: "A cross-Region read replica of the encrypted DB instance %s requires KmsKeyId: a KMS key of the destination Region."}
	msgNotReadReplica        = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "DB instance %s is not a read replica."}
	msgPromoteState          = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "DB instance %s is %s: a read replica can only be promoted while it is available."}
	msgReplicaBackups        = awserr.Message{Kind: combo, Text: "DB Backups not supported on a read replica for engine %s"}
	msgReplicaPassword       = awserr.Message{Kind: combo, Text: "The master user password of the read replica %s can't be modified: it is the source's."}
	msgReplicaManagedSecret  = awserr.Message{Kind: combo, Text: "The master user password of the read replica %s can't be managed: it is the source's."}
	msgSourceBackupsOff      = awserr.Message{Kind: combo, Text: "Automated backups can't be turned off for DB instance %s while it has read replicas."}
	msgReplicaFinalSnapshot  = awserr.Message{Kind: combo, Text: "FinalDBSnapshotIdentifier can not be specified when deleting a replica instance"}
	msgStopReplication       = awserr.Message{Kind: rdsapi.ErrInvalidDBInstanceStateFault, Text: "DB instance %s can't be stopped: it is a read replica or has read replicas."}
)

// DB subnet groups (subnetgroups.go). The coverage, in-use and invalid-subnet texts are
// AWS's, as quoted in users' reports.
var (
	msgSubnetGroupName          = awserr.Message{Kind: invalid, Text: "The parameter DBSubnetGroupName is not a valid identifier: %s. It must contain only letters, digits, periods, underscores, spaces or hyphens, and must not be default."}
	msgSubnetGroupExists        = awserr.Message{Kind: rdsapi.ErrDBSubnetGroupAlreadyExistsFault, Text: "The DB subnet group '%s' already exists."}
	msgSubnetGroupQuota         = awserr.Message{Kind: rdsapi.ErrDBSubnetGroupQuotaExceededFault, Text: "The request cannot be processed because it would exceed the maximum of %d DB subnet groups."}
	msgSubnetQuota              = awserr.Message{Kind: rdsapi.ErrDBSubnetQuotaExceededFault, Text: "A DB subnet group can have at most %d subnets."}
	msgInvalidSubnets           = awserr.Message{Kind: rdsapi.ErrInvalidSubnet, Text: "Some input subnets in :[%s] are invalid."}
	msgSubnetsVPC               = awserr.Message{Kind: rdsapi.ErrInvalidSubnet, Text: "The subnets of a DB subnet group must all be in the same VPC."}
	msgSubnetGroupAZs           = awserr.Message{Kind: rdsapi.ErrDBSubnetGroupDoesNotCoverEnoughAZs, Text: "DB Subnet Group doesn't meet availability zone coverage requirement. Please add subnets to cover at least 2 availability zones. Current coverage: %d"}
	msgSubnetInUse              = awserr.Message{Kind: rdsapi.ErrSubnetAlreadyInUse, Text: "The new subnets would leave DB instance %s outside the DB subnet group: keep a subnet in its Availability Zone and VPC."}
	msgSubnetGroupInUse         = awserr.Message{Kind: rdsapi.ErrInvalidDBSubnetGroupStateFault, Text: "Cannot delete the subnet group '%s' because at least one database instance: %s is still using it."}
	msgDeleteDefaultSubnetGroup = awserr.Message{Kind: rdsapi.ErrInvalidDBSubnetGroupStateFault, Text: "The default DB subnet group can't be deleted."}
	msgZoneNotInSubnetGroup     = awserr.Message{Kind: combo, Text: "The Availability Zone %s is not in DB subnet group %s."}
)

// text is a message the service shows in an answer other than an error: a description,
// a failure AWS Backup shows as a job's StatusMessage. It is a fmt format.
type text string

func (t text) with(args ...any) string { return fmt.Sprintf(string(t), args...) }

// Texts of answers that are not errors.
const (
	textMissingParameter         text = "The request must contain the parameter %s"
	textOfInstance               text = "of DB instance %s" // what DescribeDBInstanceAutomatedBackups did not find
	textDefaultParamGroup        text = "Default parameter group for %s"
	textDefaultClusterParamGroup text = "Default cluster parameter group for %s"
	textDefaultOptionGroup       text = "Default option group for %s %s"
	textSecretDescription        text = "Secret associated with primary RDS DB instance: %s"
	textReplicationUnreachable   text = "Replication from %s has stopped: Region %s is unreachable. The replica is %d seconds behind its source."
	textReplicationTerminated    text = "Replication has been terminated: the source DB instance %s was deleted."
)

// AWS Backup's job failures (port.Protected).
const (
	textNotInstanceARN    text = "%s is not the ARN of a DB instance"
	textInstanceElsewhere text = "DB instance %s is not in account %s and Region %s"
	textBackupNoInstance  text = "DB instance %s not found"
	textBackupState       text = "DB instance %s is not in available or stopped state: it is %s"
	textNotSnapshotARN    text = "%s is not the ARN of a DB snapshot"
	textSnapshotElsewhere text = "DB snapshot %s is not of account %s"
	textBackupNoSnapshot  text = "DB snapshot %s not found"
	textBackupSourceKey   text = "The source snapshot KMS key [%s] does not exist, is not enabled or you do not have permissions to access it."
	textBackupManagedKey  text = "DB snapshot %s is encrypted with the AWS managed key %s, which cannot be shared with account %s"
	textBackupOptionGroup text = "DB snapshot %s uses the option group %s: copying custom option groups across Regions is not supported"
	textBackupVaultKey    text = "The KMS key %s of the destination vault cannot be used: it does not exist or is not enabled"
	textNotBackupSnapshot text = "DB snapshot %s was not made by AWS Backup"
	textRestoreNoSnapshot text = "DB snapshot %s not found in %s"
	textRestoreIdentifier text = "%s is not a valid DB instance identifier"
)
