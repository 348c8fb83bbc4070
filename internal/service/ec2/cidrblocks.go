package ec2

import (
	"context"
	"slices"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

// maxVpcCidrs is AWS's default limit of IPv4 blocks per VPC.
const maxVpcCidrs = 5

func (s *Service) associateVpcCidrBlock(ctx context.Context, in *ec2api.AssociateVpcCidrBlockRequest) (*ec2api.AssociateVpcCidrBlockResult, error) {
	c := s.Call(ctx)
	switch {
	case in.Ipv4IpamPoolId != nil || in.Ipv6IpamPoolId != nil:
		return nil, msgUnsupportedOption.New(paramIpamPoolId)
	case in.Ipv6Pool != nil || in.Ipv6CidrBlock != nil:
		return nil, msgIPv6Only.New()
	case in.CidrBlock == nil && !deref(in.AmazonProvidedIpv6CidrBlock):
		return nil, msgNeedCidr.New()
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.AssociateVpcCidrBlockResult, error) {
		vpc, err := vpcKind.get(v, *in.VpcId)
		if err != nil {
			return nil, err
		}
		out := &ec2api.AssociateVpcCidrBlockResult{VpcId: new(vpc.ID)}
		if in.CidrBlock != nil {
			link, err := addVpcCidr(vpc, *in.CidrBlock)
			if err != nil {
				return nil, err
			}
			if err := addLocalRoutes(v, vpc.ID, routeRec{Destination: link.Block, TargetKind: targetGateway, Target: localTarget, Origin: originTable}); err != nil {
				return nil, err
			}
			out.CidrBlockAssociation = &ec2api.VpcCidrBlockAssociation{AssociationId: new(link.AssociationID), CidrBlock: new(link.Block),
				CidrBlockState: &ec2api.VpcCidrBlockState{State: new("associated")}}
		} else {
			if len(vpc.IPv6) > 0 {
				return nil, msgIPv6Exists.New(vpc.ID)
			}
			link := cidrLink{AssociationID: newID(prefixVpcCidr), Block: amazonIPv6Block(vpc.ID)}
			vpc.IPv6 = []cidrLink{link}
			if err := addLocalRoutes(v, vpc.ID, routeRec{DestinationIPv6: link.Block, TargetKind: targetGateway, Target: localTarget, Origin: originTable}); err != nil {
				return nil, err
			}
			out.Ipv6CidrBlockAssociation = new(ipv6VpcLink(v, link))
		}
		return out, vpcs.Put(v, vpc, vpc.ID)
	})
}

// addVpcCidr adds a secondary IPv4 block to a VPC.
func addVpcCidr(vpc *vpcRecord, block string) (cidrLink, error) {
	if err := checkVpcCidr(block); err != nil {
		return cidrLink{}, err
	}
	if len(vpc.Cidrs) >= maxVpcCidrs {
		return cidrLink{}, msgCidrLimit.New(vpc.ID)
	}
	if slices.ContainsFunc(vpc.Cidrs, func(c cidrLink) bool { return overlaps(c.Block, block) }) {
		return cidrLink{}, msgCidrOverlap.New(block)
	}
	link := cidrLink{AssociationID: newID(prefixVpcCidr), Block: block}
	vpc.Cidrs = append(vpc.Cidrs, link)
	return link, nil
}

// addLocalRoutes gives every route table of a VPC the local route of a new block.
func addLocalRoutes(v kit.View, vpcID string, rt routeRec) error {
	tables, err := routeTables.List(v)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if t.VpcID != vpcID {
			continue
		}
		t.Routes = append(t.Routes, rt)
		if err := routeTables.Put(v, t, t.ID); err != nil {
			return err
		}
	}
	return nil
}

// dropLocalRoutes removes the local route of a block from every table of a VPC.
func dropLocalRoutes(v kit.View, vpcID, block string) error {
	tables, err := routeTables.List(v)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if t.VpcID != vpcID {
			continue
		}
		t.Routes = slices.DeleteFunc(t.Routes, func(r routeRec) bool { return r.Target == localTarget && r.key() == block })
		if err := routeTables.Put(v, t, t.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) disassociateVpcCidrBlock(ctx context.Context, in *ec2api.DisassociateVpcCidrBlockRequest) (*ec2api.DisassociateVpcCidrBlockResult, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.DisassociateVpcCidrBlockResult, error) {
		vpc, link, ipv6, err := vpcCidrByAssociation(v, *in.AssociationId)
		if err != nil {
			return nil, err
		}
		out := &ec2api.DisassociateVpcCidrBlockResult{VpcId: new(vpc.ID)}
		disassociating := &ec2api.VpcCidrBlockState{State: new("disassociating")}
		if ipv6 {
			vpc.IPv6 = nil
			out.Ipv6CidrBlockAssociation = &ec2api.VpcIpv6CidrBlockAssociation{AssociationId: new(link.AssociationID), Ipv6CidrBlock: new(link.Block), Ipv6CidrBlockState: disassociating}
		} else {
			if link.AssociationID == vpc.Cidrs[0].AssociationID {
				return nil, msgPrimaryCidr.New(link.AssociationID)
			}
			if used, err := anyOf(v, subnets, func(r *subnetRecord) bool { return r.VpcID == vpc.ID && contains(link.Block, r.CidrBlock) }); err != nil || used {
				if err == nil {
					err = msgCidrInUse.New(link.Block)
				}
				return nil, err
			}
			vpc.Cidrs = slices.DeleteFunc(vpc.Cidrs, func(c cidrLink) bool { return c.AssociationID == link.AssociationID })
			out.CidrBlockAssociation = &ec2api.VpcCidrBlockAssociation{AssociationId: new(link.AssociationID), CidrBlock: new(link.Block), CidrBlockState: disassociating}
		}
		if err := dropLocalRoutes(v, vpc.ID, link.Block); err != nil {
			return nil, err
		}
		return out, vpcs.Put(v, vpc, vpc.ID)
	})
}

