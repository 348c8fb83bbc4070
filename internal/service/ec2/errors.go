package ec2

import "github.com/xregion/xregion/internal/awserr"

// The catalogue of EC2's errors: every text EC2 answers is here, with its error. EC2's
// model declares no error shapes, so the kinds are declared here too, with the codes and
// statuses of AWS's EC2 error codes reference; the texts are AWS's where AWS shows them.

func kind(code string, status int) awserr.Kind {
	return awserr.Kind{Code: code, Status: status, Sender: true}
}

// Error kinds.
var (
	errDryRun            = kind("DryRunOperation", 412)
	errUnauthorized      = kind("UnauthorizedOperation", awserr.StatusForbidden)
	errInvalidValue      = awserr.InvalidParameterValue
	errInvalidCombo      = awserr.InvalidParameterCombo
	errMissing           = awserr.MissingParameter
	errInvalidParameter  = kind("InvalidParameter", awserr.StatusBadRequest)
	errDependency        = kind("DependencyViolation", awserr.StatusBadRequest)
	errDependencyParam   = kind("InvalidParameterDependency", awserr.StatusBadRequest)
	errIncorrectState    = kind("IncorrectState", awserr.StatusBadRequest)
	errPaginationToken   = kind("InvalidPaginationToken", awserr.StatusBadRequest)
	errInvalidID         = kind("InvalidID", awserr.StatusBadRequest)
	errIdempotency       = kind("IdempotentParameterMismatch", awserr.StatusBadRequest)
	errCannotDelete      = kind("CannotDelete", awserr.StatusBadRequest)
	errAlreadyAssociated = kind("Resource.AlreadyAssociated", awserr.StatusBadRequest)
	errNotAttached       = kind("Gateway.NotAttached", awserr.StatusBadRequest)
	errVpcRange          = kind("InvalidVpc.Range", awserr.StatusBadRequest)
	errSubnetRange       = kind("InvalidSubnet.Range", awserr.StatusBadRequest)
	errSubnetConflict    = kind("InvalidSubnet.Conflict", awserr.StatusBadRequest)
	errCidrLimit         = kind("CidrLimitExceeded", awserr.StatusBadRequest)
	errCidrInUse         = kind("InvalidCidrBlock.InUse", awserr.StatusBadRequest)
	errGroupDuplicate    = kind("InvalidGroup.Duplicate", awserr.StatusBadRequest)
	errRuleDuplicate     = kind("InvalidPermission.Duplicate", awserr.StatusBadRequest)
	errRuleNotFound      = kind("InvalidPermission.NotFound", awserr.StatusBadRequest)
	errRouteExists       = kind("RouteAlreadyExists", awserr.StatusBadRequest)
	errRouteNotFound     = kind("InvalidRoute.NotFound", awserr.StatusBadRequest)
	errAssocNotFound     = kind("InvalidAssociationID.NotFound", awserr.StatusBadRequest)
	errTagLimit          = kind("TagLimitExceeded", awserr.StatusBadRequest)
)

