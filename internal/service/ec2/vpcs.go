package ec2

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

var vpcKind = kindOfResource[vpcRecord]{
	table: vpcs, prefix: prefixVpc, idParam: "VpcId", notFound: msgVpcNotFound, malformed: msgVpcMalformed,
	id: func(r *vpcRecord) string { return r.ID },
	fields: taggedFields(func(r *vpcRecord, f fields) {
		f.opt("state", stateIf(r.ID, "available"))
		addCidrLinks(f, "cidr-block-association.cidr-block", r.Cidrs)
		addCidrLinks(f, "ipv6-cidr-block-association.ipv6-cidr-block", r.IPv6)
		f.add("ipv6-cidr-block-association.ipv6-pool")
		f.add("ipv6-cidr-block-association.network-border-group")
		for _, c := range r.IPv6 {
			f.add("ipv6-cidr-block-association.ipv6-pool", amazonPool)
			f.add("ipv6-cidr-block-association.network-border-group", c.BorderGroup)
		}
	}),
}

// stateIf is state for a real record, and nothing for the zero record filters are
// checked against.
func stateIf(id, state string) string {
	if id == "" {
		return ""
	}
	return state
}

func vpcOut(v kit.View, r *vpcRecord, state string) ec2api.Vpc {
	out := ec2api.Vpc{
		VpcId: new(r.ID), OwnerId: new(r.Owner), State: new(state), CidrBlock: new(r.CidrBlock),
		DhcpOptionsId: new(r.DhcpOptionsID), InstanceTenancy: new(r.Tenancy), IsDefault: new(r.Default),
		Tags:                    tagsOfResource(v, r.ID),
		BlockPublicAccessStates: &ec2api.BlockPublicAccessStates{InternetGatewayBlockMode: new("off")},
	}
	for _, c := range r.Cidrs {
		out.CidrBlockAssociationSet = append(out.CidrBlockAssociationSet, ec2api.VpcCidrBlockAssociation{
			AssociationId: new(c.AssociationID), CidrBlock: new(c.Block), CidrBlockState: &ec2api.VpcCidrBlockState{State: new("associated")},
		})
	}
	for _, c := range r.IPv6 {
		link := ipv6VpcLink(v, c)
		if state == ec2api.VpcStatePending {
			link.Ipv6CidrBlockState = vpcCidrAssociating // CreateVpc answers its IPv6 block associating, as AWS does
		}
		out.Ipv6CidrBlockAssociationSet = append(out.Ipv6CidrBlockAssociationSet, link)
	}
	return out
}

// amazonPool is the Ipv6Pool AWS names for its Amazon-provided blocks.
const amazonPool = "Amazon"

func ipv6VpcLink(v kit.View, c cidrLink) ec2api.VpcIpv6CidrBlockAssociation {
	return ec2api.VpcIpv6CidrBlockAssociation{
		AssociationId: new(c.AssociationID), Ipv6CidrBlock: new(c.Block), Ipv6Pool: new(amazonPool),
		NetworkBorderGroup: new(cmp.Or(c.BorderGroup, v.Region())), Ipv6CidrBlockState: &ec2api.VpcCidrBlockState{State: new("associated")},
		Ipv6AddressAttribute: new("public"), IpSource: new("amazon"),
	}
}

// checkVpcCidr refuses a block that is not a canonical IPv4 CIDR of /16 to /28.
func checkVpcCidr(cidr string) error {
	p, ok := parseIPv4Block(cidr)
	switch {
	case !ok:
		return msgBadCidr.New(cidr)
	case p.Bits() < 16 || p.Bits() > 28:
		return msgVpcRange.New(cidr)
	}
	return nil
}