// vpcCidrByAssociation finds the VPC and the block an association id names.
func vpcCidrByAssociation(v kit.View, id string) (*vpcRecord, cidrLink, bool, error) {
	all, err := vpcs.List(v)
	if err != nil {
		return nil, cidrLink{}, false, err
	}
	for _, vpc := range all {
		for _, c := range vpc.Cidrs {
			if c.AssociationID == id {
				return vpc, c, false, nil
			}
		}
		for _, c := range vpc.IPv6 {
			if c.AssociationID == id {
				return vpc, c, true, nil
			}
		}
	}
	return nil, cidrLink{}, false, msgCidrAssocNotFound.New(id)
}

func (s *Service) associateSubnetCidrBlock(ctx context.Context, in *ec2api.AssociateSubnetCidrBlockRequest) (*ec2api.AssociateSubnetCidrBlockResult, error) {
	c := s.Call(ctx)
	if in.Ipv6IpamPoolId != nil {
		return nil, msgUnsupportedOption.New(paramIpv6IpamPoolId)
	}
	if in.Ipv6CidrBlock == nil {
		return nil, msgNoAttribute.New(paramIpv6CidrBlock)
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.AssociateSubnetCidrBlockResult, error) {
		sub, err := subnetKind.get(v, *in.SubnetId)
		if err != nil {
			return nil, err
		}
		vpc, err := vpcKind.get(v, sub.VpcID)
		if err != nil {
			return nil, err
		}
		switch {
		case len(vpc.IPv6) == 0:
			return nil, msgSubnetNoVpcIPv6.New(vpc.ID)
		case len(sub.IPv6) > 0:
			return nil, msgSubnetIPv6Exists.New(sub.ID)
		case !subnetIPv6(vpc.IPv6[0].Block, *in.Ipv6CidrBlock):
			return nil, msgSubnetIPv6.New(*in.Ipv6CidrBlock)
		}
		link := cidrLink{AssociationID: newID("subnet-cidr-assoc"), Block: *in.Ipv6CidrBlock}
		sub.IPv6 = []cidrLink{link}
		return &ec2api.AssociateSubnetCidrBlockResult{SubnetId: new(sub.ID), Ipv6CidrBlockAssociation: &ec2api.SubnetIpv6CidrBlockAssociation{
			AssociationId: new(link.AssociationID), Ipv6CidrBlock: new(link.Block), Ipv6CidrBlockState: &ec2api.SubnetCidrBlockState{State: new("associated")},
		}}, subnets.Put(v, sub, sub.ID)
	})
}

func (s *Service) disassociateSubnetCidrBlock(ctx context.Context, in *ec2api.DisassociateSubnetCidrBlockRequest) (*ec2api.DisassociateSubnetCidrBlockResult, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.DisassociateSubnetCidrBlockResult, error) {
		var found *subnetRecord
		err := subnets.Scan(v, func(r *subnetRecord) bool {
			if len(r.IPv6) > 0 && r.IPv6[0].AssociationID == *in.AssociationId {
				found = r
			}
			return found == nil
		})
		if err != nil {
			return nil, err
		}
		if found == nil {
			return nil, msgSubnetCidrNotFound.New(*in.AssociationId)
		}
		link := found.IPv6[0]
		found.IPv6, found.AssignIPv6 = nil, false
		return &ec2api.DisassociateSubnetCidrBlockResult{SubnetId: new(found.ID), Ipv6CidrBlockAssociation: &ec2api.SubnetIpv6CidrBlockAssociation{
			AssociationId: new(link.AssociationID), Ipv6CidrBlock: new(link.Block), Ipv6CidrBlockState: &ec2api.SubnetCidrBlockState{State: new("disassociating")},
		}}, subnets.Put(v, found, found.ID)
	})
}
