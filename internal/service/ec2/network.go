package ec2

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// port.Network, for the services that place resources in subnets (RDS, EFS).

// Zones implements port.Network.
func (s *Service) Zones(region string) []port.Zone { return zonesOf(region) }

// netView is the network of an account and Region as a port caller's transaction sees
// it: a writable transaction makes the default network if it is not made yet; a
// read-only one gets it, unwritten, as it will be made (its ids are derived).
func (s *Service) netView(tx kit.Tx, account, region string) (kit.View, *network, error) {
	v := s.Join(tx).In(account, region)
	if tx.Writable() {
		return v, nil, makeDefaults(v, s.Clock.Now())
	}
	if defaultsMade.Has(v) {
		return v, nil, nil
	}
	return v, defaultNetwork(account, region, s.Clock.Now()), nil
}

func portSubnet(v kit.View, r *subnetRecord) port.Subnet {
	return port.Subnet{
		ID: r.ID, ARN: resourceARN(v, "subnet", r.ID), VpcID: r.VpcID, Zone: r.zone(), CIDRBlock: r.CidrBlock,
		IPv6CIDRBlock: r.ipv6Block(), State: "available", DefaultForAz: r.DefaultForAz,
	}
}

func portGroup(v kit.View, g *groupRecord) port.SecurityGroup {
	return port.SecurityGroup{ID: g.ID, ARN: resourceARN(v, "security-group", g.ID), Name: g.Name, VpcID: g.VpcID, OwnerID: g.Owner}
}

// findSubnet finds a subnet in the records or in the unwritten default network.
func findSubnet(v kit.View, unmade *network, id string) (*subnetRecord, error) {
	if unmade != nil {
		if i := slices.IndexFunc(unmade.subnets, func(r subnetRecord) bool { return r.ID == id }); i >= 0 {
			return &unmade.subnets[i], nil
		}
	}
	r, err := subnets.Get(v, id)
	if err == nil && r == nil {
		err = port.Missing(port.ErrSubnetNotFound, id)
	}
	return r, err
}

func findGroup(v kit.View, unmade *network, id string) (*groupRecord, error) {
	if unmade != nil && unmade.group.ID == id {
		return &unmade.group, nil
	}
	r, err := groups.Get(v, id)
	if err == nil && r == nil {
		err = port.Missing(port.ErrSecurityGroupNotFound, id)
	}
	return r, err
}

// Subnets implements port.Network.
func (s *Service) Subnets(tx kit.Tx, account, region string, ids []string) ([]port.Subnet, error) {
	v, unmade, err := s.netView(tx, account, region)
	if err != nil {
		return nil, err
	}
	out := make([]port.Subnet, 0, len(ids))
	for _, id := range ids {
		r, err := findSubnet(v, unmade, id)
		if err != nil {
			return nil, err
		}
		out = append(out, portSubnet(v, r))
	}
	return out, nil
}

// DefaultSubnets implements port.Network.
func (s *Service) DefaultSubnets(tx kit.Tx, account, region string) ([]port.Subnet, error) {
	v, unmade, err := s.netView(tx, account, region)
	if err != nil {
		return nil, err
	}
	var list []*subnetRecord
	if unmade != nil {
		list = ptrs(unmade.subnets)
	} else {
		vpc, err := defaultVpc(v)
		if err != nil || vpc == nil {
			return nil, err
		}
		all, err := subnets.List(v)
		if err != nil {
			return nil, err
		}
		list = slices.DeleteFunc(all, func(r *subnetRecord) bool { return r.VpcID != vpc.ID || !r.DefaultForAz })
	}
	slices.SortFunc(list, func(a, b *subnetRecord) int { return strings.Compare(a.Zone, b.Zone) })
	out := make([]port.Subnet, len(list))
	for i, r := range list {
		out[i] = portSubnet(v, r)
	}
	return out, nil
}

// SecurityGroups implements port.Network.
func (s *Service) SecurityGroups(tx kit.Tx, account, region string, ids []string) ([]port.SecurityGroup, error) {
	v, unmade, err := s.netView(tx, account, region)
	if err != nil {
		return nil, err
	}
	out := make([]port.SecurityGroup, 0, len(ids))
	for _, id := range ids {
		g, err := findGroup(v, unmade, id)
		if err != nil {
			return nil, err
		}
		out = append(out, portGroup(v, g))
	}
	return out, nil
}

// DefaultSecurityGroup implements port.Network.
func (s *Service) DefaultSecurityGroup(tx kit.Tx, account, region, vpcID string) (port.SecurityGroup, error) {
	v, unmade, err := s.netView(tx, account, region)
	if err != nil {
		return port.SecurityGroup{}, err
	}
	if unmade != nil && unmade.vpc.ID == vpcID {
		return portGroup(v, &unmade.group), nil
	}
	if !vpcs.Has(v, vpcID) {
		return port.SecurityGroup{}, port.Missing(port.ErrVPCNotFound, vpcID)
	}
	g, err := groupByName(v, vpcID, "default")
	if err != nil {
		return port.SecurityGroup{}, err
	}
	return portGroup(v, g), nil
}