func (s *Service) CreateVpc(ctx context.Context, in *ec2api.CreateVpcRequest) (*ec2api.CreateVpcResult, error) {
	c := s.Call(ctx)
	switch {
	case in.Ipv4IpamPoolId != nil:
		return nil, msgUnsupportedOption.New(paramIpv4IpamPoolId)
	case in.Ipv6IpamPoolId != nil || in.Ipv6Pool != nil || in.Ipv6CidrBlock != nil:
		return nil, msgIPv6Only.New()
	case in.CidrBlock == nil:
		return nil, msgNeedCidr.New()
	case in.InstanceTenancy != nil && *in.InstanceTenancy == ec2api.TenancyHost:
		return nil, msgTenancy.New(*in.InstanceTenancy)
	}
	if err := checkVpcCidr(*in.CidrBlock); err != nil {
		return nil, err
	}
	tags, err := specTags(in.TagSpecifications, "vpc")
	if err != nil {
		return nil, err
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.CreateVpcResult, error) {
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		n := newNetwork(c.Account, c.Region, *in.CidrBlock, c.Now(), randomIDs)
		if in.InstanceTenancy != nil {
			n.vpc.Tenancy = *in.InstanceTenancy
		}
		if deref(in.AmazonProvidedIpv6CidrBlock) {
			link, err := newAmazonIPv6Link(c.Region, in.Ipv6CidrBlockNetworkBorderGroup)
			if err != nil {
				return nil, err
			}
			n.vpc.IPv6 = []cidrLink{link}
		}
		if err := n.put(v); err != nil {
			return nil, err
		}
		if err := setTags(v, n.vpc.ID, tags); err != nil {
			return nil, err
		}
		// A new VPC is pending in the answer and available from the next call on, as
		// with AWS, where the transition takes a moment.
		return &ec2api.CreateVpcResult{Vpc: new(vpcOut(v, &n.vpc, ec2api.VpcStatePending))}, nil
	})
}

func (s *Service) DescribeVpcs(ctx context.Context, in *ec2api.DescribeVpcsRequest) (*ec2api.DescribeVpcsResult, error) {
	c := s.Call(ctx)
	return read(s, c, func(v kit.View) (*ec2api.DescribeVpcsResult, error) {
		available := func(v kit.View, r *vpcRecord) ec2api.Vpc { return vpcOut(v, r, ec2api.VpcStateAvailable) }
		items, next, err := describeOut(s, v, vpcKind, describeQuery{"DescribeVpcs", in.VpcIds, in.Filters, in.MaxResults, in.NextToken}, in.DryRun, available)
		if err != nil {
			return nil, err
		}
		return &ec2api.DescribeVpcsResult{Vpcs: items, NextToken: next}, nil
	})
}

func (s *Service) DeleteVpc(ctx context.Context, in *ec2api.DeleteVpcRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		vpc, err := vpcKind.get(v, *in.VpcId)
		if err != nil {
			return nil, err
		}
		if busy, err := vpcInUse(v, vpc.ID); err != nil || busy {
			if err == nil {
				err = msgVpcHasDependencies.New(vpc.ID)
			}
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		return nil, deleteNetwork(v, vpc.ID)
	})
}

// vpcInUse reports whether a VPC holds what AWS refuses to delete it with: subnets,
// security groups other than its default, route tables other than its main one, an
// attached internet gateway.
func vpcInUse(v kit.View, vpcID string) (bool, error) {
	for _, check := range []func() (bool, error){
		func() (bool, error) { return anyOf(v, subnets, func(r *subnetRecord) bool { return r.VpcID == vpcID }) },
		func() (bool, error) {
			return anyOf(v, groups, func(r *groupRecord) bool { return r.VpcID == vpcID && r.Name != "default" })
		},
		func() (bool, error) {
			return anyOf(v, routeTables, func(r *routeTableRecord) bool { return r.VpcID == vpcID && !r.main() })
		},
		func() (bool, error) {
			return anyOf(v, gateways, func(r *gatewayRecord) bool { return r.VpcID == vpcID })
		},
	} {
		if busy, err := check(); err != nil || busy {
			return busy, err
		}
	}
	return false, nil
}

// anyOf reports whether a record of t satisfies pred.
func anyOf[R any](v kit.View, t kit.Table[R], pred func(*R) bool) (bool, error) {
	found := false
	err := t.Scan(v, func(r *R) bool {
		found = pred(r)
		return !found
	})
	return found, err
}

