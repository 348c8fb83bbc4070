package ec2

import (
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

const serviceName = "ec2"

// The records of an account in a Region. Every resource is filed under its id; a
// security group's rules under the group.
var (
	defaultsMade = kit.Table[defaultsRecord]{Kind: "defaults"} // defaults: the default network was made
	vpcs         = kit.Table[vpcRecord]{Kind: "vpc"}           // vpc/<id>
	subnets      = kit.Table[subnetRecord]{Kind: "subnet"}     // subnet/<id>
	groups       = kit.Table[groupRecord]{Kind: "sg"}          // sg/<id>
	rules        = kit.Table[ruleRecord]{Kind: "sgr"}          // sgr/<group id>/<rule id>
	routeTables  = kit.Table[routeTableRecord]{Kind: "rtb"}    // rtb/<id>
	gateways     = kit.Table[gatewayRecord]{Kind: "igw"}       // igw/<id>
	acls         = kit.Table[aclRecord]{Kind: "acl"}           // acl/<id>
	interfaces   = kit.Table[interfaceRecord]{Kind: "eni"}     // eni/<id>
	tagSets      = kit.Table[tagSet]{Kind: "tags"}             // tags/<resource id>
)

// defaultsRecord marks the default network of an account and Region as made: it is made
// once, and a default VPC the account deleted stays deleted.
type defaultsRecord struct {
	VpcID string    `json:"vpcId"`
	Made  time.Time `json:"made"`
}

type vpcRecord struct {
	ID            string     `json:"id" filter:"vpc-id"`
	Owner         string     `json:"owner" filter:"owner-id"`
	CidrBlock     string     `json:"cidr" filter:"cidr"`
	Cidrs         []cidrLink `json:"cidrs"`
	IPv6          []cidrLink `json:"ipv6,omitempty"`
	DhcpOptionsID string     `json:"dhcp" filter:"dhcp-options-id"`
	Tenancy       string     `json:"tenancy"`
	Default       bool       `json:"default,omitempty" filter:"is-default"`
	DNSSupport    bool       `json:"dnsSupport"`
	DNSHostnames  bool       `json:"dnsHostnames"`
	UsageMetrics  bool       `json:"usageMetrics,omitempty"`
	Created       time.Time  `json:"created"`
	ClientToken   string     `json:"clientToken,omitempty"`
}

// cidrLink is a CIDR block associated with a VPC or a subnet.
type cidrLink struct {
	AssociationID string `json:"id"`
	Block         string `json:"block"`
	BorderGroup   string `json:"nbg,omitempty"` // an IPv6 block's network border group
}

type subnetRecord struct {
	ID           string     `json:"id" filter:"subnet-id"`
	Owner        string     `json:"owner" filter:"owner-id"`
	VpcID        string     `json:"vpcId" filter:"vpc-id"`
	CidrBlock    string     `json:"cidr" filter:"cidr-block,cidr,cidrBlock"`
	IPv6         []cidrLink `json:"ipv6,omitempty"`
	Zone         string     `json:"zone" filter:"availability-zone"`
	ZoneID       string     `json:"zoneId" filter:"availability-zone-id"`
	DefaultForAz bool       `json:"defaultForAz,omitempty" filter:"default-for-az,defaultForAz"`
	MapPublicIP  bool       `json:"mapPublicIp,omitempty" filter:"map-public-ip-on-launch"`
	AssignIPv6   bool       `json:"assignIpv6,omitempty" filter:"assign-ipv6-address-on-creation"`
	IPv6Native   bool       `json:"ipv6Native,omitempty" filter:"ipv6-native"` // no IPv4 block: CidrBlock is ""
	DNS64        bool       `json:"dns64,omitempty" filter:"enable-dns64"`
	HostnameType string     `json:"hostnameType,omitempty"` // "" is AWS's default, ip-name
	ResourceA    bool       `json:"resourceA,omitempty"`
	ResourceAAAA bool       `json:"resourceAAAA,omitempty"`
	Created      time.Time  `json:"created"`
}

type groupRecord struct {
	ID          string `json:"id" filter:"group-id"`
	Owner       string `json:"owner" filter:"owner-id"`
	Name        string `json:"name" filter:"group-name"`
	Description string `json:"description" filter:"description"`
	VpcID       string `json:"vpcId" filter:"vpc-id"`
}

// ruleRecord is one rule of a security group: one protocol and port range with one
// source or destination, as AWS keeps them (DescribeSecurityGroups groups them back into
// IpPermissions).
type ruleRecord struct {
	ID          string `json:"id"`
	GroupID     string `json:"groupId"`
	Egress      bool   `json:"egress,omitempty"`
	Protocol    string `json:"protocol"` // "tcp", "udp", "icmp", "icmpv6", "-1" or a number
	FromPort    int64  `json:"from"`     // -1 when the protocol has no ports
	ToPort      int64  `json:"to"`
	CidrIPv4    string `json:"cidr,omitempty"`
	CidrIPv6    string `json:"cidr6,omitempty"`
	PrefixList  string `json:"prefixList,omitempty"`
	RefGroupID  string `json:"refGroup,omitempty"`
	RefUserID   string `json:"refUser,omitempty"`
	Description string `json:"description,omitempty"`
}

type routeTableRecord struct {
	ID     string      `json:"id" filter:"route-table-id"`
	Owner  string      `json:"owner" filter:"owner-id"`
	VpcID  string      `json:"vpcId" filter:"vpc-id"`
	Routes []routeRec  `json:"routes"`
	Links  []tableLink `json:"links,omitempty"`
	// ClientToken is the idempotency token of the CreateRouteTable that made it.
	ClientToken string `json:"clientToken,omitempty"`
}

// routeRec is one route: a destination and a target.
type routeRec struct {
	Destination     string `json:"dest,omitempty"`
	DestinationIPv6 string `json:"dest6,omitempty"`
	PrefixList      string `json:"prefixList,omitempty"`
	TargetKind      string `json:"kind"` // a field of ec2api.Route: "GatewayId", "NatGatewayId", ...
	Target          string `json:"target"`
	Origin          string `json:"origin"` // CreateRouteTable or CreateRoute
}

// tableLink associates a route table with a subnet or a gateway, or marks it main.
type tableLink struct {
	ID        string `json:"id"`
	Main      bool   `json:"main,omitempty"`
	SubnetID  string `json:"subnetId,omitempty"`
	GatewayID string `json:"gatewayId,omitempty"`
}

type gatewayRecord struct {
	ID    string `json:"id" filter:"internet-gateway-id"`
	Owner string `json:"owner" filter:"owner-id"`
	VpcID string `json:"vpcId,omitempty" filter:"attachment.vpc-id"` // the VPC it is attached to
}

type aclRecord struct {
	ID      string    `json:"id" filter:"network-acl-id"`
	Owner   string    `json:"owner" filter:"owner-id"`
	VpcID   string    `json:"vpcId" filter:"vpc-id"`
	Default bool      `json:"default" filter:"default"`
	Links   []aclLink `json:"links,omitempty"`
}

type aclLink struct {
	ID       string `json:"id"`
	SubnetID string `json:"subnetId"`
}

// interfaceRecord is a network interface another service made through port.Network.
type interfaceRecord struct {
	ID          string    `json:"id" filter:"network-interface-id"`
	Owner       string    `json:"owner" filter:"owner-id"`
	SubnetID    string    `json:"subnetId" filter:"subnet-id"`
	VpcID       string    `json:"vpcId" filter:"vpc-id"`
	Zone        string    `json:"zone" filter:"availability-zone"`
	ZoneID      string    `json:"zoneId"`
	PrivateIP   string    `json:"ip" filter:"private-ip-address,addresses.private-ip-address"`
	IPv6        string    `json:"ip6,omitempty" filter:"ipv6-addresses.ipv6-address"`
	MAC         string    `json:"mac" filter:"mac-address"`
	Groups      []string  `json:"groups" filter:"group-id"`
	Description string    `json:"description,omitempty" filter:"description"`
	Type        string    `json:"type" filter:"interface-type"`
	RequesterID string    `json:"requester,omitempty" filter:"requester-id"`
	Created     time.Time `json:"created"`
}

// tagSet is the tags of one resource, in the order they were first set.
type tagSet struct {
	Tags []tag `json:"tags"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

func partitionOf(region string) string {
	if p, ok := regions.Partition(region); ok {
		return p
	}
	return "aws"
}

// resourceARN is the ARN of an EC2 resource of the view's account: "subnet/subnet-1".
func resourceARN(v kit.View, kind, id string) string {
	return arn.New(partitionOf(v.Region()), serviceName, v.Region(), v.Account(), kind+"/"+id)
}
