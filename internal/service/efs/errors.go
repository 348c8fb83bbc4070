package efs

import (
	"errors"

	"github.com/xregion/xregion/internal/awserr"
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
)

// The catalogue of EFS's errors: every text EFS answers is here. EFS's error shapes
// carry the code a second time, in ErrorCode (see withErrorCode).

// File systems.
var (
	msgFSNotFound      = awserr.Message{Kind: efsapi.ErrFileSystemNotFound, Text: "File system '%s' does not exist."}
	msgFSExists        = awserr.Message{Kind: efsapi.ErrFileSystemAlreadyExists, Text: "File system '%s' already exists with creation token '%s'"}
	msgFSHasTargets    = awserr.Message{Kind: efsapi.ErrFileSystemInUse, Text: "File system '%s' has mount targets."}
	msgFSReplicated    = awserr.Message{Kind: efsapi.ErrFileSystemInUse, Text: "File system '%s' is part of a replication configuration. Delete the replication configuration first."}
	msgFSState         = awserr.Message{Kind: efsapi.ErrIncorrectFileSystemLifeCycleState, Text: "File system '%s' is in the '%s' state, not 'available'."}
	msgFSReadOnly      = awserr.Message{Kind: efsapi.ErrIncorrectFileSystemLifeCycleState, Text: "File system '%s' is the destination of a replication configuration and is read-only."}
	msgKmsWithoutEnc   = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "KmsKeyId can only be specified when Encrypted is true."}
	msgKeyNotFound     = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Invalid KMS key '%s': the key does not exist or is not accessible."}
	msgKeyUnusable     = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "The KMS key '%s' is not enabled."}
	msgKeyNotSymmetric = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "The KMS key '%s' is not a symmetric encryption key; EFS supports only symmetric KMS keys."}
	msgNeedThroughput  = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "ProvisionedThroughputInMibps is required when ThroughputMode is 'provisioned'."}
	msgNoThroughput    = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "ProvisionedThroughputInMibps can only be specified when ThroughputMode is 'provisioned'."}
	msgThroughputLimit = awserr.Message{Kind: efsapi.ErrThroughputLimitExceeded, Text: "ProvisionedThroughputInMibps of %v exceeds the limit of %v MiB/s."}
	msgMaxIOElastic    = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Performance mode 'maxIO' is not supported with throughput mode 'elastic'."}
	msgMaxIOOneZone    = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Performance mode 'maxIO' is not supported for One Zone file systems."}
	msgBadZone         = awserr.Message{Kind: efsapi.ErrUnsupportedAvailabilityZone, Text: "Availability Zone '%s' is not supported in this Region."}
	msgTooSoon         = awserr.Message{Kind: efsapi.ErrTooManyRequests, Text: "The throughput mode or provisioned throughput of file system '%s' can be changed or decreased once every 24 hours; try again after %s."}
	msgNothingToUpdate = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "One of ThroughputMode or ProvisionedThroughputInMibps must be specified."}
	msgBadMarker       = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Invalid Marker: %s"}
	msgBadToken        = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Invalid NextToken: %s"}
	msgTooManyIDs      = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Only one of CreationToken and FileSystemId may be specified."}
)

