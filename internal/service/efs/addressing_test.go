package efs_test

import (
	"net/netip"
	"testing"

	"github.com/xregion/xregion/internal/gen/ec2api"
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
)

// dualStackNetwork is a VPC with an Amazon-provided /56 and three subnets: IPv4 only,
// dual-stack, and IPv6 only, in three zones; it returns them with their /64s.
func dualStackNetwork(t *testing.T, e *env) (v4, dual, v6 string, blocks map[string]netip.Prefix) {
	t.Helper()
	vpc := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.5.0.0/16"), AmazonProvidedIpv6CidrBlock: new(true)}).Vpc
	slash56 := netip.MustParsePrefix(*vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock)
	slash64 := func(n byte) netip.Prefix {
		a := slash56.Addr().As16()
		a[7] = n
		return netip.PrefixFrom(netip.AddrFrom16(a), 64)
	}
	subnet := func(zone string, req ec2api.CreateSubnetRequest) string {
		req.VpcId, req.AvailabilityZone = vpc.VpcId, new(zone)
		return *call(t, e, east, ec2api.OpCreateSubnet, &req).Subnet.SubnetId
	}
	v4 = subnet("us-east-1a", ec2api.CreateSubnetRequest{CidrBlock: new("10.5.1.0/24")})
	dual = subnet("us-east-1b", ec2api.CreateSubnetRequest{CidrBlock: new("10.5.2.0/24"), Ipv6CidrBlock: new(slash64(2).String())})
	v6 = subnet("us-east-1c", ec2api.CreateSubnetRequest{Ipv6Native: new(true), Ipv6CidrBlock: new(slash64(3).String())})
	return v4, dual, v6, map[string]netip.Prefix{dual: slash64(2), v6: slash64(3)}
}

// TestMountTargetAddressTypes: IPV4_ONLY, DUAL_STACK and IPV6_ONLY mount targets, each in
// the subnets that fit it, with the address asked for or one of the subnet's.
func TestMountTargetAddressTypes(t *testing.T) {
	e := start(t)
	v4, dual, v6, blocks := dualStackNetwork(t, e)
	fs := newFS(t, e, east, "v6")
	create := func(subnet, kind string, ip, ip6 *string) *efsapi.CreateMountTargetRequest {
		return &efsapi.CreateMountTargetRequest{FileSystemId: fs.FileSystemId, SubnetId: new(subnet), IpAddressType: new(kind), IpAddress: ip, Ipv6Address: ip6}
	}
	asked := blocks[dual].Addr().Next().Next().Next().Next().Next().Next().String()
	for _, refused := range []*efsapi.CreateMountTargetRequest{
		create(v4, efsapi.IpAddressTypeDualStack, nil, nil),                   // the subnet has no /64
		create(dual, efsapi.IpAddressTypeIpv6Only, nil, nil),                  // IPv6-only needs an IPv6-only subnet
		create(v6, efsapi.IpAddressTypeIpv4Only, nil, nil),                    // the subnet has no IPv4 block
		create(dual, efsapi.IpAddressTypeIpv4Only, nil, &asked),               // an IPv6 address the type does not give
		create(v6, efsapi.IpAddressTypeIpv6Only, new("10.5.3.9"), nil),        // an IPv4 address likewise
		create(dual, efsapi.IpAddressTypeDualStack, nil, new("2600:1f18::9")), // outside the /64
	} {
		fails(t, e, east, efsapi.OpCreateMountTarget, refused, "BadRequest")
	}

	both := call(t, e, east, efsapi.OpCreateMountTarget, create(dual, efsapi.IpAddressTypeDualStack, nil, &asked))
	if both.IpAddress == nil || *both.Ipv6Address != asked {
		t.Errorf("a dual-stack mount target = %+v", both)
	}
	only := call(t, e, east, efsapi.OpCreateMountTarget, create(v6, efsapi.IpAddressTypeIpv6Only, nil, nil))
	if only.IpAddress != nil || only.Ipv6Address == nil || !blocks[v6].Contains(netip.MustParseAddr(*only.Ipv6Address)) {
		t.Errorf("an IPv6-only mount target = %+v", only)
	}
	plain := call(t, e, east, efsapi.OpCreateMountTarget, create(v4, efsapi.IpAddressTypeIpv4Only, nil, nil))
	if plain.IpAddress == nil || plain.Ipv6Address != nil {
		t.Errorf("an IPv4 mount target = %+v", plain)
	}
	other := newFS(t, e, east, "other")
	fails(t, e, east, efsapi.OpCreateMountTarget, &efsapi.CreateMountTargetRequest{FileSystemId: other.FileSystemId, SubnetId: new(dual),
		IpAddressType: new(efsapi.IpAddressTypeDualStack), Ipv6Address: &asked}, "IpAddressInUse")

	described := call(t, e, east, efsapi.OpDescribeMountTargets, &efsapi.DescribeMountTargetsRequest{MountTargetId: only.MountTargetId}).MountTargets
	if len(described) != 1 || *described[0].Ipv6Address != *only.Ipv6Address || described[0].IpAddress != nil {
		t.Errorf("DescribeMountTargets = %+v", described)
	}
	enis := call(t, e, east, ec2api.OpDescribeNetworkInterfaces, &ec2api.DescribeNetworkInterfacesRequest{Filters: []ec2api.Filter{
		{Name: new("ipv6-addresses.ipv6-address"), Values: []string{asked}}}}).NetworkInterfaces
	if len(enis) != 1 || *enis[0].NetworkInterfaceId != *both.NetworkInterfaceId {
		t.Errorf("EC2's interface with %s = %+v", asked, enis)
	}
}