// deleteNetwork deletes a VPC that holds nothing but what it was born with, and that.
func deleteNetwork(v kit.View, vpcID string) error {
	var doomed []string
	err := groups.Scan(v, func(r *groupRecord) bool {
		if r.VpcID == vpcID {
			doomed = append(doomed, r.ID)
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, id := range doomed {
		if err := deleteGroupRecords(v, id); err != nil {
			return err
		}
	}
	for _, del := range []func() error{
		func() error {
			return deleteWhere(v, routeTables, func(r *routeTableRecord) (string, bool) { return r.ID, r.VpcID == vpcID })
		},
		func() error {
			return deleteWhere(v, acls, func(r *aclRecord) (string, bool) { return r.ID, r.VpcID == vpcID })
		},
		func() error { return vpcs.Delete(v, vpcID) },
		func() error { return tagSets.Delete(v, vpcID) },
	} {
		if err := del(); err != nil {
			return err
		}
	}
	return nil
}

// deleteWhere deletes the records of a table that pick says to, with their tags.
func deleteWhere[R any](v kit.View, t kit.Table[R], pick func(*R) (string, bool)) error {
	var ids []string
	if err := t.Scan(v, func(r *R) bool {
		if id, ok := pick(r); ok {
			ids = append(ids, id)
		}
		return true
	}); err != nil {
		return err
	}
	for _, id := range ids {
		if err := t.Delete(v, id); err != nil {
			return err
		}
		if err := tagSets.Delete(v, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) DescribeVpcAttribute(ctx context.Context, in *ec2api.DescribeVpcAttributeRequest) (*ec2api.DescribeVpcAttributeResult, error) {
	c := s.Call(ctx)
	return read(s, c, func(v kit.View) (*ec2api.DescribeVpcAttributeResult, error) {
		vpc, err := vpcKind.get(v, *in.VpcId)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		out := &ec2api.DescribeVpcAttributeResult{VpcId: new(vpc.ID)}
		switch *in.Attribute {
		case ec2api.VpcAttributeNameEnableDnsSupport:
			out.EnableDnsSupport = &ec2api.AttributeBooleanValue{Value: new(vpc.DNSSupport)}
		case ec2api.VpcAttributeNameEnableDnsHostnames:
			out.EnableDnsHostnames = &ec2api.AttributeBooleanValue{Value: new(vpc.DNSHostnames)}
		case ec2api.VpcAttributeNameEnableNetworkAddressUsageMetrics:
			out.EnableNetworkAddressUsageMetrics = &ec2api.AttributeBooleanValue{Value: new(vpc.UsageMetrics)}
		}
		return out, nil
	})
}

func (s *Service) ModifyVpcAttribute(ctx context.Context, in *ec2api.ModifyVpcAttributeRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	set := map[string]*ec2api.AttributeBooleanValue{
		"EnableDnsSupport": in.EnableDnsSupport, "EnableDnsHostnames": in.EnableDnsHostnames,
		"EnableNetworkAddressUsageMetrics": in.EnableNetworkAddressUsageMetrics,
	}
	name, value, err := oneAttribute(set, "EnableDnsSupport, EnableDnsHostnames or EnableNetworkAddressUsageMetrics")
	if err != nil {
		return nil, err
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		vpc, err := vpcKind.get(v, *in.VpcId)
		if err != nil {
			return nil, err
		}
		switch name {
		case "EnableDnsSupport":
			vpc.DNSSupport = value
		case "EnableDnsHostnames":
			if value && !vpc.DNSSupport {
				return nil, msgDNSHostnames.New()
			}
			vpc.DNSHostnames = value
		default:
			vpc.UsageMetrics = value
		}
		return nil, vpcs.Put(v, vpc, vpc.ID)
	})
}

// oneAttribute returns the one attribute of a Modify*Attribute request that is set: EC2
// changes one attribute per call.
func oneAttribute(set map[string]*ec2api.AttributeBooleanValue, all string) (string, bool, error) {
	var names []string
	for name, v := range set {
		if v != nil {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	switch {
	case len(names) == 0:
		return "", false, msgNoAttribute.New(all)
	case len(names) > 1:
		return "", false, msgOneAttribute.New(strings.Join(names, ", "))
	}
	v := set[names[0]]
	if v.Value == nil {
		return "", false, msgNoAttribute.New(names[0] + ".Value")
	}
	return names[0], *v.Value, nil
}

func (s *Service) ModifyVpcTenancy(ctx context.Context, in *ec2api.ModifyVpcTenancyRequest) (*ec2api.ModifyVpcTenancyResult, error) {
	c := s.Call(ctx)
	if *in.InstanceTenancy != ec2api.VpcTenancyDefault {
		return nil, msgTenancyChange.New()
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.ModifyVpcTenancyResult, error) {
		vpc, err := vpcKind.get(v, *in.VpcId)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		vpc.Tenancy = ec2api.TenancyDefault
		return &ec2api.ModifyVpcTenancyResult{ReturnValue: new(true)}, vpcs.Put(v, vpc, vpc.ID)
	})
}
