package ec2

import (
	"context"
	"slices"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

// maxVpcCidrs is AWS's default limit of IPv4 blocks per VPC.
const maxVpcCidrs = 5

// Association states: AWS answers an association "associating" and a disassociation
// "disassociating"; the block is associated, or gone, a moment later. Here the moment is
// the call: the next Describe shows the block associated, or no longer shows it (AWS
// shows a disassociated block for a while; clients, Terraform among them, skip it).
var (
	vpcCidrAssociating    = &ec2api.VpcCidrBlockState{State: new(ec2api.VpcCidrBlockStateCodeAssociating)}
	vpcCidrDisassociating = &ec2api.VpcCidrBlockState{State: new(ec2api.VpcCidrBlockStateCodeDisassociating)}
	subnetCidrAssociating = &ec2api.SubnetCidrBlockState{State: new(ec2api.SubnetCidrBlockStateCodeAssociating)}
	subnetCidrLeaving     = &ec2api.SubnetCidrBlockState{State: new(ec2api.SubnetCidrBlockStateCodeDisassociating)}
)

func (s *Service) AssociateVpcCidrBlock(ctx context.Context, in *ec2api.AssociateVpcCidrBlockRequest) (*ec2api.AssociateVpcCidrBlockResult, error) {
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
			out.CidrBlockAssociation, err = associateVpcIPv4(v, vpc, *in.CidrBlock)
		} else {
			out.Ipv6CidrBlockAssociation, err = associateVpcIPv6(v, vpc, in.Ipv6CidrBlockNetworkBorderGroup)
		}
		if err != nil {
			return nil, err
		}
		return out, vpcs.Put(v, vpc, vpc.ID)
	})
}

func associateVpcIPv4(v kit.View, vpc *vpcRecord, block string) (*ec2api.VpcCidrBlockAssociation, error) {
	link, err := addVpcCidr(vpc, block)
	if err != nil {
		return nil, err
	}
	if err := addLocalRoutes(v, vpc.ID, routeRec{Destination: link.Block, TargetKind: targetGateway, Target: localTarget, Origin: originTable}); err != nil {
		return nil, err
	}
	return &ec2api.VpcCidrBlockAssociation{AssociationId: new(link.AssociationID), CidrBlock: new(link.Block), CidrBlockState: vpcCidrAssociating}, nil
}

func associateVpcIPv6(v kit.View, vpc *vpcRecord, borderGroup *string) (*ec2api.VpcIpv6CidrBlockAssociation, error) {
	// One Amazon-provided /56 a VPC: AWS's further IPv6 blocks come from BYOIP pools
	// and IPAM, which xregion does not have.
	if len(vpc.IPv6) > 0 {
		return nil, msgIPv6Exists.New(vpc.ID)
	}
	link, err := newAmazonIPv6Link(v.Region(), borderGroup)
	if err != nil {
		return nil, err
	}
	vpc.IPv6 = []cidrLink{link}
	if err := addLocalRoutes(v, vpc.ID, routeRec{DestinationIPv6: link.Block, TargetKind: targetGateway, Target: localTarget, Origin: originTable}); err != nil {
		return nil, err
	}
	out := ipv6VpcLink(v, link)
	out.Ipv6CidrBlockState = vpcCidrAssociating
	return &out, nil
}

// newAmazonIPv6Link is a new association of an Amazon-provided /56 of the Region. The
// network border group is where AWS advertises the block: a Region's own, or one of its
// Local Zones' groups, which xregion does not have.
func newAmazonIPv6Link(region string, borderGroup *string) (cidrLink, error) {
	if borderGroup != nil && *borderGroup != region {
		return cidrLink{}, msgBorderGroup.New(*borderGroup, region)
	}
	id := newID(prefixVpcCidr)
	return cidrLink{AssociationID: id, Block: amazonIPv6Block(region, id), BorderGroup: region}, nil
}

