package efs

import (
	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service/port"
)

// A mount target's IpAddressType says which addresses its interface has, and so which
// subnets it can be in (EFS User Guide, "Creating mount targets"): IPV4_ONLY, the
// default, an IPv4 address, in an IPv4-only or a dual-stack subnet; DUAL_STACK both, in
// a dual-stack subnet; IPV6_ONLY an IPv6 address, in an IPv6-only subnet — AWS does not
// make IPv6-only interfaces in dual-stack subnets. The guide names no error for a
// subnet that does not fit; EFS answers BadRequest for what is wrong in a request, so
// these are BadRequest too, with texts that say what is missing.

// checkAddressParams refuses an address that the type gives no interface.
func checkAddressParams(in *efsapi.CreateMountTargetRequest) error {
	switch t := addressType(in); {
	case t == efsapi.IpAddressTypeIpv4Only && in.Ipv6Address != nil:
		return msgAddressForType.New(paramIpv6Address, t)
	case t == efsapi.IpAddressTypeIpv6Only && in.IpAddress != nil:
		return msgAddressForType.New(paramIpAddress, t)
	}
	return nil
}

func addressType(in *efsapi.CreateMountTargetRequest) string {
	if in.IpAddressType == nil {
		return efsapi.IpAddressTypeIpv4Only
	}
	return *in.IpAddressType
}

// interfaceSpec is the network interface a mount target of the type asks of its subnet.
func interfaceSpec(in *efsapi.CreateMountTargetRequest, sub port.Subnet) (port.InterfaceSpec, error) {
	t := addressType(in)
	hasV4, hasV6 := sub.CIDRBlock != "", sub.IPv6CIDRBlock != ""
	switch {
	case t != efsapi.IpAddressTypeIpv6Only && !hasV4:
		return port.InterfaceSpec{}, msgSubnetNoIPv4.New(sub.ID, t)
	case t != efsapi.IpAddressTypeIpv4Only && !hasV6:
		return port.InterfaceSpec{}, msgSubnetNoIPv6.New(sub.ID, t)
	case t == efsapi.IpAddressTypeIpv6Only && hasV4:
		return port.InterfaceSpec{}, msgIPv6OnlyDualStack.New(sub.ID)
	}
	return port.InterfaceSpec{
		SubnetID: sub.ID, SecurityGroupIDs: in.SecurityGroups, PrivateIP: deref(in.IpAddress), InterfaceType: "efs",
		IPv6: t == efsapi.IpAddressTypeDualStack, IPv6Only: t == efsapi.IpAddressTypeIpv6Only, IPv6Address: deref(in.Ipv6Address),
	}, nil
}

// askedAddress is the address a request names, for the message of a refusal of it.
func askedAddress(in *efsapi.CreateMountTargetRequest) string {
	if in.IpAddress != nil {
		return *in.IpAddress
	}
	return deref(in.Ipv6Address)
}