// Not-found and malformed ids, one pair per kind of resource.
var (
	msgVpcNotFound       = awserr.Message{Kind: kind("InvalidVpcID.NotFound", 400), Text: "The vpc ID '%s' does not exist"}
	msgVpcMalformed      = awserr.Message{Kind: kind("InvalidVpcID.Malformed", 400), Text: `Invalid id: "%s" (expecting "vpc-...")`}
	msgSubnetNotFound    = awserr.Message{Kind: kind("InvalidSubnetID.NotFound", 400), Text: "The subnet ID '%s' does not exist"}
	msgSubnetMalformed   = awserr.Message{Kind: kind("InvalidSubnetID.Malformed", 400), Text: `Invalid id: "%s" (expecting "subnet-...")`}
	msgGroupNotFound     = awserr.Message{Kind: kind("InvalidGroup.NotFound", 400), Text: "The security group '%s' does not exist"}
	msgGroupNameNotFound = awserr.Message{Kind: kind("InvalidGroup.NotFound", 400), Text: "The security group '%s' does not exist in default VPC '%s'"}
	msgGroupMalformed    = awserr.Message{Kind: kind("InvalidGroupId.Malformed", 400), Text: `Invalid id: "%s" (expecting "sg-...")`}
	msgRuleIDNotFound    = awserr.Message{Kind: kind("InvalidSecurityGroupRuleId.NotFound", 400), Text: "The security group rule ID '%s' does not exist"}
	msgRuleIDMalformed   = awserr.Message{Kind: kind("InvalidSecurityGroupRuleId.Malformed", 400), Text: `Invalid id: "%s" (expecting "sgr-...")`}
	msgTableNotFound     = awserr.Message{Kind: kind("InvalidRouteTableID.NotFound", 400), Text: "The routeTable ID '%s' does not exist"}
	msgTableMalformed    = awserr.Message{Kind: kind("InvalidRouteTableId.Malformed", 400), Text: `Invalid id: "%s" (expecting "rtb-...")`}
	msgGatewayNotFound   = awserr.Message{Kind: kind("InvalidInternetGatewayID.NotFound", 400), Text: "The internetGateway ID '%s' does not exist"}
	msgGatewayMalformed  = awserr.Message{Kind: kind("InvalidInternetGatewayId.Malformed", 400), Text: `Invalid id: "%s" (expecting "igw-...")`}
	msgACLNotFound       = awserr.Message{Kind: kind("InvalidNetworkAclID.NotFound", 400), Text: "The networkAcl ID '%s' does not exist"}
	msgACLMalformed      = awserr.Message{Kind: kind("InvalidNetworkAclId.Malformed", 400), Text: `Invalid id: "%s" (expecting "acl-...")`}
	msgENINotFound       = awserr.Message{Kind: kind("InvalidNetworkInterfaceID.NotFound", 400), Text: "The networkInterface ID '%s' does not exist"}
	msgDHCPNotFound      = awserr.Message{Kind: kind("InvalidDhcpOptionID.NotFound", 400), Text: "The dhcpOption ID '%s' does not exist"}
	msgENIMalformed      = awserr.Message{Kind: kind("InvalidNetworkInterfaceId.Malformed", 400), Text: `Invalid id: "%s" (expecting "eni-...")`}
)

// Requests.
var (
	msgDryRun            = awserr.Message{Kind: errDryRun, Text: "Request would have succeeded, but DryRun flag is set."}
	msgBadNextToken      = awserr.Message{Kind: errPaginationToken, Text: "The token '%s' is invalid."}
	msgIDsWithMaxResults = awserr.Message{Kind: errInvalidCombo, Text: "The parameter %s cannot be used with the parameter maxResults"}
	msgBadFilter         = awserr.Message{Kind: errInvalidValue, Text: "The filter '%s' is invalid"}
	msgFilterNoName      = awserr.Message{Kind: errInvalidValue, Text: "The filter 'null' is invalid"}
	msgOneAttribute      = awserr.Message{Kind: errInvalidCombo, Text: "Fields for multiple attribute types specified: %s"}
	msgNoAttribute       = awserr.Message{Kind: errMissing, Text: "The request must contain the parameter %s"}
	msgIdempotency       = awserr.Message{Kind: errIdempotency, Text: "Client token %s was used in a previous request with different parameters."}
	msgBadZone           = awserr.Message{Kind: errInvalidValue, Text: "Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %s."}
	msgBadZoneID         = awserr.Message{Kind: errInvalidValue, Text: "Value (%s) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zones: %s."}
	msgZoneAndID         = awserr.Message{Kind: errInvalidCombo, Text: "The parameters AvailabilityZone and AvailabilityZoneId cannot be used together."}
	msgRegionNotFound    = awserr.Message{Kind: errInvalidValue, Text: "Invalid region: %s"}
	msgZoneNotFound      = awserr.Message{Kind: errInvalidValue, Text: "The zone '%s' does not exist."}
	msgUnsupportedOption = awserr.Message{Kind: errInvalidParameter, Text: "xregion does not support the parameter %s."}
	msgTenancy           = awserr.Message{Kind: errInvalidValue, Text: "The tenancy value %s is not supported."}
	msgTenancyChange     = awserr.Message{Kind: errInvalidValue, Text: "The tenancy of a VPC can only be changed to default."}
	msgDNSHostnames      = awserr.Message{Kind: errInvalidParameter, Text: "Can't enable DNS hostnames for a VPC without DNS support."}
)