// addVpcCidr adds a secondary IPv4 block to a VPC.
func addVpcCidr(vpc *vpcRecord, block string) (cidrLink, error) {
	if err := checkVpcCidr(block); err != nil {
		return cidrLink{}, err
	}
	if restrictedSecondary(vpc.CidrBlock, block) {
		return cidrLink{}, msgCidrRestricted.New(block)
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

// privateRanges are RFC 1918's, and 198.19.0.0/16, which AWS treats as one more.
var privateRanges = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "198.19.0.0/16"}

// restrictedSecondary applies AWS's IPv4 CIDR block association restrictions (VPC
// User Guide): a secondary block may come from the primary's private range, or be
// publicly routable (100.64.0.0/10 included), but not come from another private range.
// The guide's finer rules about 10.0.0.0/15 and 172.31.0.0/16 are left out.
func restrictedSecondary(primary, block string) bool {
	rangeOf := func(cidr string) string {
		for _, r := range privateRanges {
			if contains(r, cidr) {
				return r
			}
		}
		return ""
	}
	want := rangeOf(block)
	return want != "" && want != rangeOf(primary)
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

func (s *Service) DisassociateVpcCidrBlock(ctx context.Context, in *ec2api.DisassociateVpcCidrBlockRequest) (*ec2api.DisassociateVpcCidrBlockResult, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.DisassociateVpcCidrBlockResult, error) {
		vpc, link, ipv6, err := vpcCidrByAssociation(v, *in.AssociationId)
		if err != nil {
			return nil, err
		}
		if !ipv6 && link.AssociationID == vpc.Cidrs[0].AssociationID {
			return nil, msgPrimaryCidr.New(link.AssociationID)
		}
		if err := refuseBlockInUse(v, vpc.ID, link.Block); err != nil {
			return nil, err
		}
		out := &ec2api.DisassociateVpcCidrBlockResult{VpcId: new(vpc.ID)}
		drop := func(c cidrLink) bool { return c.AssociationID == link.AssociationID }
		if ipv6 {
			vpc.IPv6 = slices.DeleteFunc(vpc.IPv6, drop)
			gone := ipv6VpcLink(v, link)
			gone.Ipv6CidrBlockState = vpcCidrDisassociating
			out.Ipv6CidrBlockAssociation = &gone
		} else {
			vpc.Cidrs = slices.DeleteFunc(vpc.Cidrs, drop)
			out.CidrBlockAssociation = &ec2api.VpcCidrBlockAssociation{AssociationId: new(link.AssociationID), CidrBlock: new(link.Block), CidrBlockState: vpcCidrDisassociating}
		}
		if err := dropLocalRoutes(v, vpc.ID, link.Block); err != nil {
			return nil, err
		}
		return out, vpcs.Put(v, vpc, vpc.ID)
	})
}

// refuseBlockInUse refuses to take a block, IPv4 or IPv6, from a VPC whose subnets have
// addresses in it.
func refuseBlockInUse(v kit.View, vpcID, block string) error {
	used, err := anyOf(v, subnets, func(r *subnetRecord) bool {
		return r.VpcID == vpcID && (contains(block, r.CidrBlock) || slices.ContainsFunc(r.IPv6, func(c cidrLink) bool { return contains(block, c.Block) }))
	})
	if err == nil && used {
		err = msgVpcCidrInUse.New(vpcID, block)
	}
	return err
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

func (s *Service) AssociateSubnetCidrBlock(ctx context.Context, in *ec2api.AssociateSubnetCidrBlockRequest) (*ec2api.AssociateSubnetCidrBlockResult, error) {
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
		if len(sub.IPv6) > 0 {
			return nil, msgSubnetIPv6Exists.New(sub.ID)
		}
		if err := checkSubnetIPv6(v, vpc, sub.ID, *in.Ipv6CidrBlock); err != nil {
			return nil, err
		}
		link := cidrLink{AssociationID: newID(prefixSubnetCidr), Block: *in.Ipv6CidrBlock}
		sub.IPv6 = []cidrLink{link}
		out := subnetIPv6Link(link)
		out.Ipv6CidrBlockState = subnetCidrAssociating
		return &ec2api.AssociateSubnetCidrBlockResult{SubnetId: new(sub.ID), Ipv6CidrBlockAssociation: &out}, subnets.Put(v, sub, sub.ID)
	})
}

// checkSubnetIPv6 checks a subnet's IPv6 block: a /64 of its VPC's /56 that no other
// subnet of the VPC holds.
func checkSubnetIPv6(v kit.View, vpc *vpcRecord, subnetID, block string) error {
	p, ok := parseBlock(block)
	switch {
	case !ok || !p.Addr().Is6() || p.Bits() != 64:
		return msgSubnetIPv6Size.New(block)
	case len(vpc.IPv6) == 0:
		return msgSubnetNoVpcIPv6.New(vpc.ID)
	case !slices.ContainsFunc(vpc.IPv6, func(c cidrLink) bool { return contains(c.Block, block) }):
		return msgSubnetIPv6Range.New(block)
	}
	clash, err := anyOf(v, subnets, func(r *subnetRecord) bool {
		return r.ID != subnetID && r.VpcID == vpc.ID && slices.ContainsFunc(r.IPv6, func(c cidrLink) bool { return overlaps(c.Block, block) })
	})
	if err == nil && clash {
		err = msgSubnetConflict.New(block)
	}
	return err
}

func (s *Service) DisassociateSubnetCidrBlock(ctx context.Context, in *ec2api.DisassociateSubnetCidrBlockRequest) (*ec2api.DisassociateSubnetCidrBlockResult, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.DisassociateSubnetCidrBlockResult, error) {
		var found *subnetRecord
		err := subnets.Scan(v, func(r *subnetRecord) bool {
			if len(r.IPv6) > 0 && r.IPv6[0].AssociationID == *in.AssociationId {
				found = r
			}
			return found == nil
		})
		switch {
		case err != nil:
			return nil, err
		case found == nil:
			return nil, msgSubnetCidrNotFound.New(*in.AssociationId)
		case found.AssignIPv6:
			// AWS keeps a subnet that hands out IPv6 addresses from losing its block.
			return nil, msgSubnetIPv6InUse.New(*in.AssociationId)
		}
		link := found.IPv6[0]
		found.IPv6 = nil
		out := subnetIPv6Link(link)
		out.Ipv6CidrBlockState = subnetCidrLeaving
		return &ec2api.DisassociateSubnetCidrBlockResult{SubnetId: new(found.ID), Ipv6CidrBlockAssociation: &out}, subnets.Put(v, found, found.ID)
	})
}
