// Package ec2 is xregion's slice of Amazon EC2: the Regions and zones, the default VPC
// AWS gives every account in every Region, VPCs, subnets, security groups, route tables,
// internet gateways and network ACLs enough for a Terraform network module, and EBS —
// volumes that hold data, encryption by default, incremental snapshots, their sharing
// and their copies across Regions. It provides port.Network (where RDS and EFS place
// their resources) and port.Protected for AWS Backup's EBS resource type.
package ec2

import (
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

func init() {
	service.Register(service.Module{Name: serviceName, New: func(d service.Deps) (service.Service, error) { return New(d) }})
}

// Service is EC2.
type Service struct {
	*kit.Kit
	keys    port.KeyRing
	presign port.PresignedURLs
	pages   kit.Pager
	// authz seals the details of UnauthorizedOperation answers (STS's); nil without STS.
	authz port.AuthorizationMessages
	// keyAccess makes and retires the grants of encrypted volumes (KMS's).
	keyAccess port.KeyAccess
}

var (
	_ service.Service   = (*Service)(nil)
	_ service.Validator = (*Service)(nil)
	_ port.Network      = (*Service)(nil)
)

// New builds the service, registers its jobs, provides the network and asks for the key
// ring and the presigned-URL checks.
func New(d service.Deps) (*Service, error) {
	k, err := kit.New(serviceName, d.Deps)
	if err != nil {
		return nil, err
	}
	s := &Service{Kit: k}
	s.pages = k.Pager(func(token string) error { return msgBadNextToken.New(token) })
	s.registerJobs()
	service.Provide[port.Network](d.Ports, s)
	service.Provide[port.SnapshotHolds](d.Ports, s)
	service.Provide[port.VolumeData](d.Ports, s)
	service.Provide[port.Protected](d.Ports, s.AWSBackup())
	service.Need(d.Ports, &s.keys)
	service.Need(d.Ports, &s.presign)
	service.Want(d.Ports, &s.authz)
	service.Want(d.Ports, &s.keyAccess)
	return s, nil
}

// Model is the EC2 API model (the slice listed in internal/gen/ec2.operations).
func (s *Service) Model() *awsmodel.API { return ec2api.Model() }

// Validation is EC2's: an absent required parameter is MissingParameter. The EC2 codec
// checks the wire first, with EC2's texts for every constraint; this is what callers
// inside the process (the tests of the service alone) meet.
func (s *Service) Validation() awsmodel.Validation {
	return awsmodel.Validation{
		Invalid: awserr.InvalidParameterValue,
		Missing: awserr.MissingParameter,
		MissingText: func(wirePath string) string {
			parts := strings.Split(wirePath, ".")
			for i, p := range parts {
				parts[i] = awsmodel.GoName(p)
			}
			return msgNoAttribute.New(strings.Join(parts, ".")).Message
		},
		SkipEnums: true,
	}
}

// Handlers binds every operation of the model's slice.
func (s *Service) Handlers() []awsmodel.Handler {
	return []awsmodel.Handler{
		ec2api.OpDescribeRegions.Handle(s.describeRegions),
		ec2api.OpDescribeAvailabilityZones.Handle(s.describeAvailabilityZones),
		ec2api.OpDescribeAccountAttributes.Handle(s.describeAccountAttributes),
		ec2api.OpCreateTags.Handle(s.createTags),
		ec2api.OpDeleteTags.Handle(s.deleteTags),
		ec2api.OpDescribeTags.Handle(s.describeTags),
		ec2api.OpCreateVpc.Handle(s.createVpc),
		ec2api.OpDeleteVpc.Handle(s.deleteVpc),
		ec2api.OpDescribeVpcs.Handle(s.describeVpcs),
		ec2api.OpDescribeVpcAttribute.Handle(s.describeVpcAttribute),
		ec2api.OpModifyVpcAttribute.Handle(s.modifyVpcAttribute),
		ec2api.OpModifyVpcTenancy.Handle(s.modifyVpcTenancy),
		ec2api.OpAssociateVpcCidrBlock.Handle(s.associateVpcCidrBlock),
		ec2api.OpDisassociateVpcCidrBlock.Handle(s.disassociateVpcCidrBlock),
		ec2api.OpDescribeNetworkAcls.Handle(s.describeNetworkAcls),
		ec2api.OpCreateSubnet.Handle(s.createSubnet),
		ec2api.OpDeleteSubnet.Handle(s.deleteSubnet),
		ec2api.OpDescribeSubnets.Handle(s.describeSubnets),
		ec2api.OpModifySubnetAttribute.Handle(s.modifySubnetAttribute),
		ec2api.OpAssociateSubnetCidrBlock.Handle(s.associateSubnetCidrBlock),
		ec2api.OpDisassociateSubnetCidrBlock.Handle(s.disassociateSubnetCidrBlock),
		ec2api.OpCreateSecurityGroup.Handle(s.createSecurityGroup),
		ec2api.OpDeleteSecurityGroup.Handle(s.deleteSecurityGroup),
		ec2api.OpDescribeSecurityGroups.Handle(s.describeSecurityGroups),
		ec2api.OpAuthorizeSecurityGroupIngress.Handle(s.authorizeSecurityGroupIngress),
		ec2api.OpAuthorizeSecurityGroupEgress.Handle(s.authorizeSecurityGroupEgress),
		ec2api.OpRevokeSecurityGroupIngress.Handle(s.revokeSecurityGroupIngress),
		ec2api.OpRevokeSecurityGroupEgress.Handle(s.revokeSecurityGroupEgress),
		ec2api.OpDescribeSecurityGroupRules.Handle(s.describeSecurityGroupRules),
		ec2api.OpModifySecurityGroupRules.Handle(s.modifySecurityGroupRules),
		ec2api.OpUpdateSecurityGroupRuleDescriptionsIngress.Handle(s.updateSecurityGroupRuleDescriptionsIngress),
		ec2api.OpUpdateSecurityGroupRuleDescriptionsEgress.Handle(s.updateSecurityGroupRuleDescriptionsEgress),
		ec2api.OpDescribeNetworkInterfaces.Handle(s.describeNetworkInterfaces),
		ec2api.OpCreateRouteTable.Handle(s.createRouteTable),
		ec2api.OpDeleteRouteTable.Handle(s.deleteRouteTable),
		ec2api.OpDescribeRouteTables.Handle(s.describeRouteTables),
		ec2api.OpCreateRoute.Handle(s.createRoute),
		ec2api.OpDeleteRoute.Handle(s.deleteRoute),
		ec2api.OpReplaceRoute.Handle(s.replaceRoute),
		ec2api.OpAssociateRouteTable.Handle(s.associateRouteTable),
		ec2api.OpDisassociateRouteTable.Handle(s.disassociateRouteTable),
		ec2api.OpReplaceRouteTableAssociation.Handle(s.replaceRouteTableAssociation),
		ec2api.OpCreateInternetGateway.Handle(s.createInternetGateway),
		ec2api.OpDeleteInternetGateway.Handle(s.deleteInternetGateway),
		ec2api.OpDescribeInternetGateways.Handle(s.describeInternetGateways),
		ec2api.OpAttachInternetGateway.Handle(s.attachInternetGateway),
		ec2api.OpDetachInternetGateway.Handle(s.detachInternetGateway),
		ec2api.OpCreateVolume.Handle(s.createVolume),
		ec2api.OpDeleteVolume.Handle(s.deleteVolume),
		ec2api.OpDescribeVolumes.Handle(s.describeVolumes),
		ec2api.OpDescribeVolumeStatus.Handle(s.describeVolumeStatus),
		ec2api.OpDescribeVolumeAttribute.Handle(s.describeVolumeAttribute),
		ec2api.OpModifyVolume.Handle(s.modifyVolume),
		ec2api.OpModifyVolumeAttribute.Handle(s.modifyVolumeAttribute),
		ec2api.OpDescribeVolumesModifications.Handle(s.describeVolumesModifications),
		ec2api.OpCreateSnapshot.Handle(s.createSnapshot),
		ec2api.OpCopySnapshot.Handle(s.copySnapshot),
		ec2api.OpDeleteSnapshot.Handle(s.deleteSnapshot),
		ec2api.OpDescribeSnapshots.Handle(s.describeSnapshots),
		ec2api.OpDescribeSnapshotAttribute.Handle(s.describeSnapshotAttribute),
		ec2api.OpModifySnapshotAttribute.Handle(s.modifySnapshotAttribute),
		ec2api.OpResetSnapshotAttribute.Handle(s.resetSnapshotAttribute),
		ec2api.OpModifySnapshotTier.Handle(s.modifySnapshotTier),
		ec2api.OpRestoreSnapshotTier.Handle(s.restoreSnapshotTier),
		ec2api.OpDescribeSnapshotTierStatus.Handle(s.describeSnapshotTierStatus),
		ec2api.OpGetEbsEncryptionByDefault.Handle(s.getEbsEncryptionByDefault),
		ec2api.OpEnableEbsEncryptionByDefault.Handle(s.enableEbsEncryptionByDefault),
		ec2api.OpDisableEbsEncryptionByDefault.Handle(s.disableEbsEncryptionByDefault),
		ec2api.OpGetEbsDefaultKmsKeyId.Handle(s.getEbsDefaultKmsKeyId),
		ec2api.OpModifyEbsDefaultKmsKeyId.Handle(s.modifyEbsDefaultKmsKeyId),
		ec2api.OpResetEbsDefaultKmsKeyId.Handle(s.resetEbsDefaultKmsKeyId),
	}
}

// read runs fn on the caller's records in a read-only transaction, once the Region's
// default network exists.
func read[T any](s *Service, c kit.Call, fn func(v kit.View) (T, error)) (T, error) {
	if err := s.ensureDefaults(c.Account, c.Region); err != nil {
		var zero T
		return zero, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (T, error) { return fn(c.In(tx)) })
}

// write runs fn on the caller's records in a read-write transaction, making the Region's
// default network first if this is the account's first call there.
func write[T any](s *Service, c kit.Call, fn func(tx kit.Tx, v kit.View) (T, error)) (T, error) {
	return kit.Write(s.Kit, func(tx kit.Tx) (T, error) {
		v := c.In(tx)
		if err := makeDefaults(v, s.Clock.Now()); err != nil {
			var zero T
			return zero, err
		}
		return fn(tx, v)
	})
}

// dryRun answers a request with DryRun set, once it is known to be one that would
// succeed: its input is valid, what it names exists and the caller may act on it. A
// dry run writes nothing.
func dryRun(flag *bool) error {
	if flag != nil && *flag {
		return msgDryRun.New()
	}
	return nil
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