// Lifecycle, backup and file system policies, protection.
var (
	msgLifecycleOne      = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Each lifecycle policy must specify exactly one of TransitionToIA, TransitionToPrimaryStorageClass and TransitionToArchive."}
	msgLifecycleTwice    = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "The lifecycle configuration specifies %s more than once."}
	msgArchiveThrough    = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Transition to Archive is supported only for file systems with the 'elastic' throughput mode and the 'generalPurpose' performance mode."}
	msgArchiveBeforeIA   = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "TransitionToArchive must be later than TransitionToIA."}
	msgBackupStatus      = awserr.Message{Kind: efsapi.ErrValidation, Text: "BackupPolicy.Status must be ENABLED or DISABLED."}
	msgPolicyNotFound    = awserr.Message{Kind: efsapi.ErrPolicyNotFound, Text: "Policy for file system '%s' does not exist."}
	msgPolicyNotJSON     = awserr.Message{Kind: efsapi.ErrInvalidPolicy, Text: "Policy is malformed: it is not a JSON object."}
	msgPolicyStatement   = awserr.Message{Kind: efsapi.ErrInvalidPolicy, Text: "Policy is malformed: Statement must be a statement or a list of statements."}
	msgPolicyNoStatement = awserr.Message{Kind: efsapi.ErrInvalidPolicy, Text: "Policy is malformed: it has no statement."}
	msgPolicyEffect      = awserr.Message{Kind: efsapi.ErrInvalidPolicy, Text: "Policy is malformed: each statement's Effect must be Allow or Deny."}
	msgPolicyParts       = awserr.Message{Kind: efsapi.ErrInvalidPolicy, Text: "Policy is malformed: each statement needs a Principal and an Action."}
	msgProtectionValue   = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "ReplicationOverwriteProtection can only be set to ENABLED or DISABLED."}
	msgProtectionInRepl  = awserr.Message{Kind: efsapi.ErrReplicationAlreadyExists, Text: "File system '%s' is the destination of a replication configuration; its replication overwrite protection cannot be changed."}
)

// Mount targets.
var (
	msgTargetNotFound    = awserr.Message{Kind: efsapi.ErrMountTargetNotFound, Text: "Mount target '%s' does not exist."}
	msgTargetState       = awserr.Message{Kind: efsapi.ErrIncorrectMountTargetState, Text: "Mount target '%s' is in the '%s' state, not 'available'."}
	msgTargetInZone      = awserr.Message{Kind: efsapi.ErrMountTargetConflict, Text: "mount target already exists in this AZ"}
	msgTargetOtherVPC    = awserr.Message{Kind: efsapi.ErrMountTargetConflict, Text: "Mount targets of file system '%s' are in VPC '%s'; a file system can have mount targets in one VPC only."}
	msgSubnetNotFound    = awserr.Message{Kind: efsapi.ErrSubnetNotFound, Text: "The subnet ID '%s' does not exist"}
	msgGroupNotFound     = awserr.Message{Kind: efsapi.ErrSecurityGroupNotFound, Text: "The security group '%s' does not exist in VPC '%s'"}
	msgTooManyGroups     = awserr.Message{Kind: efsapi.ErrSecurityGroupLimitExceeded, Text: "The number of security groups (%d) exceeds the limit of 5."}
	msgAddressInUse      = awserr.Message{Kind: efsapi.ErrIpAddressInUse, Text: "IP address %s is already in use in subnet %s."}
	msgAddressOutside    = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "IP address %s is not within the CIDR block of subnet %s."}
	msgSubnetFull        = awserr.Message{Kind: efsapi.ErrNoFreeAddressesInSubnet, Text: "Subnet %s has no free IP addresses."}
	msgZoneMismatch      = awserr.Message{Kind: efsapi.ErrAvailabilityZonesMismatch, Text: "The Availability Zone of subnet %s (%s) does not match the Availability Zone of One Zone file system '%s' (%s)."}
	msgSubnetNoIPv6      = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Subnet %s has no IPv6 CIDR block: IpAddressType %s is not possible."}
	msgSubnetNoIPv4      = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Subnet %s has no IPv4 CIDR block: IpAddressType %s is not possible."}
	msgIPv6OnlyDualStack = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Subnet %s is dual-stack: IpAddressType IPV6_ONLY needs an IPv6-only subnet."}
	msgAddressForType    = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "%s cannot be specified with IpAddressType %s."}

	// The parameters msgAddressForType names.
	paramIpAddress   = "IpAddress"
	paramIpv6Address = "Ipv6Address"
	msgTargetFilter  = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Exactly one of FileSystemId, MountTargetId and AccessPointId must be specified."}
)