// CreateInterface implements port.Network.
func (s *Service) CreateInterface(tx kit.Tx, account, region string, spec port.InterfaceSpec) (port.Interface, error) {
	v, _, err := s.netView(tx, account, region)
	if err != nil {
		return port.Interface{}, err
	}
	sub, err := findSubnet(v, nil, spec.SubnetID)
	if err != nil {
		return port.Interface{}, err
	}
	groupIDs, err := interfaceGroups(v, sub.VpcID, spec.SecurityGroupIDs)
	if err != nil {
		return port.Interface{}, err
	}
	ip, ip6, err := interfaceAddresses(v, sub, spec)
	if err != nil {
		return port.Interface{}, err
	}
	kind := spec.InterfaceType
	if kind == "" {
		kind = "interface"
	}
	id := newID(prefixInterface)
	r := &interfaceRecord{
		ID: id, Owner: account, SubnetID: sub.ID, VpcID: sub.VpcID, Zone: sub.Zone, ZoneID: sub.ZoneID, PrivateIP: ip, IPv6: ip6,
		MAC: macAddress(id), Groups: groupIDs, Description: spec.Description, Type: kind, RequesterID: spec.RequesterID, Created: s.Clock.Now(),
	}
	if err := interfaces.Put(v, r, id); err != nil {
		return port.Interface{}, err
	}
	return port.Interface{ID: id, SubnetID: sub.ID, VpcID: sub.VpcID, PrivateIP: ip, IPv6Address: ip6, Zone: sub.zone(), SecurityGroupIDs: groupIDs}, nil
}

// interfaceGroups checks the groups of a new interface, or gives it the VPC's default.
func interfaceGroups(v kit.View, vpcID string, ids []string) ([]string, error) {
	if len(ids) == 0 {
		g, err := groupByName(v, vpcID, "default")
		if err != nil {
			return nil, err
		}
		return []string{g.ID}, nil
	}
	for _, id := range ids {
		g, err := findGroup(v, nil, id)
		if err != nil {
			return nil, err
		}
		if g.VpcID != vpcID {
			return nil, port.ErrVPCMismatch
		}
	}
	return slices.Clone(ids), nil
}

// interfaceAddresses are a new interface's IPv4 address, unless it is IPv6-only, and its
// IPv6 address if it asks for one.
func interfaceAddresses(v kit.View, sub *subnetRecord, spec port.InterfaceSpec) (ip, ip6 string, err error) {
	if !spec.IPv6Only {
		if ip, err = interfaceAddress(v, sub, spec.PrivateIP); err != nil {
			return "", "", err
		}
	}
	if spec.IPv6 || spec.IPv6Only {
		ip6, err = interfaceIPv6(v, sub, spec.IPv6Address)
	}
	return ip, ip6, err
}

// interfaceIPv6 checks the IPv6 address asked for, or picks one of the subnet's /64:
// AWS picks them out of order, so the pick is derived from a new random id. The first
// four addresses and the last of the /64 are AWS's, as with IPv4.
func interfaceIPv6(v kit.View, sub *subnetRecord, want string) (string, error) {
	block, ok := parseBlock(sub.ipv6Block())
	if !ok {
		return "", port.ErrNoIPv6
	}
	used, err := anyOf(v, interfaces, func(r *interfaceRecord) bool { return r.SubnetID == sub.ID && r.IPv6 != "" && r.IPv6 == want })
	if err != nil {
		return "", err
	}
	if want == "" {
		return hostOf(block, newID("ipv6")).String(), nil
	}
	a, err := netip.ParseAddr(want)
	switch {
	case err != nil || !a.Is6() || !block.Contains(a) || reservedIPv6(a):
		return "", port.ErrAddressNotInSubnet
	case used:
		return "", port.ErrAddressInUse
	}
	return a.String(), nil
}

// interfaceAddress checks the address asked for, or finds the subnet's first free one.
// An IPv6-only subnet has no IPv4 address to give: ErrSubnetFull, which callers answer
// as a subnet without free addresses.
func interfaceAddress(v kit.View, sub *subnetRecord, want string) (string, error) {
	block, ok := parseIPv4Block(sub.CidrBlock)
	if !ok {
		return "", port.ErrSubnetFull
	}
	used := map[string]bool{}
	if err := interfaces.Scan(v, func(r *interfaceRecord) bool {
		if r.SubnetID == sub.ID {
			used[r.PrivateIP] = true
		}
		return true
	}); err != nil {
		return "", err
	}
	size := addressCount(block)
	usable := func(a netip.Addr) bool {
		return block.Contains(a) && a.Compare(nthAddress(block, 3)) > 0 && a.Compare(nthAddress(block, size-1)) < 0
	}
	if want != "" {
		a, err := netip.ParseAddr(want)
		switch {
		case err != nil || !usable(a):
			return "", port.ErrAddressNotInSubnet
		case used[a.String()]:
			return "", port.ErrAddressInUse
		}
		return a.String(), nil
	}
	for n := int64(4); n < size-1; n++ {
		if a := nthAddress(block, n).String(); !used[a] {
			return a, nil
		}
	}
	return "", port.ErrSubnetFull
}

// DeleteInterface implements port.Network.
func (s *Service) DeleteInterface(tx kit.Tx, account, region, interfaceID string) error {
	v := s.Join(tx).In(account, region)
	if err := interfaces.Delete(v, interfaceID); err != nil {
		return err
	}
	return tagSets.Delete(v, interfaceID)
}

// SetInterfaceGroups implements port.Network: the groups must be of the interface's VPC.
func (s *Service) SetInterfaceGroups(tx kit.Tx, account, region, interfaceID string, groupIDs []string) ([]string, error) {
	v := s.Join(tx).In(account, region)
	r, err := interfaces.Get(v, interfaceID)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, port.Missing(port.ErrInterfaceNotFound, interfaceID)
	}
	if r.Groups, err = interfaceGroups(v, r.VpcID, groupIDs); err != nil {
		return nil, err
	}
	return r.Groups, interfaces.Put(v, r, interfaceID)
}