// Tags.
var (
	msgTagResourceID  = awserr.Message{Kind: errInvalidID, Text: "The ID '%s' is not valid"}
	msgTagKeyEmpty    = awserr.Message{Kind: errInvalidValue, Text: "Tag key cannot be null or empty."}
	msgTagKeyLong     = awserr.Message{Kind: errInvalidValue, Text: "Tag key exceeds the maximum length of 128 characters"}
	msgTagValueLong   = awserr.Message{Kind: errInvalidValue, Text: "Tag value exceeds the maximum length of 256 characters"}
	msgTagKeyAWS      = awserr.Message{Kind: errInvalidValue, Text: "Tag keys starting with 'aws:' are reserved for internal use"}
	msgTagLimit       = awserr.Message{Kind: errTagLimit, Text: "The maximum number of tags for a resource has been reached (50)."}
	msgTagSpecType    = awserr.Message{Kind: errInvalidValue, Text: "'%s' is not a valid taggable resource type for this operation."}
	msgTagSpecMissing = awserr.Message{Kind: errMissing, Text: "The request must contain the parameter TagSpecification.%d.ResourceType"}
	msgTagSpecTwice   = awserr.Message{Kind: errInvalidValue, Text: "The same resource type may not be specified more than once in tag specifications"}
	msgTagSpecEmpty   = awserr.Message{Kind: errInvalidValue, Text: "Tag specification must have at least one tag"}
)

// VPCs, subnets and their CIDR blocks.
var (
	msgVpcHasDependencies    = awserr.Message{Kind: errDependency, Text: "The vpc '%s' has dependencies and cannot be deleted."}
	msgSubnetHasDependencies = awserr.Message{Kind: errDependency, Text: "The subnet '%s' has dependencies and cannot be deleted."}
	msgNeedCidr              = awserr.Message{Kind: errMissing, Text: "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided."}
	msgBadCidr               = awserr.Message{Kind: errInvalidValue, Text: "Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block."}
	msgVpcRange              = awserr.Message{Kind: errVpcRange, Text: "The CIDR '%s' is invalid."}
	msgSubnetRange           = awserr.Message{Kind: errSubnetRange, Text: "The CIDR '%s' is invalid."}
	msgSubnetConflict        = awserr.Message{Kind: errSubnetConflict, Text: "The CIDR '%s' conflicts with another subnet"}
	msgCidrOverlap           = awserr.Message{Kind: errInvalidValue, Text: "The CIDR '%s' overlaps with an existing CIDR block of the VPC."}
	msgCidrLimit             = awserr.Message{Kind: errCidrLimit, Text: "This network '%s' has met its maximum number of allowed CIDRs: 5"}
	msgCidrAssocNotFound     = awserr.Message{Kind: kind("InvalidVpcCidrBlockAssociationID.NotFound", 400), Text: "The vpc CIDR block association ID '%s' does not exist"}
	msgSubnetCidrNotFound    = awserr.Message{Kind: kind("InvalidSubnetCidrBlockAssociationID.NotFound", 400), Text: "The subnet CIDR block with association ID '%s' does not exist"}
	msgPrimaryCidr           = awserr.Message{Kind: kind("OperationNotPermitted", 400), Text: "The vpc CIDR block with association ID %s may not be disassociated. It is the primary IPv4 CIDR block of the VPC"}
	msgIPv6Only              = awserr.Message{Kind: errInvalidParameter, Text: "xregion assigns Amazon-provided IPv6 blocks only: set AmazonProvidedIpv6CidrBlock."}
	msgIPv6Exists            = awserr.Message{Kind: errCidrLimit, Text: "This network '%s' already has an IPv6 CIDR block."}
	msgSubnetIPv6Size        = awserr.Message{Kind: errInvalidValue, Text: "invalid value for parameter ipv6-cidr-block: %s"}
	msgSubnetIPv6Range       = awserr.Message{Kind: errSubnetRange, Text: "The IPv6 CIDR '%s' is invalid."}
	msgNativeWithIPv4        = awserr.Message{Kind: errInvalidCombo, Text: "An IPv6-native subnet cannot have an IPv4 CIDR block: omit cidrBlock or set ipv6Native to false."}
	msgNativeAssigns         = awserr.Message{Kind: errInvalidValue, Text: "Invalid value 'false' for assign-ipv6-address-on-creation. The subnet (%s) is IPv6-only: its interfaces have IPv6 addresses only."}
	msgNativeNeedsIPv6       = awserr.Message{Kind: errMissing, Text: "An IPv6-native subnet needs the parameter ipv6CidrBlock."}
	msgSubnetIPv6Exists      = awserr.Message{Kind: errCidrLimit, Text: "The subnet '%s' already has an IPv6 CIDR block."}
	msgSubnetNoVpcIPv6       = awserr.Message{Kind: errInvalidParameter, Text: "The VPC '%s' has no IPv6 CIDR block."}
	msgVpcCidrInUse          = awserr.Message{Kind: errCidrInUse, Text: "The vpc %s currently has a subnet within CIDR block %s"}
	msgSubnetIPv6InUse       = awserr.Message{Kind: errCidrInUse, Text: "The subnet IPv6 CIDR block with association ID %s may not be disassociated, because its subnet has assign-ipv6-address-on-creation set to true."}
	msgAssignIPv6NoBlock     = awserr.Message{Kind: errInvalidValue, Text: "Invalid value 'true' for assign-ipv6-address-on-creation. Cannot set assign-ipv6-address-on-creation to true unless the subnet (%s) has an IPv6 CIDR block associated with it."}
	msgBorderGroup           = awserr.Message{Kind: errInvalidValue, Text: "The network border group '%s' is invalid for the Region %s."}
	msgCidrRestricted        = awserr.Message{Kind: errVpcRange, Text: "The CIDR '%s' is restricted. Use a CIDR from the same private address range as the current VPC CIDR, or use a publicly-routable CIDR."}
)

