package ec2

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

var subnetKind = kindOfResource[subnetRecord]{
	table: subnets, prefix: prefixSubnet, idParam: "SubnetId", notFound: msgSubnetNotFound, malformed: msgSubnetMalformed,
	id: func(r *subnetRecord) string { return r.ID },
	fields: taggedFields(func(r *subnetRecord, f fields) {
		f.opt("state", stateIf(r.ID, "available"))
		f.add("subnet-arn")
		f.add("available-ip-address-count")
		addCidrLinks(f, "ipv6-cidr-block-association.ipv6-cidr-block", r.IPv6)
	}),
}

func (r *subnetRecord) zone() port.Zone { return port.Zone{Name: r.Zone, ID: r.ZoneID} }

// ipv6Block is the subnet's /64, or "".
func (r *subnetRecord) ipv6Block() string {
	if len(r.IPv6) == 0 {
		return ""
	}
	return r.IPv6[0].Block
}

// subnetFields adds what depends on more than the record: its ARN and its free
// addresses.
func subnetFields(v kit.View, r *subnetRecord) fields {
	f := subnetKind.fields(r)
	f.add("subnet-arn", resourceARN(v, "subnet", r.ID))
	f.add("available-ip-address-count", strconv.FormatInt(freeAddresses(v, r), 10))
	return f
}

// freeAddresses counts the addresses of a subnet that no interface holds and AWS does
// not keep.
func freeAddresses(v kit.View, r *subnetRecord) int64 {
	p, ok := parseIPv4Block(r.CidrBlock)
	if !ok {
		return 0
	}
	used := 0
	_ = interfaces.Scan(v, func(e *interfaceRecord) bool {
		if e.SubnetID == r.ID {
			used++
		}
		return true
	})
	return addressCount(p) - reservedAddresses - int64(used)
}

func subnetOut(v kit.View, r *subnetRecord, state string) ec2api.Subnet {
	out := ec2api.Subnet{
		SubnetId: new(r.ID), SubnetArn: new(resourceARN(v, "subnet", r.ID)), VpcId: new(r.VpcID), OwnerId: new(r.Owner),
		State: new(state), CidrBlock: optional(r.CidrBlock), AvailabilityZone: new(r.Zone), AvailabilityZoneId: new(r.ZoneID),
		AvailableIpAddressCount: new(freeAddresses(v, r)), DefaultForAz: new(r.DefaultForAz), MapPublicIpOnLaunch: new(r.MapPublicIP),
		MapCustomerOwnedIpOnLaunch: new(false), AssignIpv6AddressOnCreation: new(r.AssignIPv6), EnableDns64: new(r.DNS64),
		Ipv6Native: new(r.IPv6Native), Tags: tagsOfResource(v, r.ID),
		PrivateDnsNameOptionsOnLaunch: &ec2api.PrivateDnsNameOptionsOnLaunch{
			HostnameType: new(r.hostnameType()), EnableResourceNameDnsARecord: new(r.ResourceA), EnableResourceNameDnsAAAARecord: new(r.ResourceAAAA),
		},
		BlockPublicAccessStates: &ec2api.BlockPublicAccessStates{InternetGatewayBlockMode: new("off")},
	}
	for _, c := range r.IPv6 {
		link := subnetIPv6Link(c)
		if state == ec2api.SubnetStatePending {
			link.Ipv6CidrBlockState = subnetCidrAssociating // as in CreateSubnet's answer from AWS
		}
		out.Ipv6CidrBlockAssociationSet = append(out.Ipv6CidrBlockAssociationSet, link)
	}
	return out
}

func subnetIPv6Link(c cidrLink) ec2api.SubnetIpv6CidrBlockAssociation {
	return ec2api.SubnetIpv6CidrBlockAssociation{
		AssociationId: new(c.AssociationID), Ipv6CidrBlock: new(c.Block),
		Ipv6CidrBlockState:   &ec2api.SubnetCidrBlockState{State: new(ec2api.SubnetCidrBlockStateCodeAssociated)},
		Ipv6AddressAttribute: new("public"), IpSource: new("amazon"),
	}
}

func (r *subnetRecord) hostnameType() string {
	if r.HostnameType == "" {
		return ec2api.HostnameTypeIpName
	}
	return r.HostnameType
}

func (s *Service) CreateSubnet(ctx context.Context, in *ec2api.CreateSubnetRequest) (*ec2api.CreateSubnetResult, error) {
	c := s.Call(ctx)
	if err := checkSubnetRequest(in); err != nil {
		return nil, err
	}
	tags, err := specTags(in.TagSpecifications, "subnet")
	if err != nil {
		return nil, err
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*ec2api.CreateSubnetResult, error) {
		vpc, err := vpcKind.get(v, *in.VpcId)
		if err != nil {
			return nil, err
		}
		sub, err := s.newSubnet(v, vpc, in)
		if err != nil {
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		if err := putSubnet(v, sub); err != nil {
			return nil, err
		}
		if err := setTags(v, sub.ID, tags); err != nil {
			return nil, err
		}
		return &ec2api.CreateSubnetResult{Subnet: new(subnetOut(v, sub, ec2api.SubnetStatePending))}, nil
	})
}

