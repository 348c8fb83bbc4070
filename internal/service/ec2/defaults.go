package ec2

import (
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/service/kit"
)

// network is a VPC and the resources AWS makes with it: its default security group and
// that group's rules, its main route table and its default network ACL; for the default
// VPC also a subnet per zone and an attached internet gateway.
type network struct {
	vpc     vpcRecord
	group   groupRecord
	rules   []ruleRecord
	table   routeTableRecord
	acl     aclRecord
	subnets []subnetRecord
	gateway *gatewayRecord
}

// newNetwork builds a VPC as CreateVpc makes it. The default security group lets
// everything out and lets in what comes from its own members; the main route table has
// the VPC's local route.
func newNetwork(account, region, cidr string, now time.Time, id idMaker) *network {
	vpcID := id(prefixVpc, "vpc")
	n := &network{
		vpc: vpcRecord{
			ID: vpcID, Owner: account, CidrBlock: cidr, Cidrs: []cidrLink{{AssociationID: id(prefixVpcCidr, "cidr"), Block: cidr}},
			DhcpOptionsID: dhcpOptionsID(account, region), Tenancy: "default", DNSSupport: true, Created: now,
		},
		group: groupRecord{ID: id(prefixGroup, "default"), Owner: account, Name: "default", Description: "default VPC security group", VpcID: vpcID},
		table: routeTableRecord{
			ID: id(prefixTable, "main"), Owner: account, VpcID: vpcID,
			Routes: []routeRec{{Destination: cidr, TargetKind: targetGateway, Target: "local", Origin: originTable}},
			Links:  []tableLink{{ID: id(prefixTableLink, "main"), Main: true}},
		},
		acl: aclRecord{ID: id(prefixACL, "default"), Owner: account, VpcID: vpcID, Default: true},
	}
	n.rules = []ruleRecord{
		{ID: id(prefixRule, "ingress"), GroupID: n.group.ID, Protocol: "-1", FromPort: -1, ToPort: -1, RefGroupID: n.group.ID, RefUserID: account},
		{ID: id(prefixRule, "egress"), GroupID: n.group.ID, Egress: true, Protocol: "-1", FromPort: -1, ToPort: -1, CidrIPv4: anywhere},
	}
	return n
}

// defaultVpcCidr is the block of every default VPC.
const defaultVpcCidr = "172.31.0.0/16"

// defaultNetwork builds the default VPC of an account in a Region as AWS makes it: a /16
// with DNS hostnames, a /20 default subnet in each zone that gives instances public
// addresses, and an internet gateway that the main route table sends 0.0.0.0/0 to. Its
// ids are derived from the account and the Region (see defaultIDs).
func defaultNetwork(account, region string, now time.Time) *network {
	id := defaultIDs(account, region)
	n := newNetwork(account, region, defaultVpcCidr, now, id)
	n.vpc.Default, n.vpc.DNSHostnames = true, true
	n.gateway = &gatewayRecord{ID: id(prefixGateway, "default"), Owner: account, VpcID: n.vpc.ID}
	n.table.Routes = append(n.table.Routes, routeRec{Destination: anywhere, TargetKind: targetGateway, Target: n.gateway.ID, Origin: originTable})
	for i, z := range zonesOf(region) {
		sub := subnetRecord{
			ID: id(prefixSubnet, z.Name), Owner: account, VpcID: n.vpc.ID, CidrBlock: fmt.Sprintf("172.31.%d.0/20", 16*i),
			Zone: z.Name, ZoneID: z.ID, DefaultForAz: true, MapPublicIP: true, Created: now,
		}
		n.subnets = append(n.subnets, sub)
		n.acl.Links = append(n.acl.Links, aclLink{ID: id(prefixACLLink, z.Name), SubnetID: sub.ID})
	}
	return n
}

// dhcpOptionsID is the id of the DHCP options AWS gives every VPC of an account in a
// Region (AmazonProvidedDNS, the Region's domain name).
func dhcpOptionsID(account, region string) string {
	return defaultIDs(account, region)(prefixDHCP, "default")
}

func dhcpExists(v kit.View, id string) bool { return id == dhcpOptionsID(v.Account(), v.Region()) }

// put writes the network's records.
func (n *network) put(v kit.View) error {
	if err := vpcs.Put(v, &n.vpc, n.vpc.ID); err != nil {
		return err
	}
	if err := groups.Put(v, &n.group, n.group.ID); err != nil {
		return err
	}
	for i := range n.rules {
		if err := rules.Put(v, &n.rules[i], n.group.ID, n.rules[i].ID); err != nil {
			return err
		}
	}
	if err := routeTables.Put(v, &n.table, n.table.ID); err != nil {
		return err
	}
	if err := acls.Put(v, &n.acl, n.acl.ID); err != nil {
		return err
	}
	for i := range n.subnets {
		if err := subnets.Put(v, &n.subnets[i], n.subnets[i].ID); err != nil {
			return err
		}
	}
	if n.gateway != nil {
		return gateways.Put(v, n.gateway, n.gateway.ID)
	}
	return nil
}

// makeDefaults makes the default network of the view's account and Region, once: an
// account that deletes its default VPC does not get it back.
func makeDefaults(v kit.View, now time.Time) error {
	if defaultsMade.Has(v) {
		return nil
	}
	n := defaultNetwork(v.Account(), v.Region(), now)
	if err := n.put(v); err != nil {
		return err
	}
	return defaultsMade.Put(v, &defaultsRecord{VpcID: n.vpc.ID, Made: now})
}

// ensureDefaults makes the default network of an account and Region before a read-only
// call looks at it: a cheap read when it exists, one write the first time.
func (s *Service) ensureDefaults(account, region string) error {
	made, err := kit.Read(s.Kit, func(tx kit.Tx) (bool, error) { return defaultsMade.Has(tx.In(account, region)), nil })
	if err != nil || made {
		return err
	}
	return s.Update(func(tx kit.Tx) error { return makeDefaults(tx.In(account, region), s.Clock.Now()) })
}

// defaultVpc returns the default VPC of the view, or nil when the account deleted it.
func defaultVpc(v kit.View) (*vpcRecord, error) {
	d, err := defaultsMade.Get(v)
	if err != nil || d == nil {
		return nil, err
	}
	return vpcs.Get(v, d.VpcID)
}