// Security groups and their rules.
var (
	msgGroupDuplicate     = awserr.Message{Kind: errGroupDuplicate, Text: "The security group '%s' already exists for VPC '%s'"}
	msgGroupNameReserved  = awserr.Message{Kind: errInvalidParameter, Text: "Group names may not be in the format sg-*."}
	msgGroupDefaultName   = awserr.Message{Kind: errInvalidValue, Text: "Cannot use reserved security group name: default"}
	msgGroupNeedVpc       = awserr.Message{Kind: errInvalidValue, Text: "No default VPC for this user"}
	msgGroupIDOrName      = awserr.Message{Kind: errMissing, Text: "The request must contain the parameter groupName or groupId"}
	msgCannotDeleteGroup  = awserr.Message{Kind: errCannotDelete, Text: "the specified group: \"%s\" name: \"default\" cannot be deleted by a user"}
	msgGroupInUse         = awserr.Message{Kind: errDependency, Text: "resource %s has a dependent object"}
	msgRuleDuplicate      = awserr.Message{Kind: errRuleDuplicate, Text: "the specified rule \"%s\" already exists"}
	msgRuleNotFound       = awserr.Message{Kind: errRuleNotFound, Text: "The specified rule does not exist in this security group."}
	msgNoPermissions      = awserr.Message{Kind: errMissing, Text: "The request must contain the parameter ipPermissions"}
	msgPortsRequired      = awserr.Message{Kind: errInvalidValue, Text: "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange"}
	msgBadPortRange       = awserr.Message{Kind: errInvalidValue, Text: "Invalid value '%d-%d' for portRange. Must be a valid port range."}
	msgBadICMP            = awserr.Message{Kind: errInvalidValue, Text: "Invalid value '%d' for ICMP type. Must be between -1 and 255."}
	msgBadProtocol        = awserr.Message{Kind: errInvalidValue, Text: "Invalid value '%s' for IP protocol. Unknown protocol."}
	msgBadRuleCidr        = awserr.Message{Kind: errInvalidValue, Text: "CIDR block %s is malformed"}
	msgRulePeerMissing    = awserr.Message{Kind: errMissing, Text: "Either cidrIpv4, cidrIpv6, prefixListId or referencedGroupId must be specified."}
	msgRuleOneSource      = awserr.Message{Kind: errInvalidCombo, Text: "Only one of cidrIpv4, cidrIpv6, prefixListId or referencedGroupId may be specified."}
	msgRuleNotInGroup     = awserr.Message{Kind: errInvalidParameter, Text: "The security group rule '%s' does not belong to the security group '%s'"}
	msgGroupDescription   = awserr.Message{Kind: errInvalidParameter, Text: "Invalid security group description. Valid descriptions are strings less than 256 characters from the following set: a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"}
	msgGroupNameLength    = awserr.Message{Kind: errInvalidParameter, Text: "Invalid security group name. Valid names are strings less than 256 characters from the following set: a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"}
	msgReferencedAcrossVp = awserr.Message{Kind: errInvalidParameter, Text: "You have specified two resources that belong to different networks."}
)