func checkSubnetRequest(in *ec2api.CreateSubnetRequest) error {
	switch {
	case in.Ipv4IpamPoolId != nil || in.Ipv6IpamPoolId != nil:
		return msgUnsupportedOption.New(paramIpv4IpamPoolId)
	case in.OutpostArn != nil:
		return msgUnsupportedOption.New(paramOutpostArn)
	case in.AvailabilityZone != nil && in.AvailabilityZoneId != nil:
		return msgZoneAndID.New()
	case deref(in.Ipv6Native):
		// An IPv6-only subnet has a /64 and no IPv4 block.
		if in.CidrBlock != nil {
			return msgNativeWithIPv4.New()
		}
		if in.Ipv6CidrBlock == nil {
			return msgNativeNeedsIPv6.New()
		}
		return nil
	case in.CidrBlock == nil:
		return msgNeedCidr.New()
	}
	if deref(in.Ipv6Native) {
		return nil
	}
	p, ok := parseIPv4Block(*in.CidrBlock)
	switch {
	case !ok:
		return msgBadCidr.New(*in.CidrBlock)
	case p.Bits() < 16 || p.Bits() > 28:
		return msgSubnetRange.New(*in.CidrBlock)
	}
	return nil
}

// newSubnet checks a subnet against its VPC and the other subnets, and builds it.
func (s *Service) newSubnet(v kit.View, vpc *vpcRecord, in *ec2api.CreateSubnetRequest) (*subnetRecord, error) {
	cidr := deref(in.CidrBlock)
	if err := checkSubnetIPv4(v, vpc, cidr); err != nil {
		return nil, err
	}
	zone, err := subnetZone(v, vpc.ID, in.AvailabilityZone, in.AvailabilityZoneId)
	if err != nil {
		return nil, err
	}
	sub := &subnetRecord{ID: newID(prefixSubnet), Owner: v.Account(), VpcID: vpc.ID, CidrBlock: cidr, Zone: zone.Name, ZoneID: zone.ID,
		IPv6Native: deref(in.Ipv6Native), Created: s.Clock.Now()}
	// An IPv6-only subnet's interfaces have IPv6 addresses or none: AWS turns the
	// assignment on for it.
	sub.AssignIPv6 = sub.IPv6Native
	if in.Ipv6CidrBlock != nil {
		if err := checkSubnetIPv6(v, vpc, sub.ID, *in.Ipv6CidrBlock); err != nil {
			return nil, err
		}
		sub.IPv6 = []cidrLink{{AssociationID: newID(prefixSubnetCidr), Block: *in.Ipv6CidrBlock}}
	}
	return sub, nil
}

// checkSubnetIPv4 checks a subnet's IPv4 block, if it has one: inside one of its VPC's
// blocks, clear of the VPC's other subnets.
func checkSubnetIPv4(v kit.View, vpc *vpcRecord, cidr string) error {
	if cidr == "" {
		return nil
	}
	if !slices.ContainsFunc(vpc.Cidrs, func(c cidrLink) bool { return contains(c.Block, cidr) }) {
		return msgSubnetRange.New(cidr)
	}
	clash, err := anyOf(v, subnets, func(r *subnetRecord) bool { return r.VpcID == vpc.ID && overlaps(r.CidrBlock, cidr) })
	if err == nil && clash {
		err = msgSubnetConflict.New(cidr)
	}
	return err
}

// subnetZone is the zone a subnet is asked for, or, when none is, the zone of the VPC
// with the fewest subnets (the first such in name order): AWS picks one for the caller,
// and spreading them is what a careful user would expect of the pick.
func subnetZone(v kit.View, vpcID string, name, id *string) (port.Zone, error) {
	zones := zonesOf(v.Region())
	if name != nil || id != nil {
		want := deref(name) + deref(id)
		if z, ok := zoneNamed(v.Region(), want); ok {
			return z, nil
		}
		names := make([]string, len(zones))
		for i, z := range zones {
			names[i] = z.Name
		}
		if name != nil {
			return port.Zone{}, msgBadZone.New(want, strings.Join(names, ", "))
		}
		return port.Zone{}, msgBadZoneID.New(want, strings.Join(names, ", "))
	}
	count := map[string]int{}
	_ = subnets.Scan(v, func(r *subnetRecord) bool {
		if r.VpcID == vpcID {
			count[r.Zone]++
		}
		return true
	})
	best := zones[0]
	for _, z := range zones {
		if count[z.Name] < count[best.Name] {
			best = z
		}
	}
	return best, nil
}

// putSubnet writes a new subnet and associates it with its VPC's default network ACL.
func putSubnet(v kit.View, sub *subnetRecord) error {
	if err := subnets.Put(v, sub, sub.ID); err != nil {
		return err
	}
	acl, err := defaultACL(v, sub.VpcID)
	if err != nil || acl == nil {
		return err
	}
	acl.Links = append(acl.Links, aclLink{ID: newID(prefixACLLink), SubnetID: sub.ID})
	return acls.Put(v, acl, acl.ID)
}

