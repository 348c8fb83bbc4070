package ec2_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

// TestVpcIPv6Blocks: an Amazon-provided /56 from the Region's published pool, in its
// Region's border group; one a VPC; answered associating, described associated; given
// back only when no subnet uses it, and another one when asked again.
func TestVpcIPv6Blocks(t *testing.T) {
	e := start(t)
	fails(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16"), AmazonProvidedIpv6CidrBlock: new(true),
		Ipv6CidrBlockNetworkBorderGroup: new("us-west-2")}, "InvalidParameterValue")
	created := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16"), AmazonProvidedIpv6CidrBlock: new(true),
		Ipv6CidrBlockNetworkBorderGroup: new(east)}).Vpc
	vpc := *created.VpcId
	first := *created.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock
	inPool(t, first, "2600:1f18::/33")
	if got := created.Ipv6CidrBlockAssociationSet[0]; *got.NetworkBorderGroup != east || *got.Ipv6CidrBlockState.State != "associating" {
		t.Errorf("the IPv6 block at creation = %+v", got)
	}
	fails(t, e, east, ec2api.OpAssociateVpcCidrBlock, &ec2api.AssociateVpcCidrBlockRequest{VpcId: &vpc, AmazonProvidedIpv6CidrBlock: new(true)}, "CidrLimitExceeded")

	found := call(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{Filters: []ec2api.Filter{
		filter("ipv6-cidr-block-association.ipv6-cidr-block", first), filter("ipv6-cidr-block-association.state", "associated"),
		filter("ipv6-cidr-block-association.ipv6-pool", "Amazon"), filter("ipv6-cidr-block-association.network-border-group", east)}}).Vpcs
	if len(found) != 1 || *found[0].VpcId != vpc {
		t.Fatalf("VPCs with %s = %+v", first, found)
	}
	sub := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: &vpc, CidrBlock: new("10.0.1.0/24"), Ipv6CidrBlock: new(nthSlash64(first, 1))}).Subnet
	assoc := *found[0].Ipv6CidrBlockAssociationSet[0].AssociationId
	fails(t, e, east, ec2api.OpDisassociateVpcCidrBlock, &ec2api.DisassociateVpcCidrBlockRequest{AssociationId: &assoc}, "InvalidCidrBlock.InUse")
	call(t, e, east, ec2api.OpDeleteSubnet, &ec2api.DeleteSubnetRequest{SubnetId: sub.SubnetId})
	gone := call(t, e, east, ec2api.OpDisassociateVpcCidrBlock, &ec2api.DisassociateVpcCidrBlockRequest{AssociationId: &assoc})
	if *gone.Ipv6CidrBlockAssociation.Ipv6CidrBlockState.State != "disassociating" {
		t.Errorf("disassociation = %+v", gone.Ipv6CidrBlockAssociation)
	}
	if v := call(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{VpcIds: []string{vpc}}).Vpcs[0]; len(v.Ipv6CidrBlockAssociationSet) != 0 {
		t.Errorf("the block outlived its disassociation: %+v", v.Ipv6CidrBlockAssociationSet)
	}
	again := call(t, e, east, ec2api.OpAssociateVpcCidrBlock, &ec2api.AssociateVpcCidrBlockRequest{VpcId: &vpc, AmazonProvidedIpv6CidrBlock: new(true)}).Ipv6CidrBlockAssociation
	if *again.Ipv6CidrBlockState.State != "associating" || *again.Ipv6CidrBlock == first {
		t.Errorf("a second association = %+v (first block %s)", again, first)
	}

	west6 := call(t, e, west, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16"), AmazonProvidedIpv6CidrBlock: new(true)}).Vpc
	inPool(t, *west6.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock, "2600:1f14::/35")
}