// Access points.
var (
	msgPointNotFound  = awserr.Message{Kind: efsapi.ErrAccessPointNotFound, Text: "Access point '%s' does not exist."}
	msgPointExists    = awserr.Message{Kind: efsapi.ErrAccessPointAlreadyExists, Text: "Access point with client token '%s' already exists with different parameters."}
	msgPointLimit     = awserr.Message{Kind: efsapi.ErrAccessPointLimitExceeded, Text: "File system '%s' already has %d access points, the maximum."}
	msgPointFilter    = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Only one of AccessPointId and FileSystemId may be specified."}
	msgCreationNeeded = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "RootDirectory.CreationInfo requires OwnerUid, OwnerGid and Permissions."}
	msgResourceID     = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Resource '%s' is neither a file system nor an access point of this account and Region."}
)

// Replication.
var (
	msgReplNotFound       = awserr.Message{Kind: efsapi.ErrReplicationNotFound, Text: "No replication configuration found for file system '%s'."}
	msgReplExists         = awserr.Message{Kind: efsapi.ErrValidation, Text: "File system '%s' is already part of a replication configuration."}
	msgReplOneDestination = awserr.Message{Kind: efsapi.ErrValidation, Text: "A replication configuration must have exactly one destination."}
	msgReplLocalOnly      = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "DeletionMode LOCAL_CONFIGURATION_ONLY is not allowed for a replication within one Region and account."}
	msgReplBadRegion      = awserr.Message{Kind: efsapi.ErrValidation, Text: "Region '%s' is not a Region EFS can replicate to from %s."}
	msgReplDestProtected  = awserr.Message{Kind: efsapi.ErrConflict, Text: "Destination file system '%s' has replication overwrite protection enabled; disable it with UpdateFileSystemProtection first."}
	msgReplDestBusy       = awserr.Message{Kind: efsapi.ErrConflict, Text: "Destination file system '%s' is already part of a replication configuration."}
	msgReplDestNotFound   = awserr.Message{Kind: efsapi.ErrFileSystemNotFound, Text: "Destination file system '%s' does not exist in %s."}
	msgReplDestAndZone    = awserr.Message{Kind: efsapi.ErrValidation, Text: "AvailabilityZoneName and KmsKeyId cannot be given with an existing destination FileSystemId."}
	msgReplUnreachable    = awserr.Message{Kind: efsapi.ErrInternalServerError, Text: "The destination Region %s cannot be reached; try again later."}
)

// Texts that are not errors: a replication's StatusMessage.
const (
	textReplUnreachable = "Replication is waiting: Region %s cannot be reached."
	textReplFailed      = "Replication could not start: %v"
	textReplDestGone    = "The destination file system is no longer part of this replication configuration."
)

// withErrorCode adds the ErrorCode member EFS's error shapes carry beside the message.
func withErrorCode(err error) error {
	var ae *awserr.Error
	if !errors.As(err, &ae) || !ae.Sender {
		return err
	}
	if ae.Fields == nil {
		ae.Fields = map[string]string{}
	}
	ae.Fields["ErrorCode"] = ae.Code
	return ae
}

// Tags.
var (
	msgTooManyTags = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "A resource can have at most 50 tags; this request would give '%s' %d."}
	msgAWSTag      = awserr.Message{Kind: efsapi.ErrBadRequest, Text: "Tag keys starting with 'aws:' are reserved for AWS use."}
)

// Texts of AWS Backup's jobs about file systems (their StatusMessage).
const (
	textBackupState         = "File system %s is %s; it can be backed up when it is available."
	textNotFileSystemARN    = "%s is not the ARN of an EFS file system."
	textFileSystemElsewhere = "%s is not a file system of account %s in %s."
	textNotImageARN         = "%s is not the ARN of an EFS recovery point."
	textImageNotFound       = "Recovery point %s does not exist."
	textKeyUnusable         = "The KMS key %s cannot be used."
	textBadItems            = "ItemsToRestore must be a JSON list of absolute paths: %s"
	textRestoreTarget       = "File system %s cannot be restored into: it must be available, writable, and in the recovery point's Region."
)