func (s *Service) DescribeSubnets(ctx context.Context, in *ec2api.DescribeSubnetsRequest) (*ec2api.DescribeSubnetsResult, error) {
	c := s.Call(ctx)
	return read(s, c, func(v kit.View) (*ec2api.DescribeSubnetsResult, error) {
		kind := subnetKind
		kind.fields = func(r *subnetRecord) fields { return subnetFields(v, r) }
		available := func(v kit.View, r *subnetRecord) ec2api.Subnet { return subnetOut(v, r, ec2api.SubnetStateAvailable) }
		items, next, err := describeOut(s, v, kind, describeQuery{"DescribeSubnets", in.SubnetIds, in.Filters, in.MaxResults, in.NextToken}, in.DryRun, available)
		if err != nil {
			return nil, err
		}
		return &ec2api.DescribeSubnetsResult{Subnets: items, NextToken: next}, nil
	})
}

func (s *Service) DeleteSubnet(ctx context.Context, in *ec2api.DeleteSubnetRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		sub, err := subnetKind.get(v, *in.SubnetId)
		if err != nil {
			return nil, err
		}
		if busy, err := anyOf(v, interfaces, func(r *interfaceRecord) bool { return r.SubnetID == sub.ID }); err != nil || busy {
			if err == nil {
				err = msgSubnetHasDependencies.New(sub.ID)
			}
			return nil, err
		}
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		return nil, deleteSubnetRecords(v, sub.ID)
	})
}

// deleteSubnetRecords deletes a subnet with its tags and its associations with route
// tables and network ACLs.
func deleteSubnetRecords(v kit.View, id string) error {
	if err := unlinkSubnet(v, id); err != nil {
		return err
	}
	if err := subnets.Delete(v, id); err != nil {
		return err
	}
	return tagSets.Delete(v, id)
}

func unlinkSubnet(v kit.View, id string) error {
	tables, err := routeTables.List(v)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if n := len(t.Links); t.dropLinks(func(l tableLink) bool { return l.SubnetID == id }) < n {
			if err := routeTables.Put(v, t, t.ID); err != nil {
				return err
			}
		}
	}
	list, err := acls.List(v)
	if err != nil {
		return err
	}
	for _, a := range list {
		n := len(a.Links)
		a.Links = slices.DeleteFunc(a.Links, func(l aclLink) bool { return l.SubnetID == id })
		if len(a.Links) < n {
			if err := acls.Put(v, a, a.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) ModifySubnetAttribute(ctx context.Context, in *ec2api.ModifySubnetAttributeRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	switch {
	case in.MapCustomerOwnedIpOnLaunch != nil || in.CustomerOwnedIpv4Pool != nil:
		return nil, msgUnsupportedOption.New(paramMapCustomerOwnedIpOnLaunch)
	case in.EnableLniAtDeviceIndex != nil || in.DisableLniAtDeviceIndex != nil:
		return nil, msgUnsupportedOption.New(paramEnableLniAtDeviceIndex)
	}
	set := map[string]*ec2api.AttributeBooleanValue{
		"MapPublicIpOnLaunch": in.MapPublicIpOnLaunch, "AssignIpv6AddressOnCreation": in.AssignIpv6AddressOnCreation,
		"EnableDns64": in.EnableDns64, "EnableResourceNameDnsARecordOnLaunch": in.EnableResourceNameDnsARecordOnLaunch,
		"EnableResourceNameDnsAAAARecordOnLaunch": in.EnableResourceNameDnsAAAARecordOnLaunch,
	}
	if in.PrivateDnsHostnameTypeOnLaunch != nil {
		set["PrivateDnsHostnameTypeOnLaunch"] = &ec2api.AttributeBooleanValue{Value: new(true)}
	}
	name, value, err := oneAttribute(set, "MapPublicIpOnLaunch, AssignIpv6AddressOnCreation, EnableDns64 or PrivateDnsHostnameTypeOnLaunch")
	if err != nil {
		return nil, err
	}
	return write(s, c, func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		sub, err := subnetKind.get(v, *in.SubnetId)
		if err != nil {
			return nil, err
		}
		switch name {
		case "MapPublicIpOnLaunch":
			sub.MapPublicIP = value
		case "AssignIpv6AddressOnCreation":
			switch {
			case value && len(sub.IPv6) == 0:
				return nil, msgAssignIPv6NoBlock.New(sub.ID)
			case !value && sub.IPv6Native:
				return nil, msgNativeAssigns.New(sub.ID)
			}
			sub.AssignIPv6 = value
		case "EnableDns64":
			sub.DNS64 = value
		case "EnableResourceNameDnsARecordOnLaunch":
			sub.ResourceA = value
		case "EnableResourceNameDnsAAAARecordOnLaunch":
			sub.ResourceAAAA = value
		default:
			sub.HostnameType = *in.PrivateDnsHostnameTypeOnLaunch
		}
		return nil, subnets.Put(v, sub, sub.ID)
	})
}