// TestVpcSecondaryIPv4: AWS's size, overlap and private-range rules for secondary blocks.
func TestVpcSecondaryIPv4(t *testing.T) {
	e := start(t)
	vpc := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16")}).Vpc.VpcId
	for block, code := range map[string]string{
		"10.1.0.0/29":    "InvalidVpc.Range", // smaller than /28
		"10.0.128.0/17":  "InvalidParameterValue",
		"192.168.0.0/16": "InvalidVpc.Range", // another private range than the primary's
		"198.19.0.0/16":  "InvalidVpc.Range",
	} {
		fails(t, e, east, ec2api.OpAssociateVpcCidrBlock, &ec2api.AssociateVpcCidrBlockRequest{VpcId: vpc, CidrBlock: new(block)}, code)
	}
	for _, block := range []string{"10.1.0.0/16", "100.64.0.0/16"} {
		got := call(t, e, east, ec2api.OpAssociateVpcCidrBlock, &ec2api.AssociateVpcCidrBlockRequest{VpcId: vpc, CidrBlock: new(block)}).CidrBlockAssociation
		if *got.CidrBlockState.State != "associating" {
			t.Errorf("association of %s = %+v", block, got)
		}
	}
	found := call(t, e, east, ec2api.OpDescribeVpcs, &ec2api.DescribeVpcsRequest{Filters: []ec2api.Filter{
		filter("cidr-block-association.cidr-block", "100.64.0.0/16"), filter("cidr-block-association.state", "associated")}}).Vpcs
	if len(found) != 1 || len(found[0].CidrBlockAssociationSet) != 3 {
		t.Errorf("VPCs with 100.64.0.0/16 = %+v", found)
	}
}

// TestSubnetIPv6Blocks: a /64 of the VPC's /56 that no other subnet holds; a subnet that
// hands out IPv6 addresses keeps its block.
func TestSubnetIPv6Blocks(t *testing.T) {
	e := start(t)
	plain := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.9.0.0/16")}).Vpc.VpcId
	bare := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: plain, CidrBlock: new("10.9.1.0/24")}).Subnet.SubnetId
	fails(t, e, east, ec2api.OpAssociateSubnetCidrBlock, &ec2api.AssociateSubnetCidrBlockRequest{SubnetId: bare, Ipv6CidrBlock: new("2600:1f18:1:100::/64")}, "InvalidParameter")
	fails(t, e, east, ec2api.OpModifySubnetAttribute, &ec2api.ModifySubnetAttributeRequest{SubnetId: bare,
		AssignIpv6AddressOnCreation: &ec2api.AttributeBooleanValue{Value: new(true)}}, "InvalidParameterValue")

	vpc := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16"), AmazonProvidedIpv6CidrBlock: new(true)}).Vpc
	block := *vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock
	sub := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: vpc.VpcId, CidrBlock: new("10.0.1.0/24")}).Subnet.SubnetId
	other := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: vpc.VpcId, CidrBlock: new("10.0.2.0/24"), Ipv6CidrBlock: new(nthSlash64(block, 2))}).Subnet
	if *other.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlockState.State != "associating" {
		t.Errorf("a subnet's block at creation = %+v", other.Ipv6CidrBlockAssociationSet)
	}
	wider := netip.MustParsePrefix(nthSlash64(block, 0))
	for cidr, code := range map[string]string{
		netip.PrefixFrom(wider.Addr(), 60).String(): "InvalidParameterValue", // not a /64
		"2600:1f18:ffff:ff00::/64":                  "InvalidSubnet.Range",   // outside the /56
		nthSlash64(block, 2):                        "InvalidSubnet.Conflict",
	} {
		fails(t, e, east, ec2api.OpAssociateSubnetCidrBlock, &ec2api.AssociateSubnetCidrBlockRequest{SubnetId: sub, Ipv6CidrBlock: new(cidr)}, code)
	}
	got := call(t, e, east, ec2api.OpAssociateSubnetCidrBlock, &ec2api.AssociateSubnetCidrBlockRequest{SubnetId: sub, Ipv6CidrBlock: new(nthSlash64(block, 1))}).Ipv6CidrBlockAssociation
	if *got.Ipv6CidrBlockState.State != "associating" {
		t.Errorf("association = %+v", got)
	}
	fails(t, e, east, ec2api.OpAssociateSubnetCidrBlock, &ec2api.AssociateSubnetCidrBlockRequest{SubnetId: sub, Ipv6CidrBlock: new(nthSlash64(block, 3))}, "CidrLimitExceeded")
	for _, attr := range []*ec2api.ModifySubnetAttributeRequest{
		{SubnetId: sub, AssignIpv6AddressOnCreation: &ec2api.AttributeBooleanValue{Value: new(true)}},
		{SubnetId: sub, EnableDns64: &ec2api.AttributeBooleanValue{Value: new(true)}},
	} {
		call(t, e, east, ec2api.OpModifySubnetAttribute, attr)
	}
	found := call(t, e, east, ec2api.OpDescribeSubnets, &ec2api.DescribeSubnetsRequest{Filters: []ec2api.Filter{
		filter("ipv6-cidr-block-association.ipv6-cidr-block", nthSlash64(block, 1)), filter("assign-ipv6-address-on-creation", "true"), filter("enable-dns64", "true")}}).Subnets
	if len(found) != 1 || *found[0].SubnetId != *sub {
		t.Fatalf("subnets with the block = %+v", found)
	}
	fails(t, e, east, ec2api.OpDisassociateSubnetCidrBlock, &ec2api.DisassociateSubnetCidrBlockRequest{AssociationId: got.AssociationId}, "InvalidCidrBlock.InUse")
	call(t, e, east, ec2api.OpModifySubnetAttribute, &ec2api.ModifySubnetAttributeRequest{SubnetId: sub, AssignIpv6AddressOnCreation: &ec2api.AttributeBooleanValue{Value: new(false)}})
	left := call(t, e, east, ec2api.OpDisassociateSubnetCidrBlock, &ec2api.DisassociateSubnetCidrBlockRequest{AssociationId: got.AssociationId}).Ipv6CidrBlockAssociation
	if *left.Ipv6CidrBlockState.State != "disassociating" || *left.Ipv6CidrBlock != nthSlash64(block, 1) {
		t.Errorf("disassociation = %+v", left)
	}
	fails(t, e, east, ec2api.OpDisassociateSubnetCidrBlock, &ec2api.DisassociateSubnetCidrBlockRequest{AssociationId: got.AssociationId}, "InvalidSubnetCidrBlockAssociationID.NotFound")
}