// Route tables, routes and internet gateways.
var (
	msgTableHasDependencies = awserr.Message{Kind: errDependency, Text: "The routeTable '%s' has dependencies and cannot be deleted."}
	msgRouteExists          = awserr.Message{Kind: errRouteExists, Text: "The route identified by %s already exists."}
	msgRouteNotFound        = awserr.Message{Kind: errRouteNotFound, Text: "no route with destination-cidr-block %s in route table %s"}
	msgReplaceMissing       = awserr.Message{Kind: errInvalidValue, Text: "There is no route defined for '%s' in the route table. Use CreateRoute instead."}
	msgRouteDestination     = awserr.Message{Kind: errMissing, Text: "The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock"}
	msgRouteBadDestination  = awserr.Message{Kind: errInvalidValue, Text: "Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block."}
	msgRouteTarget          = awserr.Message{Kind: errMissing, Text: "The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcPeeringConnectionId, transitGatewayId, egressOnlyInternetGatewayId, instanceId, localGatewayId, carrierGatewayId, vpcEndpointId or coreNetworkArn"}
	msgRouteLocal           = awserr.Message{Kind: errInvalidParameter, Text: "The route %s is the local route of the VPC and cannot be changed or deleted."}
	msgRouteGatewayVpc      = awserr.Message{Kind: errInvalidParameter, Text: "route table %s and network gateway %s belong to different networks"}
	msgAssocNotFound        = awserr.Message{Kind: errAssocNotFound, Text: "The association ID '%s' does not exist"}
	msgSubnetAssociated     = awserr.Message{Kind: errAlreadyAssociated, Text: "the specified association for route table %s conflicts with an existing association"}
	msgAssociateTarget      = awserr.Message{Kind: errMissing, Text: "The request must contain the parameter subnetId or gatewayId"}
	msgAssociateOtherVpc    = awserr.Message{Kind: errInvalidParameter, Text: "Route table %s and subnet %s belong to different networks."}
	msgDisassociateMain     = awserr.Message{Kind: errInvalidParameter, Text: "Cannot disassociate the main route table association %s"}
	msgGatewayHasDependency = awserr.Message{Kind: errDependency, Text: "The internetGateway '%s' has dependencies and cannot be deleted."}
	msgGatewayAttached      = awserr.Message{Kind: errAlreadyAssociated, Text: "resource %s is already attached to network %s"}
	msgVpcHasGateway        = awserr.Message{Kind: errInvalidValue, Text: "Network %s already has an internet gateway attached"}
	msgGatewayNotAttached   = awserr.Message{Kind: errNotAttached, Text: "resource %s is not attached to network %s"}
	msgUnknownRouteTarget   = awserr.Message{Kind: errInvalidValue, Text: "The route target '%s' does not exist"}
	msgInterfaceNotInVpc    = awserr.Message{Kind: errInvalidParameter, Text: "route table %s and network interface %s belong to different networks"}
)

