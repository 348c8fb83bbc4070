package ec2

import (
	"context"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

// Network interfaces are made by other services through port.Network (an EFS mount
// target's, an RDS instance's); EC2 shows them, and they keep their subnet and security
// groups from being deleted.

var interfaceKind = kindOfResource[interfaceRecord]{
	table: interfaces, prefix: prefixInterface, idParam: "NetworkInterfaceId", notFound: msgENINotFound, malformed: msgENIMalformed,
	id: func(r *interfaceRecord) string { return r.ID },
	fields: taggedFields(func(r *interfaceRecord, f fields) {
		f.opt("status", stateIf(r.ID, "in-use"))
		f.bool("requester-managed", r.RequesterID != "")
	}),
}

func interfaceOut(v kit.View, r *interfaceRecord) ec2api.NetworkInterface {
	out := ec2api.NetworkInterface{
		NetworkInterfaceId: new(r.ID), SubnetId: new(r.SubnetID), VpcId: new(r.VpcID), AvailabilityZone: new(r.Zone),
		AvailabilityZoneId: new(r.ZoneID), OwnerId: new(r.Owner), PrivateIpAddress: optional(r.PrivateIP), MacAddress: new(r.MAC),
		Description: new(r.Description), InterfaceType: new(r.Type), RequesterId: optional(r.RequesterID),
		RequesterManaged: new(r.RequesterID != ""), SourceDestCheck: new(true), Status: new("in-use"), TagSet: tagsOfResource(v, r.ID),
		PrivateIpAddresses: []ec2api.NetworkInterfacePrivateIpAddress{},
		Groups:             []ec2api.GroupIdentifier{}, Ipv6Addresses: []ec2api.NetworkInterfaceIpv6Address{},
	}
	if r.PrivateIP != "" {
		out.PrivateIpAddresses = append(out.PrivateIpAddresses, ec2api.NetworkInterfacePrivateIpAddress{PrivateIpAddress: new(r.PrivateIP), Primary: new(true)})
	}
	if r.IPv6 != "" {
		out.Ipv6Address = new(r.IPv6)
		out.Ipv6Addresses = append(out.Ipv6Addresses, ec2api.NetworkInterfaceIpv6Address{Ipv6Address: new(r.IPv6), IsPrimaryIpv6: new(false)})
	}
	for _, id := range r.Groups {
		gi := ec2api.GroupIdentifier{GroupId: new(id)}
		if g, _ := groups.Get(v, id); g != nil {
			gi.GroupName = new(g.Name)
		}
		out.Groups = append(out.Groups, gi)
	}
	return out
}

func (s *Service) DescribeNetworkInterfaces(ctx context.Context, in *ec2api.DescribeNetworkInterfacesRequest) (*ec2api.DescribeNetworkInterfacesResult, error) {
	c := s.Call(ctx)
	return read(s, c, func(v kit.View) (*ec2api.DescribeNetworkInterfacesResult, error) {
		items, next, err := describeOut(s, v, interfaceKind, describeQuery{"DescribeNetworkInterfaces", in.NetworkInterfaceIds, in.Filters, in.MaxResults, in.NextToken}, in.DryRun, interfaceOut)
		if err != nil {
			return nil, err
		}
		return &ec2api.DescribeNetworkInterfacesResult{NetworkInterfaces: items, NextToken: next}, nil
	})
}