// TestIPv6OnlySubnets: an IPv6-native subnet has a /64 and no IPv4 block; interfaces in
// it have an IPv6 address only, and the network port hands them out, or the one asked.
func TestIPv6OnlySubnets(t *testing.T) {
	e := start(t)
	vpc := call(t, e, east, ec2api.OpCreateVpc, &ec2api.CreateVpcRequest{CidrBlock: new("10.0.0.0/16"), AmazonProvidedIpv6CidrBlock: new(true)}).Vpc
	block := *vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock
	fails(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: vpc.VpcId, Ipv6Native: new(true), CidrBlock: new("10.0.1.0/24"),
		Ipv6CidrBlock: new(nthSlash64(block, 1))}, "InvalidParameterCombination")
	fails(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: vpc.VpcId, Ipv6Native: new(true)}, "MissingParameter")
	only := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: vpc.VpcId, Ipv6Native: new(true), Ipv6CidrBlock: new(nthSlash64(block, 1))}).Subnet
	if only.CidrBlock != nil || !*only.Ipv6Native || !*only.AssignIpv6AddressOnCreation {
		t.Errorf("an IPv6-only subnet = %+v", only)
	}
	fails(t, e, east, ec2api.OpModifySubnetAttribute, &ec2api.ModifySubnetAttributeRequest{SubnetId: only.SubnetId,
		AssignIpv6AddressOnCreation: &ec2api.AttributeBooleanValue{Value: new(false)}}, "InvalidParameterValue")
	dual := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: vpc.VpcId, CidrBlock: new("10.0.2.0/24"), Ipv6CidrBlock: new(nthSlash64(block, 2))}).Subnet
	v4 := call(t, e, east, ec2api.OpCreateSubnet, &ec2api.CreateSubnetRequest{VpcId: vpc.VpcId, CidrBlock: new("10.0.3.0/24")}).Subnet
	if found := call(t, e, east, ec2api.OpDescribeSubnets, &ec2api.DescribeSubnetsRequest{Filters: []ec2api.Filter{filter("ipv6-native", "true")}}).Subnets; len(found) != 1 || *found[0].SubnetId != *only.SubnetId {
		t.Errorf("IPv6-native subnets = %+v", found)
	}

	net := network(e)
	_, err := update(t, e, func(tx kit.Tx) (any, error) {
		a, err := net.CreateInterface(tx, kittest.Account, east, port.InterfaceSpec{SubnetID: *only.SubnetId, IPv6Only: true})
		if err != nil {
			return nil, err
		}
		if a.PrivateIP != "" || !netip.MustParsePrefix(nthSlash64(block, 1)).Contains(netip.MustParseAddr(a.IPv6Address)) {
			t.Errorf("an IPv6-only interface = %+v", a)
		}
		asked := netip.MustParsePrefix(nthSlash64(block, 2)).Addr().Next().Next().Next().Next().Next()
		b, err := net.CreateInterface(tx, kittest.Account, east, port.InterfaceSpec{SubnetID: *dual.SubnetId, IPv6: true, IPv6Address: asked.String()})
		if err != nil || b.PrivateIP == "" || b.IPv6Address != asked.String() {
			t.Errorf("a dual-stack interface = %+v, %v", b, err)
		}
		for spec, want := range map[*port.InterfaceSpec]error{
			{SubnetID: *dual.SubnetId, IPv6: true, IPv6Address: asked.String()}:                                              port.ErrAddressInUse,
			{SubnetID: *dual.SubnetId, IPv6: true, IPv6Address: netip.MustParsePrefix(nthSlash64(block, 2)).Addr().String()}: port.ErrAddressNotInSubnet,
			{SubnetID: *dual.SubnetId, IPv6: true, IPv6Address: a.IPv6Address}:                                               port.ErrAddressNotInSubnet,
			{SubnetID: *v4.SubnetId, IPv6: true}:                                                                             port.ErrNoIPv6,
		} {
			if _, err := net.CreateInterface(tx, kittest.Account, east, *spec); !errors.Is(err, want) {
				t.Errorf("CreateInterface(%+v) = %v, want %v", *spec, err, want)
			}
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	enis := call(t, e, east, ec2api.OpDescribeNetworkInterfaces, &ec2api.DescribeNetworkInterfacesRequest{Filters: []ec2api.Filter{filter("subnet-id", *only.SubnetId)}}).NetworkInterfaces
	if len(enis) != 1 || enis[0].PrivateIpAddress != nil || len(enis[0].Ipv6Addresses) != 1 || *enis[0].Ipv6Address != *enis[0].Ipv6Addresses[0].Ipv6Address {
		t.Errorf("the IPv6-only interface in EC2 = %+v", enis)
	}
}

// inPool fails the test unless block is a /56 of pool.
func inPool(t *testing.T, block, pool string) {
	t.Helper()
	b, p := netip.MustParsePrefix(block), netip.MustParsePrefix(pool)
	if b.Bits() != 56 || !p.Contains(b.Addr()) || b.Masked() != b {
		t.Errorf("%s is not a /56 of %s", block, pool)
	}
}

// nthSlash64 is the nth /64 of a /56, as Terraform's cidrsubnet(block, 8, n) is.
func nthSlash64(block string, n int) string {
	a := netip.MustParsePrefix(block).Addr().As16()
	a[7] = byte(n)
	return netip.PrefixFrom(netip.AddrFrom16(a), 64).String()
}