// EBS volumes.
var (
	msgVolumeNotFound    = awserr.Message{Kind: kind("InvalidVolume.NotFound", 400), Text: "The volume '%s' does not exist."}
	msgVolumeMalformed   = awserr.Message{Kind: kind("InvalidVolumeID.Malformed", 400), Text: `Invalid id: "%s" (expecting "vol-...")`}
	msgVolumeTooSmall    = awserr.Message{Kind: errInvalidValue, Text: "Volume of %dGiB is too small; minimum is %dGiB."}
	msgVolumeTooLarge    = awserr.Message{Kind: errInvalidValue, Text: "Volume of %dGiB is too large; maximum is %dGiB."}
	msgVolumeSmallerSnap = awserr.Message{Kind: errInvalidValue, Text: "Volume of size %dGB is smaller than snapshot '%s', expect size >= %dGB"}
	msgVolumeNeedsSize   = awserr.Message{Kind: errMissing, Text: "The request must contain the parameter size or snapshotId"}
	msgVolumeNeedsZone   = awserr.Message{Kind: errMissing, Text: "The request must contain the parameter AvailabilityZone or AvailabilityZoneId"}
	msgVolumeBadZone     = awserr.Message{Kind: errInvalidValue, Text: "Invalid availability zone: [%s]"}
	msgMultiAttachType   = awserr.Message{Kind: errInvalidCombo, Text: "The parameter multiAttachEnabled is not supported for %s volumes."}
	msgIopsNotSupported  = awserr.Message{Kind: errInvalidCombo, Text: "The parameter iops is not supported for %s volumes."}
	msgIopsRequired      = awserr.Message{Kind: errInvalidCombo, Text: "The parameter iops must be specified for %s volumes."}
	msgIopsTooLow        = awserr.Message{Kind: errInvalidValue, Text: "Volume iops of %d is too low; minimum is %d."}
	msgIopsTooHigh       = awserr.Message{Kind: errInvalidValue, Text: "Volume iops of %d is too high; maximum is %d."}
	msgIopsRatio         = awserr.Message{Kind: errInvalidValue, Text: "Iops to volume size ratio of %f is too high; maximum is %f."}
	msgThroughputType    = awserr.Message{Kind: errInvalidCombo, Text: "throughput can only be specified for volumeType gp3."}
	msgThroughputTooLow  = awserr.Message{Kind: errInvalidValue, Text: "Volume throughput of %d MiB/s is too low; minimum is %d MiB/s."}
	msgThroughputTooHigh = awserr.Message{Kind: errInvalidValue, Text: "Volume throughput of %d MiB/s is too high; maximum is %d MiB/s."}
	msgThroughputRatio   = awserr.Message{Kind: errInvalidValue, Text: "Throughput (MiBps) to iops ratio of %f is too high; maximum is %f MiBps per iops."}
	msgKeyWithoutEncrypt = awserr.Message{Kind: errDependencyParam, Text: "The parameter KmsKeyId requires the parameter Encrypted to be set."}
	msgKeyNotFound       = awserr.Message{Kind: errInvalidValue, Text: "Value (%s) for parameter kmsKeyId is invalid. The key does not exist."}
	msgKeyNotSymmetric   = awserr.Message{Kind: errInvalidValue, Text: "Value (%s) for parameter kmsKeyId is invalid. Amazon EBS supports only symmetric encryption KMS keys."}
	msgKeyState          = awserr.Message{Kind: kind("InvalidKMSKey.InvalidState", 400), Text: "The KMS key provided is in an incorrect state"}
	msgVolumeState       = awserr.Message{Kind: errIncorrectState, Text: "The volume '%s' is '%s'"}
	msgVolumeIdempotency = awserr.Message{Kind: errIdempotency, Text: "Client token %s was used in a previous request with different parameters."}
	msgModifying         = awserr.Message{Kind: kind("IncorrectModificationState", 400), Text: "Cannot modify volume %s: a modification is in progress (%s)."}
	msgModifyRate        = awserr.Message{Kind: kind("VolumeModificationRateExceeded", 400), Text: "You've reached the maximum modification rate per volume limit. Wait at least 6 hours between modifications per EBS volume."}
	msgModifyNothing     = awserr.Message{Kind: errInvalidCombo, Text: "New size, type, iops, throughput or multi-attach must be different from the current."}
	msgModifyShrink      = awserr.Message{Kind: errInvalidValue, Text: "New size cannot be smaller than existing size"}
)

// EBS snapshots.
var (
	msgSnapshotNotFound        = awserr.Message{Kind: kind("InvalidSnapshot.NotFound", 400), Text: "The snapshot '%s' does not exist."}
	msgSnapshotMalformed       = awserr.Message{Kind: kind("InvalidSnapshotID.Malformed", 400), Text: `Invalid id: "%s" (expecting "snap-...")`}
	msgSnapshotInUse           = awserr.Message{Kind: kind("InvalidSnapshot.InUse", 400), Text: "The snapshot %s is currently in use by %s"}
	msgSnapshotState           = awserr.Message{Kind: errIncorrectState, Text: "Snapshot is in invalid state - %s"}
	msgSnapshotArchived        = awserr.Message{Kind: errIncorrectState, Text: "Snapshot %s is in the archive tier. Restore it to use it."}
	msgSnapshotNotOwned        = awserr.Message{Kind: errUnauthorized, Text: "You are not authorized to perform this operation. The snapshot %s belongs to another account."}
	msgSnapshotNotOwnedEncoded = awserr.Message{Kind: errUnauthorized, Text: "You are not authorized to perform this operation. The snapshot %s belongs to another account. Encoded authorization failure message: %s"}
	msgProductCodes            = awserr.Message{Kind: errInvalidParameter, Text: "The attribute productCodes cannot be modified."}
	msgPermissionNeeded        = awserr.Message{Kind: errMissing, Text: "The request must contain the parameter createVolumePermission or userId or groupName"}
	msgOperationType           = awserr.Message{Kind: errMissing, Text: "The request must contain the parameter operationType"}
	msgBadUserID               = awserr.Message{Kind: errInvalidValue, Text: "Invalid user id: '%s'"}
	msgBadGroupName            = awserr.Message{Kind: errInvalidValue, Text: "The group name '%s' is not valid: the only group is 'all'."}
	msgShareManagedKey         = awserr.Message{Kind: kind("OperationNotPermitted", 400), Text: "Encrypted snapshots with EBS default key cannot be shared"}
	msgSharePublicCrypted      = awserr.Message{Kind: kind("OperationNotPermitted", 400), Text: "Encrypted snapshots cannot be made public"}
	msgSourceRegion            = awserr.Message{Kind: errInvalidValue, Text: "Value (%s) for parameter sourceRegion is invalid. It is not a Region of this partition."}
	msgDestinationRegion       = awserr.Message{Kind: errInvalidValue, Text: "Value (%s) for parameter destinationRegion is invalid. The request was sent to %s."}
	msgPresignRequired         = awserr.Message{Kind: errMissing, Text: "The request must contain the parameter PresignedUrl to copy an encrypted snapshot"}
	msgPresignRefused          = awserr.Message{Kind: errInvalidValue, Text: "PresignedUrl could not be authenticated."}
	msgTierState               = awserr.Message{Kind: errIncorrectState, Text: "The snapshot %s is %s; it cannot be %s."}
	msgRestoreDays             = awserr.Message{Kind: errInvalidCombo, Text: "Specify either TemporaryRestoreDays or PermanentRestore."}
	msgSnapshotOfBackup        = awserr.Message{Kind: errInvalidValue, Text: "This snapshot is managed by the AWS Backup service and cannot be deleted via EC2 APIs. If you wish to delete this snapshot, please do so via the Backup console."}
)

// The texts of AWS Backup's jobs on EBS (port.Protected), and the description AWS gives
// the snapshots they make.
const (
	textBackupDescription = "This snapshot is created by the AWS Backup service."
	textBackupVolumeState = "Volume %s is %s: only available and in-use volumes can be backed up."
	textNotVolumeARN      = "%s is not the ARN of an EBS volume."
	textVolumeElsewhere   = "Volume %s is not in account %s and Region %s."
	textNotSnapshotARN    = "%s is not the ARN of an EBS snapshot."
	textNotBackupSnapshot = "Snapshot %s was not made by AWS Backup."
	textSnapshotElsewhere = "Snapshot %s cannot be restored in %s: restore it in its own Region."
	textRestoreNeedsZone  = "The restore metadata must give %s."
	textRestoreBadNumber  = "The restore metadata's %s is not a number: %q."
	textRestoreBadBool    = "The restore metadata's %s is not true or false: %q."
)

// msgCopyFailed is the StateMessage of a copy that failed for good.
const msgCopyFailed = "The source snapshot %s in %s could not be copied: %v"

// The parameters errors name.
const (
	paramAutoEnableIO                = "AutoEnableIO"
	paramDestinationAvailabilityZone = "DestinationAvailabilityZone"
	paramDestinationOutpostArn       = "DestinationOutpostArn"
	paramEnableLniAtDeviceIndex      = "EnableLniAtDeviceIndex"
	paramIpPermissionsIpProtocol     = "IpPermissions.IpProtocol"
	paramIpamPoolId                  = "IpamPoolId"
	paramIpv4IpamPoolId              = "Ipv4IpamPoolId"
	paramIpv6CidrBlock               = "Ipv6CidrBlock"
	paramIpv6IpamPoolId              = "Ipv6IpamPoolId"
	paramLocation                    = "Location"
	paramMapCustomerOwnedIpOnLaunch  = "MapCustomerOwnedIpOnLaunch"
	paramOperator                    = "Operator"
	paramOutpostArn                  = "OutpostArn"
	paramPublicIpv4Pool              = "PublicIpv4Pool"
	paramSecurityGroupRule           = "SecurityGroupRule"
	paramSecurityGroupRuleId         = "SecurityGroupRuleId"
	paramSnapshotId                  = "SnapshotId"
	paramVolumeInitializationRate    = "VolumeInitializationRate"
)
